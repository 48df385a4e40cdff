//! [`BiasReluKernels`] on flex, plane by plane on rayon's threads.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;

use super::super::planes::{Activations, lane_sum};
use super::BiasReluKernels;

/// ReLU that keeps NaN, as flex's own does (`max(v, 0)` would turn it into 0 and hide a
/// diverged run).
fn relu(v: f32) -> f32 {
    if v.is_nan() || v > 0.0 { v } else { 0.0 }
}

impl BiasReluKernels for Flex {
    fn bias_relu(x: FloatTensor<Flex>, bias: FloatTensor<Flex>) -> FloatTensor<Flex> {
        let shape = x.shape();
        let (x, bias) = (x.to_contiguous(), bias.to_contiguous());
        let (layout, bias) = (Activations::new(values(&x), &shape), values(&bias));
        let output = layout.map_planes(layout.x, |channel| {
            let bias = bias[channel];
            move |v, _| relu(v + bias)
        });
        tensor(output, shape)
    }

    fn bias_relu_backward(
        output: FloatTensor<Flex>,
        output_grad: FloatTensor<Flex>,
    ) -> (FloatTensor<Flex>, FloatTensor<Flex>) {
        let shape = output.shape();
        let (output, output_grad) = (output.to_contiguous(), output_grad.to_contiguous());
        let layout = Activations::new(values(&output), &shape);
        // The ReLU passes the gradient where its output was positive (or NaN).
        let x_grad = layout.map_planes(values(&output_grad), |_| {
            |out: f32, grad| if out.is_nan() || out > 0.0 { grad } else { 0.0 }
        });
        let grads = Activations::new(&x_grad, &shape);
        let bias_grad =
            grads.per_channel_with(&x_grad, |_, plane, _| lane_sum(plane, plane, |g, _| g));
        let channels = Shape::new([layout.channels]);
        (tensor(x_grad, shape), tensor(bias_grad, channels))
    }
}

fn values(tensor: &FlexTensor) -> &[f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "bias-relu kernels take f32 (cpu_kernels::bias_relu::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}

fn tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}
