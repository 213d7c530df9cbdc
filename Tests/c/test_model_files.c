/* Model files through the C API: round trips, exact resumption, and saves that fail (missing
   folder, file-size limit, full disk, read-only disk, a target that is not a regular file) without
   harming the file already there or leaving a temporary file behind.
   Compiled with -std=c99 -Wall -Wextra -Werror -pedantic; run plain and under valgrind. */
#define _GNU_SOURCE
#include "plexus.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char folder[256];

static plexus_net *make_net(uint32_t hidden, uint64_t seed) {
    const uint32_t sizes[] = {8, hidden, 3};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, seed, &net));
    OK(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY));
    OK(plexus_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f));
    return net;
}

/* One training step on batch k of a fixed sequence. */
static void train_step(plexus_net *net, int k) {
    float x[4 * 8], y[4 * 3] = {0};
    for (int i = 0; i < 4 * 8; i++) x[i] = (float)(((i + 7 * k) * 37) % 23) / 11.0f - 1.0f;
    for (int r = 0; r < 4; r++) y[r * 3 + (r + k) % 3] = 1.0f;
    OK(plexus_forward(net, x, 4, NULL));
    OK(plexus_backward(net, y, 4, NULL));
    OK(plexus_step(net));
}

static int same_params(const plexus_net *a, const plexus_net *b) {
    size_t n = plexus_param_count(a);
    if (n != plexus_param_count(b) || n == 0) return 0;
    float *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    int same = pa && pb && plexus_get_params(a, pa) == PLEXUS_OK && plexus_get_params(b, pb) == PLEXUS_OK &&
               memcmp(pa, pb, n * sizeof *pa) == 0;
    free(pa);
    free(pb);
    return same;
}

/* Number of entries in `dir` whose name contains ".tmp-" (temporary files of a save). */
static int temporaries(const char *dir) {
    int count = 0;
    DIR *d = opendir(dir);
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strstr(e->d_name, ".tmp-")) count++;
    closedir(d);
    return count;
}

/* The file at `path` loads and holds exactly the parameters of `expected`. */
static void expect_intact(const char *path, const plexus_net *expected, const char *when) {
    plexus_net *loaded = NULL;
    plexus_status s = plexus_load(path, &loaded);
    CHECK(s == PLEXUS_OK, "%s: the earlier file no longer loads: %s", when, plexus_last_error());
    if (loaded) CHECK(same_params(loaded, expected), "%s: the earlier file changed", when);
    plexus_free(loaded);
}

