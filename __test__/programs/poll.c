// poll_oneoff in several shapes, chosen by argv[1]:
//   sleep <rel|abs> <realtime|monotonic> <ms>  one clock; prints elapsed and this thread's CPU ms
//   stdin <ms>        stdin readable, or a timeout; prints what happened
//   multi             a ready clock, writable stdout, a readable file: all at once
//   zero              no subscriptions: EINVAL
//   cputime           a subscription on the CPU-time clock: an error event
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  __wasi_clock_time_get(id, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id, __wasi_timestamp_t timeout, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 1000;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static void print_events(__wasi_event_t *ev, __wasi_size_t n) {
  for (__wasi_size_t i = 0; i < n; i++)
    printf("event ud=%llu type=%d error=%d nbytes=%llu hangup=%d\n", (unsigned long long)ev[i].userdata, ev[i].type,
           ev[i].error, (unsigned long long)ev[i].fd_readwrite.nbytes,
           !!(ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP));
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  __wasi_event_t ev[8];
  __wasi_size_t n = 0;
  if (!strcmp(argv[1], "sleep") && argc == 5) {
    int abs = !strcmp(argv[2], "abs");
    __wasi_clockid_t id = !strcmp(argv[3], "realtime") ? __WASI_CLOCKID_REALTIME : __WASI_CLOCKID_MONOTONIC;
    __wasi_timestamp_t ms = strtoull(argv[4], 0, 10);
    __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC), cpu0 = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
    __wasi_subscription_t s = clock_sub(42, id, abs ? now(id) + ms * 1000000 : ms * 1000000, abs);
    __wasi_errno_t e = __wasi_poll_oneoff(&s, ev, 1, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start, cpu = now(__WASI_CLOCKID_THREAD_CPUTIME_ID) - cpu0;
    printf("errno=%d n=%lu\n", e, (unsigned long)n);
    print_events(ev, n);
    printf("elapsed_ms=%llu cpu_ms=%llu\n", (unsigned long long)(elapsed / 1000000), (unsigned long long)(cpu / 1000000));
  } else if (!strcmp(argv[1], "stdin") && argc == 3) {
    __wasi_subscription_t s[2] = {fd_sub(1, __WASI_EVENTTYPE_FD_READ, 0), clock_sub(2, __WASI_CLOCKID_MONOTONIC, strtoull(argv[2], 0, 10) * 1000000, 0)};
    __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC), cpu0 = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
    __wasi_errno_t e = __wasi_poll_oneoff(s, ev, 2, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - start, cpu = now(__WASI_CLOCKID_THREAD_CPUTIME_ID) - cpu0;
    printf("errno=%d n=%lu\n", e, (unsigned long)n);
    print_events(ev, n);
    printf("elapsed_ms=%llu cpu_ms=%llu\n", (unsigned long long)(elapsed / 1000000), (unsigned long long)(cpu / 1000000));
    for (__wasi_size_t i = 0; i < n; i++) {
      if (ev[i].userdata == 1 && ev[i].error == 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t got = 0;
        __wasi_errno_t re = __wasi_fd_read(0, &iov, 1, &got);
        printf("read errno=%d data=%s\n", re, strtok(buf, "\r\n") ? buf : "");
      }
    }
  } else if (!strcmp(argv[1], "multi")) {
    __wasi_fd_t file;
    if (__wasi_path_open(3, 0, "data.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_POLL_FD_READWRITE, 0, 0, &file)) return 3;
    __wasi_ciovec_t iov = {(const uint8_t *)"12345", 5};
    __wasi_size_t w;
    __wasi_fd_write(file, &iov, 1, &w);
    __wasi_filesize_t pos;
    __wasi_fd_seek(file, 1, __WASI_WHENCE_SET, &pos);
    __wasi_subscription_t s[4] = {clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0), fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, 1),
                                  fd_sub(3, __WASI_EVENTTYPE_FD_READ, file), fd_sub(4, __WASI_EVENTTYPE_FD_READ, 77)};
    __wasi_errno_t e = __wasi_poll_oneoff(s, ev, 4, &n);
    printf("errno=%d n=%lu\n", e, (unsigned long)n);
    print_events(ev, n);
  } else if (!strcmp(argv[1], "zero")) {
    printf("errno=%d\n", __wasi_poll_oneoff(0, ev, 0, &n));
  } else if (!strcmp(argv[1], "cputime")) {
    __wasi_subscription_t s = clock_sub(9, __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, 0);
    __wasi_errno_t e = __wasi_poll_oneoff(&s, ev, 1, &n);
    printf("errno=%d n=%lu\n", e, (unsigned long)n);
    print_events(ev, n);
  } else return 2;
  return 0;
}
