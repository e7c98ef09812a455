;; wasi-threads: how a process ends. _start spawns one thread and then
;; waits forever (memory.atomic.wait32 with no time-out), unless told
;; otherwise. What the thread does depends on the number of arguments:
;;   none: waits 100 ms, then proc_exit(7): every thread ends, status 7;
;;   one:  waits 100 ms, then traps: every thread ends, as a trap;
;;   two:  blocks in fd_read on stdin, while _start waits 100 ms and then
;;         calls proc_exit(9): the blocked thread must not hold the exit;
;;   three: spawns threads that wait forever until thread-spawn fails,
;;         and proc_exit(count) if it failed with -6 (EAGAIN), 200 if not;
;;   four: the thread and _start both wait forever (for a time-out).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $argc (result i32)
    (drop (call $args_sizes_get (i32.const 64) (i32.const 68)))
    (i32.sub (i32.load (i32.const 64)) (i32.const 1)))
  ;; Waits `ns` nanoseconds on an address nobody notifies.
  (func $sleep (param $ns i64)
    (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (local.get $ns))))
  (func (export "wasi_thread_start") (param $tid i32) (param $mode i32)
    (if (i32.eq (local.get $mode) (i32.const 0))
      (then (call $sleep (i64.const 100_000_000)) (call $proc_exit (i32.const 7))))
    (if (i32.eq (local.get $mode) (i32.const 1))
      (then (call $sleep (i64.const 100_000_000)) (unreachable)))
    (if (i32.eq (local.get $mode) (i32.const 2))
      (then
        (i32.store (i32.const 100) (i32.const 200))
        (i32.store (i32.const 104) (i32.const 1))
        (drop (call $fd_read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 108)))))
    ;; mode 3, or a read that came back: wait forever.
    (call $sleep (i64.const -1)))
  (func (export "_start") (local $mode i32) (local $count i32) (local $r i32)
    (local.set $mode (call $argc))
    (if (i32.eq (local.get $mode) (i32.const 3))
      (then
        (loop $more
          (local.set $r (call $spawn (i32.const 3)))
          (if (i32.gt_s (local.get $r) (i32.const 0))
            (then (local.set $count (i32.add (local.get $count) (i32.const 1))) (br $more))))
        (if (i32.eq (local.get $r) (i32.const -6)) (then (call $proc_exit (local.get $count))))
        (call $proc_exit (i32.const 200))))
    (if (i32.le_s (call $spawn (local.get $mode)) (i32.const 0)) (then (call $proc_exit (i32.const 1))))
    (if (i32.eq (local.get $mode) (i32.const 2))
      (then (call $sleep (i64.const 100_000_000)) (call $proc_exit (i32.const 9))))
    (call $sleep (i64.const -1))
    (unreachable)))
