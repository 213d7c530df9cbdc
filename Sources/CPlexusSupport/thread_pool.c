/* Plexus's thread pool: one per process, sized by plexus_set_threads.

   A job is `tasks` independent calls fn(context, task, slot). The calling thread takes slot 0
   and works too; up to slots-1 workers join it, each with its own slot (a scratch index that no
   other participant of the job holds). Tasks are claimed one at a time from a shared counter, so
   which thread runs a task varies, but what a task computes never depends on it: the caller
   fixes the tasks, and results are the same for any thread count.

   Idle workers spin for a short while after a job (the next part of a training step usually
   follows within microseconds), then sleep on a condition variable: between calls no thread
   uses the CPU. Only one job runs at a time; a job submitted while another runs (a second
   thread, or a task that calls back in) runs entirely on its caller. Workers block every
   signal, so the host's signals go to its own threads. After fork() the child starts with no
   workers and makes new ones on its first job. */
#define _GNU_SOURCE
#include "plexus_support.h"
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long an idle worker (and a caller waiting for workers) polls before sleeping. */
#define PLXS_SPIN_NANOSECONDS 100000L
/* The default count never exceeds this (a machine with more cores can still ask for them). */
#define PLXS_DEFAULT_MAX_THREADS 64

static pthread_mutex_t plxs_run_lock = PTHREAD_MUTEX_INITIALIZER; /* held while a job runs or the pool resizes */
static pthread_mutex_t plxs_lock = PTHREAD_MUTEX_INITIALIZER;     /* guards everything below not atomic */
static pthread_cond_t plxs_work = PTHREAD_COND_INITIALIZER;       /* a job was published, or a worker must stop */
static pthread_cond_t plxs_done = PTHREAD_COND_INITIALIZER;       /* the last joined worker finished */
static pthread_once_t plxs_once = PTHREAD_ONCE_INIT;

static atomic_size_t plxs_threads;   /* the configured count, caller included */
static pthread_t *plxs_workers;      /* started workers, index 0 is worker 1 */
/* The job id when each worker was created (index as plxs_workers): a new worker waits for the
   next job, not for one published before it first ran. Written before pthread_create. */
static unsigned long plxs_born_after[PLXS_MAX_THREADS];
static size_t plxs_started;
static size_t plxs_keep;             /* workers with index >= keep must exit */
static size_t plxs_sleepers;

static plxs_task_fn plxs_job_fn;
static void *plxs_job_context;
static size_t plxs_job_tasks, plxs_job_slots, plxs_job_joined;
static bool plxs_job_open;
static unsigned long plxs_job_id;
static atomic_ulong plxs_published;  /* = plxs_job_id, read without the lock by spinning workers */
static atomic_size_t plxs_next_task;
static atomic_size_t plxs_active;    /* workers that joined the job and are still running tasks */

static long plxs_elapsed_ns(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

static void plxs_relax(unsigned spins) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    /* Yield now and then: with more threads than cores a spinning worker must not starve the
       threads that do the work. */
    if ((spins & 63) == 63) sched_yield();
}

/* The count a new process starts with: $PLEXUS_NUM_THREADS when it is a positive number, else
   the CPUs this process may run on, at most PLXS_DEFAULT_MAX_THREADS. (Until 0.10.0
   $OPENBLAS_NUM_THREADS counted too, from the time Plexus used OpenBLAS.) */
static char plxs_threads_note[160];

static size_t plxs_default_threads(void) {
    static const char *const variables[] = {"PLEXUS_NUM_THREADS"};
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++) {
        const char *text = getenv(variables[i]);
        if (text == NULL || *text == '\0') continue;
        char *end;
        errno = 0;
        long value = strtol(text, &end, 10);
        if (*end == '\0' && errno == 0 && value >= 1 && value <= PLXS_MAX_THREADS) return (size_t)value;
        /* Ignored, and said: a value that is not a count from 1 to the pool's limit. */
        if (plxs_threads_note[0] == '\0')
            snprintf(plxs_threads_note, sizeof plxs_threads_note, "%s=%.40s ignored: not a number from 1 to %d",
                     variables[i], text, PLXS_MAX_THREADS);
    }
    cpu_set_t set;
    size_t count = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0) count = (size_t)CPU_COUNT(&set);
    if (count < 1) count = 1;
    return count > PLXS_DEFAULT_MAX_THREADS ? PLXS_DEFAULT_MAX_THREADS : count;
}

