//! [`TiledConv`] on cubecl's backend (WebGPU in the browser).

use burn::backend::TensorMetadata;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;
use burn::tensor::ops::ConvOptions;
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use cubecl::prelude::*;

use super::{TiledConv, conv_shape};
use crate::cpu_kernels::conv::Padding;
use crate::gpu_kernels::{UNITS, workgroups};

/// Output positions (along a row, then the next) each unit computes.
const POSITIONS: usize = 8;

/// `out [N, F, OH, OW]`: `x [N, C, H, W]` convolved by `weight [F, C, KH, KW]`, zero-padded by
/// `pad_top` and `pad_left` (the bottom and right padding are in the output's shape). One unit
/// computes `filters_per_unit` filters at `POSITIONS` consecutive positions of one image; the
/// positions and filters of a block past the edge read the last ones (never written back).
#[cube(launch_unchecked)]
fn tiled_conv_kernel<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    out: &mut Tensor<F>,
    pad_top: usize,
    pad_left: usize,
    #[comptime] filters_per_unit: usize,
    #[comptime] padded: bool,
    #[define(F)] _dtype: ElemType,
) {
    let filters = out.shape(1);
    let out_w = out.shape(3);
    let positions = out.shape(2) * out_w;
    let (channels, in_h, in_w) = (x.shape(1), x.shape(2), x.shape(3));
    let (kernel_h, kernel_w) = (weight.shape(2), weight.shape(3));
    let position_blocks = positions.div_ceil(POSITIONS);
    let filter_blocks = filters.div_ceil(filters_per_unit);
    let unit = ABSOLUTE_POS;
    if unit >= out.shape(0) * filter_blocks * position_blocks {
        terminate!();
    }
    let p0 = (unit % position_blocks) * POSITIONS;
    let f0 = ((unit / position_blocks) % filter_blocks) * filters_per_unit;
    let image = unit / (position_blocks * filter_blocks);

    let mut rows = Array::<usize>::new(POSITIONS);
    let mut cols = Array::<usize>::new(POSITIONS);
    #[unroll]
    for i in 0..POSITIONS {
        let p = (p0 + i).min(positions - 1);
        rows[i] = p / out_w;
        cols[i] = p % out_w;
    }
    let mut weight_at = Array::<usize>::new(filters_per_unit);
    #[unroll]
    for j in 0..filters_per_unit {
        weight_at[j] = (f0 + j).min(filters - 1) * weight.stride(0);
    }
    let mut sums = Array::<F>::new(filters_per_unit * POSITIONS);
    #[unroll]
    for i in 0..filters_per_unit * POSITIONS {
        sums[i] = F::new(0.0);
    }
    let mut a = Array::<F>::new(POSITIONS);
    let mut b = Array::<F>::new(filters_per_unit);
    let (x_c, x_y, x_x) = (x.stride(1), x.stride(2), x.stride(3));
    let (w_c, w_y, w_x) = (weight.stride(1), weight.stride(2), weight.stride(3));
    for c in 0..channels {
        let x_at = image * x.stride(0) + c * x_c;
        for ky in 0..kernel_h {
            for kx in 0..kernel_w {
                #[unroll]
                for i in 0..POSITIONS {
                    let y = rows[i] + ky;
                    let xx = cols[i] + kx;
                    if padded {
                        // Unsigned: a position left of or above the image wraps past its size.
                        let iy = y - pad_top;
                        let ix = xx - pad_left;
                        let inside = y >= pad_top && xx >= pad_left && iy < in_h && ix < in_w;
                        a[i] = F::new(0.0);
                        if inside {
                            a[i] = x[x_at + iy * x_y + ix * x_x];
                        }
                    } else {
                        a[i] = x[x_at + y * x_y + xx * x_x];
                    }
                }
                #[unroll]
                for j in 0..filters_per_unit {
                    b[j] = weight[weight_at[j] + c * w_c + ky * w_y + kx * w_x];
                }
                #[unroll]
                for j in 0..filters_per_unit {
                    #[unroll]
                    for i in 0..POSITIONS {
                        sums[j * POSITIONS + i] += b[j] * a[i];
                    }
                }
            }
        }
    }
    let (o_n, o_f, o_y, o_x) = (out.stride(0), out.stride(1), out.stride(2), out.stride(3));
    #[unroll]
    for j in 0..filters_per_unit {
        #[unroll]
        for i in 0..POSITIONS {
            if f0 + j < filters && p0 + i < positions {
                out[image * o_n + (f0 + j) * o_f + rows[i] * o_y + cols[i] * o_x] =
                    sums[j * POSITIONS + i];
            }
        }
    }
}

/// Filters per unit for `filters`: a divisor where one is near eight, so that no unit computes
/// filters past the last.
fn filters_per_unit(filters: usize) -> usize {
    [8, 5, 6, 4]
        .into_iter()
        .find(|&n| filters.is_multiple_of(n))
        .unwrap_or(4)
}

impl TiledConv for CubeBackend {
    fn tiled_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        let shape = conv_shape(&x.shape(), &weight.shape(), &padding);
        let per_unit = filters_per_unit(shape[1]);
        let units =
            shape[0] * shape[1].div_ceil(per_unit) * (shape[2] * shape[3]).div_ceil(POSITIONS);
        let [top, left, bottom, right] = padding;
        let Some(workgroups) = workgroups(units).filter(|_| x.shape()[1] > 0) else {
            // Empty, or more than one dispatch counts: Burn's own convolution.
            let options =
                ConvOptions::new_with_padding([1, 1], [(top, bottom), (left, right)], [1, 1], 1);
            return Self::conv2d(x, weight, None, options);
        };
        let output = empty_device_dtype(x.client.clone(), x.device.clone(), shape, x.dtype);
        let dtype = x.dtype;
        unsafe {
            tiled_conv_kernel::launch_unchecked(
                &output.client,
                CubeCount::Static(workgroups, 1, 1),
                CubeDim::new_1d(UNITS),
                x.into_tensor_arg(),
                weight.into_tensor_arg(),
                output.clone().into_tensor_arg(),
                top,
                left,
                per_unit,
                padding != [0; 4],
                dtype_to_storage_type(dtype),
            )
        };
        output
    }
}
