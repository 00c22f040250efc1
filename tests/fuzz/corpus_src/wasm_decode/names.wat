(module $named
  (func $first (param $x i32) (local $y i32) (local.set $y (local.get $x)))
  (func $second unreachable))
