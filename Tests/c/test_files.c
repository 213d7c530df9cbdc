/* Loads and saves that meet files other than a plain model: plexus_load refuses anything but a
   regular file without blocking and reads no more than a header declares; plexus_save writes
   through a symbolic link and keeps an existing file's mode.

     test_files DIR      (a scratch folder) */
#define _GNU_SOURCE
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static long peak_rss_kib(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

static char dir[512];

static const char *in_dir(const char *name) {
    static char paths[8][1024];
    static int next = 0;
    char *path = paths[next++ % 8];
    snprintf(path, 1024, "%s/%s", dir, name);
    return path;
}

/* plexus_load on `path` must fail with `want` within a second, its message naming `text`. */
static void refused(const char *path, plexus_status want, const char *text) {
    plexus_net *net = NULL;
    double start = now();
    plexus_status s = plexus_load(path, &net);
    double took = now() - start;
    CHECK(s == want, "plexus_load(\"%s\") returned %s (%s), expected %s", path, plexus_status_name(s), plexus_last_error(),
          plexus_status_name(want));
    CHECK(net == NULL, "a refused load wrote *out");
    CHECK(strstr(plexus_last_error(), text) != NULL, "message \"%s\" lacks \"%s\"", plexus_last_error(), text);
    CHECK(took < 1.0, "plexus_load(\"%s\") took %.3f s", path, took);
}

static plexus_net *small_net(void) {
    const uint32_t sizes[] = {3, 5, 2};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 9, &net));
    return net;
}

static void not_regular_files(void) {
    const char *fifo = in_dir("fifo");
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    refused(fifo, PLEXUS_ERR_IO, "FIFO");

    const char *socket_path = in_dir("socket");
    unlink(socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path);
    if (strlen(socket_path) < sizeof address.sun_path && bind(fd, (struct sockaddr *)&address, sizeof address) == 0) {
        refused(socket_path, PLEXUS_ERR_IO, "socket");
    } else {
        printf("(socket case skipped: cannot bind %s)\n", socket_path);
    }
    close(fd);

    refused("/dev/zero", PLEXUS_ERR_IO, "character device");
    refused(dir, PLEXUS_ERR_IO, "directory");
    refused(in_dir("does-not-exist"), PLEXUS_ERR_IO, "No such file");
}

/* A 4 GiB sparse file: junk after a few bytes, or a real model's header with 4 GiB behind it. */
static void huge_junk(void) {
    const char *path = in_dir("junk.safetensors");
    struct { const char *what; unsigned char head[16]; size_t n; } cases[] = {
        {"zeros", {0}, 0},
        {"0xff bytes", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8},
        {"a small header length and text", {16, 0, 0, 0, 0, 0, 0, 0, 'n', 'o', 't', ' ', 'j', 's', 'o', 'n'}, 16},
    };
    long before = peak_rss_kib();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        CHECK(fd >= 0 && write(fd, cases[i].head, cases[i].n) == (ssize_t)cases[i].n, "writing the junk: %s", strerror(errno));
        CHECK(ftruncate(fd, 4ll << 30) == 0, "ftruncate: %s", strerror(errno));
        close(fd);
        refused(path, PLEXUS_ERR_FORMAT, "not a valid model file");
    }
    /* A valid model with 4 GiB of zeros after it: its header declares a few hundred bytes. */
    plexus_net *net = small_net();
    OK(plexus_save(net, path));
    plexus_free(net);
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0 && ftruncate(fd, 4ll << 30) == 0, "ftruncate: %s", strerror(errno));
    close(fd);
    refused(path, PLEXUS_ERR_FORMAT, "but its header declares");
    long grew = peak_rss_kib() - before;
    printf("4 GiB junk files refused; peak RSS grew %ld KiB\n", grew);
    CHECK(grew < 64 * 1024, "reading junk grew the peak RSS by %ld KiB", grew);
    unlink(path);
}

