//! Reading and making the flex tensors the kernels work on: contiguous `f32` values.

use burn::backend::Shape;
use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

/// `tensor`'s values, which must be `f32`: each kernel's `applies` checks the dtype before any
/// kernel runs, so anything else is a bug, named by `kernel` (the module).
pub(super) fn f32_values<'a>(tensor: &'a FlexTensor, kernel: &str) -> &'a [f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "{kernel} kernels take f32 (cpu_kernels::{kernel}::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}

/// A flex tensor of `values` shaped `shape`.
pub(super) fn f32_tensor(values: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.into()))
}

/// Asserts that each of `ours` matches the same-named result of Burn's own operation, within
/// `tolerance` (relative and absolute); names the culprit when one does not.
#[cfg(test)]
pub(super) fn assert_matches_burn(
    names: &[&str],
    ours: &[TensorData],
    burns: &[TensorData],
    tolerance: f64,
) {
    use burn::tensor::Tolerance;
    assert_eq!((ours.len(), burns.len()), (names.len(), names.len()));
    for ((what, ours), burns) in names.iter().zip(ours).zip(burns) {
        assert_eq!(ours.shape(), burns.shape(), "{what}");
        eprintln!("comparing the {what}"); // names the culprit when the next line fails
        ours.assert_approx_eq::<f32>(burns, Tolerance::rel_abs(tolerance, tolerance));
    }
}

/// The CPU device's random generator is one for the whole test process, and tests run in
/// parallel: a draw by one test between another's `device.seed(..)` and its own draws changes
/// what the second sees. Every kernel test that seeds or draws holds this guard; the one that
/// checks what a seed reproduces holds it alone ([`device_generator_alone`]).
#[cfg(test)]
pub(super) fn device_generator() -> std::sync::RwLockReadGuard<'static, ()> {
    DEVICE_GENERATOR
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`device_generator`], held by no other test meanwhile.
#[cfg(test)]
pub(super) fn device_generator_alone() -> std::sync::RwLockWriteGuard<'static, ()> {
    DEVICE_GENERATOR
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
static DEVICE_GENERATOR: std::sync::RwLock<()> = std::sync::RwLock::new(());
