//! [`GemmConvBackend`] on flex: the unrolling (im2col) written here, the products flex's own
//! matmul.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;

use super::super::parallel_fill::filled_in_parallel;
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
}

/// An image batch unrolled for a convolution: `[C*kh*kw, N*out_h*out_w]`, row `(c, ky, kx)`,
/// column `(n, oy, ox)` holding `x[n, c, oy + ky - top, ox + kx - left]`, zero outside.
struct Columns {
    values: Vec<f32>,
    rows: usize,
    out: [usize; 2],
}

impl Columns {
    fn of(x: FlexTensor, [kernel_h, kernel_w]: [usize; 2], padding: Padding) -> Self {
        let x = x.to_contiguous();
        let [n, channels, height, width] = x.shape().dims();
        let Some(x) = x.as_slice::<f32>() else {
            panic!(
                "gemm_conv2d takes f32 tensors (cpu_kernels::conv::applies checks), got {:?}",
                x.dtype()
            );
        };
        let [top, left, bottom, right] = padding;
        let out = [
            height + top + bottom + 1 - kernel_h,
            width + left + right + 1 - kernel_w,
        ];
        let [out_h, out_w] = out;
        let rows = channels * kernel_h * kernel_w;
        let row_len = n * out_h * out_w;
        // One row per task: hundreds of rows in the layers this serves, each a few KB to MB.
        let values = filled_in_parallel(rows * row_len, row_len, |row, out_row| {
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
            for image in 0..n {
                let plane = &x[(image * channels + c) * height * width..][..height * width];
                for oy in 0..out_h {
                    let Some(iy) = (oy + ky).checked_sub(top).filter(|&iy| iy < height) else {
                        continue; // a padding row: stays zero
                    };
                    let start = (image * out_h + oy) * out_w;
                    let source = iy * width + ox_start + kx - left;
                    out_row[start + ox_start..start + ox_end]
                        .copy_from_slice(&plane[source..source + ox_end - ox_start]);
                }
            }
        });
        Self { values, rows, out }
    }

    fn into_tensor(self) -> (FlexTensor, [usize; 2]) {
        let columns = self.values.len() / self.rows;
        let data = TensorData::new(self.values, [self.rows, columns]);
        (FlexTensor::from_data(data), self.out)
    }
}
