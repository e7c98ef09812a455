;; Import-call micro-benchmarks over an imported memory, built twice by
;; bench/child.js: with MEMORY_KIND replaced by `shared` (as a wasi-threads
;; or napi-rs module's memory is) and by nothing (a plain memory). Each
;; export makes `n` calls of one import and returns the sum of the errnos
;; (0 when every call succeeded).
;;   clock(n): clock_time_get(MONOTONIC) into 64
;;   write(n): fd_write of 16 bytes to fd 1
;;   read(n):  fd_read of up to 256 bytes from fd 0
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 16 MEMORY_KIND))
  (export "memory" (memory 0))
  (func (export "clock") (param $n i32) (result i32) (local $errors i32)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $errors (i32.add (local.get $errors) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 64))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (local.get $errors))
  (func (export "write") (param $n i32) (result i32) (local $errors i32)
    (i32.store (i32.const 16) (i32.const 128))
    (i32.store (i32.const 20) (i32.const 16))
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $errors (i32.add (local.get $errors) (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (local.get $errors))
  (func (export "read") (param $n i32) (result i32) (local $errors i32)
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 256))
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $errors (i32.add (local.get $errors) (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 32))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (local.get $errors)))
