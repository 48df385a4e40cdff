//! [`MaxPoolKernels`] on flex: one task per plane (one channel of one sample).

use burn::backend::Flex;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};

use super::MaxPoolKernels;
use crate::cpu_kernels::flex_tensors::{f32_tensor, f32_values};
use crate::cpu_kernels::parallel_fill::filled_in_parallel;

/// Names this module in the message if a tensor of another dtype ever reaches it.
const KERNEL: &str = "max_pool";

impl MaxPoolKernels for Flex {
    fn max_pool2d_plain(
        x: FloatTensor<Flex>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Flex> {
        let windows = Windows::new(&x.shape(), kernel, stride);
        let x = x.to_contiguous();
        let x = f32_values(&x, KERNEL);
        let (plane_in, plane_out) = windows.plane_sizes();
        let output = filled_in_parallel(windows.planes * plane_out, plane_out, |at, out| {
            let plane = &x[at * plane_in..][..plane_in];
            windows.for_each_maximum(plane, |index, _, max| out[index] = max)
        });
        f32_tensor(output, windows.output_shape())
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
        let (x, output_grad) = (f32_values(&x, KERNEL), f32_values(&output_grad, KERNEL));
        let (plane_in, plane_out) = windows.plane_sizes();
        let x_grad = filled_in_parallel(x.len(), plane_in, |at, plane_grad| {
            let plane = &x[at * plane_in..][..plane_in];
            let grads = &output_grad[at * plane_out..][..plane_out];
            windows.for_each_maximum(plane, |index, at, _| plane_grad[at] += grads[index]);
        });
        f32_tensor(x_grad, shape)
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

    /// Values in one plane of the input, and in one plane of the output.
    fn plane_sizes(&self) -> (usize, usize) {
        (self.height * self.width, self.out_h * self.out_w)
    }

    fn output_shape(&self) -> Shape {
        Shape::new([self.samples, self.channels, self.out_h, self.out_w])
    }

    /// Calls `found(output index, index in the plane, value)` with each window's first
    /// maximum, in output order.
    fn for_each_maximum(&self, plane: &[f32], mut found: impl FnMut(usize, usize, f32)) {
        if self.kernel == [2, 2] && self.stride == [2, 2] {
            return self.for_each_maximum_2x2(plane, found);
        }
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

    /// [`for_each_maximum`](Self::for_each_maximum) for 2x2 windows, stride 2 (every preset's
    /// pooling): the same comparisons in the same order, written out so that they compile to
    /// a few instructions per window instead of an iterator chain with bounds checks.
    fn for_each_maximum_2x2(&self, plane: &[f32], mut found: impl FnMut(usize, usize, f32)) {
        let width = self.width;
        for oy in 0..self.out_h {
            let top = 2 * oy * width;
            let (upper, lower) = (&plane[top..][..width], &plane[top + width..][..width]);
            for ox in 0..self.out_w {
                let left = 2 * ox;
                let (mut best_at, mut best) = (top + left, upper[left]);
                if upper[left + 1] > best {
                    (best_at, best) = (top + left + 1, upper[left + 1]);
                }
                if lower[left] > best {
                    (best_at, best) = (top + width + left, lower[left]);
                }
                if lower[left + 1] > best {
                    (best_at, best) = (top + width + left + 1, lower[left + 1]);
                }
                found(oy * self.out_w + ox, best_at, best);
            }
        }
    }
}
