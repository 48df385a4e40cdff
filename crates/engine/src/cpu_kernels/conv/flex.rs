//! [`GemmConvBackend`] on flex: one task per image (or per few images) on rayon's threads,
//! each unrolling its image (im2col) into a buffer that stays in cache and calling gemm on it.

use std::cell::RefCell;
use std::ops::Range;

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::tensor::FloatTensor;

use super::{GemmConvBackend, Padding};
use crate::cpu_kernels::flex_tensors::{f32_tensor, f32_values};
use crate::cpu_kernels::parallel_fill::filled_in_parallel;
use crate::cpu_kernels::product::{MatrixView, multiply_into};

/// Names this module in the message if a tensor of another dtype ever reaches it.
const KERNEL: &str = "conv";

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
        let (x, weight) = (f32_values(&x, KERNEL), f32_values(&weight, KERNEL));
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
        f32_tensor(output, [n, filters, out_h, out_w])
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
        let (x, output_grad) = (f32_values(&x, KERNEL), f32_values(&output_grad, KERNEL));
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
        f32_tensor(grad, [filters, channels, kernel[0], kernel[1]])
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
        let (weight, output_grad) = (
            f32_values(&weight, KERNEL),
            f32_values(&output_grad, KERNEL),
        );
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
        f32_tensor(x_grad, shape)
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

    /// Where the output is as wide as the image (left + right padding = kernel width - 1, as
    /// Keras's "same"), row `(c, ky, kx)` reads image plane `c` shifted: one copy per row
    /// where [`for_each_run`](Self::for_each_run) makes one per output row (a dozen values
    /// each in `default`, where that loop overhead was the kernels' largest cost after gemm).
    /// Returns, for each kernel position `ky * kw + kx`, its rows' shift in plane 0 (`None`
    /// where the row reads padding only); `None` where the output is narrower.
    fn shifts(&self) -> Option<Vec<Option<Shifted>>> {
        let [_, height, width] = self.image;
        let [kernel_h, kernel_w] = self.kernel;
        let [top, left, _, _] = self.padding;
        let [out_h, out_w] = self.out;
        if out_w != width || width == 0 {
            return None;
        }
        let shifted = |ky: usize, kx: usize| {
            // Column j = oy * width + ox reads image value j + shift.
            let (rows_down, right) = (ky as isize - top as isize, kx as isize - left as isize);
            if right.unsigned_abs() >= width {
                return None; // every column reads padding
            }
            let oy_start = (-rows_down).max(0) as usize;
            let oy_end = (height as isize - rows_down).clamp(0, out_h as isize) as usize;
            if oy_start >= oy_end {
                return None;
            }
            // Leave out the first (or last) columns when they read the row before (after).
            let start = oy_start * width + (-right).max(0) as usize;
            let end = oy_end * width - right.max(0) as usize;
            let wrapped = if right > 0 {
                width - right as usize..width
            } else {
                0..(-right) as usize
            };
            Some(Shifted {
                columns: start..end,
                at: (start as isize + rows_down * width as isize + right) as usize,
                wrapped,
                width,
            })
        };
        let shifts = (0..kernel_h)
            .flat_map(|ky| (0..kernel_w).map(move |kx| (ky, kx)))
            .map(|(ky, kx)| shifted(ky, kx))
            .collect();
        Some(shifts)
    }

    /// Unrolls one `image` into `unrolled`, resized to `[rows, columns]`.
    fn unroll(&self, image: &[f32], unrolled: &mut Vec<f32>) {
        let width = self.columns();
        unrolled.clear();
        unrolled.resize(self.rows() * width, 0.0); // the padding
        let (shifts, plane) = (self.shifts(), self.image[1] * self.image[2]);
        for (row, values) in unrolled.chunks_exact_mut(width).enumerate() {
            if let Some(shifts) = &shifts {
                let (channel, shifted) = (row / shifts.len(), &shifts[row % shifts.len()]);
                if let Some(shifted) = shifted {
                    let (columns, at) = (shifted.columns.clone(), channel * plane + shifted.at);
                    values[columns.clone()].copy_from_slice(&image[at..][..columns.len()]);
                    shifted.for_each_wrapped(|column| values[column] = 0.0);
                }
                continue;
            }
            self.for_each_run(row, |column, at, len| {
                values[column..column + len].copy_from_slice(&image[at..at + len]);
            });
        }
    }

    /// Adds unrolled `columns` (`[rows, columns]`) back onto the image they would unroll
    /// from: the transpose of unrolling, which gives a convolution's input gradient. Zeroes
    /// the values that stand for padding on the way.
    fn add_back(&self, columns: &mut [f32], image: &mut [f32]) {
        let width = self.columns();
        let (shifts, plane) = (self.shifts(), self.image[1] * self.image[2]);
        for (row, values) in columns.chunks_exact_mut(width).enumerate() {
            if let Some(shifts) = &shifts {
                let (channel, shifted) = (row / shifts.len(), &shifts[row % shifts.len()]);
                if let Some(shifted) = shifted {
                    shifted.for_each_wrapped(|column| values[column] = 0.0);
                    let sources = &values[shifted.columns.clone()];
                    let targets = &mut image[channel * plane + shifted.at..][..sources.len()];
                    for (target, source) in targets.iter_mut().zip(sources) {
                        *target += source;
                    }
                }
                continue;
            }
            self.for_each_run(row, |column, at, len| {
                let sources = &values[column..column + len];
                for (target, source) in image[at..at + len].iter_mut().zip(sources) {
                    *target += source;
                }
            });
        }
    }
}

/// One unrolled row as a shifted copy of its image plane ([`Unrolling::shifts`]): columns
/// `columns` hold the plane's values from `at` on, one for one, except the columns `wrapped`
/// of each output row, which run across the image's left or right edge and read padding.
struct Shifted {
    columns: Range<usize>,
    at: usize,
    /// Output columns (ox) that would read across the image's edge.
    wrapped: Range<usize>,
    width: usize,
}

impl Shifted {
    /// Calls `padding(column)` for each column of `columns` that reads padding.
    fn for_each_wrapped(&self, mut padding: impl FnMut(usize)) {
        let first_row = self.columns.start / self.width;
        let rows = self.columns.end.div_ceil(self.width) - first_row;
        for oy in first_row..first_row + rows {
            for ox in self.wrapped.clone() {
                let column = oy * self.width + ox;
                if self.columns.contains(&column) {
                    padding(column);
                }
            }
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
