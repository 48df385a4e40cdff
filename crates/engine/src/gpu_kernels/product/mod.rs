//! The dense layer's matrix products on WebGPU as one register-tiled kernel: each unit of work
//! computes an 8 by 8 tile of the output from its rows of `lhs` and columns of `rhs`, in
//! registers, with no workgroup memory and no barrier.
//!
//! The dense layer after a convolution is thin: `[batch, features] x [features, units]` with
//! thousands of features and tens of units, and its two gradients the same shape turned
//! around. On a software adapter cubecl's tuned matmuls for those shapes lose to its naive one
//! (one output per unit), and that one still took most of a training batch (BENCHMARKS.md,
//! "Like for like with the WebGPU peers"): a CPU rasteriser runs workgroup barriers and shared
//! memory slowly, and a unit that reuses each value it loads eight times does an eighth of the
//! loads. Both gradients are products of the same kernel over transposed views, which it reads
//! through their strides, so nothing is copied.
//!
//! Like the CPU kernels it is a Burn backend extension: the kernel on cubecl in `cube.rs`, its
//! gradients in `autodiff.rs`; [`forward`] is Burn's own linear layer wherever [`applies`]
//! does not hold.

mod autodiff;
#[cfg(feature = "gpu")]
mod cube;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Shape, backend_extension};
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::DType;

/// `lhs [M, K] x rhs [K, N]` as a backend operation, each operand read through its strides.
#[backend_extension(Cube: cfg(feature = "gpu"), Fusion: cfg(feature = "gpu"), Autodiff)]
pub trait TiledProduct: Backend {
    /// `[M, N]`, the product of `lhs [M, K]` and `rhs [K, N]`.
    #[fusion(dtype = lhs, shape = product_shape(lhs, rhs))]
    fn tiled_product(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// The shape of `lhs [M, K] x rhs [K, N]`.
pub fn product_shape(lhs: &Shape, rhs: &Shape) -> Shape {
    Shape::new([lhs[0], rhs[1]])
}

/// Whether [`forward`] runs on the kernel here: switched on ([`super::configure`]), on the GPU,
/// `f32`.
pub fn applies(input: &Tensor<2>) -> bool {
    super::enabled() && input.dtype() == DType::F32 && input.device() != Device::flex()
}

/// `input [N, features]` through `linear`: `input x weight + bias`, the product on the kernel
/// here where [`applies`] holds, Burn's own linear layer elsewhere.
pub fn forward(linear: &Linear, input: Tensor<2>) -> Tensor<2> {
    if !applies(&input) {
        return linear.forward(input);
    }
    let output = Tensor::from_dispatch(<Dispatch as TiledProduct>::tiled_product(
        input.into_dispatch(),
        linear.weight.val().into_dispatch(),
    ));
    match &linear.bias {
        Some(bias) => output + bias.val().unsqueeze(),
        None => output,
    }
}
