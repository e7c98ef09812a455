;; wasi-threads: _start spawns 3 threads; each writes a line to stdout,
;; counts itself at address 0 and wakes the main thread, which waits until
;; all 3 have run, writes its own line and returns (status 0). Each
;; thread's id is stored at 16 + 4 * n (n its start argument), and the
;; main thread checks them against what thread-spawn returned: distinct
;; and positive, or it exits with status 2.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (data (i32.const 256) "a thread ran\n")
  (data (i32.const 288) "all 3 threads ran\n")
  ;; Writes len bytes at ptr, with an iovec at scratch.
  (func $print (param $ptr i32) (param $len i32) (param $scratch i32)
    (i32.store (local.get $scratch) (local.get $ptr))
    (i32.store (i32.add (local.get $scratch) (i32.const 4)) (local.get $len))
    (drop (call $fd_write (i32.const 1) (local.get $scratch) (i32.const 1) (i32.add (local.get $scratch) (i32.const 8)))))
  (func (export "wasi_thread_start") (param $tid i32) (param $n i32)
    (i32.store (i32.add (i32.const 16) (i32.mul (local.get $n) (i32.const 4))) (local.get $tid))
    (call $print (i32.const 256) (i32.const 13) (i32.add (i32.const 64) (i32.mul (local.get $n) (i32.const 16))))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start") (local $n i32) (local $count i32) (local $tids i32)
    (local.set $n (i32.const 0))
    (loop $spawning
      (local.set $tids (call $spawn (local.get $n)))
      (if (i32.le_s (local.get $tids) (i32.const 0)) (then (call $proc_exit (i32.const 1))))
      (i32.store (i32.add (i32.const 32) (i32.mul (local.get $n) (i32.const 4))) (local.get $tids))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $spawning (i32.lt_u (local.get $n) (i32.const 3))))
    (loop $waiting
      (local.set $count (i32.atomic.load (i32.const 0)))
      (if (i32.lt_u (local.get $count) (i32.const 3))
        (then
          (drop (memory.atomic.wait32 (i32.const 0) (local.get $count) (i64.const -1)))
          (br $waiting))))
    ;; The ids each thread was given are the ones spawn returned, and differ.
    (local.set $n (i32.const 0))
    (loop $checking
      (if (i32.ne (i32.load (i32.add (i32.const 16) (i32.mul (local.get $n) (i32.const 4))))
                  (i32.load (i32.add (i32.const 32) (i32.mul (local.get $n) (i32.const 4)))))
        (then (call $proc_exit (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $checking (i32.lt_u (local.get $n) (i32.const 3))))
    (if (i32.or (i32.eq (i32.load (i32.const 32)) (i32.load (i32.const 36)))
                (i32.or (i32.eq (i32.load (i32.const 36)) (i32.load (i32.const 40)))
                        (i32.eq (i32.load (i32.const 32)) (i32.load (i32.const 40)))))
      (then (call $proc_exit (i32.const 2))))
    (call $print (i32.const 288) (i32.const 18) (i32.const 128))))