static void test_round_trips(void) {
    plexus_net *net = make_net(16, 1);
    for (int k = 0; k < 3; k++) train_step(net, k);
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", folder);
    OK(plexus_save(net, path));

    plexus_net *from_file = NULL, *from_buffer = NULL;
    OK(plexus_load(path, &from_file));
    void *data = NULL;
    size_t size = 0;
    OK(plexus_save_buffer(net, &data, &size));
    CHECK(data != NULL && size > 8, "buffer %p of %zu bytes", data, size);
    OK(plexus_load_buffer(data, size, &from_buffer));
    plexus_free_buffer(data);
    plexus_free_buffer(NULL);

    float x[10 * 8], a[10 * 3], b[10 * 3], c[10 * 3];
    for (int i = 0; i < 10 * 8; i++) x[i] = (float)((i * 13) % 17) / 8.0f - 1.0f;
    OK(plexus_predict(net, x, 10, a));
    if (from_file) OK(plexus_predict(from_file, x, 10, b));
    if (from_buffer) OK(plexus_predict(from_buffer, x, 10, c));
    CHECK(memcmp(a, b, sizeof a) == 0, "predict differs after plexus_load");
    CHECK(memcmp(a, c, sizeof a) == 0, "predict differs after plexus_load_buffer");

    /* k steps, save, load, n steps == k + n steps */
    for (int k = 3; k < 8; k++) {
        train_step(net, k);
        if (from_file) train_step(from_file, k);
    }
    CHECK(from_file && same_params(net, from_file), "training did not resume bitwise");
    plexus_free(from_file);
    plexus_free(from_buffer);

    /* bad arguments */
    char missing_folder_path[512];
    snprintf(missing_folder_path, sizeof missing_folder_path, "%s/absent/model.onnx", folder);
    plexus_net *sentinel = (plexus_net *)(uintptr_t)0x99, *out = sentinel;
    EXPECT_STATUS(plexus_save(NULL, path), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_save(net, NULL), PLEXUS_ERR_ARGUMENT, "path is NULL");
    EXPECT_STATUS(plexus_save(net, ""), PLEXUS_ERR_ARGUMENT, "path is empty");
    EXPECT_STATUS(plexus_load(NULL, &out), PLEXUS_ERR_ARGUMENT, "path is NULL");
    EXPECT_STATUS(plexus_load(path, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_save_buffer(net, NULL, &size), PLEXUS_ERR_ARGUMENT, "data is NULL");
    EXPECT_STATUS(plexus_save_buffer(net, &data, NULL), PLEXUS_ERR_ARGUMENT, "size is NULL");
    EXPECT_STATUS(plexus_load_buffer(NULL, 10, &out), PLEXUS_ERR_ARGUMENT, "data is NULL");
    EXPECT_STATUS(plexus_load_buffer("", 0, &out), PLEXUS_ERR_FORMAT, "8-byte header length");
    EXPECT_STATUS(plexus_load_buffer("\xff\xff\xff\xff\xff\xff\xff\xff....", 12, &out), PLEXUS_ERR_FORMAT, "only 4 bytes follow");
    EXPECT_STATUS(plexus_load(folder, &out), PLEXUS_ERR_IO, "not a regular file");
    EXPECT_STATUS(plexus_export_onnx(NULL, path), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_export_onnx(net, NULL), PLEXUS_ERR_ARGUMENT, "path is NULL");
    EXPECT_STATUS(plexus_export_onnx(net, missing_folder_path), PLEXUS_ERR_IO, "No such file or directory");
    char onnx[512];
    snprintf(onnx, sizeof onnx, "%s/model.onnx", folder);
    OK(plexus_export_onnx(net, onnx));
    char empty[512];
    snprintf(empty, sizeof empty, "%s/empty.safetensors", folder);
    FILE *f = fopen(empty, "w");
    if (f) fclose(f);
    EXPECT_STATUS(plexus_load(empty, &out), PLEXUS_ERR_FORMAT, "empty.safetensors\" is not a valid model file");
    CHECK(out == sentinel, "out written by a failed load");
    plexus_free(net);
}

static void test_failed_saves(void) {
    plexus_net *small = make_net(4, 2), *big = make_net(4096, 3);
    char path[512], missing[512];
    snprintf(path, sizeof path, "%s/keep.safetensors", folder);
    snprintf(missing, sizeof missing, "%s/no/such/folder/model.safetensors", folder);
    OK(plexus_save(small, path));

    EXPECT_STATUS(plexus_save(small, missing), PLEXUS_ERR_IO, "No such file or directory");
    CHECK(strstr(plexus_last_error(), missing) != NULL, "message lacks the path: %s", plexus_last_error());

    /* A file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) in a child process. */
    pid_t child = fork();
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {16384, 16384};
        setrlimit(RLIMIT_FSIZE, &limit);
        plexus_status s = plexus_save(big, path);
        int as_expected = s == PLEXUS_ERR_IO && strstr(plexus_last_error(), "File too large") != NULL;
        if (!as_expected) fprintf(stderr, "child: %s %s\n", plexus_status_name(s), plexus_last_error());
        plexus_free(small);
        plexus_free(big);
        _exit(as_expected ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "save under RLIMIT_FSIZE did not fail with File too large");
    expect_intact(path, small, "after RLIMIT_FSIZE");
    CHECK(temporaries(folder) == 0, "temporary files left after RLIMIT_FSIZE");

    /* A target that is not a regular file is refused and kept. */
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/a-fifo", folder);
    if (mkfifo(fifo, 0600) == 0) {
        EXPECT_STATUS(plexus_save(small, fifo), PLEXUS_ERR_IO, "not a regular file");
        struct stat st;
        CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the fifo was replaced");
    }

    /* A full and then read-only disk: a 64 KiB tmpfs (needs permission to mount; else skipped). */
    char disk[512], on_disk[600];
    snprintf(disk, sizeof disk, "%s/disk", folder);
    snprintf(on_disk, sizeof on_disk, "%s/model.safetensors", disk);
    mkdir(disk, 0700);
    if (mount("tmpfs", disk, "tmpfs", 0, "size=64k") == 0) {
        OK(plexus_save(small, on_disk));
        EXPECT_STATUS(plexus_save(big, on_disk), PLEXUS_ERR_IO, "No space left on device");
        expect_intact(on_disk, small, "after a full disk");
        CHECK(temporaries(disk) == 0, "temporary files left after a full disk");
        if (mount("tmpfs", disk, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k") == 0) {
            EXPECT_STATUS(plexus_save(small, on_disk), PLEXUS_ERR_IO, "Read-only file system");
            expect_intact(on_disk, small, "after a read-only disk");
        }
        umount(disk);
    } else {
        printf("skipped: full and read-only disk tests (cannot mount a tmpfs: %s)\n", strerror(errno));
    }
    rmdir(disk);
    plexus_free(small);
    plexus_free(big);
}

/* The whole contents of a file ("" when missing), in a static buffer. */
static const char *file_text(const char *path) {
    static char text[1 << 16];
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(text, 1, sizeof text - 1, f);
        fclose(f);
    }
    text[n] = 0;
    return text;
}

/* plexus_export_c writes NAME.h and NAME.c together or not at all. */
static void test_code_export_files(void) {
    const uint32_t small_sizes[] = {3, 4, 2}, big_sizes[] = {64, 200, 10};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *small = NULL, *big = NULL;
    OK(plexus_create(small_sizes, acts, 3, 0, 1, &small));
    OK(plexus_create(big_sizes, acts, 3, 0, 1, &big));
    char header[600], source[600], missing[600];
    snprintf(header, sizeof header, "%s/model.h", folder);
    snprintf(source, sizeof source, "%s/model.c", folder);
    snprintf(missing, sizeof missing, "%s/no-such-folder", folder);

    OK(plexus_export_c(small, folder, "model", NULL));
    CHECK(strstr(file_text(header), "#define MODEL_INPUTS 3") != NULL, "model.h lacks its inputs");
    CHECK(strstr(file_text(source), "static const float layer1_weights[12]") != NULL, "model.c lacks its weights");
    CHECK(temporaries(folder) == 0, "temporary files left after an export");
    EXPECT_STATUS(plexus_export_c(small, missing, "model", NULL), PLEXUS_ERR_IO, "No such file or directory");

    /* A full disk: the big net's source (about 200 KB) does not fit; neither old file changes. */
    char disk[512];
    snprintf(disk, sizeof disk, "%s/disk", folder);
    mkdir(disk, 0700);
    if (mount("tmpfs", disk, "tmpfs", 0, "size=64k") == 0) {
        char disk_header[600], disk_source[600], old_header[1 << 12], old_source[1 << 14];
        snprintf(disk_header, sizeof disk_header, "%s/model.h", disk);
        snprintf(disk_source, sizeof disk_source, "%s/model.c", disk);
        OK(plexus_export_c(small, disk, "model", NULL));
        snprintf(old_header, sizeof old_header, "%s", file_text(disk_header));
        snprintf(old_source, sizeof old_source, "%s", file_text(disk_source));
        EXPECT_STATUS(plexus_export_c(big, disk, "model", NULL), PLEXUS_ERR_IO, "No space left on device");
        CHECK(strcmp(file_text(disk_header), old_header) == 0, "model.h changed after a failed export");
        CHECK(strcmp(file_text(disk_source), old_source) == 0, "model.c changed after a failed export");
        CHECK(temporaries(disk) == 0, "temporary files left after a full disk");
        if (mount("tmpfs", disk, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k") == 0) {
            EXPECT_STATUS(plexus_export_c(small, disk, "model", NULL), PLEXUS_ERR_IO, "Read-only file system");
        }
        umount(disk);
    } else {
        printf("skipped: code export to a full and read-only disk (cannot mount a tmpfs: %s)\n", strerror(errno));
    }
    rmdir(disk);
    unlink(header);
    unlink(source);
    plexus_free(small);
    plexus_free(big);
}

int main(void) {
    snprintf(folder, sizeof folder, "/tmp/plexus-model-files-XXXXXX");
    if (!mkdtemp(folder)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trips();
    test_failed_saves();
    test_code_export_files();
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", folder);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
