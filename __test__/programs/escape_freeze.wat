;; A hostile module for __test__/boundary.test.js. Against an ordinary
;; import object, these imports resolve through Object.prototype:
;; "wasi_snapshot_preview1" "constructor" is Object, and the module
;; "constructor" is Object too, whose statics it takes. With externref it
;; then freezes the host's Object.prototype from _start:
;;   freeze(getPrototypeOf(Object())).
;; wasi-rs's import objects have null prototypes, so it must fail to link.
(module
  (import "wasi_snapshot_preview1" "constructor" (func $object (result externref)))
  (import "constructor" "getPrototypeOf" (func $prototype_of (param externref) (result externref)))
  (import "constructor" "freeze" (func $freeze (param externref) (result externref)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $freeze (call $prototype_of (call $object))))))
