//! Dropout while training on the CPU backend, its mask drawn from a seed in parallel.
//!
//! Burn's `Dropout` draws its mask value by value through Burn's seeded generator (ChaCha and a
//! Bernoulli sampler), then multiplies twice, all on the training loop's thread while rayon's
//! threads wait: in `default` about 1 ms of a 26 ms step, for 74,000 values. Here each value's
//! draw is a hash of one seed and its index, so any thread computes any part of the mask, and
//! the backward pass recomputes the mask instead of keeping it. The seed itself comes from
//! Burn's generator, so `device.seed(..)` still makes training reproducible.
//!
//! Like [`conv`](super::conv) it is a Burn backend extension: the kernels for flex in
//! `flex.rs`, the autodiff operation in `autodiff.rs`. The trait's default methods build the
//! same mask as a tensor, for any other backend.

mod autodiff;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, TensorMetadata, backend_extension};
use burn::nn::Dropout;
use burn::prelude::*;
use burn::tensor::{DType, Distribution, TensorData};

/// Dropout as backend operations: `x` times its mask, the mask `1 / keep` where value `i`'s
/// draw ([`keeps`]) falls under `keep` and 0 elsewhere.
#[backend_extension(Flex, Autodiff)]
pub trait DropoutKernels: Backend {
    fn dropout(x: FloatTensor<Self>, keep: f64, seed: u64) -> FloatTensor<Self> {
        let mask = mask::<Self>(&x, keep, seed);
        Self::float_mul(x, mask)
    }

    /// The gradient of [`dropout`](Self::dropout)'s input: the output's gradient times the
    /// same mask.
    fn dropout_backward(output_grad: FloatTensor<Self>, keep: f64, seed: u64) -> FloatTensor<Self> {
        Self::dropout(output_grad, keep, seed)
    }
}

/// The mask as a tensor shaped and placed like `x`.
fn mask<B: Backend>(x: &FloatTensor<B>, keep: f64, seed: u64) -> FloatTensor<B> {
    let shape = x.shape();
    let scale = (1.0 / keep) as f32;
    let values: Vec<f32> = (0..shape.num_elements() as u64)
        .map(|index| if keeps(seed, index, keep) { scale } else { 0.0 })
        .collect();
    let data = TensorData::new(values, shape).convert_dtype(x.dtype());
    B::float_from_data(data, &x.device())
}

/// Whether value `index` is kept: its draw, uniform in [0, 1) from a hash of the seed and the
/// index (SplitMix64's finaliser, which passes BigCrush as a generator), falls under `keep`.
pub(super) fn keeps(seed: u64, index: u64, keep: f64) -> bool {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < keep
}

/// Whether [`forward`] runs on the kernels here: a dropout layer in training, on the CPU
/// backend, `f32` activations.
pub fn applies<const D: usize>(dropout: &Dropout, input: &Tensor<D>) -> bool {
    dropout.training.is_enabled()
        && dropout.prob > 0.0
        && input.device().is_autodiff()
        && input.dtype() == DType::F32
        && input.device() == Device::flex()
}

/// `dropout.forward(input)` through [`DropoutKernels`] where [`applies`] holds, Burn's own
/// elsewhere.
pub fn forward<const D: usize>(dropout: &Dropout, input: Tensor<D>) -> Tensor<D> {
    if !applies(dropout, &input) {
        return dropout.forward(input);
    }
    let seed = seed_from(&input.device());
    Tensor::from_dispatch(<Dispatch as DropoutKernels>::dropout(
        input.into_dispatch(),
        1.0 - dropout.prob,
        seed,
    ))
}

/// A seed drawn from the device's generator (what `device.seed(..)` sets): two 24-bit draws,
/// exact in `f32`.
fn seed_from(device: &Device) -> u64 {
    let draws = Tensor::<1>::random([2], Distribution::Uniform(0.0, 16_777_216.0), device);
    // sync read: CPU backend only (`applies` holds for the flex device alone).
    let draws = draws.into_data();
    draws
        .iter::<f32>()
        .fold(0, |seed, draw| (seed << 24) | draw as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_kernels::flex_tensors::{device_generator, device_generator_alone};
    use burn::backend::Flex;
    use burn::backend::flex::FlexTensor;
    use burn::backend::ops::FloatTensorOps;
    use burn::nn::DropoutConfig;

    fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
        tensor.into_data().iter::<f32>().collect()
    }

    #[test]
    fn keeps_about_the_share_asked_and_scales_what_it_keeps() {
        let _generator = device_generator();
        let device = Device::flex().autodiff();
        device.seed(3);
        let dropout = DropoutConfig::new(0.3).init();
        let input = Tensor::<2>::random([200, 500], Distribution::Uniform(1.0, 2.0), &device);
        assert!(applies(&dropout, &input));
        let output = values(forward(&dropout, input.clone()));
        let input = values(input);
        let kept = output.iter().filter(|&&v| v != 0.0).count() as f64 / output.len() as f64;
        assert!((kept - 0.7).abs() < 0.005, "kept {kept}");
        for (out, x) in output.iter().zip(&input) {
            assert!(
                *out == 0.0 || (out - x / 0.7).abs() < 1e-5,
                "{out} from {x}"
            );
        }
    }

    #[test]
    fn the_gradient_goes_through_the_same_mask() {
        let _generator = device_generator();
        let device = Device::flex().autodiff();
        device.seed(4);
        let dropout = DropoutConfig::new(0.5).init();
        let input = Tensor::<4>::random([3, 4, 5, 6], Distribution::Uniform(1.0, 2.0), &device)
            .require_grad();
        let weights = Tensor::<4>::random([3, 4, 5, 6], Distribution::Default, &device);
        let output = forward(&dropout, input.clone());
        let grads = (output.clone() * weights.clone()).sum().backward();
        let grad = values(input.grad(&grads).unwrap());
        let (output, weights) = (values(output), values(weights.inner()));
        for ((grad, out), weight) in grad.iter().zip(&output).zip(&weights) {
            let expected = if *out == 0.0 { 0.0 } else { weight / 0.5 };
            assert!((grad - expected).abs() < 1e-5, "{grad} vs {expected}");
        }
    }

    #[test]
    fn the_device_seed_makes_it_reproducible() {
        let _generator = device_generator_alone();
        let device = Device::flex().autodiff();
        let dropout = DropoutConfig::new(0.5).init();
        let mask = |seed| {
            device.seed(seed);
            values(forward(&dropout, Tensor::<2>::ones([8, 64], &device)))
        };
        assert_eq!(mask(1), mask(1));
        assert_ne!(mask(1), mask(2));
    }

    #[test]
    fn flex_and_the_default_method_draw_the_same_mask() {
        let x = FlexTensor::from_data(TensorData::new(vec![1.0f32; 5000], [50, 100]));
        let ours = <Flex as DropoutKernels>::dropout(x.clone(), 0.6, 42);
        let generic = Flex::float_mul(x.clone(), mask::<Flex>(&x, 0.6, 42));
        let [ours, generic] =
            [ours, generic].map(|t| t.into_data().iter::<f32>().collect::<Vec<_>>());
        assert_eq!(ours, generic);
    }

    #[test]
    fn leaves_inference_and_zero_rates_to_burn() {
        let _generator = device_generator();
        let device = Device::flex().autodiff();
        let image = Tensor::<4>::ones([1, 2, 3, 3], &device);
        let dropout = DropoutConfig::new(0.3).init();
        assert!(applies(&dropout, &image));
        assert!(!applies(&dropout, &image.clone().inner()));
        assert!(!applies(&DropoutConfig::new(0.0).init(), &image));
    }
}
