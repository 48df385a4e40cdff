//! [`GemmConvBackend`] on flex: the unrolling (im2col) written here, the products flex's own
//! matmul.

use std::cell::RefCell;

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;

use super::super::parallel_fill::filled_in_parallel;
use super::super::product::{MatrixView, multiply_into};
use super::{GemmConvBackend, Padding};

impl GemmConvBackend for Flex {
    fn gemm_conv2d(
        x: FloatTensor<Flex>,
        weight: FloatTensor<Flex>,
        padding: Padding,
    ) -> FloatTensor<Flex> {
        let [n, _, _, _] = x.shape().dims();
        let [filters, channels, kernel_h, kernel_w] = weight.shape().dims();
        let (columns, [out_h, out_w]) = Columns::of(x, [kernel_h, kernel_w], padding).into_tensor();
        let weight = Flex::float_reshape(
            weight,
            Shape::new([filters, channels * kernel_h * kernel_w]),
        );
        // [F, N*H*W]: images are the product's columns, so one call covers the batch.
        let output = Flex::float_matmul(weight, columns);
        let output = Flex::float_reshape(output, Shape::new([filters, n, out_h, out_w]));
        Flex::float_swap_dims(output, 0, 1)
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
        let (columns, _) = Columns::of(x, kernel, padding).into_tensor();
        let output_grad = Flex::float_reshape(
            Flex::float_swap_dims(output_grad, 0, 1),
            Shape::new([filters, n * out_h * out_w]),
        );
        let grad = Flex::float_matmul(output_grad, Flex::float_transpose(columns));
        Flex::float_reshape(grad, Shape::new([filters, channels, kernel[0], kernel[1]]))
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

/// An image batch unrolled for a convolution: `[C*kh*kw, N*out_h*out_w]`, row `(c, ky, kx)`,
/// column `(n, oy, ox)` holding `x[n, c, oy + ky - top, ox + kx - left]`, zero outside.
struct Columns {
    values: Vec<f32>,
    rows: usize,
    out: [usize; 2],
}

impl Columns {
    fn of(x: FlexTensor, kernel: [usize; 2], padding: Padding) -> Self {
        let x = x.to_contiguous();
        let [n, channels, height, width] = x.shape().dims();
        let x = values(&x);
        let unrolling = Unrolling::new([channels, height, width], kernel, padding);
        let (rows, per_image) = (unrolling.rows(), unrolling.columns());
        let image_len = unrolling.image_len();
        // One row per task: hundreds of rows in the layers this serves, each a few KB to MB.
        let values = filled_in_parallel(rows * n * per_image, n * per_image, |row, out_row| {
            for (image, out_row) in out_row.chunks_exact_mut(per_image).enumerate() {
                let image = &x[image * image_len..][..image_len];
                unrolling.for_each_run(row, |column, at, len| {
                    out_row[column..column + len].copy_from_slice(&image[at..at + len]);
                });
            }
        });
        Self {
            values,
            rows,
            out: unrolling.out,
        }
    }

    fn into_tensor(self) -> (FlexTensor, [usize; 2]) {
        let columns = self.values.len() / self.rows;
        let data = TensorData::new(self.values, [self.rows, columns]);
        (FlexTensor::from_data(data), self.out)
    }
}

fn values(tensor: &FlexTensor) -> &[f32] {
    tensor.as_slice::<f32>().unwrap_or_else(|| {
        panic!(
            "gemm_conv2d takes f32 tensors (cpu_kernels::conv::applies checks), got {:?}",
            tensor.dtype()
        )
    })
}
