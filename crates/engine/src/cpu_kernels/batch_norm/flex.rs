//! [`BatchNormKernels`] on flex, over contiguous `f32` activations `[N, C, plane]` (a plane
//! is one channel of one sample: `H * W` values, or one for `[N, C]`).

use burn::backend::Flex;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};

use super::BatchNormKernels;
use crate::cpu_kernels::flex_tensors::{f32_tensor, f32_values};
use crate::cpu_kernels::planes::{Activations, lane_sum};

/// Names this module in the message if a tensor of another dtype ever reaches it.
const KERNEL: &str = "batch_norm";

impl BatchNormKernels for Flex {
    fn batch_norm_train_fused(
        x: FloatTensor<Flex>,
        gamma: FloatTensor<Flex>,
        beta: FloatTensor<Flex>,
        epsilon: f64,
    ) -> (FloatTensor<Flex>, FloatTensor<Flex>, FloatTensor<Flex>) {
        let shape = x.shape();
        let x = x.to_contiguous();
        let layout = Activations::new(f32_values(&x, KERNEL), &shape);
        let (gamma, beta) = (gamma.to_contiguous(), beta.to_contiguous());
        let (gamma, beta) = (f32_values(&gamma, KERNEL), f32_values(&beta, KERNEL));

        let mean: Vec<f32> = layout.per_channel(|_, plane| lane_sum(plane, plane, |v, _| v));
        let variance: Vec<f32> = layout.per_channel(|channel, plane| {
            let mean = mean[channel];
            lane_sum(plane, plane, |v, _| (v - mean) * (v - mean))
        });
        let output = normalised(&layout, [gamma, beta, &mean, &variance], epsilon);

        let channels = Shape::new([layout.channels]);
        (
            f32_tensor(output, shape),
            f32_tensor(mean, channels.clone()),
            f32_tensor(variance, channels),
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
        let layout = Activations::new(f32_values(&x, KERNEL), &shape);
        let grad = f32_values(&output_grad, KERNEL);
        let (gamma, mean, variance) = (
            gamma.to_contiguous(),
            mean.to_contiguous(),
            variance.to_contiguous(),
        );
        let (gamma, mean, variance) = (
            f32_values(&gamma, KERNEL),
            f32_values(&mean, KERNEL),
            f32_values(&variance, KERNEL),
        );
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
            f32_tensor(x_grad, shape),
            f32_tensor(gamma_grad, channels.clone()),
            f32_tensor(beta_grad, channels),
        )
    }

    fn batch_norm_inference(
        x: FloatTensor<Flex>,
        gamma: FloatTensor<Flex>,
        beta: FloatTensor<Flex>,
        mean: FloatTensor<Flex>,
        variance: FloatTensor<Flex>,
        epsilon: f64,
    ) -> FloatTensor<Flex> {
        let shape = x.shape();
        let x = x.to_contiguous();
        let layout = Activations::new(f32_values(&x, KERNEL), &shape);
        let [gamma, beta, mean, variance] =
            [gamma, beta, mean, variance].map(|t| t.to_contiguous());
        let [gamma, beta, mean, variance] =
            [&gamma, &beta, &mean, &variance].map(|t| f32_values(t, KERNEL));
        let output = normalised(&layout, [gamma, beta, mean, variance], epsilon);
        f32_tensor(output, shape)
    }
}

/// The activations normalised with per-channel `mean` and `variance`, scaled by `gamma` and
/// shifted by `beta`: `x * scale + shift`, with `scale` and `shift` worked out once per channel.
/// Training passes the batch's statistics, inference the running ones.
fn normalised(
    layout: &Activations,
    [gamma, beta, mean, variance]: [&[f32]; 4],
    epsilon: f64,
) -> Vec<f32> {
    layout.map_planes(layout.x, |c| {
        let scale = gamma[c] / (variance[c] + epsilon as f32).sqrt();
        let shift = beta[c] - mean[c] * scale;
        move |v, _| v * scale + shift
    })
}
