/* What a benchmark ran on, printed at its top: the CPU's model name with its family and model
   numbers and the flags that decide its kernels (avx2, avx512f, fma: /proc/cpuinfo), and for
   programs that link Plexus the GEMM kernel behind its products and the thread count
   (plexus_gemm_info). A figure means little without them: the same library can differ 3x
   between processors whose kernels differ, and a virtual CPU's name can hide which it is. */
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
    /* The flags line, read again: it can be long. */
    char flags[64] = "";
    f = fopen("/proc/cpuinfo", "r");
    char *buffer = malloc(65536);
    while (f && buffer && fgets(buffer, 65536, f)) {
        if (strncmp(buffer, "flags", 5) != 0) continue;
        const char *wanted[] = {" avx2", " avx512f", " fma"};
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
            size_t n = strlen(wanted[i]);
            for (const char *p = strstr(buffer, wanted[i]); p; p = strstr(p + 1, wanted[i]))
                if (p[n] == ' ' || p[n] == '\n') {
                    if (strlen(flags) + n + 1 < sizeof flags) strcat(flags, wanted[i]);
                    break;
                }
        }
        break;
    }
    free(buffer);
    if (f) fclose(f);
    snprintf(text, size, "%s (family %d, model %d; flags:%s)", name, family, model, flags[0] ? flags : " none of avx2 avx512f fma");
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
    fprintf(out, "%s: CPU %s; %s\n", program, cpu, plexus_gemm_info());
}
#endif

#endif
