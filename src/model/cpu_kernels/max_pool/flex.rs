//! [`MaxPoolKernels`] on flex: one task per plane (one channel of one sample).

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;
use rayon::prelude::*;

use super::MaxPoolKernels;

impl MaxPoolKernels for Flex {
    fn max_pool2d_plain(
        x: FloatTensor<Flex>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Flex> {
        let windows = Windows::new(&x.shape(), kernel, stride);
        let x = x.to_contiguous();
        let x = values(&x);
        let mut output = vec![0.0; windows.planes * windows.out_h * windows.out_w];
        output
            .par_chunks_mut(windows.out_h * windows.out_w)
            .zip(x.par_chunks(windows.height * windows.width))
            .for_each(|(out, plane)| {
                windows.for_each_maximum(plane, |index, _, max| out[index] = max)
            });
        tensor(output, windows.output_shape())
    }

    fn max_pool2d_plain_backward(
        x: FloatTensor<Flex>,
        output_grad: FloatTensor<Flex>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Flex> {
        let shape = x.shape();
        let windows = Windows::new(&shape, kernel, stride);
        let (x, output_grad) = (x.to_contiguous(), output_grad.to_contiguous());
        let (x, output_grad) = (values(&x), values(&output_grad));
        let mut x_grad = vec![0.0; x.len()];
        x_grad
            .par_chunks_mut(windows.height * windows.width)
            .zip(x.par_chunks(windows.height * windows.width))
            .zip(output_grad.par_chunks(windows.out_h * windows.out_w))
            .for_each(|((plane_grad, plane), grads)| {
                windows.for_each_maximum(plane, |index, at, _| plane_grad[at] += grads[index]);
            });
        tensor(x_grad, shape)
    }
}

/// Where the windows lie in every plane.
struct Windows {
    samples: usize,
    channels: usize,
    planes: usize,
    height: usize,
    width: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    out_h: usize,
    out_w: usize,
}

impl Windows {
    fn new(shape: &Shape, kernel: [usize; 2], stride: [usize; 2]) -> Self {
        let [samples, channels, height, width] = shape.dims();
        Self {
            samples,
            channels,
            planes: samples * channels,
            height,
            width,
            kernel,
            stride,
            out_h: (height - kernel[0]) / stride[0] + 1,
            out_w: (width - kernel[1]) / stride[1] + 1,
        }
    }

    fn output_shape(&self) -> Shape {
        Shape::new([self.samples, self.channels, self.out_h, self.out_w])
    }

    /// Calls `found(output index, index in the plane, value)` with each window's first
    /// maximum, in output order.
    fn for_each_maximum(&self, plane: &[f32], mut found: impl FnMut(usize, usize, f32)) {
        let [kernel_h, kernel_w] = self.kernel;
        for oy in 0..self.out_h {
            for ox in 0..self.out_w {
                let (top, left) = (oy * self.stride[0], ox * self.stride[1]);
                let (mut best_at, mut best) =
                    (top * self.width + left, plane[top * self.width + left]);
                for row in plane[top * self.width..]
                    .chunks(self.width)
                    .take(kernel_h)
                    .enumerate()
                {
                    let (y, row) = row;
                    for (x, &value) in row[left..left + kernel_w].iter().enumerate() {
                        if value > best {
                            (best_at, best) = ((top + y) * self.width + left + x, value);
                        }
                    }
                }
                found(oy * self.out_w + ox, best_at, best);
            }
        }
    }
}

fn values(tensor: &FlexTensor) -> &[f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "max-pool kernels take f32 (cpu_kernels::max_pool::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}

fn tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}
