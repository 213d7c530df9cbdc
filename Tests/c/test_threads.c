/* Plexus's threads, through the C API:
   - loading the library starts no thread that uses the CPU;
   - training and predicting give bitwise the same results at 1, 2, 3 and 7 threads;
   - after a large call, idle threads use no CPU (process CPU time over an idle second);
   - plexus_gemm_info() names Plexus's GEMM and its kernel, and a string it returned stays
     valid and unchanged after the thread count changes;
   - a child made by fork() after parallel calls, or while another thread makes them, runs parallel
     calls too (no hang), bitwise equal.
   Not run under valgrind: the CPU-time checks measure the real process. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A net whose passes are cut into parallel work: batches of 64 rows have 2 column tiles in the
   first layer (64·300·200 multiply-adds, 200 > 128 columns), 600 rows are 2 blocks of predict,
   and 102,410 parameters are 4 chunks of the optimizer's pass. */
enum { N = 600, I = 300, H = 200, O = 10, PARAMS = I * H + H + H * H + H + H * O + O };
static float x[N * I], y[N * O];

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time the whole process uses while this thread sleeps for one second. */
static double idle_cpu_over_one_second(void) {
    double before = cpu_seconds();
    struct timespec second = {1, 0};
    while (nanosleep(&second, &second) != 0) {}
    return cpu_seconds() - before;
}

/* Trains a fresh net for one epoch (Adam, batches of 64) and predicts all rows. 0 on success. */
static int train_and_predict(float *params, float *outputs) {
    const uint32_t sizes[] = {I, H, H, O};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    plexus_status s = plexus_create(sizes, acts, 4, 0, 3, &net);
    if (s == PLEXUS_OK) s = plexus_set_loss(net, PLEXUS_CROSS_ENTROPY);
    if (s == PLEXUS_OK) s = plexus_set_adam(net, 0.001f, 0.9f, 0.999f, 1e-8f);
    if (s == PLEXUS_OK) s = plexus_train(net, x, y, N, 1, 64, 5, NULL, NULL);
    if (s == PLEXUS_OK) s = plexus_get_params(net, params);
    if (s == PLEXUS_OK) s = plexus_predict(net, x, N, outputs);
    plexus_free(net);
    return s != PLEXUS_OK;
}

static int first_difference(const float *a, const float *b, size_t n);

/* Predicts on a trained net in a loop until told to stop (the pool busy while main forks). */
static const plexus_net *busy_net;
static int stop_busy; /* read and written with __atomic builtins */
static void *predict_until_stopped(void *unused) {
    (void)unused;
    static float out[N * O];
    while (!__atomic_load_n(&stop_busy, __ATOMIC_ACQUIRE)) (void)!plexus_predict(busy_net, x, N, out);
    return NULL;
}

