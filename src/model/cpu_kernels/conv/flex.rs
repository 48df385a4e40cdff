//! [`GemmConvBackend`] on flex: one task per image (or per few images) on rayon's threads,
//! each unrolling its image (im2col) into a buffer that stays in cache and calling gemm on it.

use std::cell::RefCell;

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::tensor::TensorData;

use super::super::parallel_fill::filled_in_parallel;
use super::super::product::{MatrixView, multiply_into};
use super::{GemmConvBackend, Padding};

/// Images whose weight gradients one task sums, before the tasks' sums are added in a fixed
/// order: the same result whatever the number of threads.
const IMAGES_PER_PARTIAL_SUM: usize = 4;

impl GemmConvBackend for Flex {
    fn gemm_conv2d(
        x: FloatTensor<Flex>,
        weight: FloatTensor<Flex>,
        padding: Padding,
    ) -> FloatTensor<Flex> {
        let [n, channels, height, width] = x.shape().dims();
        let [filters, _, kernel_h, kernel_w] = weight.shape().dims();
        let unrolling = Unrolling::new([channels, height, width], [kernel_h, kernel_w], padding);
        let (x, weight) = (x.to_contiguous(), weight.to_contiguous());
        let (x, weight) = (values(&x), values(&weight));
        let (rows, columns, image_len) =
            (unrolling.rows(), unrolling.columns(), unrolling.image_len());
        // weight [F, C*kh*kw] x the image unrolled [C*kh*kw, out_h*out_w] is that image's
        // output [F, out_h, out_w]: one task per image, written in place, the unrolled image
        // (200-300 KB in `default`) in cache.
        let weight = MatrixView::row_major(weight, filters, rows);
        let output = filled_in_parallel(n * filters * columns, filters * columns, |image, out| {
            UNROLLED.with_borrow_mut(|unrolled| {
                unrolling.unroll(&x[image * image_len..][..image_len], unrolled);
                let unrolled = MatrixView::row_major(unrolled, rows, columns);
                multiply_into(out, weight, unrolled, false);
            });
        });
        let [out_h, out_w] = unrolling.out;
        FlexTensor::from_data(TensorData::new(output, [n, filters, out_h, out_w]))
    }

    fn gemm_conv2d_weight_grad(
        x: FloatTensor<Flex>,
        output_grad: FloatTensor<Flex>,
        padding: Padding,
    ) -> FloatTensor<Flex> {
        let [_, channels, height, width] = x.shape().dims();
        let [n, filters, out_h, out_w] = output_grad.shape().dims();
        let [top, left, bottom, right] = padding;
        let kernel = [
            height + top + bottom + 1 - out_h,
            width + left + right + 1 - out_w,
        ];
        let unrolling = Unrolling::new([channels, height, width], kernel, padding);
        let (x, output_grad) = (x.to_contiguous(), output_grad.to_contiguous());
        let (x, output_grad) = (values(&x), values(&output_grad));
        let (rows, columns, image_len) =
            (unrolling.rows(), unrolling.columns(), unrolling.image_len());
        // Σ over images of the output gradient [F, out_h*out_w] x the image unrolled, transposed
        // [out_h*out_w, C*kh*kw]: each task sums a few images into its own (zeroed) partial sum.
        let weight_len = filters * rows;
        let groups = n.div_ceil(IMAGES_PER_PARTIAL_SUM);
        let partial_sums = filled_in_parallel(groups * weight_len, weight_len, |group, sum| {
            UNROLLED.with_borrow_mut(|unrolled| {
                let first = group * IMAGES_PER_PARTIAL_SUM;
                for image in first..n.min(first + IMAGES_PER_PARTIAL_SUM) {
                    unrolling.unroll(&x[image * image_len..][..image_len], unrolled);
                    let unrolled = MatrixView::row_major(unrolled, rows, columns).transposed();
                    let grad = &output_grad[image * filters * columns..][..filters * columns];
                    multiply_into(
                        sum,
                        MatrixView::row_major(grad, filters, columns),
                        unrolled,
                        true,
                    );
                }
            });
        });
        let grad = sum_in_order(&partial_sums, weight_len);
        FlexTensor::from_data(TensorData::new(
            grad,
            [filters, channels, kernel[0], kernel[1]],
        ))
    }

