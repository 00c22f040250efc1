/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entry.S - the shim's assembly: the boot page tables (part of the measured image, so the VMM
 * only has to point CR3 at them), the 64-bit entry point, the SYSCALL entry, the exception
 * stubs and the first jump to ring 3. Everything else is C (main.c, mm.c, sys.c, proxy.c).
 */

/* Boot page tables at SHIM_BASE_GPA: the first GiB identity-mapped and mapped again at the
 * direct-map base (PML4 slot 128), 2 MiB pages, supervisor only. mm.c replaces them. */
    .section .boot.pagetables, "aw"
    .balign 4096
    .globl boot_pml4
boot_pml4:
    .quad boot_pdpt + 0x3
    .fill 127, 8, 0
    .quad boot_pdpt + 0x3
    .fill 383, 8, 0
boot_pdpt:
    .quad boot_pd + 0x3
    .fill 511, 8, 0
boot_pd:
    .set i, 0
    .rept 512
    .quad (i << 21) | 0x83
    .set i, i + 1
    .endr

    .section .text.entry, "ax"
    .globl shim_start
shim_start:
    lea shim_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call shim_main
1:  hlt
    jmp 1b

/* SYSCALL from ring 3: rax = number, rdi rsi rdx r10 r8 r9 = arguments, rcx = return rip,
 * r11 = rflags. Linux preserves every register but rax, rcx and r11; so do we. One CPU and
 * interrupts masked by FMASK, so a global holds the user stack pointer during the switch. */
    .text
    .globl shim_syscall_entry
shim_syscall_entry:
    mov %rsp, g_user_rsp(%rip)
    lea shim_stack_top(%rip), %rsp
    pushq g_user_rsp(%rip)
    push %rcx
    push %r11
    push %r9
    push %r8
    push %r10
    push %rdx
    push %rsi
    push %rdi
    push %rax
    mov %rsp, %rdi
    cld
    call shim_syscall
    add $8, %rsp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %r10
    pop %r8
    pop %r9
    pop %r11
    pop %rcx
    pop %rsp
    sysretq

/* shim_enter_user(rip, rsp): the first entry into ring 3, registers cleared. */
    .globl shim_enter_user
shim_enter_user:
    pushq $0x1b
    push %rsi
    pushq $0x202
    pushq $0x23
    push %rdi
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    iretq

/* Exceptions 0-31: each stub pushes a dummy error code where the CPU pushes none, then the
 * vector, then every general register, and calls shim_trap(struct shim_trap_frame *). */
.macro isr vec
isr\vec:
    .if (\vec != 8) && (\vec != 10) && (\vec != 11) && (\vec != 12) && (\vec != 13) && (\vec != 14) && (\vec != 17) && (\vec != 21) && (\vec != 29) && (\vec != 30)
    pushq $0
    .endif
    pushq $\vec
    jmp isr_common
.endm

    isr 0
    isr 1
    isr 2
    isr 3
    isr 4
    isr 5
    isr 6
    isr 7
    isr 8
    isr 9
    isr 10
    isr 11
    isr 12
    isr 13
    isr 14
    isr 15
    isr 16
    isr 17
    isr 18
    isr 19
    isr 20
    isr 21
    isr 22
    isr 23
    isr 24
    isr 25
    isr 26
    isr 27
    isr 28
    isr 29
    isr 30
    isr 31

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call shim_trap
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp
    iretq

    .section .rodata
    .globl shim_isr_table
    .balign 8
shim_isr_table:
    .quad isr0
    .quad isr1
    .quad isr2
    .quad isr3
    .quad isr4
    .quad isr5
    .quad isr6
    .quad isr7
    .quad isr8
    .quad isr9
    .quad isr10
    .quad isr11
    .quad isr12
    .quad isr13
    .quad isr14
    .quad isr15
    .quad isr16
    .quad isr17
    .quad isr18
    .quad isr19
    .quad isr20
    .quad isr21
    .quad isr22
    .quad isr23
    .quad isr24
    .quad isr25
    .quad isr26
    .quad isr27
    .quad isr28
    .quad isr29
    .quad isr30
    .quad isr31

    .section .note.GNU-stack, "", @progbits
