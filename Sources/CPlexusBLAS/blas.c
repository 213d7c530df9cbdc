#include "plexus_blas.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

void pxob_openblas_set_num_threads(int threads);
char *pxob_openblas_get_config(void);
char *pxob_openblas_get_corename(void);

/* Plexus runs its own threads (each with single-threaded products inside, so results do not
   depend on the thread count), so its private OpenBLAS never starts parallel work. Set when the
   library loads, before any call can reach a product. */
__attribute__((constructor)) static void plxs_blas_single_threaded(void) {
    pxob_openblas_set_num_threads(1);
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
