//! [`BatchNormKernels`] on flex, over contiguous `f32` activations `[N, C, plane]` (a plane
//! is one channel of one sample: `H * W` values, or one for `[N, C]`).

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;
use rayon::prelude::*;

use super::super::parallel_fill::filled_in_parallel;
use super::BatchNormKernels;

impl BatchNormKernels for Flex {
    fn batch_norm_train_fused(
        x: FloatTensor<Flex>,
        gamma: FloatTensor<Flex>,
        beta: FloatTensor<Flex>,
        epsilon: f64,
    ) -> (FloatTensor<Flex>, FloatTensor<Flex>, FloatTensor<Flex>) {
        let shape = x.shape();
        let x = x.to_contiguous();
        let layout = Activations::new(values(&x), &shape);
        let (gamma, beta) = (gamma.to_contiguous(), beta.to_contiguous());
        let (gamma, beta) = (values(&gamma), values(&beta));

        let mean: Vec<f32> = layout.per_channel(|_, plane| lane_sum(plane, plane, |v, _| v));
        let variance: Vec<f32> = layout.per_channel(|channel, plane| {
            let mean = mean[channel];
            lane_sum(plane, plane, |v, _| (v - mean) * (v - mean))
        });
        // output = x * scale + shift, per channel.
        let scale: Vec<f32> = (0..layout.channels)
            .map(|c| gamma[c] / (variance[c] + epsilon as f32).sqrt())
            .collect();
        let shift: Vec<f32> = (0..layout.channels)
            .map(|c| beta[c] - mean[c] * scale[c])
            .collect();
        let output = layout.map_planes(layout.x, |channel| {
            let (scale, shift) = (scale[channel], shift[channel]);
            move |v, _| v * scale + shift
        });

        let channels = Shape::new([layout.channels]);
        (
            tensor(output, shape),
            tensor(mean, channels.clone()),
            tensor(variance, channels),
        )
    }

    fn batch_norm_train_fused_backward(
        x: FloatTensor<Flex>,
        gamma: FloatTensor<Flex>,
        mean: FloatTensor<Flex>,
        variance: FloatTensor<Flex>,
        epsilon: f64,
        output_grad: FloatTensor<Flex>,
    ) -> (FloatTensor<Flex>, FloatTensor<Flex>, FloatTensor<Flex>) {
        let shape = x.shape();
        let (x, output_grad) = (x.to_contiguous(), output_grad.to_contiguous());
        let layout = Activations::new(values(&x), &shape);
        let grad = values(&output_grad);
        let (gamma, mean, variance) = (
            gamma.to_contiguous(),
            mean.to_contiguous(),
            variance.to_contiguous(),
        );
        let (gamma, mean, variance) = (values(&gamma), values(&mean), values(&variance));
        let inv_std: Vec<f32> = variance
            .iter()
            .map(|&v| 1.0 / (v + epsilon as f32).sqrt())
            .collect();

        let beta_grad: Vec<f32> = layout.per_channel_with(grad, |_, _, plane_grad| {
            lane_sum(plane_grad, plane_grad, |g, _| g)
        });
        // Σ grad * normalised x.
        let gamma_grad: Vec<f32> = layout.per_channel_with(grad, |channel, plane, plane_grad| {
            let mean = mean[channel];
            lane_sum(plane, plane_grad, |v, g| g * (v - mean)) * inv_std[channel]
        });
        // x_grad = gamma / std * (grad - mean(grad) - normalised x * mean(grad * normalised x)).
        let count = layout.per_channel_count() as f32;
        // Per channel that is grad * a + (x - mean) * b + c.
        let a: Vec<f32> = (0..layout.channels)
            .map(|c| gamma[c] * inv_std[c])
            .collect();
        let b: Vec<f32> = (0..layout.channels)
            .map(|c| -a[c] * inv_std[c] * gamma_grad[c] / count)
            .collect();
        let c: Vec<f32> = (0..layout.channels)
            .map(|c| -a[c] * beta_grad[c] / count)
            .collect();
        let x_grad = layout.map_planes(grad, |channel| {
            let (mean, a, b, c) = (mean[channel], a[channel], b[channel], c[channel]);
            move |v, g| g * a + (v - mean) * b + c
        });

        let channels = Shape::new([layout.channels]);
        (
            tensor(x_grad, shape),
            tensor(gamma_grad, channels.clone()),
            tensor(beta_grad, channels),
        )
    }
}

