(module
  (memory 1)
  (func (export "v") (param i32) (result i32)
    (v128.store (i32.const 0)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (i32x4.add (v128.const i32x4 1 2 3 4) (i32x4.splat (local.get 0)))
        (f32x4.mul (v128.const f32x4 1.5 2 3 4) (v128.load (i32.const 16)))))
    (i32x4.extract_lane 2 (v128.load (i32.const 0))))
)
