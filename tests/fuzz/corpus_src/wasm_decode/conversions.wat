(module
  (func (export "c") (param f64 f32 i32) (result i64)
    (drop (i32.trunc_sat_f64_s (local.get 0)))
    (drop (f32.reinterpret_i32 (i32.extend8_s (local.get 2))))
    (drop (f64.promote_f32 (local.get 1)))
    (i64.add (i64.trunc_sat_f32_u (local.get 1)) (i64.extend16_s (i64.extend_i32_u (local.get 2)))))
)
