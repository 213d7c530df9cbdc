#include "plexus_blas.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

char *pxob_openblas_get_config(void);
char *pxob_openblas_get_corename(void);

/* The private OpenBLAS reads its environment through this function (scripts/fetch-blas.sh
   renames its getenv import): it runs in OpenBLAS's initialiser, before any of libplexus's own,
   so it uses nothing but libc. Plexus runs its own threads, each with single-threaded products
   inside (so results do not depend on the thread count); OpenBLAS told it has one thread starts
   none, instead of a pool of one thread per core that spins for about 0.1 s after loading. Every
   other variable (OPENBLAS_CORETYPE, OPENBLAS_VERBOSE, ...) is the process's own. Exported
   because the BLAS binds to it; the name is not API. */
__attribute__((visibility("default"))) char *pxob_getenv(const char *name) {
    static char one[] = "1";
    static const char *const thread_counts[] = {
        "OPENBLAS_NUM_THREADS", "OPENBLAS_DEFAULT_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS",
    };
    for (size_t i = 0; i < sizeof thread_counts / sizeof thread_counts[0]; i++) {
        if (name != NULL && strcmp(name, thread_counts[i]) == 0) return one;
    }
    return getenv(name);
}

static char plxs_blas_text[128];
static pthread_once_t plxs_blas_once = PTHREAD_ONCE_INIT;

/* openblas_get_config() reads "OpenBLAS 0.3.34.481.3  DYNAMIC_ARCH NO_AFFINITY Haswell
   MAX_THREADS=64": its first two words are the name and version. */
static void plxs_blas_describe(void) {
    char version[64] = "";
    const char *config = pxob_openblas_get_config();
    if (config == NULL || sscanf(config, " OpenBLAS %63s", version) != 1) snprintf(version, sizeof version, "(unknown version)");
    const char *core = pxob_openblas_get_corename();
    snprintf(plxs_blas_text, sizeof plxs_blas_text, "OpenBLAS %s %s", version, core != NULL ? core : "(unknown kernels)");
}

const char *plxs_blas_name(void) {
    pthread_once(&plxs_blas_once, plxs_blas_describe);
    return plxs_blas_text;
}

/* One string per thread count (the pool accepts 1 ... 1024). */
#define PLXS_INFO_COUNTS 1025
static _Atomic(char *) plxs_info[PLXS_INFO_COUNTS];

const char *plxs_blas_info(size_t threads) {
    if (threads >= PLXS_INFO_COUNTS) return plxs_blas_name();
    char *known = atomic_load(&plxs_info[threads]);
    if (known != NULL) return known;
    size_t size = strlen(plxs_blas_name()) + 32;
    char *made = malloc(size);
    if (made == NULL) return plxs_blas_name();
    snprintf(made, size, "%s, %zu thread%s", plxs_blas_name(), threads, threads == 1 ? "" : "s");
    char *expected = NULL;
    if (!atomic_compare_exchange_strong(&plxs_info[threads], &expected, made)) {
        free(made); /* another thread made it first */
        return expected;
    }
    return made;
}
