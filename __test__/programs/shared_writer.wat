;; A reactor with no _start or _initialize and no memory of its own: it
;; imports a shared memory, as a module instantiated in several worker
;; threads does. write(ptr, len) writes those bytes of the shared memory to
;; stdout with one fd_write (its iovec at address 0) and returns the errno;
;; written() then returns the count fd_write reported (at address 8).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "write") (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "written") (result i32)
    (i32.load (i32.const 8))))