/* A child that predicts on `net` and exits 0 when it got `expected`; waited for with a time limit. */
static int child_predicts(const plexus_net *net, const float *expected) {
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        alarm(30); /* a hang fails the test instead of blocking it */
        static float out[N * O];
        _exit(plexus_predict(net, x, N, out) != PLEXUS_OK || first_difference(out, expected, N * O) >= 0 ? 3 : 0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int first_difference(const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0) return (int)i;
    return -1;
}

int main(void) {
    for (int i = 0; i < N * I; i++) x[i] = (float)((i * 29 % 61) - 30) / 30.0f;
    for (int i = 0; i < N; i++) y[i * O + (i * 7) % O] = 1.0f;

    /* Nothing has run yet: a pool spinning after load would show here. */
    double at_load = idle_cpu_over_one_second();
    CHECK(at_load < 0.05, "the process used %.3f s of CPU in its first idle second", at_load);

    static float params[4][PARAMS], outputs[4][N * O];
    const int counts[] = {1, 2, 3, 7};
    for (int c = 0; c < 4; c++) {
        OK(plexus_set_threads(counts[c]));
        CHECK(plexus_get_threads() == counts[c], "set %d threads, %d in effect", counts[c], plexus_get_threads());
        CHECK(train_and_predict(params[c], outputs[c]) == 0, "training at %d threads failed: %s", counts[c],
              plexus_last_error());
        int p = first_difference(params[c], params[0], PARAMS), o = first_difference(outputs[c], outputs[0], N * O);
        CHECK(p < 0, "%d threads trained other parameters than 1 thread (first at %d)", counts[c], p);
        CHECK(o < 0, "%d threads predicted other outputs than 1 thread (first at %d)", counts[c], o);
    }
    int moved = 0;
    for (int i = 0; i < PARAMS; i++) moved += params[0][i] != 0;
    CHECK(moved > PARAMS / 2, "only %d parameters are non-zero: the comparison proves little", moved);

    /* The last call ran on 7 threads; they must all be asleep now. */
    double after = idle_cpu_over_one_second();
    CHECK(after < 0.05, "idle threads used %.3f s of CPU in the second after a large call", after);

    OK(plexus_set_threads(7));
    const char *seven = plexus_gemm_info();
    char kept[256];
    CHECK(seven != NULL && strncmp(seven, "Plexus GEMM ", 12) == 0, "plexus_gemm_info() is \"%s\"", seven ? seven : "(null)");
    snprintf(kept, sizeof kept, "%s", seven ? seven : "");
    size_t length = strlen(kept);
    CHECK(length > 11 && strcmp(kept + length - 11, ", 7 threads") == 0, "plexus_gemm_info() at 7 threads is \"%s\"", kept);
    OK(plexus_set_threads(1));
    const char *one = plexus_gemm_info();
    CHECK(strstr(one, ", 1 thread") != NULL && strstr(one, "threads") == NULL, "at 1 thread: \"%s\"", one);
    CHECK(strcmp(seven, kept) == 0, "the string returned at 7 threads changed to \"%s\"", seven);
    OK(plexus_set_threads(7));
    CHECK(plexus_gemm_info() == seven, "the same count gave another string");

    /* fork() after parallel calls: the child has no pool threads and must make new ones. */
    OK(plexus_set_threads(3));
    static float child_params[PARAMS], child_outputs[N * O];
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        alarm(60); /* a hang fails the test instead of blocking it */
        int failed = train_and_predict(child_params, child_outputs) != 0 ||
                     first_difference(child_params, params[0], PARAMS) >= 0 ||
                     first_difference(child_outputs, outputs[0], N * O) >= 0;
        _exit(failed ? 3 : 0);
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child, "fork or waitpid failed");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the forked child %s (status %d): its parallel calls hung, failed or differed",
          WIFSIGNALED(status) ? "was killed" : "failed", status);
    /* And the parent's pool still works. */
    static float again[PARAMS], again_out[N * O];
    CHECK(train_and_predict(again, again_out) == 0 && first_difference(again, params[0], PARAMS) < 0,
          "the parent's results changed after fork");

    /* fork() while another thread keeps the pool busy: the child must not inherit a held lock. */
    const uint32_t sizes[] = {I, H, H, O};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 4, 0, 3, &net));
    static float expected[N * O];
    OK(plexus_predict(net, x, N, expected));
    busy_net = net;
    pthread_t busy;
    CHECK(pthread_create(&busy, NULL, predict_until_stopped, NULL) == 0, "pthread_create");
    int hung = 0;
    for (int k = 0; k < 30; k++) {
        int code = child_predicts(net, expected);
        if (code != 0) hung++;
    }
    __atomic_store_n(&stop_busy, 1, __ATOMIC_RELEASE);
    pthread_join(busy, NULL);
    CHECK(hung == 0, "%d of 30 children forked beside a busy pool hung, failed or differed", hung);
    plexus_free(net);

    printf("threads: %s; idle CPU %.3f s after loading, %.3f s after a large call; %d checks, %d failures\n",
           plexus_gemm_info(), at_load, after, checks, failures);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures != 0;
}
