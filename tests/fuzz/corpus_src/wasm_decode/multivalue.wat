(module
  (func $swap (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "f") (result i32)
    (call $swap (i32.const 1) (i64.const 2))
    (drop) (i32.wrap_i64)
    (block (param i32) (result i32 i32) (i32.const 5))
    (i32.add)
    (loop (param i32) (result i32) (i32.const 1) (i32.add)))
)
