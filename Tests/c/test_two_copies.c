/* Two copies of libplexus in one process: this program links one (-lplexus) and dlopens another
   file (argv[1], a copy of the library). With only plexus_* exported and nothing interposed, both
   work side by side, give the same numbers, and keep their own error messages.
   Run: test_two_copies /path/to/copy/libplexus.so */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef plexus_status (*create_fn)(const uint32_t *, const plexus_activation *, size_t, uint32_t, uint64_t, plexus_net **);
typedef plexus_status (*predict_fn)(const plexus_net *, const float *, size_t, float *);
typedef void (*free_fn)(plexus_net *);
typedef const char *(*text_fn)(void);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_two_copies COPY_OF_LIBPLEXUS.so\n");
        return 2;
    }
    void *copy = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!copy) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    create_fn create2;
    predict_fn predict2;
    free_fn free2;
    text_fn error2;
    /* Object-to-function pointer conversion through memcpy keeps -pedantic quiet. */
    void *sym;
    sym = dlsym(copy, "plexus_create"); memcpy(&create2, &sym, sizeof sym);
    sym = dlsym(copy, "plexus_predict"); memcpy(&predict2, &sym, sizeof sym);
    sym = dlsym(copy, "plexus_free"); memcpy(&free2, &sym, sizeof sym);
    sym = dlsym(copy, "plexus_last_error"); memcpy(&error2, &sym, sizeof sym);
    if (!create2 || !predict2 || !free2 || !error2) {
        fprintf(stderr, "dlsym failed\n");
        return 1;
    }
    int failures = 0, checks = 0;
    if (create2 == &plexus_create) {
        fprintf(stderr, "the copy resolved to the linked library; pass a copy at another path\n");
        return 1;
    }
    const uint32_t sizes[] = {4, 32, 3};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *a = NULL, *b = NULL;
    checks += 2;
    failures += plexus_create(sizes, acts, 3, 0, 77, &a) != PLEXUS_OK;
    failures += create2(sizes, acts, 3, 0, 77, &b) != PLEXUS_OK;
    float x[8 * 4], ya[8 * 3], yb[8 * 3];
    for (int i = 0; i < 8 * 4; i++) x[i] = (float)(i % 7) / 3.0f - 1.0f;
    checks += 3;
    failures += plexus_predict(a, x, 8, ya) != PLEXUS_OK;
    failures += predict2(b, x, 8, yb) != PLEXUS_OK;
    failures += memcmp(ya, yb, sizeof ya) != 0;

    /* Each copy keeps its own thread-local message. */
    checks += 3;
    failures += plexus_predict(a, x, 0, ya) != PLEXUS_ERR_ARGUMENT;
    failures += predict2(NULL, x, 1, yb) != PLEXUS_ERR_ARGUMENT;
    failures += strstr(plexus_last_error(), "batch is 0") == NULL || strstr(error2(), "net is NULL") == NULL;

    plexus_free(a);
    free2(b);
    dlclose(copy);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