/// Contiguous activations seen as `samples` x `channels` planes of `plane` values.
struct Activations<'a> {
    x: &'a [f32],
    samples: usize,
    channels: usize,
    plane: usize,
}

impl<'a> Activations<'a> {
    fn new(x: &'a [f32], shape: &Shape) -> Self {
        let (samples, channels) = (shape[0], shape[1]);
        Self {
            x,
            samples,
            channels,
            plane: x.len() / (samples * channels).max(1),
        }
    }

    fn per_channel_count(&self) -> usize {
        self.samples * self.plane
    }

    fn plane_range(&self, sample: usize, channel: usize) -> std::ops::Range<usize> {
        let start = (sample * self.channels + channel) * self.plane;
        start..start + self.plane
    }

    /// The mean over each channel of `sum_plane(channel, plane)`, a plane's partial sum;
    /// partial sums add up in `f64`.
    fn per_channel(&self, sum_plane: impl Fn(usize, &[f32]) -> f32 + Sync) -> Vec<f32> {
        self.per_channel_with(self.x, |channel, plane, _| sum_plane(channel, plane))
            .into_iter()
            .map(|sum| sum / self.per_channel_count() as f32)
            .collect()
    }

    /// The sum over each channel of `sum_plane(channel, plane of x, plane of other)`.
    fn per_channel_with(
        &self,
        other: &[f32],
        sum_plane: impl Fn(usize, &[f32], &[f32]) -> f32 + Sync,
    ) -> Vec<f32> {
        (0..self.channels)
            .into_par_iter()
            .map(|channel| {
                let total: f64 = (0..self.samples)
                    .map(|sample| {
                        let range = self.plane_range(sample, channel);
                        f64::from(sum_plane(channel, &self.x[range.clone()], &other[range]))
                    })
                    .sum();
                total as f32
            })
            .collect()
    }

    /// A new tensor's values: `value(x, other)` at every index, with `value` from
    /// `for_channel(channel)` once per plane. The per-channel constants are then plain `f32`s
    /// in the loop, which compiles to SIMD; indexing them per value kept it scalar.
    fn map_planes<F: Fn(f32, f32) -> f32>(
        &self,
        other: &[f32],
        for_channel: impl Fn(usize) -> F + Sync,
    ) -> Vec<f32> {
        let per_sample = self.channels * self.plane;
        filled_in_parallel(self.x.len(), per_sample, |sample, sample_out| {
            for channel in 0..self.channels {
                let range = self.plane_range(sample, channel);
                let outputs = &mut sample_out[channel * self.plane..][..self.plane];
                let value = for_channel(channel);
                let inputs = self.x[range.clone()].iter().zip(&other[range]);
                for (out, (&v, &o)) in outputs.iter_mut().zip(inputs) {
                    *out = value(v, o);
                }
            }
        })
    }
}

/// `Σ term(a[i], b[i])` in sixteen lanes over fixed-size chunks, which compiles to SIMD adds:
/// a plain `f32` sum is one dependency chain the compiler may not reorder, and lanes picked by
/// `index % 8` compiled to scalar adds through the stack (9% of a `default` step in `perf`).
fn lane_sum(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> f32) -> f32 {
    const LANES: usize = 16;
    assert_eq!(a.len(), b.len(), "lane_sum takes two planes of one size");
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest: f32 = (a_chunks.remainder().iter().zip(b_chunks.remainder()))
        .map(|(&x, &y)| term(x, y))
        .sum();
    let mut lanes = [0.0f32; LANES];
    for (a, b) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            lanes[lane] += term(a[lane], b[lane]);
        }
    }
    lanes.iter().sum::<f32>() + rest
}

fn values(tensor: &FlexTensor) -> &[f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "batch-norm kernels take f32 (cpu_kernels::batch_norm::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}

fn tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}
