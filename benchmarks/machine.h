/* What a benchmark ran on, printed at its top: the CPU's model name with its family and model
   numbers (/proc/cpuinfo), and for programs that link Plexus the BLAS behind its products with
   the kernels it chose and the thread count (plexus_blas_info). A figure means little without
   them: the same library can differ 3x between processors whose BLAS kernels differ. */
#ifndef PLEXUS_BENCH_MACHINE_H
#define PLEXUS_BENCH_MACHINE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "AMD EPYC (family 26, model 2)" into `text`. */
static inline void describe_cpu(char *text, size_t size) {
    char line[512], name[256] = "unknown CPU";
    int family = -1, model = -1;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *value = strchr(line, ':');
        if (!value) continue;
        value += 1 + (value[1] == ' ');
        value[strcspn(value, "\n")] = '\0';
        if (strncmp(line, "model name", 10) == 0) snprintf(name, sizeof name, "%s", value);
        else if (strncmp(line, "cpu family", 10) == 0 && family < 0) family = atoi(value);
        else if (strncmp(line, "model\t", 6) == 0 && model < 0) model = atoi(value);
        if (line[0] == '\0' || (family >= 0 && model >= 0 && strcmp(name, "unknown CPU") != 0)) break;
    }
    if (f) fclose(f);
    snprintf(text, size, "%s (family %d, model %d)", name, family, model);
}

static inline void print_cpu(FILE *out, const char *program) {
    char cpu[400];
    describe_cpu(cpu, sizeof cpu);
    fprintf(out, "%s: CPU %s\n", program, cpu);
}

#ifdef PLEXUS_H
static inline void print_machine(FILE *out, const char *program) {
    char cpu[400];
    describe_cpu(cpu, sizeof cpu);
    fprintf(out, "%s: CPU %s; %s\n", program, cpu, plexus_blas_info());
}
#endif

#endif