static void save_through_a_link(void) {
    const char *target = in_dir("target.safetensors"), *link = in_dir("link.safetensors");
    unlink(target);
    unlink(link);
    plexus_net *net = small_net();
    OK(plexus_save(net, target));
    CHECK(symlink("target.safetensors", link) == 0, "symlink: %s", strerror(errno));
    OK(plexus_set_sgd(net, 0.5f, 0.0f));
    OK(plexus_save(net, link));
    struct stat status;
    CHECK(lstat(link, &status) == 0 && S_ISLNK(status.st_mode), "the link is no longer a link");
    plexus_net *loaded = NULL;
    OK(plexus_load(target, &loaded));
    plexus_optimizer_options optimizer = {0};
    optimizer.struct_size = sizeof optimizer;
    OK(plexus_get_optimizer_options(loaded, &optimizer));
    CHECK(optimizer.learning_rate == 0.5f, "the link's target was not rewritten (learning rate %g)", optimizer.learning_rate);
    plexus_free(loaded);

    /* A dangling link: the file it names is created. */
    const char *dangling = in_dir("dangling.safetensors"), *created = in_dir("created.safetensors");
    unlink(dangling);
    unlink(created);
    CHECK(symlink("created.safetensors", dangling) == 0, "symlink: %s", strerror(errno));
    OK(plexus_save(net, dangling));
    CHECK(lstat(dangling, &status) == 0 && S_ISLNK(status.st_mode), "the dangling link was replaced");
    CHECK(stat(created, &status) == 0 && S_ISREG(status.st_mode), "the file the link names was not created");
    plexus_free(net);
}

static void save_keeps_the_mode(void) {
    const char *path = in_dir("private.safetensors");
    unlink(path);
    plexus_net *net = small_net();
    OK(plexus_save(net, path));
    CHECK(chmod(path, 0600) == 0, "chmod: %s", strerror(errno));
    OK(plexus_save(net, path));
    struct stat status;
    CHECK(stat(path, &status) == 0 && (status.st_mode & 07777) == 0600, "re-saved mode %o, expected 600",
          (unsigned)(status.st_mode & 07777));
    CHECK(chmod(path, 0640) == 0, "chmod: %s", strerror(errno));
    OK(plexus_save(net, path));
    CHECK(stat(path, &status) == 0 && (status.st_mode & 07777) == 0640, "re-saved mode %o, expected 640",
          (unsigned)(status.st_mode & 07777));

    /* A new file: 0666 less the umask. */
    const char *fresh = in_dir("fresh.safetensors");
    unlink(fresh);
    mode_t old = umask(027);
    OK(plexus_save(net, fresh));
    umask(old);
    CHECK(stat(fresh, &status) == 0 && (status.st_mode & 07777) == 0640, "new file mode %o, expected 640 under umask 027",
          (unsigned)(status.st_mode & 07777));
    plexus_free(net);
}

/* A message is never cut: the reason the system gave survives a path of 3,000 bytes. */
static void long_path_keeps_its_reason(void) {
    char path[3100];
    size_t n = (size_t)snprintf(path, sizeof path, "%s/", dir);
    while (n < 3000) n += (size_t)snprintf(path + n, sizeof path - n, "no-such-folder-%zu/", n);
    snprintf(path + n, sizeof path - n, "model.safetensors");
    plexus_net *net = NULL;
    plexus_status s = plexus_load(path, &net);
    const char *message = plexus_last_error();
    CHECK(s == PLEXUS_ERR_IO, "plexus_load of a long path returned %s", plexus_status_name(s));
    CHECK(strlen(message) > 3000 && strstr(message, "No such file or directory") != NULL,
          "the message of %zu bytes lost the reason: ...%s", strlen(message), message + (strlen(message) > 80 ? strlen(message) - 80 : 0));
    net = small_net();
    s = plexus_save(net, path);
    message = plexus_last_error();
    CHECK(s == PLEXUS_ERR_IO && strstr(message, "No such file or directory") != NULL,
          "plexus_save of a long path: %s, ...%s", plexus_status_name(s), message + (strlen(message) > 80 ? strlen(message) - 80 : 0));
    plexus_free(net);
}

int main(int argc, char **argv) {
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp");
    not_regular_files();
    huge_junk();
    save_through_a_link();
    save_keeps_the_mode();
    long_path_keeps_its_reason();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
