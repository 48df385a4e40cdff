//! [`BiasReluKernels`] on flex, plane by plane on rayon's threads.

use burn::backend::Flex;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};

use super::BiasReluKernels;
use crate::cpu_kernels::flex_tensors::{f32_tensor, f32_values};
use crate::cpu_kernels::planes::{Activations, lane_sum};

/// Names this module in the message if a tensor of another dtype ever reaches it.
const KERNEL: &str = "bias_relu";

/// ReLU that keeps NaN, as flex's own does (`max(v, 0)` would turn it into 0 and hide a
/// diverged run).
fn relu(v: f32) -> f32 {
    if v.is_nan() || v > 0.0 { v } else { 0.0 }
}

impl BiasReluKernels for Flex {
    fn bias_relu(x: FloatTensor<Flex>, bias: FloatTensor<Flex>) -> FloatTensor<Flex> {
        let shape = x.shape();
        let (x, bias) = (x.to_contiguous(), bias.to_contiguous());
        let (layout, bias) = (
            Activations::new(f32_values(&x, KERNEL), &shape),
            f32_values(&bias, KERNEL),
        );
        let output = layout.map_planes(layout.x, |channel| {
            let bias = bias[channel];
            move |v, _| relu(v + bias)
        });
        f32_tensor(output, shape)
    }

    fn bias_relu_backward(
        output: FloatTensor<Flex>,
        output_grad: FloatTensor<Flex>,
    ) -> (FloatTensor<Flex>, FloatTensor<Flex>) {
        let shape = output.shape();
        let (output, output_grad) = (output.to_contiguous(), output_grad.to_contiguous());
        let layout = Activations::new(f32_values(&output, KERNEL), &shape);
        // The ReLU passes the gradient where its output was positive (or NaN).
        let x_grad = layout.map_planes(f32_values(&output_grad, KERNEL), |_| {
            |out: f32, grad| if out.is_nan() || out > 0.0 { grad } else { 0.0 }
        });
        let grads = Activations::new(&x_grad, &shape);
        let bias_grad =
            grads.per_channel_with(&x_grad, |_, plane, _| lane_sum(plane, plane, |g, _| g));
        let channels = Shape::new([layout.channels]);
        (f32_tensor(x_grad, shape), f32_tensor(bias_grad, channels))
    }
}
