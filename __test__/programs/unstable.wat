;; A program built against wasi_unstable (snapshot 0), checking the layouts
;; that differ from preview1: whence order, the 56-byte filestat with a
;; 32-bit nlink, and the 56-byte subscription. Preopen at fd 3 must be an
;; empty scratch directory. Prints "unstable ok" and exits 0, or exits with
;; the number of the first failed check.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)

  ;; 0..: scratch; 100: iovec; 200: filestat (56 bytes, 0xAA-filled first);
  ;; 300: subscription (56); 400: event (32); 500: "f.txt"; 520: data
  (data (i32.const 500) "f.txt")
  (data (i32.const 520) "0123456789")
  (data (i32.const 540) "unstable ok\n")

  ;; Exits with code `n` unless `ok`.
  (func $check (param $ok i32) (param $n i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $n)))))

  (func $fill (param $at i32) (param $len i32)
    (memory.fill (local.get $at) (i32.const 0xAA) (local.get $len)))

  (func (export "_start") (local $fd i32)
    ;; 1-3: fd_filestat_get on the preopen: a directory, nlink a u32 at 20.
    (call $fill (i32.const 200) (i32.const 56))
    (call $check (i32.eqz (call $fd_filestat_get (i32.const 3) (i32.const 200))) (i32.const 1))
    (call $check (i32.eq (i32.load8_u (i32.const 216)) (i32.const 3)) (i32.const 2))
    (call $check (i32.and (i32.gt_u (i32.load (i32.const 220)) (i32.const 0))
                          (i32.lt_u (i32.load (i32.const 220)) (i32.const 1000))) (i32.const 3))

    ;; 4: create f.txt (oflags CREAT=1), fd at 0.
    (call $check (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 500) (i32.const 5)
                   (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 0))) (i32.const 4))
    (local.set $fd (i32.load (i32.const 0)))
    ;; 5: write the 10 data bytes.
    (i32.store (i32.const 100) (i32.const 520))
    (i32.store (i32.const 104) (i32.const 10))
    (call $check (i32.eqz (call $fd_write (local.get $fd) (i32.const 100) (i32.const 1) (i32.const 8))) (i32.const 5))
    ;; 6: whence 2 is SET in snapshot 0: seek to 2.
    (call $check (i32.eqz (call $fd_seek (local.get $fd) (i64.const 2) (i32.const 2) (i32.const 16))) (i32.const 6))
    (call $check (i64.eq (i64.load (i32.const 16)) (i64.const 2)) (i32.const 7))
    ;; 8: whence 1 is END.
    (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 1) (i32.const 16)))
    (call $check (i64.eq (i64.load (i32.const 16)) (i64.const 10)) (i32.const 8))
    ;; 9: whence 0 is CUR.
    (drop (call $fd_seek (local.get $fd) (i64.const -3) (i32.const 0) (i32.const 16)))
    (call $check (i64.eq (i64.load (i32.const 16)) (i64.const 7)) (i32.const 9))
    ;; 10-12: path_filestat_get: size at 24, nlink (u32) at 20, filetype at 16.
    (call $fill (i32.const 200) (i32.const 56))
    (call $check (i32.eqz (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 500) (i32.const 5) (i32.const 200))) (i32.const 10))
    (call $check (i64.eq (i64.load (i32.const 224)) (i64.const 10)) (i32.const 11))
    (call $check (i32.and (i32.eq (i32.load (i32.const 220)) (i32.const 1))
                          (i32.eq (i32.load8_u (i32.const 216)) (i32.const 4))) (i32.const 12))
    ;; 13: nothing is written past the 56-byte struct.
    (call $check (i32.eq (i32.load8_u (i32.const 256)) (i32.const 0)) (i32.const 13))

    ;; 14-16: poll_oneoff with one snapshot-0 clock subscription:
    ;; userdata 77 at 0, tag 0 at 8, identifier at 16, clock id (monotonic)
    ;; at 24, timeout 5 ms at 32, precision at 40, flags at 48.
    (memory.fill (i32.const 300) (i32.const 0) (i32.const 56))
    (i64.store (i32.const 300) (i64.const 77))
    (i64.store (i32.const 316) (i64.const 0x1234))
    (i32.store (i32.const 324) (i32.const 1))
    (i64.store (i32.const 332) (i64.const 5000000))
    (call $check (i32.eqz (call $poll_oneoff (i32.const 300) (i32.const 400) (i32.const 1) (i32.const 24))) (i32.const 14))
    (call $check (i32.eq (i32.load (i32.const 24)) (i32.const 1)) (i32.const 15))
    (call $check (i32.and (i64.eq (i64.load (i32.const 400)) (i64.const 77))
                          (i32.eqz (i32.load16_u (i32.const 408)))) (i32.const 16))

    ;; All good.
    (i32.store (i32.const 100) (i32.const 540))
    (i32.store (i32.const 104) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 8)))
  )
)
