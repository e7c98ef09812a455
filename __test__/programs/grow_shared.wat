;; grow_until_fail.wat over an imported shared memory, as a wasi-threads
;; module has: grows until memory.grow fails, exits with its page count.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 1 200 shared))
  (func (export "_start")
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (call $proc_exit (memory.size))))
