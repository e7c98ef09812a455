// WASI micro-benchmarks in portable C: the same source is built for
// wasm32-wasi (run under wasi-rs and node:wasi) and natively (the floor;
// also with -DIDLE_THREAD, the floor inside a multi-threaded process).
//
// Usage: bench <name> <data-dir>
// Prints "result=<number> unit=<unit>" on stderr; the timing covers the
// measured loop only, not start-up. <data-dir> holds big.bin (256 MiB),
// small.txt and dir10k/ (10,000 files), made by bench/run.js.
#include <dirent.h>
#ifdef IDLE_THREAD
#include <pthread.h>
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(double value, const char *unit) { fprintf(stderr, "result=%.3f unit=%s\n", value, unit); }

static const char *path_in(const char *dir, const char *name) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

#ifdef IDLE_THREAD
// Built natively with -DIDLE_THREAD -pthread: one extra thread that only
// sleeps, so that the process is multi-threaded like any Node process.
static void *idle(void *arg) {
  for (;;) pause();
  return arg;
}
#endif

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench <name> <data-dir>\n");
    return 2;
  }
  const char *name = argv[1], *dir = argv[2];
#ifdef IDLE_THREAD
  pthread_t thread;
  if (pthread_create(&thread, NULL, idle, NULL)) die("pthread_create");
#endif
  volatile uint64_t sink = 0;
  double t0, t1;
  if (!strcmp(name, "clock")) {
    const int n = 1000000;
    struct timespec ts;
    t0 = now_ns();
    for (int i = 0; i < n; i++) {
      clock_gettime(CLOCK_MONOTONIC, &ts);
      sink += ts.tv_nsec;
    }
    t1 = now_ns();
    report((t1 - t0) / n, "ns/op");
  } else if (!strcmp(name, "random")) {
    const int n = 200000;
    unsigned char buf[16];
    t0 = now_ns();
    for (int i = 0; i < n; i++) {
      if (getentropy(buf, sizeof buf)) die("getentropy");
      sink += buf[0];
    }
    t1 = now_ns();
    report((t1 - t0) / n, "ns/op");
  } else if (!strcmp(name, "write_devnull") || !strcmp(name, "stdout_lines")) {
    // fd 1 is /dev/null for write_devnull and a pipe the runner drains for
    // stdout_lines.
    const int n = 200000;
    const int len = !strcmp(name, "write_devnull") ? 16 : 64;
    char line[64];
    memset(line, 'x', sizeof line);
    line[len - 1] = '\n';
    t0 = now_ns();
    for (int i = 0; i < n; i++)
      if (write(1, line, len) != len) die("write");
    t1 = now_ns();
    report((t1 - t0) / n, "ns/op");
  } else if (!strcmp(name, "read256")) {
    // The whole 256 MiB file in 1 MiB reads, four times over (a single pass
    // takes ~15 ms here, too short to measure steadily).
    const int passes = 4;
    static char buf[1 << 20];
    long long total = 0;
    ssize_t got;
    t0 = now_ns();
    for (int p = 0; p < passes; p++) {
      int fd = open(path_in(dir, "big.bin"), O_RDONLY);
      if (fd < 0) die("open big.bin");
      while ((got = read(fd, buf, sizeof buf)) > 0) total += got;
      close(fd);
    }
    t1 = now_ns();
    if (total != (long long)passes << 28) die("short read");
    report(total / 1e6 / ((t1 - t0) / 1e9), "MB/s");
  } else if (!strcmp(name, "open_close")) {
    const int n = 50000;
    const char *p = path_in(dir, "small.txt");
    t0 = now_ns();
    for (int i = 0; i < n; i++) {
      int fd = open(p, O_RDONLY);
      if (fd < 0) die("open");
      close(fd);
    }
    t1 = now_ns();
    report((t1 - t0) / n, "ns/op");
  } else if (!strcmp(name, "stat")) {
    const int n = 50000;
    const char *p = path_in(dir, "small.txt");
    struct stat st;
    t0 = now_ns();
    for (int i = 0; i < n; i++) {
      if (stat(p, &st)) die("stat");
      sink += st.st_size;
    }
    t1 = now_ns();
    report((t1 - t0) / n, "ns/op");
  } else if (!strcmp(name, "readdir")) {
    const int rounds = 5;
    const char *p = path_in(dir, "dir10k");
    long entries = 0;
    t0 = now_ns();
    for (int r = 0; r < rounds; r++) {
      DIR *d = opendir(p);
      if (!d) die("opendir");
      while (readdir(d)) entries++;
      closedir(d);
    }
    t1 = now_ns();
    if (entries < rounds * 10000) die("missing entries");
    report((t1 - t0) / rounds / 1e6, "ms/listing");
  } else if (!strcmp(name, "pread")) {
    const int n = 50000;
    int fd = open(path_in(dir, "big.bin"), O_RDONLY);
    if (fd < 0) die("open big.bin");
    char buf[4096];
    uint64_t x = 88172645463325252ull;
    t0 = now_ns();
    for (int i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      off_t at = (off_t)(x % ((256u << 20) / 4096)) * 4096;
      if (pread(fd, buf, sizeof buf, at) != (ssize_t)sizeof buf) die("pread");
      sink += buf[0];
    }
    t1 = now_ns();
    close(fd);
    report((t1 - t0) / n, "ns/op");
  } else {
    fprintf(stderr, "unknown benchmark %s\n", name);
    return 2;
  }
  return (int)(sink & 0);
}
