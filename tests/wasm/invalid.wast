;; SPDX-License-Identifier: Apache-2.0
;; Validation failures: modules that decode but break the typing rules. Each must be rejected
;; by wasm_module_new(); a valid twin of some of them checks the validator is not too strict.

;; operand type mismatches
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add (i32.const 1) (f32.const 1)))) "type mismatch")
(assert_invalid (module (func (param f64) (result f64) (f64.neg (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (i32.eqz (nop)))) "type mismatch")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (i32.const 1))) "type mismatch")
(assert_invalid (module (func (result i32 i32) (i32.const 1))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (loop (result i32)))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1))))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (f32.const 1))))) "type mismatch")
(assert_invalid (module (func (if (f32.const 1) (then)))) "type mismatch")
(assert_invalid (module (func (result i32) (br 0 (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (br_if 0 (i32.const 1) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (return (f64.const 1)))) "type mismatch")
(assert_invalid (module (func (param i32) (local.set 0 (i64.const 1)))) "type mismatch")
(assert_invalid (module (func $f (param i32)) (func (call $f (i64.const 1)))) "type mismatch")
(assert_invalid (module (func $f (param i32)) (func (call $f))) "type mismatch")
(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (select (i32.const 1) (i64.const 1) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (i32.const 1) (i32.const 1) (i64.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (param externref) (select (local.get 0) (local.get 0) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.is_null (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i32x4.add (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (i32.store (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result i64) (i32.load (i32.const 0)))) "type mismatch")
;; br_table targets must agree
(assert_invalid (module (func (result i32)
  (block $a (result i32) (block $b (result i64) (br_table $a $b (i32.const 0) (i32.const 0))) (drop) (i32.const 0))))
  "type mismatch")
;; a valid twin: unreachable code is polymorphic
(module (func (result i32) (unreachable) (i32.add)))
(module (func (result i32) (block (result i32) (br 0 (i32.const 1)) (f32.add) (i32.trunc_f32_s))))

;; unknown indices
(assert_invalid (module (func (local.get 0))) "unknown local")
(assert_invalid (module (func (param i32) (local i64) (local.set 2 (i32.const 0)))) "unknown local")
(assert_invalid (module (func (result i32) (global.get 0))) "unknown global")
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 1 (i32.const 0)))) "unknown global")
(assert_invalid (module (func (call 5))) "unknown function")
(assert_invalid (module (func (br 1))) "unknown label")
(assert_invalid (module (func (block (br_if 2 (i32.const 1))))) "unknown label")
(assert_invalid (module (func (block (br_table 0 1 3 (i32.const 1))))) "unknown label")
(assert_invalid (module (func (i32.const 0) (i32.load) (drop))) "unknown memory")
(assert_invalid (module (func (memory.size) (drop))) "unknown memory")
(assert_invalid (module (func (i32.const 0) (call_indirect (type 0)))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (call_indirect (type 3) (i32.const 0)))) "unknown type")
(assert_invalid (module (table 1 funcref) (func (table.get 1 (i32.const 0)) (drop))) "unknown table")
(assert_invalid (module (func (elem.drop 0))) "unknown elem segment")
(assert_invalid (module (memory 1) (func (data.drop 0))) "unknown data segment")
(assert_invalid (module (start 1) (func)) "unknown function")
(assert_invalid (module (export "f" (func 1)) (func)) "unknown function")
(assert_invalid (module (export "m" (memory 0))) "unknown memory")

;; alignment larger than natural
(assert_invalid (module (memory 1) (func (drop (i32.load align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i64.load16_s align=4 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i32.store8 align=2 (i32.const 0) (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (v128.load align=32 (i32.const 0))))) "alignment must not be larger than natural")
(module (memory 1) (func (drop (i64.load align=8 (i32.const 0))) (drop (i32.load8_u align=1 (i32.const 0)))))

;; globals
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (global (import "spectest" "global_i32") i32) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (global i32 (i64.const 0))) "type mismatch")
(assert_invalid (module (global i32 (i32.const 0) (i32.const 1))) "type mismatch")
(assert_invalid (module (global i32 (i32.add (i32.const 0) (i32.const 1)))) "constant expression required")
(assert_invalid (module (global $a (mut i32) (i32.const 0)) (global i32 (global.get $a))) "unknown global")
(assert_invalid (module (global i32 (global.get 0))) "unknown global")

;; memories, tables and limits
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 1) (memory 1)) "multiple memories")
(assert_invalid (module (table 5 4 funcref)) "size minimum must not be greater than maximum")
(assert_invalid (module (func (result i32) (memory.grow (i32.const 1)))) "unknown memory")

;; exports, start and element/data segments
(assert_invalid (module (func) (export "a" (func 0)) (export "a" (func 0))) "duplicate export name")
(assert_invalid (module (func $s (param i32)) (start $s)) "start function")
(assert_invalid (module (func $s (result i32) (i32.const 0)) (start $s)) "start function")
(assert_invalid (module (func $f) (func (result funcref) (ref.func $f))) "undeclared function reference")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) externref (ref.null extern))) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i64.const 0) func)) "type mismatch")
(assert_invalid (module (memory 1) (data (f32.const 0) "")) "type mismatch")
(assert_invalid (module (table 1 externref) (func (call_indirect (type 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table $t 1 funcref) (table $u 1 externref) (func (table.copy $t $u (i32.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")

;; SIMD lane indices
(assert_invalid (module (func (result i32) (i32x4.extract_lane 4 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (i64x2.replace_lane 2 (v128.const i64x2 0 0) (i64.const 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8_lane 16 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
