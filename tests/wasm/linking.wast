;; SPDX-License-Identifier: Apache-2.0
;; Linking: imports from the spectest host module and from registered instances, sharing of
;; memories, tables and mutable globals across instances, named modules, unlinkable modules
;; (unknown or mistyped imports) and uninstantiable ones (segments out of bounds, start traps),
;; including the effects of a failed instantiation that stay visible.

(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_f64" (global $gf f64))
  (import "spectest" "memory" (memory 1))
  (import "spectest" "table" (table 10 funcref))
  (func (export "run") (result f64) (call $print (i32.const 7)) (global.get $gf))
  (func (export "mem-size") (result i32) (memory.size))
  (func (export "tab-size") (result i32) (table.size 0))
)
(assert_return (invoke "run") (f64.const 666.6))
(assert_return (invoke "mem-size") (i32.const 1))
(assert_return (invoke "tab-size") (i32.const 10))

(module $Lib
  (memory (export "mem") 1 4)
  (table (export "tab") 4 funcref)
  (global (export "counter") (mut i32) (i32.const 100))
  (global (export "const") i64 (i64.const -5))
  (elem (i32.const 0) $double)
  (func $double (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "get-counter") (result i32) (global.get 0))
  (func (export "call") (param i32 i32) (result i32) (call_indirect (param i32) (result i32) (local.get 1) (local.get 0)))
)
(register "lib" $Lib)

(module $User
  (import "lib" "double" (func $double (param i32) (result i32)))
  (import "lib" "mem" (memory 1))
  (import "lib" "tab" (table 2 funcref))
  (import "lib" "counter" (global $c (mut i32)))
  (import "lib" "const" (global $k i64))
  (data (i32.const 10) "\2a")
  (elem (i32.const 1) $triple)
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func (export "bump") (result i32)
    (global.set $c (i32.add (global.get $c) (i32.const 1)))
    (global.get $c))
  (func (export "k") (result i64) (global.get $k))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
(assert_return (invoke $User "quad" (i32.const 5)) (i32.const 20))
(assert_return (invoke $User "k") (i64.const -5))
;; the data segment of $User went into $Lib's memory, its element into $Lib's table
(assert_return (invoke $Lib "peek" (i32.const 10)) (i32.const 42))
(assert_return (invoke $Lib "call" (i32.const 1) (i32.const 5)) (i32.const 15))
(assert_return (invoke $Lib "call" (i32.const 0) (i32.const 5)) (i32.const 10))
;; the mutable global is shared
(assert_return (invoke $User "bump") (i32.const 101))
(assert_return (invoke $Lib "get-counter") (i32.const 101))
(assert_return (get $Lib "counter") (i32.const 101))
;; growing through one instance is seen by the other, up to the exporter's maximum
(assert_return (invoke $User "grow" (i32.const 3)) (i32.const 1))
(assert_return (invoke $User "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke $Lib "peek" (i32.const 0x3ffff)) (i32.const 0))

;; re-exporting an import keeps its identity
(module $Re
  (import "lib" "double" (func $d (param i32) (result i32)))
  (export "d" (func $d))
  (import "lib" "counter" (global $c (mut i32)))
  (export "c" (global $c))
)
(register "re" $Re)
(module
  (import "re" "d" (func $d (param i32) (result i32)))
  (import "re" "c" (global $c (mut i32)))
  (func (export "d") (param i32) (result i32) (call $d (local.get 0)))
  (func (export "c") (result i32) (global.get $c))
)
(assert_return (invoke "d" (i32.const 21)) (i32.const 42))
(assert_return (invoke "c") (i32.const 101))

;; unlinkable: unknown module or name
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(assert_unlinkable (module (import "lib" "missing" (func))) "unknown import")
(assert_unlinkable (module (import "spectest" "print_i128" (func))) "unknown import")
;; unlinkable: kind or type mismatch
(assert_unlinkable (module (import "lib" "mem" (func))) "incompatible import type")
(assert_unlinkable (module (import "lib" "double" (memory 1))) "incompatible import type")
(assert_unlinkable (module (import "lib" "double" (func (param i64) (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "double" (func (param i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "counter" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "lib" "const" (global (mut i64)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "const" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "lib" "mem" (memory 5))) "incompatible import type")
(assert_unlinkable (module (import "lib" "mem" (memory 1 3))) "incompatible import type")
(assert_unlinkable (module (import "lib" "tab" (table 5 funcref))) "incompatible import type")
(assert_unlinkable (module (import "lib" "tab" (table 1 externref))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "table" (table 0 15 funcref))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "memory" (memory 0 1))) "incompatible import type")
;; compatible: a smaller minimum and a larger maximum are fine
(module (import "lib" "mem" (memory 0 10)) (import "spectest" "table" (table 5 30 funcref)))

;; uninstantiable: segments out of bounds and a trapping start function
(assert_trap (module (memory 1) (data (i32.const 65535) "ab")) "out of bounds memory access")
(assert_trap (module (memory 0) (data (i32.const 1) "")) "out of bounds memory access")
(assert_trap (module (table 1 funcref) (func $f) (elem (i32.const 1) $f)) "out of bounds table access")
(assert_trap (module (func $s (unreachable)) (start $s)) "unreachable")
(assert_trap (module (func $s (drop (i32.div_u (i32.const 1) (i32.const 0)))) (start $s)) "integer divide by zero")
;; the start function runs after the segments: its effects on an import persist
(assert_trap (module
  (import "lib" "mem" (memory 1))
  (data (i32.const 100) "\07")
  (func $s (i32.store8 (i32.const 101) (i32.const 8)) (unreachable))
  (start $s)) "unreachable")
(assert_return (invoke $Lib "peek" (i32.const 100)) (i32.const 7))
(assert_return (invoke $Lib "peek" (i32.const 101)) (i32.const 8))
;; segments are applied in order: the first one lands before the second traps
(assert_trap (module
  (import "lib" "mem" (memory 1))
  (data (i32.const 200) "\09")
  (data (i32.const 0x40000) "\01")) "out of bounds memory access")
(assert_return (invoke $Lib "peek" (i32.const 200)) (i32.const 9))
;; a successful start function
(module
  (import "lib" "counter" (global $c (mut i32)))
  (func $s (global.set $c (i32.const 500)))
  (start $s))
(assert_return (invoke $Lib "get-counter") (i32.const 500))
