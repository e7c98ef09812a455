// A tiny HTTP/1.0 echo server on the listening socket it is handed (the
// first socket fd from 3 up). For each connection it reads the request
// head (up to a blank line, at most 4 KiB), answers 200 with the request
// line as the body, and closes. "GET /quit" ends the program with exit 0.
// Uses sock_accept, sock_recv (peek, then read), sock_send, sock_shutdown.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int find_listener(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return fd;
  }
  return -1;
}

static __wasi_errno_t send_all(__wasi_fd_t fd, const char *data, size_t len) {
  while (len > 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)data, len};
    __wasi_size_t sent;
    __wasi_errno_t e = __wasi_sock_send(fd, &iov, 1, 0, &sent);
    if (e) return e;
    data += sent;
    len -= sent;
  }
  return 0;
}

int main(void) {
  int listener = find_listener();
  if (listener < 0) {
    fprintf(stderr, "no listening socket\n");
    return 2;
  }
  for (;;) {
    __wasi_fd_t conn;
    __wasi_errno_t e = __wasi_sock_accept(listener, 0, &conn);
    if (e) {
      fprintf(stderr, "sock_accept: %d\n", e);
      return 3;
    }
    char req[4097] = {0};
    size_t got = 0;
    // Peek first: the data must still be there for the real read.
    char peek[4];
    __wasi_iovec_t piov = {(uint8_t *)peek, sizeof peek};
    __wasi_size_t n;
    __wasi_roflags_t ro;
    if (__wasi_sock_recv(conn, &piov, 1, __WASI_RIFLAGS_RECV_PEEK, &n, &ro)) return 4;
    while (got < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
      __wasi_iovec_t iov = {(uint8_t *)req + got, sizeof req - 1 - got};
      if (__wasi_sock_recv(conn, &iov, 1, 0, &n, &ro)) return 5;
      if (n == 0) break;
      got += n;
      req[got] = 0;
    }
    if (got < 4 || memcmp(req, peek, 4) != 0) return 6;  // peek saw the same bytes
    char *eol = strstr(req, "\r\n");
    size_t line = eol ? (size_t)(eol - req) : got;
    char head[128];
    int hl = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", line);
    if (send_all(conn, head, (size_t)hl) || send_all(conn, req, line)) return 7;
    __wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR);
    __wasi_fd_close(conn);
    if (!strncmp(req, "GET /quit ", 10)) return 0;
  }
}