static void plxs_fork_prepare(void) {
    pthread_mutex_lock(&plxs_run_lock);
    pthread_mutex_lock(&plxs_lock);
}

static void plxs_fork_parent(void) {
    pthread_mutex_unlock(&plxs_lock);
    pthread_mutex_unlock(&plxs_run_lock);
}

/* The child has only the thread that forked, which holds both locks (taken in prepare, so no job
   was running): forget the workers (their memory is the child's to lose; freeing the array is
   safe, joining them is not), give the locks back, and start the condition variables afresh (they
   may record waiters that do not exist here). The first job that needs workers starts new ones. */
static void plxs_fork_child(void) {
    free(plxs_workers);
    plxs_workers = NULL;
    plxs_started = 0;
    plxs_keep = 0;
    plxs_sleepers = 0;
    plxs_job_open = false;
    atomic_store(&plxs_active, 0);
    pthread_cond_init(&plxs_work, NULL);
    pthread_cond_init(&plxs_done, NULL);
    pthread_mutex_unlock(&plxs_lock);
    pthread_mutex_unlock(&plxs_run_lock);
}

static void plxs_initialize(void) {
    atomic_store(&plxs_threads, plxs_default_threads());
    pthread_atfork(plxs_fork_prepare, plxs_fork_parent, plxs_fork_child);
}

static void *plxs_worker_main(void *argument) {
    size_t index = (size_t)(uintptr_t)argument; /* 1 ... */
    unsigned long seen = plxs_born_after[index - 1];
    for (;;) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (unsigned spins = 0; atomic_load_explicit(&plxs_published, memory_order_acquire) == seen; spins++) {
            if ((spins & 255) == 255 && plxs_elapsed_ns(&start) > PLXS_SPIN_NANOSECONDS) break;
            plxs_relax(spins);
        }
        pthread_mutex_lock(&plxs_lock);
        while (plxs_job_id == seen && index < plxs_keep) {
            plxs_sleepers++;
            pthread_cond_wait(&plxs_work, &plxs_lock);
            plxs_sleepers--;
        }
        if (index >= plxs_keep) {
            pthread_mutex_unlock(&plxs_lock);
            return NULL;
        }
        seen = plxs_job_id;
        bool joined = plxs_job_open && plxs_job_joined < plxs_job_slots;
        size_t slot = plxs_job_joined;
        plxs_task_fn fn = plxs_job_fn;
        void *context = plxs_job_context;
        size_t tasks = plxs_job_tasks;
        if (joined) {
            plxs_job_joined++;
            atomic_fetch_add(&plxs_active, 1);
        }
        pthread_mutex_unlock(&plxs_lock);
        if (!joined) continue;
        for (size_t task; (task = atomic_fetch_add(&plxs_next_task, 1)) < tasks;) fn(context, task, slot);
        if (atomic_fetch_sub(&plxs_active, 1) == 1) {
            pthread_mutex_lock(&plxs_lock);
            pthread_cond_signal(&plxs_done);
            pthread_mutex_unlock(&plxs_lock);
        }
    }
}

/* Starts or stops workers so that `threads - 1` run. Called with plxs_run_lock held (no job runs).
   Returns 0 or the error of a failed pthread_create (the workers started so far stay). */
