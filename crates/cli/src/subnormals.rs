//! Subnormal floats flushed to zero, for the CPU backend's speed.
//!
//! As the notebook's `baseline` learns, values fall below f32's normal range (about 1e-38), and
//! x86 computes with such subnormal numbers through a slow microcode path: on one thread its
//! epoch 3 ran 3.3x slower than its epoch 1, and 2.7-3.3x slower than with them flushed, which
//! gave the same losses (BENCHMARKS.md, "Subnormals"). Most come from the optimizer's state of
//! dead ReLU units, which the training loop now flushes itself every 50 steps on the CPU backend
//! (`atelier_engine::subnormals`, for the browser, which has no such switch); the processor's
//! flush catches the rest, between those steps and anywhere else. Flushing them to zero (FTZ)
//! and reading them as zero (DAZ) is what TensorFlow does on its CPU threads too.

/// Sets FTZ and DAZ for this thread. Threads started after it (rayon's pool) inherit the setting
/// on Linux, so call it first thing in `main`.
pub fn flush_to_zero() {
    #[cfg(target_arch = "x86_64")]
    {
        const FLUSH_TO_ZERO: u32 = 1 << 15;
        const DENORMALS_ARE_ZERO: u32 = 1 << 6;
        let mut csr: u32 = 0;
        // SAFETY: reads and writes only MXCSR, the SSE control and status register, through a
        // pointer to a local; both bits exist on every x86_64 processor. Rust assumes the
        // default floating-point mode, so a constant it folds at compile time may keep a
        // subnormal that the same sum at run time flushes: harmless here, where flushing them
        // is the point (and what PyTorch's `set_flush_denormal` does the same way).
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
            csr |= FLUSH_TO_ZERO | DENORMALS_ARE_ZERO;
            std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags));
        }
    }
}
