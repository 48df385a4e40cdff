//! [`TiledProduct`] on cubecl's backend (WebGPU in the browser).

use burn::backend::TensorMetadata;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use cubecl::prelude::*;

use super::{TiledProduct, product_shape};
use crate::gpu_kernels::{UNITS, workgroups};

/// Rows and columns of the output each unit computes: each value loaded is used `TILE` times.
const TILE: usize = 8;

/// `out [M, N] = lhs [M, K] x rhs [K, N]`, one `TILE` by `TILE` block of `out` per unit. The
/// last row and column of a block past the edge read the matrix's last row or column (valid,
/// never written back), so the inner loop has no branch.
#[cube(launch_unchecked)]
fn tiled_product_kernel<F: Float>(
    lhs: &Tensor<F>,
    rhs: &Tensor<F>,
    out: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    let rows = out.shape(0);
    let cols = out.shape(1);
    let depth = lhs.shape(1);
    let tiles_across = cols.div_ceil(TILE);
    let tile = ABSOLUTE_POS;
    if tile >= tiles_across * rows.div_ceil(TILE) {
        terminate!();
    }
    let row0 = (tile / tiles_across) * TILE;
    let col0 = (tile % tiles_across) * TILE;
    let lhs_step = lhs.stride(1);
    let rhs_step = rhs.stride(0);

    let mut lhs_at = Array::<usize>::new(TILE);
    let mut rhs_at = Array::<usize>::new(TILE);
    #[unroll]
    for i in 0..TILE {
        lhs_at[i] = (row0 + i).min(rows - 1) * lhs.stride(0);
        rhs_at[i] = (col0 + i).min(cols - 1) * rhs.stride(1);
    }
    let mut sums = Array::<F>::new(TILE * TILE);
    #[unroll]
    for i in 0..TILE * TILE {
        sums[i] = F::new(0.0);
    }
    let mut a = Array::<F>::new(TILE);
    let mut b = Array::<F>::new(TILE);
    for k in 0..depth {
        #[unroll]
        for i in 0..TILE {
            a[i] = lhs[lhs_at[i] + k * lhs_step];
            b[i] = rhs[rhs_at[i] + k * rhs_step];
        }
        #[unroll]
        for r in 0..TILE {
            #[unroll]
            for c in 0..TILE {
                sums[r * TILE + c] += a[r] * b[c];
            }
        }
    }
    let (out_row, out_col) = (out.stride(0), out.stride(1));
    #[unroll]
    for r in 0..TILE {
        #[unroll]
        for c in 0..TILE {
            if row0 + r < rows && col0 + c < cols {
                out[(row0 + r) * out_row + (col0 + c) * out_col] = sums[r * TILE + c];
            }
        }
    }
}

impl TiledProduct for CubeBackend {
    fn tiled_product(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        let shape = product_shape(&lhs.shape(), &rhs.shape());
        let tiles = shape[0].div_ceil(TILE) * shape[1].div_ceil(TILE);
        let Some(workgroups) = workgroups(tiles).filter(|_| lhs.shape()[1] > 0) else {
            // Empty, or more rows than one dispatch counts: Burn's own product.
            return Self::float_matmul(lhs, rhs);
        };
        let output = empty_device_dtype(lhs.client.clone(), lhs.device.clone(), shape, lhs.dtype);
        let dtype = lhs.dtype;
        unsafe {
            tiled_product_kernel::launch_unchecked(
                &output.client,
                CubeCount::Static(workgroups, 1, 1),
                CubeDim::new_1d(UNITS),
                lhs.into_tensor_arg(),
                rhs.into_tensor_arg(),
                output.clone().into_tensor_arg(),
                dtype_to_storage_type(dtype),
            )
        };
        output
    }
}