static int plxs_resize(size_t threads) {
    size_t wanted = threads - 1;
    if (wanted < plxs_started) {
        pthread_mutex_lock(&plxs_lock);
        plxs_keep = wanted + 1;
        pthread_cond_broadcast(&plxs_work);
        pthread_mutex_unlock(&plxs_lock);
        for (size_t i = wanted; i < plxs_started; i++) pthread_join(plxs_workers[i], NULL);
        plxs_started = wanted;
        return 0;
    }
    if (wanted == plxs_started) return 0;
    pthread_t *grown = realloc(plxs_workers, wanted * sizeof *grown);
    if (grown == NULL) return ENOMEM;
    plxs_workers = grown;
    pthread_mutex_lock(&plxs_lock);
    plxs_keep = wanted + 1;
    pthread_mutex_unlock(&plxs_lock);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int error = 0;
    while (plxs_started < wanted) {
        plxs_born_after[plxs_started] = plxs_job_id;
        error = pthread_create(&plxs_workers[plxs_started], NULL, plxs_worker_main,
                               (void *)(uintptr_t)(plxs_started + 1));
        if (error != 0) break;
        plxs_started++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (error != 0) {
        pthread_mutex_lock(&plxs_lock);
        plxs_keep = plxs_started + 1;
        pthread_mutex_unlock(&plxs_lock);
    }
    return error;
}

int plxs_pool_set_threads(size_t threads) {
    if (threads < 1 || threads > PLXS_MAX_THREADS) return EINVAL;
    pthread_once(&plxs_once, plxs_initialize);
    pthread_mutex_lock(&plxs_run_lock);
    /* Workers start on the first job that needs them; only shrinking acts now. */
    int error = threads - 1 < plxs_started ? plxs_resize(threads) : 0;
    if (error == 0) atomic_store(&plxs_threads, threads);
    pthread_mutex_unlock(&plxs_run_lock);
    return error;
}

const char *plxs_pool_note(void) {
    pthread_once(&plxs_once, plxs_initialize);
    return plxs_threads_note;
}

size_t plxs_pool_threads(void) {
    pthread_once(&plxs_once, plxs_initialize);
    return atomic_load(&plxs_threads);
}

static void plxs_run_here(size_t tasks, plxs_task_fn fn, void *context) {
    for (size_t task = 0; task < tasks; task++) fn(context, task, 0);
}

void plxs_pool_run(size_t tasks, size_t slots, plxs_task_fn fn, void *context) {
    if (tasks == 0) return;
    pthread_once(&plxs_once, plxs_initialize);
    if (tasks == 1 || slots <= 1 || pthread_mutex_trylock(&plxs_run_lock) != 0) {
        plxs_run_here(tasks, fn, context);
        return;
    }
    /* Workers start on the first job that needs them. If some cannot be started, the job runs
       on those that could (the results are the same). */
    size_t threads = atomic_load(&plxs_threads);
    if (plxs_started < threads - 1) (void)plxs_resize(threads);
    if (threads <= 1 || plxs_started == 0) {
        pthread_mutex_unlock(&plxs_run_lock);
        plxs_run_here(tasks, fn, context);
        return;
    }
    size_t limit = (plxs_started < threads - 1 ? plxs_started : threads - 1) + 1;
    if (slots > limit) slots = limit;
    if (slots > tasks) slots = tasks;

    pthread_mutex_lock(&plxs_lock);
    plxs_job_fn = fn;
    plxs_job_context = context;
    plxs_job_tasks = tasks;
    plxs_job_slots = slots;
    plxs_job_joined = 1; /* the caller holds slot 0 */
    plxs_job_open = true;
    atomic_store(&plxs_next_task, 0);
    plxs_job_id++;
    atomic_store_explicit(&plxs_published, plxs_job_id, memory_order_release);
    if (plxs_sleepers > 0) pthread_cond_broadcast(&plxs_work);
    pthread_mutex_unlock(&plxs_lock);

    for (size_t task; (task = atomic_fetch_add(&plxs_next_task, 1)) < tasks;) fn(context, task, 0);

    /* No worker joins after this; wait for those that did. */
    pthread_mutex_lock(&plxs_lock);
    plxs_job_open = false;
    pthread_mutex_unlock(&plxs_lock);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned spins = 0; atomic_load(&plxs_active) > 0; spins++) {
        if ((spins & 255) == 255 && plxs_elapsed_ns(&start) > PLXS_SPIN_NANOSECONDS) break;
        plxs_relax(spins);
    }
    pthread_mutex_lock(&plxs_lock);
    while (atomic_load(&plxs_active) > 0) pthread_cond_wait(&plxs_done, &plxs_lock);
    pthread_mutex_unlock(&plxs_lock);
    pthread_mutex_unlock(&plxs_run_lock);
}
