;; SPDX-License-Identifier: Apache-2.0
;; Malformed binaries, written byte by byte: each must be rejected by the decoder. Valid twins
;; (module binary ...) check the decoder accepts the edge cases the format allows.
;; Shorthands used in comments: T = type section, F = function section, C = code section.

;; header
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
(assert_malformed (module binary "\00ASM\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\00\00\00\01") "unknown binary version")
(module binary "\00asm\01\00\00\00")

;; section framing
(assert_malformed (module binary "\00asm\01\00\00\00\01") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\00\00") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00\01\03\01\60\00\00") "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00\0d\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00\7f\00") "malformed section id")
;; F before T, and T twice
(assert_malformed (module binary "\00asm\01\00\00\00\03\01\00\01\01\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00\01\01\00\01\01\00") "unexpected content after last section")
;; custom sections may appear anywhere, but need a complete name
(module binary "\00asm\01\00\00\00\00\05\04test\01\01\00\00\03\02hi\03\01\00")
(assert_malformed (module binary "\00asm\01\00\00\00\00\01\05") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00\00\00") "unexpected end")

;; LEB128: a 5-byte padded u32 is fine; 6 bytes or unused bits set are not
(module binary "\00asm\01\00\00\00\01\05\80\80\80\80\00")
(assert_malformed (module binary "\00asm\01\00\00\00\01\06\80\80\80\80\80\00") "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\80\80\80\80\70") "integer too large")
(assert_malformed (module binary "\00asm\01\00\00\00\01\02\80\80") "unexpected end")
;; an i32.const whose signed LEB has bad high bits: T () -> i32, F, C: (i32.const ...) end
(assert_malformed (module binary
  "\00asm\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00"
  "\0a\0a\01\08\00\41\80\80\80\80\70\0b") "integer too large")
(module binary
  "\00asm\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00"
  "\0a\0a\01\08\00\41\80\80\80\80\78\0b")

;; type section contents
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\61\00\00") "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\01\7a\00") "malformed value type")
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\02\60\00\00") "unexpected end")

;; function and code sections
;; F declares one function, C is missing
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00") "function and code section have inconsistent lengths")
;; C has a body but F is missing
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\0a\04\01\02\00\0b") "function and code section have inconsistent lengths")
;; body without its end opcode
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\04\01\02\00\01") "END opcode expected")
;; body size runs past the section
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\04\01\05\00\0b") "unexpected end")
;; bytes after the final end of a body
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\05\01\03\00\0b\01") "section size mismatch")
;; too many locals: 2 x 0xffffffff i32
(assert_malformed (module binary
  "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00"
  "\0a\10\01\0e\02\ff\ff\ff\ff\0f\7f\ff\ff\ff\ff\0f\7f\0b") "too many locals")
;; a valid body with locals: (local i32 i32 f64) nop
(module binary
  "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00"
  "\0a\09\01\07\02\02\7f\01\7c\01\0b")
;; unknown opcodes: 0x27, and 0xfc with sub-opcode 0x7f
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\05\01\03\00\27\0b") "illegal opcode")
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\fc\7f\0b") "illegal opcode")
;; memory.size with a non-zero reserved byte (memory 1)
(assert_malformed (module binary
  "\00asm\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00\05\03\01\00\01"
  "\0a\06\01\04\00\3f\01\0b") "zero byte expected")
(module binary
  "\00asm\01\00\00\00\01\05\01\60\00\01\7f\03\02\01\00\05\03\01\00\01"
  "\0a\06\01\04\00\3f\00\0b")

;; imports, exports, limits, globals
;; export of kind 4
(assert_malformed (module binary "\00asm\01\00\00\00\07\05\01\01\61\04\00") "malformed export kind")
;; import of kind 5
(assert_malformed (module binary "\00asm\01\00\00\00\02\07\01\01\6d\01\6e\05\00") "malformed import kind")
;; export name that is not UTF-8 (memory 0, exported as "\ff")
(assert_malformed (module binary "\00asm\01\00\00\00\05\03\01\00\00\07\05\01\01\ff\02\00") "malformed UTF-8 encoding")
;; memory limits flag 4
(assert_malformed (module binary "\00asm\01\00\00\00\05\03\01\04\00") "integer too large")
;; table element type i32
(assert_malformed (module binary "\00asm\01\00\00\00\04\04\01\7f\00\00") "malformed reference type")
;; global mutability 2: (global i32 (i32.const 0))
(assert_malformed (module binary "\00asm\01\00\00\00\06\06\01\7f\02\41\00\0b") "malformed mutability")
(module binary "\00asm\01\00\00\00\06\06\01\7f\01\41\00\0b")
;; global initialiser without end
(assert_malformed (module binary "\00asm\01\00\00\00\06\05\01\7f\00\41\00") "unexpected end")

;; data segments and the data count section
;; data count 1 but no data section
(assert_malformed (module binary "\00asm\01\00\00\00\05\03\01\00\01\0c\01\01") "data count and data section have inconsistent lengths")
;; memory.init without a data count section: (memory 1) (data "") passive, func: memory.init 0 0 0 0
(assert_malformed (module binary
  "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\05\03\01\00\01"
  "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"
  "\0b\03\01\01\00") "data count section required")
;; the same with a data count section is valid
(module binary
  "\00asm\01\00\00\00\01\04\01\60\00\00\03\02\01\00\05\03\01\00\01\0c\01\01"
  "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"
  "\0b\03\01\01\00")
;; data segment flag 3
(assert_malformed (module binary "\00asm\01\00\00\00\05\03\01\00\01\0b\03\01\03\00") "malformed data segment kind")
;; element segment flag 8
(assert_malformed (module binary "\00asm\01\00\00\00\04\04\01\70\00\01\09\03\01\08\00") "malformed elements segment kind")
