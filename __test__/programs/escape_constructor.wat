;; A hostile module for __test__/boundary.test.js: it imports "wasi_snapshot_preview1" "constructor",
;; which an ordinary import object would resolve through Object.prototype.
;; With externref it could hand host objects from one such import to
;; another (freezing the host's Object.prototype from _start). wasi-rs's
;; import objects have null prototypes, so it must fail to link.
(module
  (import "wasi_snapshot_preview1" "constructor" (func $escape (param externref) (result externref)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $escape (ref.null extern)))))