    fn gemm_conv2d_input_grad(
        x: FloatTensor<Flex>,
        weight: FloatTensor<Flex>,
        output_grad: FloatTensor<Flex>,
        padding: Padding,
    ) -> FloatTensor<Flex> {
        let shape = x.shape();
        let [n, channels, height, width] = shape.dims();
        let [filters, _, kernel_h, kernel_w] = weight.shape().dims();
        let unrolling = Unrolling::new([channels, height, width], [kernel_h, kernel_w], padding);
        let (weight, output_grad) = (weight.to_contiguous(), output_grad.to_contiguous());
        let (weight, output_grad) = (values(&weight), values(&output_grad));
        let (rows, columns) = (unrolling.rows(), unrolling.columns());
        // weightᵀ [C*kh*kw, F] x one image's output gradient [F, out_h*out_w] is that image's
        // gradient unrolled; adding it back gives the image's gradient. One task per image, the
        // unrolled gradient (200-300 KB in `default`) in cache between the two steps.
        let weight = MatrixView::row_major(weight, filters, rows).transposed();
        let x_grad = filled_in_parallel(
            n * unrolling.image_len(),
            unrolling.image_len(),
            |image, x_grad| {
                let grad = &output_grad[image * filters * columns..][..filters * columns];
                UNROLLED.with_borrow_mut(|unrolled| {
                    unrolled.resize(rows * columns, 0.0);
                    multiply_into(
                        unrolled,
                        weight,
                        MatrixView::row_major(grad, filters, columns),
                        false,
                    );
                    unrolling.add_back(unrolled, x_grad);
                });
            },
        );
        FlexTensor::from_data(TensorData::new(x_grad, shape))
    }
}

thread_local! {
    /// Each thread's buffer for one unrolled image, reused from task to task.
    static UNROLLED: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Where a convolution's unrolled rows read one image `[C, H, W]`: row `(c, ky, kx)`, column
/// `(oy, ox)` holds `x[c, oy + ky - top, ox + kx - left]`, zero outside the image.
#[derive(Clone, Copy)]
struct Unrolling {
    image: [usize; 3],
    kernel: [usize; 2],
    padding: Padding,
    out: [usize; 2],
}

impl Unrolling {
    fn new(image: [usize; 3], kernel: [usize; 2], padding: Padding) -> Self {
        let [_, height, width] = image;
        let [top, left, bottom, right] = padding;
        let out = [
            height + top + bottom + 1 - kernel[0],
            width + left + right + 1 - kernel[1],
        ];
        Self {
            image,
            kernel,
            padding,
            out,
        }
    }

    fn rows(&self) -> usize {
        self.image[0] * self.kernel[0] * self.kernel[1]
    }

    /// Columns per row: output positions.
    fn columns(&self) -> usize {
        self.out[0] * self.out[1]
    }

    fn image_len(&self) -> usize {
        self.image.iter().product()
    }

    /// Calls `run(column, at, len)` for each stretch of `row` that reads the image: columns
    /// `column..column + len` hold image values `at..at + len`. Columns never visited read the
    /// padding.
    fn for_each_run(&self, row: usize, mut run: impl FnMut(usize, usize, usize)) {
        let [_, height, width] = self.image;
        let [kernel_h, kernel_w] = self.kernel;
        let [top, left, _, _] = self.padding;
        let [out_h, out_w] = self.out;
        let (c, ky, kx) = (
            row / (kernel_h * kernel_w),
            row / kernel_w % kernel_h,
            row % kernel_w,
        );
        // Output columns whose input column ox + kx - left lies inside the image.
        let ox_start = left.saturating_sub(kx).min(out_w);
        let ox_end = (width + left).saturating_sub(kx).min(out_w).max(ox_start);
        if ox_start == ox_end {
            return; // the kernel column falls outside the image everywhere
        }
        for oy in 0..out_h {
            let Some(iy) = (oy + ky).checked_sub(top).filter(|&iy| iy < height) else {
                continue; // a padding row
            };
            let at = (c * height + iy) * width + ox_start + kx - left;
            run(oy * out_w + ox_start, at, ox_end - ox_start);
        }
    }

    /// Unrolls one `image` into `unrolled`, resized to `[rows, columns]`.
    fn unroll(&self, image: &[f32], unrolled: &mut Vec<f32>) {
        let width = self.columns();
        unrolled.clear();
        unrolled.resize(self.rows() * width, 0.0); // the padding
        for (row, values) in unrolled.chunks_exact_mut(width).enumerate() {
            self.for_each_run(row, |column, at, len| {
                values[column..column + len].copy_from_slice(&image[at..at + len]);
            });
        }
    }

    /// Adds unrolled `columns` (`[rows, columns]`) back onto the image they would unroll
    /// from: the transpose of unrolling, which gives a convolution's input gradient.
    fn add_back(&self, columns: &[f32], image: &mut [f32]) {
        let width = self.columns();
        for (row, values) in columns.chunks_exact(width).enumerate() {
            self.for_each_run(row, |column, at, len| {
                let sources = &values[column..column + len];
                for (target, source) in image[at..at + len].iter_mut().zip(sources) {
                    *target += source;
                }
            });
        }
    }
}

/// `len` values, each the sum of the values at its place in each `len`-long part of `parts`,
/// added in order.
fn sum_in_order(parts: &[f32], len: usize) -> Vec<f32> {
    const CHUNK: usize = 4096;
    filled_in_parallel(len, CHUNK, |index, sum| {
        for part in parts.chunks_exact(len) {
            let part = &part[index * CHUNK..][..sum.len()];
            for (sum, value) in sum.iter_mut().zip(part) {
                *sum += value;
            }
        }
    })
}

fn values(tensor: &FlexTensor) -> &[f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "gemm_conv2d takes f32 tensors (cpu_kernels::conv::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}
