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

/* Runs fn(context, task, slot) for every task in [0, tasks) on the caller and up to slots-1
   workers, and returns when all have finished. Tasks must be independent of one another. */
void plxs_pool_run(size_t tasks, size_t slots, plxs_task_fn fn, void *context);

#endif
