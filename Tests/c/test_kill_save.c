/* A process killed (SIGKILL) in the middle of saving never leaves a corrupt or missing model: in a
   loop, a child saves two large versions of a net over the same path again and again and is
   killed at a random moment; the file must then load and hold one of the versions exactly.
   Run: test_kill_save FOLDER [ROUNDS] */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static plexus_net *make(uint64_t seed) {
    const uint32_t sizes[] = {512, 1024, 10}; /* about 2 MB per file */
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    if (plexus_create(sizes, acts, 3, 0, seed, &net) != PLEXUS_OK) {
        fprintf(stderr, "create: %s\n", plexus_last_error());
        exit(1);
    }
    return net;
}

/* 0 or 1 when the file at `path` holds version 0 or 1 exactly, -1 otherwise (message printed). */
static int which_version(const char *path, plexus_net *const versions[2], float *a, float *b, size_t n) {
    plexus_net *loaded = NULL;
    if (plexus_load(path, &loaded) != PLEXUS_OK) {
        fprintf(stderr, "the model no longer loads: %s\n", plexus_last_error());
        return -1;
    }
    int found = -1;
    if (plexus_get_params(loaded, a) == PLEXUS_OK) {
        for (int v = 0; v < 2 && found < 0; v++)
            if (plexus_get_params(versions[v], b) == PLEXUS_OK && memcmp(a, b, n * sizeof *a) == 0) found = v;
    }
    plexus_free(loaded);
    if (found < 0) fprintf(stderr, "the model loads but is neither version\n");
    return found;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_kill_save FOLDER [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 40;
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", argv[1]);
    plexus_net *versions[2] = {make(1), make(2)};
    size_t n = plexus_param_count(versions[0]);
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b || plexus_save(versions[0], path) != PLEXUS_OK) return 1;
    srand((unsigned)time(NULL));
    int failures = 0, seen[2] = {0, 0};
    for (int round = 0; round < rounds; round++) {
        pid_t child = fork();
        if (child == 0) {
            for (int k = 0;; k++) {
                if (plexus_save(versions[k & 1], path) != PLEXUS_OK) _exit(3);
            }
        }
        struct timespec pause = {0, (long)(rand() % 40000) * 1000L}; /* 0-40 ms: mid-write, mid-fsync, mid-rename */
        nanosleep(&pause, NULL);
        kill(child, SIGKILL);
        int status;
        waitpid(child, &status, 0);
        if (WIFEXITED(status)) {
            fprintf(stderr, "the saving child stopped by itself (status %d)\n", WEXITSTATUS(status));
            failures++;
        }
        int v = which_version(path, versions, a, b, n);
        if (v < 0) failures++;
        else seen[v]++;
    }
    /* A killed save may leave its temporary file behind (nothing can remove it); count them. */
    int leftovers = 0;
    DIR *d = opendir(argv[1]);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strstr(e->d_name, ".tmp-")) leftovers++;
    if (d) closedir(d);
    printf("%d kills during saves: the model loaded intact every time (version A %d times, B %d times); "
           "%d temporary files left by killed saves\n", rounds, seen[0], seen[1], leftovers);
    plexus_free(versions[0]);
    plexus_free(versions[1]);
    free(a);
    free(b);
    printf("%d passed, %d failed\n", rounds - failures, failures);
    return failures != 0;
}
