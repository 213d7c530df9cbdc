/* Runs the generated digits models on the test rows and writes their outputs (Tests/deploy/test_deploy.sh):
   built for x86-64 and for ARM (run under qemu-arm), it links no Plexus library, only the generated code. */
#include <stdio.h>
#include <stdlib.h>

#include "digits_f.h"
#include "digits_q.h"

static long read_all(const char *path, void *buffer, size_t size, size_t count)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL) return -1;
    n = (long)fread(buffer, size, count, f);
    fclose(f);
    return n;
}

static int write_all(const char *folder, const char *name, const void *buffer, size_t size, size_t count)
{
    char path[4096];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", folder, name);
    f = fopen(path, "wb");
    if (f == NULL) return 1;
    n = fwrite(buffer, size, count, f);
    return fclose(f) != 0 || n != count;
}

enum { MAX_ROWS = 4096 };
static float rows[MAX_ROWS][DIGITS_F_INPUTS], float_out[MAX_ROWS][DIGITS_F_OUTPUTS], q_float_out[MAX_ROWS][DIGITS_Q_OUTPUTS];
static int8_t rows_q[MAX_ROWS][DIGITS_Q_INPUTS], q_out[MAX_ROWS][DIGITS_Q_OUTPUTS];

int main(int argc, char **argv)
{
    char path[4096];
    long n, nq, r;
    if (argc != 3) { fprintf(stderr, "usage: runner DATA_DIR OUT_DIR\n"); return 2; }
    snprintf(path, sizeof path, "%s/rows.bin", argv[1]);
    n = read_all(path, rows, sizeof rows[0], MAX_ROWS);
    snprintf(path, sizeof path, "%s/rows_q.bin", argv[1]);
    nq = read_all(path, rows_q, sizeof rows_q[0], MAX_ROWS);
    if (n <= 0 || nq != n) { fprintf(stderr, "runner: cannot read the rows from %s\n", argv[1]); return 1; }
    for (r = 0; r < n; r++) {
        if (digits_f_predict(rows[r], float_out[r]) != DIGITS_F_OK) return 1;
        if (digits_q_predict_int8(rows_q[r], q_out[r]) != DIGITS_Q_OK) return 1;
    }
    if (digits_q_predict_batch(rows[0], q_float_out[0], (size_t)n) != DIGITS_Q_OK) return 1;
    if (write_all(argv[2], "float.bin", float_out, sizeof float_out[0], (size_t)n)
        || write_all(argv[2], "int8.bin", q_out, sizeof q_out[0], (size_t)n)
        || write_all(argv[2], "int8_float.bin", q_float_out, sizeof q_float_out[0], (size_t)n)) {
        fprintf(stderr, "runner: cannot write to %s\n", argv[2]);
        return 1;
    }
    return 0;
}
