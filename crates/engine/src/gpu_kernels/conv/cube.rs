//! [`TiledConv`] on cubecl's backend (WebGPU in the browser): the forward kernel, which also
//! computes the input's gradient, and the filters' gradient.

use burn::backend::TensorMetadata;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::{FloatTensorOps, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use cubecl::prelude::*;

use super::{TiledConv, conv_options, conv_shape};
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
    // Each position's input offset and whether it is inside the image, worked out once per
    // kernel position and used for every channel: the channel loop is innermost.
    let mut at = Array::<usize>::new(POSITIONS);
    let mut inside = Array::<u32>::new(POSITIONS);
    let (x_c, x_y, x_x) = (x.stride(1), x.stride(2), x.stride(3));
    let (w_c, w_y, w_x) = (weight.stride(1), weight.stride(2), weight.stride(3));
    let image_at = image * x.stride(0);
    for ky in 0..kernel_h {
        for kx in 0..kernel_w {
            #[unroll]
            for i in 0..POSITIONS {
                let y = rows[i] + ky;
                let xx = cols[i] + kx;
                if padded {
                    // Unsigned: a position left of or above the image wraps past its size. One
                    // outside reads the image's first value (any valid one), then takes zero.
                    let iy = y - pad_top;
                    let ix = xx - pad_left;
                    inside[i] = 0;
                    at[i] = image_at;
                    if y >= pad_top && xx >= pad_left && iy < in_h && ix < in_w {
                        inside[i] = 1;
                        at[i] = image_at + iy * x_y + ix * x_x;
                    }
                } else {
                    at[i] = image_at + y * x_y + xx * x_x;
                }
            }
            let tap_at = ky * w_y + kx * w_x;
            for c in 0..channels {
                let x_off = c * x_c;
                #[unroll]
                for i in 0..POSITIONS {
                    let value = x[at[i] + x_off];
                    if padded {
                        a[i] = F::new(0.0);
                        if inside[i] == 1 {
                            a[i] = value;
                        }
                    } else {
                        a[i] = value;
                    }
                }
                let w_off = tap_at + c * w_c;
                #[unroll]
                for j in 0..filters_per_unit {
                    b[j] = weight[weight_at[j] + w_off];
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

/// `out [S, F, C * KH * KW]`: the gradient of the filters `[F, C, KH, KW]` of a convolution of
/// `x [N, C, H, W]` zero-padded by `pad_top` and `pad_left`, given its output's gradient
/// `grad [N, F, OH, OW]`, summed over the images of split `s` (the images in `S` runs, the last
/// ones shorter or empty). One unit computes `filters_per_unit` filters at `taps_per_unit`
/// consecutive taps (a channel's kernel positions, row by row, then the next channel's) of one
/// split; as in the forward kernel, a block past the edge reads the last ones.
#[cube(launch_unchecked)]
fn tiled_conv_weight_grad_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    out: &mut Tensor<F>,
    pad_top: usize,
    pad_left: usize,
    kernel_w: usize,
    #[comptime] filters_per_unit: usize,
    #[comptime] taps_per_unit: usize,
    #[comptime] padded: bool,
    #[define(F)] _dtype: ElemType,
) {
    let (splits, filters, taps) = (out.shape(0), out.shape(1), out.shape(2));
    let tap_blocks = taps.div_ceil(taps_per_unit);
    let filter_blocks = filters.div_ceil(filters_per_unit);
    let unit = ABSOLUTE_POS;
    if unit >= splits * filter_blocks * tap_blocks {
        terminate!();
    }
    let t0 = (unit % tap_blocks) * taps_per_unit;
    let f0 = ((unit / tap_blocks) % filter_blocks) * filters_per_unit;
    let split = unit / (tap_blocks * filter_blocks);
    let images = x.shape(0);
    let per_split = images.div_ceil(splits);
    let first = (split * per_split).min(images);
    let end = (first + per_split).min(images);

    let (in_h, in_w) = (x.shape(2), x.shape(3));
    let (x_y, x_x) = (x.stride(2), x.stride(3));
    let kernel_taps = taps / x.shape(1);
    let mut channel_at = Array::<usize>::new(taps_per_unit);
    let mut dy = Array::<usize>::new(taps_per_unit);
    let mut dx = Array::<usize>::new(taps_per_unit);
    #[unroll]
    for t in 0..taps_per_unit {
        let tap = (t0 + t).min(taps - 1);
        let k = tap % kernel_taps;
        channel_at[t] = (tap / kernel_taps) * x.stride(1);
        dy[t] = k / kernel_w;
        dx[t] = k % kernel_w;
    }
    let mut grad_at = Array::<usize>::new(filters_per_unit);
    #[unroll]
    for j in 0..filters_per_unit {
        grad_at[j] = (f0 + j).min(filters - 1) * grad.stride(1);
    }
    let mut sums = Array::<F>::new(filters_per_unit * taps_per_unit);
    #[unroll]
    for i in 0..filters_per_unit * taps_per_unit {
        sums[i] = F::new(0.0);
    }
    let mut a = Array::<F>::new(taps_per_unit);
    let mut b = Array::<F>::new(filters_per_unit);
    let (out_h, out_w) = (grad.shape(2), grad.shape(3));
    let (g_y, g_x) = (grad.stride(2), grad.stride(3));
    // Each tap's input row for an output row, and whether it is inside the image, worked out
    // once per output row and used along it.
    let mut row_at = Array::<usize>::new(taps_per_unit);
    let mut row_inside = Array::<u32>::new(taps_per_unit);
    for image in first..end {
        let x_at = image * x.stride(0);
        let g_at = image * grad.stride(0);
        for oy in 0..out_h {
            #[unroll]
            for t in 0..taps_per_unit {
                let y = oy + dy[t];
                if padded {
                    // Unsigned: a row above the image wraps past its size. One outside reads
                    // the image's first row (any valid one), then takes zero.
                    let iy = y - pad_top;
                    row_inside[t] = 0;
                    row_at[t] = x_at;
                    if y >= pad_top && iy < in_h {
                        row_inside[t] = 1;
                        row_at[t] = x_at + channel_at[t] + iy * x_y;
                    }
                } else {
                    row_at[t] = x_at + channel_at[t] + y * x_y;
                }
            }
            let g_row = g_at + oy * g_y;
            for ox in 0..out_w {
                let g = g_row + ox * g_x;
                #[unroll]
                for j in 0..filters_per_unit {
                    b[j] = grad[g + grad_at[j]];
                }
                #[unroll]
                for t in 0..taps_per_unit {
                    let xx = ox + dx[t];
                    if padded {
                        let ix = xx - pad_left;
                        a[t] = F::new(0.0);
                        if row_inside[t] == 1 && xx >= pad_left && ix < in_w {
                            a[t] = x[row_at[t] + ix * x_x];
                        }
                    } else {
                        a[t] = x[row_at[t] + xx * x_x];
                    }
                }
                #[unroll]
                for j in 0..filters_per_unit {
                    #[unroll]
                    for t in 0..taps_per_unit {
                        sums[j * taps_per_unit + t] += b[j] * a[t];
                    }
                }
            }
        }
    }
    let (o_s, o_f, o_t) = (out.stride(0), out.stride(1), out.stride(2));
    #[unroll]
    for j in 0..filters_per_unit {
        #[unroll]
        for t in 0..taps_per_unit {
            if f0 + j < filters && t0 + t < taps {
                out[split * o_s + (f0 + j) * o_f + (t0 + t) * o_t] = sums[j * taps_per_unit + t];
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

/// Taps per unit of the filters' gradient for `taps` (channels times kernel positions): nine
/// for a 3 by 3 kernel, else a divisor near eight where there is one.
fn taps_per_unit(taps: usize) -> usize {
    [9, 8, 6, 4]
        .into_iter()
        .find(|&n| taps.is_multiple_of(n))
        .unwrap_or(8)
}

/// Units below which the filters' gradient splits the images into runs summed apart (then
/// added up), so that a layer with few filters and taps (the first: one channel) still
/// spreads over the adapter's threads.
const SPLIT_BELOW_UNITS: usize = 256;

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
        let [top, left, ..] = padding;
        let Some(workgroups) = workgroups(units).filter(|_| x.shape()[1] > 0) else {
            // Empty, or more than one dispatch counts: Burn's own convolution.
            return Self::conv2d(x, weight, None, conv_options(padding));
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

    fn tiled_conv2d_weight_grad(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        let weight_shape = weight.shape();
        let [filters, channels, kernel_h, kernel_w] = weight_shape.dims();
        let taps = channels * kernel_h * kernel_w;
        let (per_filter, per_tap) = (filters_per_unit(filters), taps_per_unit(taps));
        let units = filters.div_ceil(per_filter) * taps.div_ceil(per_tap);
        let images = x.shape()[0];
        let splits = SPLIT_BELOW_UNITS
            .div_ceil(units.max(1))
            .clamp(1, images.max(1));
        let [top, left, ..] = padding;
        let output_shape = output_grad.shape();
        let positions = output_shape[2] * output_shape[3];
        let Some(workgroups) = workgroups(splits * units).filter(|_| positions > 0) else {
            // Empty, or more than one dispatch counts: Burn's own gradient.
            return Self::conv2d_weight_backward(x, weight, output_grad, conv_options(padding));
        };
        let sums = empty_device_dtype(
            x.client.clone(),
            x.device.clone(),
            [splits, filters, taps].into(),
            x.dtype,
        );
        let dtype = x.dtype;
        unsafe {
            tiled_conv_weight_grad_kernel::launch_unchecked(
                &sums.client,
                CubeCount::Static(workgroups, 1, 1),
                CubeDim::new_1d(UNITS),
                x.into_tensor_arg(),
                output_grad.into_tensor_arg(),
                sums.clone().into_tensor_arg(),
                top,
                left,
                kernel_w,
                per_filter,
                per_tap,
                padding != [0; 4],
                dtype_to_storage_type(dtype),
            )
        };
        let summed = if splits > 1 {
            Self::float_sum_dim(sums, 0)
        } else {
            sums
        };
        Self::float_reshape(summed, weight_shape)
    }
}
