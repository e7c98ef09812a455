;; A reactor with no _start or _initialize and no memory of its own: it
;; imports a shared memory, as a module instantiated in several worker
;; threads does. write(ptr, len, scratch) writes those bytes of the shared
;; memory to stdout with one fd_write, whose iovec it builds at scratch and
;; whose count fd_write stores at scratch + 8 (each thread passes its own
;; scratch, since the memory is shared); it returns the errno.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "write") (param $ptr i32) (param $len i32) (param $scratch i32) (result i32)
    (i32.store (local.get $scratch) (local.get $ptr))
    (i32.store (i32.add (local.get $scratch) (i32.const 4)) (local.get $len))
    (call $fd_write (i32.const 1) (local.get $scratch) (i32.const 1) (i32.add (local.get $scratch) (i32.const 8)))))
