;; A reactor over an imported shared memory, as a napi-rs package's module
;; is: each worker instantiates it with its own WASI object and the same
;; memory. Every export returns the errno of its one WASI call; results go
;; to `scratch`, which each thread chooses apart from the others'.
;;   open(path, path_len, scratch): path_open under fd 3, creating the
;;     file, read and write rights; the new fd at scratch
;;   read(fd, buf, len, scratch): fd_read into buf; the count at scratch + 8
;;   write(fd, buf, len, scratch): fd_write of buf; the count at scratch + 8
;;   close(fd): fd_close
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "env" "memory" (memory 1 16 shared))
  (func (export "open") (param $path i32) (param $len i32) (param $scratch i32) (result i32)
    ;; O_CREAT; rights FD_READ (2) | FD_WRITE (64) | FD_SEEK (4)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
      (i32.const 1) (i64.const 70) (i64.const 0) (i32.const 0) (local.get $scratch)))
  (func $iovec (param $buf i32) (param $len i32) (param $scratch i32)
    (i32.store (local.get $scratch) (local.get $buf))
    (i32.store (i32.add (local.get $scratch) (i32.const 4)) (local.get $len)))
  (func (export "read") (param $fd i32) (param $buf i32) (param $len i32) (param $scratch i32) (result i32)
    (call $iovec (local.get $buf) (local.get $len) (local.get $scratch))
    (call $fd_read (local.get $fd) (local.get $scratch) (i32.const 1) (i32.add (local.get $scratch) (i32.const 8))))
  (func (export "write") (param $fd i32) (param $buf i32) (param $len i32) (param $scratch i32) (result i32)
    (call $iovec (local.get $buf) (local.get $len) (local.get $scratch))
    (call $fd_write (local.get $fd) (local.get $scratch) (i32.const 1) (i32.add (local.get $scratch) (i32.const 8))))
  (func (export "close") (param $fd i32) (result i32)
    (call $fd_close (local.get $fd))))
