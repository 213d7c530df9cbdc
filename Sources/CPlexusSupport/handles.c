#include "plexus_support.h"
#include <pthread.h>
#include <stdlib.h>

/* The registry of slots (plexus_support.h explains the gate, the handle and the state word).
   Slots live in chunks that are never freed, so a slot may be read for any index whose chunk
   exists, whatever a caller passed. A slot given back waits in a FIFO queue until
   PLXS_QUARANTINE others are free, so that a stale handle mostly meets an unused slot, and
   always one whose generation has moved on. */

#define PLXS_QUARANTINE 64

plxs_slot *plxs_chunks[PLXS_MAX_CHUNKS];

/* Zero slots: free, of no type, never a match for a handle. */
static plxs_slot empty_chunk[1u << PLXS_CHUNK_BITS];

/* Before any call can run: the library's constructor points every entry at the empty chunk. */
__attribute__((constructor)) static void point_at_empty_chunk(void) {
    for (uint32_t i = 0; i < PLXS_MAX_CHUNKS; i++) plxs_chunks[i] = empty_chunk;
}

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t chunk_count;                                                  /* guarded */
static uint32_t next_unused;                                                  /* guarded */
static uint32_t free_head = UINT32_MAX, free_tail = UINT32_MAX, free_count;   /* guarded */

static plxs_slot *slot_at(uint32_t index) {
    return &plxs_chunks[index >> PLXS_CHUNK_BITS][index & PLXS_CHUNK_MASK];
}

static plxs_slot *dequeue(void) {
    plxs_slot *slot = slot_at(free_head);
    free_head = slot->next_free;
    if (--free_count == 0) free_tail = UINT32_MAX;
    return slot;
}

/* A free slot, or NULL when memory or the index space is exhausted. Called locked. */
static plxs_slot *take_slot(void) {
    if (free_count > PLXS_QUARANTINE) return dequeue();
    if (next_unused == (uint32_t)PLXS_MAX_CHUNKS << PLXS_CHUNK_BITS) return free_count > 0 ? dequeue() : NULL;
    uint32_t index = next_unused;
    if ((index >> PLXS_CHUNK_BITS) == chunk_count) {
        plxs_slot *chunk = calloc((size_t)1 << PLXS_CHUNK_BITS, sizeof *chunk);
        if (chunk == NULL) return NULL;
        for (uint32_t i = 0; i < (1u << PLXS_CHUNK_BITS); i++) chunk[i].index = index + i;
        /* Readers find the chunk through this pointer only once its slots are written. */
        __atomic_store_n(&plxs_chunks[chunk_count], chunk, __ATOMIC_RELEASE);
        chunk_count++;
    }
    next_unused++;
    return slot_at(index);
}

plxs_slot *plxs_gate_open(uint32_t type) {
    pthread_mutex_lock(&registry_lock);
    plxs_slot *slot = take_slot();
    if (slot != NULL) {
        uint64_t generation = __atomic_load_n(&slot->state, __ATOMIC_RELAXED) & ~(uint64_t)0xFFFFFFFFu;
        __atomic_store_n(&slot->object, (uintptr_t)0, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->writer, (uintptr_t)0, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->state, generation | (uint64_t)type << PLXS_TYPE_SHIFT, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&registry_lock);
    return slot;
}

void plxs_gate_close(plxs_slot *slot) {
    uint64_t generation = (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) >> 32) + 1;
    pthread_mutex_lock(&registry_lock);
    __atomic_store_n(&slot->state, (generation & 0xFFFFFFFFu) << 32, __ATOMIC_RELEASE);
    slot->next_free = UINT32_MAX;
    if (free_tail == UINT32_MAX) {
        free_head = slot->index;
    } else {
        slot_at(free_tail)->next_free = slot->index;
    }
    free_tail = slot->index;
    free_count++;
    pthread_mutex_unlock(&registry_lock);
}

void *plxs_handle_publish(plxs_slot *slot, void *object) {
    __atomic_store_n(&slot->object, (uintptr_t)object ^ PLXS_HIDDEN, __ATOMIC_RELAXED);
    uint64_t state = __atomic_fetch_or(&slot->state, PLXS_HANDED, __ATOMIC_RELEASE);
    uint64_t type = state >> PLXS_TYPE_SHIFT & 3;
    return (void *)(uintptr_t)(PLXS_HANDLE_TAG << 56 | type << 54 | (uint64_t)slot->index << 32 | state >> 32);
}

void *plxs_handle_reap(plxs_slot *slot) {
    /* Every call's release happened before: each end of a call is a release operation. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    void *object = plxs_handle_object(slot);
    __atomic_store_n(&slot->object, (uintptr_t)0, __ATOMIC_RELAXED);
    /* The object's own deinit gives the slot back (plxs_gate_close) once this release is its last. */
    return object;
}

int plxs_handle_retire(const void *handle, uint32_t type, void **release_now) {
    plxs_slot *slot = plxs_handle_slot(handle, type);
    if (slot == NULL) return 0;
    uint64_t identity = plxs_handle_identity(handle, type);
    uint64_t state = __atomic_load_n(&slot->state, __ATOMIC_RELAXED);
    do {
        if ((state & (PLXS_IDENTITY | PLXS_HANDED | PLXS_DEAD)) != identity) return 0;
    } while (!__atomic_compare_exchange_n(&slot->state, &state, state | PLXS_DEAD, 1, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    /* No call holds it: none can take a DEAD slot, so it is ours to reap. Otherwise the last call
       to end does (plxs_handle_end_read / plxs_gate_end_write). */
    *release_now = (state & (PLXS_WRITER | PLXS_READERS)) == 0 ? plxs_handle_reap(slot) : (void *)0;
    return 1;
}

uint32_t plxs_handle_live_type(const void *handle) {
    uint64_t h = (uint64_t)(uintptr_t)handle;
    if (h >> 56 != PLXS_HANDLE_TAG) return 0;
    uint32_t type = (uint32_t)(h >> 54) & 3;
    plxs_slot *slot = plxs_handle_slot(handle, type);
    if (slot == NULL) return 0;
    uint64_t state = __atomic_load_n(&slot->state, __ATOMIC_RELAXED);
    return (state & (PLXS_IDENTITY | PLXS_HANDED | PLXS_DEAD)) == plxs_handle_identity(handle, type) ? type : 0;
}

plxs_taken plxs_handle_take_slow(const void *handle, uint32_t type, uint32_t activity) {
    plxs_slot *slot = plxs_handle_slot(handle, type);
    if (slot == NULL) return (plxs_taken){NULL, PLXS_MISUSE};
    return plxs_slot_take(slot, activity, PLXS_IDENTITY | PLXS_HANDED | PLXS_DEAD, plxs_handle_identity(handle, type));
}
