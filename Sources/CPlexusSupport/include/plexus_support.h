#ifndef PLEXUS_SUPPORT_H
#define PLEXUS_SUPPORT_H
/* Internal helpers of libplexus. The `plxs_` prefix keeps them out of the exported
   `plexus_*` symbol set (the linker version script exports `plexus_*` only). */
#include <stddef.h>

/* Stores `message` (NUL-terminated, truncated to fit) as this thread's last error. */
void plxs_set_error(const char *message);
/* This thread's last error message; "" when no call on this thread has failed. */
const char *plxs_last_error(void);

/* Reads a flag another thread (or a signal handler) may set at any time: an atomic load, so a
   training loop that polls it sees the store without a data race. */
static inline int plxs_flag_is_set(const volatile int *flag) {
    return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* MARK: gates and handles (handles.c)

   Every Network, Graph and plexus_quantized object owns one slot of a registry whose memory is
   never freed. The slot's state word is the object's access gate, one writer or many readers
   enforced without waiting (the Swift core's Access.swift), and, once the C API has handed the
   object out, its handle's liveness: one compare-and-swap both checks a handle and takes the
   object for a call, and the memory outlives every call in flight.

   A handle is not an address but a 64-bit value naming the slot: the tag 0xA5 (bits 63-56), the
   type (55-54), the slot's index (53-32) and its generation (31-0). The tag makes it a
   non-canonical address on x86-64 and aarch64, so no real pointer equals a handle, and nothing a
   caller passes is ever dereferenced: a freed, foreign or mistyped handle is PLEXUS_ERR_MISUSE.

   The state word: generation (63-32; moves on when the object goes), type (31-30; 0 when the
   slot is free), HANDED (29: the C API handed a handle out), DEAD (28: the handle was freed),
   WRITER (27), the writer's activity (26-24, for messages), readers (23-0). A freed handle is
   reaped (its object released) by whoever leaves the slot with neither readers nor a writer:
   the free itself, or the last call in flight. */

#include <pthread.h>
#include <stdint.h>

_Static_assert(sizeof(void *) == 8, "Plexus handles need 64-bit pointers");

enum { PLXS_HANDLE_NET = 1, PLXS_HANDLE_GRAPH = 2, PLXS_HANDLE_QUANTIZED = 3 };

#define PLXS_HANDLE_TAG 0xA5ull
#define PLXS_TYPE_SHIFT 30
#define PLXS_HANDED (1ull << 29)
#define PLXS_DEAD (1ull << 28)
#define PLXS_WRITER (1ull << 27)
#define PLXS_ACTIVITY_SHIFT 24
#define PLXS_ACTIVITY_MASK (7ull << PLXS_ACTIVITY_SHIFT)
#define PLXS_READERS ((1ull << 24) - 1)
#define PLXS_IDENTITY (~0ull << PLXS_TYPE_SHIFT) /* generation and type */
#define PLXS_CHUNK_BITS 10
#define PLXS_CHUNK_MASK ((1u << PLXS_CHUNK_BITS) - 1)
#define PLXS_MAX_CHUNKS 4096 /* 2^22 slots: the index's 22 bits */

typedef struct {
    uint64_t state;         /* atomic: the word above */
    uintptr_t object;       /* atomic: the retained object while a handle is out, hidden
                               (PLXS_HIDDEN) */
    uintptr_t writer;       /* atomic: the thread that holds WRITER (pthread_self), else 0 */
    uint32_t index;         /* the slot's own index, fixed */
    uint32_t next_free;     /* the free queue's link (under the registry's lock) */
} plxs_slot;

/* What a writer does, named in the messages of the calls it refuses (Access.swift's phrases). */
enum {
    PLXS_ACTIVITY_TRAINING = 1,
    PLXS_ACTIVITY_TRAINING_STEP = 2,
    PLXS_ACTIVITY_PASSES = 3,
    PLXS_ACTIVITY_CHANGING = 4,
    PLXS_ACTIVITY_FITTING = 5
};

/* The outcome of taking a slot: counted (release it), nested (the calling thread already holds
   the writer: nothing to release), busy (a conflicting call holds it), or, for a handle, misuse. */
enum { PLXS_TAKEN = 0, PLXS_NESTED = 1, PLXS_BUSY = 2, PLXS_MISUSE = 3 };

/* What a refused call met, for its message: the writer's activity (0: none), the readers. */
static inline uint32_t plxs_state_activity(uint64_t state) {
    return state & PLXS_WRITER ? (uint32_t)((state & PLXS_ACTIVITY_MASK) >> PLXS_ACTIVITY_SHIFT) : 0;
}
static inline uint32_t plxs_state_readers(uint64_t state) { return (uint32_t)(state & PLXS_READERS); }

/* The chunks of 2^PLXS_CHUNK_BITS slots, allocated as needed and never freed; the entries of
   chunks not yet allocated point at one empty chunk (set when the library loads), so a handle's
   slot is always memory of the registry's. */
extern plxs_slot *plxs_chunks[PLXS_MAX_CHUNKS];

/* This thread's identity for the writer check. */
static inline uintptr_t plxs_thread_id(void) { return (uintptr_t)pthread_self(); }

/* A slot for a new object (its type set, readers and writer none), or NULL when out of memory or
   out of slots. */
plxs_slot *plxs_gate_open(uint32_t type);
/* Gives the slot back when its object goes: its generation moves on, so its handle is stale. */
void plxs_gate_close(plxs_slot *slot);

/* What taking a slot gave: the slot (NULL only for PLXS_MISUSE) and the outcome. Returned in
   two registers, so a caller keeps no local in memory. */
typedef struct {
    plxs_slot *slot;
    uint64_t outcome;
} plxs_taken;

/* The one way a slot is taken, for reading (activity 0) or writing as `activity` (1-7, named in
   messages): PLXS_MISUSE unless the state's bits under `checked` equal `identity` (a handle's
   check; 0 and 0 for the object's own gate), else PLXS_TAKEN, PLXS_NESTED when this thread holds
   the writer already, or PLXS_BUSY (plxs_slot_state then says what holds it). */
static inline plxs_taken plxs_slot_take(plxs_slot *slot, uint32_t activity, uint64_t checked, uint64_t identity) {
    uint64_t state = __atomic_load_n(&slot->state, __ATOMIC_RELAXED);
    for (;;) {
        if ((state & checked) != identity) return (plxs_taken){(plxs_slot *)0, PLXS_MISUSE};
        if (state & (PLXS_WRITER | (activity ? PLXS_READERS : 0))) break;
        uint64_t desired = activity ? state | PLXS_WRITER | (uint64_t)activity << PLXS_ACTIVITY_SHIFT : state + 1;
        if (__atomic_compare_exchange_n(&slot->state, &state, desired, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (activity) __atomic_store_n(&slot->writer, plxs_thread_id(), __ATOMIC_RELAXED);
            return (plxs_taken){slot, PLXS_TAKEN};
        }
    }
    if ((state & PLXS_WRITER) && __atomic_load_n(&slot->writer, __ATOMIC_RELAXED) == plxs_thread_id())
        return (plxs_taken){slot, PLXS_NESTED};
    return (plxs_taken){slot, PLXS_BUSY};
}

/* The state of a slot now, for the message of a refused call. */
static inline uint64_t plxs_slot_state(plxs_slot *slot) { return __atomic_load_n(&slot->state, __ATOMIC_RELAXED); }

void *plxs_handle_reap(plxs_slot *slot);

/* Ends a counted read of the object's own gate: the Swift core's, which, for an object that has
   a handle, always runs inside the C layer's take and so is never the last call on a freed one. */
static inline void plxs_gate_end_read(plxs_slot *slot) { __atomic_fetch_sub(&slot->state, 1, __ATOMIC_RELEASE); }

/* Ends a counted read of a slot taken through its handle of `type`: NULL, or the object to
   release when this was the last call on a freed handle (the caller releases it after its own
   last use of the object). The low half of the state is then known but for DEAD and the
   readers, so one comparison finds that case. */
static inline void *plxs_handle_end_read(plxs_slot *slot, uint32_t type) {
    uint64_t state = __atomic_fetch_sub(&slot->state, 1, __ATOMIC_RELEASE);
    if ((uint32_t)state == ((uint32_t)type << PLXS_TYPE_SHIFT | (uint32_t)(PLXS_HANDED | PLXS_DEAD) | 1u))
        return plxs_handle_reap(slot);
    return (void *)0;
}

/* Ends a counted write: NULL, or the object to release when its handle was freed meanwhile. */
static inline void *plxs_gate_end_write(plxs_slot *slot) {
    __atomic_store_n(&slot->writer, (uintptr_t)0, __ATOMIC_RELAXED);
    uint64_t state = __atomic_fetch_and(&slot->state, ~(PLXS_WRITER | PLXS_ACTIVITY_MASK), __ATOMIC_RELEASE);
    if (state & PLXS_DEAD) return plxs_handle_reap(slot);
    return (void *)0;
}

/* The slot a handle of `type` names, or NULL when no slot could be (wrong tag or type, a chunk
   that does not exist). Reads no memory but the registry's own. */
static inline int plxs_handle_names_slot(const void *handle, uint32_t type) {
    /* The tag, the type and the chunk's number are the top 22 bits: one subtraction leaves the
       chunk's number, below PLXS_MAX_CHUNKS only when the tag and type are right. */
    uint64_t h = (uint64_t)(uintptr_t)handle;
    return (h >> (32 + PLXS_CHUNK_BITS)) - ((PLXS_HANDLE_TAG << 2 | type) << 12) < PLXS_MAX_CHUNKS;
}

/* The slot of a handle for which plxs_handle_names_slot holds. */
static inline plxs_slot *plxs_handle_slot_unchecked(const void *handle, uint32_t type) {
    uint64_t h = (uint64_t)(uintptr_t)handle;
    uint64_t chunk_number = (h >> (32 + PLXS_CHUNK_BITS)) - ((PLXS_HANDLE_TAG << 2 | type) << 12);
    /* A chunk not yet allocated is the library's empty chunk, whose slots never match. */
    plxs_slot *chunk = __atomic_load_n(&plxs_chunks[chunk_number], __ATOMIC_ACQUIRE);
    /* The slot's byte offset in its chunk, straight from the index's low bits (32-byte slots). */
    _Static_assert(sizeof(plxs_slot) == 32, "slots are 32 bytes");
    return (plxs_slot *)((char *)chunk + ((h >> 27) & ((uint64_t)PLXS_CHUNK_MASK << 5)));
}

static inline plxs_slot *plxs_handle_slot(const void *handle, uint32_t type) {
    return plxs_handle_names_slot(handle, type) ? plxs_handle_slot_unchecked(handle, type) : (plxs_slot *)0;
}

/* What the state of a live, handed-out, not freed slot holds beside its gate: generation, type,
   HANDED. */
static inline uint64_t plxs_handle_identity(const void *handle, uint32_t type) {
    return (uint64_t)(uintptr_t)handle << 32 | (uint64_t)type << PLXS_TYPE_SHIFT | PLXS_HANDED;
}

plxs_taken plxs_handle_take_slow(const void *handle, uint32_t type, uint32_t activity);

/* Takes the object behind a handle for a call, reading (activity 0) or writing as `activity`:
   PLXS_TAKEN, PLXS_NESTED, PLXS_BUSY or PLXS_MISUSE. The inline part is the uncontended case, one
   compare-and-swap; anything else (a writer, readers for a writer, a stale or foreign handle, a
   lost race) goes to plxs_handle_take_slow. */
static inline plxs_taken plxs_handle_take(const void *handle, uint32_t type, uint32_t activity) {
    if (plxs_handle_names_slot(handle, type)) {
        plxs_slot *slot = plxs_handle_slot_unchecked(handle, type);
        uint64_t state = __atomic_load_n(&slot->state, __ATOMIC_RELAXED);
        /* The generation, type, HANDED, DEAD and WRITER bits (27 and up) as a live handle's with no
           writer; for a writer, also no readers (and so no activity). */
        uint64_t differences = state ^ plxs_handle_identity(handle, type);
        if ((activity ? differences : differences >> 27) == 0) {
            uint64_t desired = activity ? state | PLXS_WRITER | (uint64_t)activity << PLXS_ACTIVITY_SHIFT : state + 1;
            if (__atomic_compare_exchange_n(&slot->state, &state, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                if (activity) __atomic_store_n(&slot->writer, plxs_thread_id(), __ATOMIC_RELAXED);
                return (plxs_taken){slot, PLXS_TAKEN};
            }
        }
    }
    return plxs_handle_take_slow(handle, type, activity);
}

/* A slot keeps its object's address xor'ed with this, which turns any user-space address into a
   kernel-half one that no heap block has, so that leak checkers (valgrind, LeakSanitizer) do not
   count the registry as a reference: a handle the program never frees is still reported as a
   leak, "definitely lost", as a plain pointer would be. (A sign-extended 32-bit immediate: one
   instruction on x86-64.) */
#define PLXS_HIDDEN ((uintptr_t)0xFFFFFFFF80000000ull)

/* The object behind a taken slot. */
static inline void *plxs_handle_object(plxs_slot *slot) {
    return (void *)(__atomic_load_n(&slot->object, __ATOMIC_RELAXED) ^ PLXS_HIDDEN);
}

/* Hands `slot`'s object out: the handle (of the slot's type), with `object` (retained by the
   caller for the registry) kept until the handle is freed. */
void *plxs_handle_publish(plxs_slot *slot, void *object);

/* Frees a handle: 0 when it is not a live handle of `type` (nothing happens); 1 otherwise, with
   *release_now the object to release at once, or NULL when a call in flight will. */
int plxs_handle_retire(const void *handle, uint32_t type, void **release_now);

/* The type of a live handle of any type, or 0: for the message of a mistyped handle. */
uint32_t plxs_handle_live_type(const void *handle);

/* MARK: the thread pool (thread_pool.c) */

/* The most threads the pool accepts, the caller included. */
#define PLXS_MAX_THREADS 1024

/* One task of a job: `slot` (0 ..< the job's slots) is the participant's own scratch index. */
typedef void (*plxs_task_fn)(void *context, size_t task, size_t slot);

/* Sets how many threads jobs may use, the calling thread included (1 ... PLXS_MAX_THREADS).
   Waits for a running job to finish. Returns 0, EINVAL for a count out of range, or the error of
   a worker that could not be stopped or started. */
int plxs_pool_set_threads(size_t threads);

/* The configured thread count (see thread_pool.c for the default). */
size_t plxs_pool_threads(void);

/* What the default ignored, as "PLEXUS_NUM_THREADS=100000 ignored: not a number from 1 to 1024",
   or "" (static text, fixed once the pool has read the environment). */
const char *plxs_pool_note(void);

/* Runs fn(context, task, slot) for every task in [0, tasks) on the caller and up to slots-1
   workers, and returns when all have finished. Tasks must be independent of one another. */
void plxs_pool_run(size_t tasks, size_t slots, plxs_task_fn fn, void *context);

#endif
