//! A convolution's forward pass on WebGPU as one register-tiled kernel: each unit of work
//! computes a few filters at eight output positions of one image, in registers, with no
//! workgroup memory and no barrier. Its gradients stay Burn's own.
//!
//! On a software adapter cubecl's direct convolution for a layer with one input channel (the
//! first layer of every preset) was the slowest kernel of a training batch once the dense
//! products were our own (BENCHMARKS.md, "Like for like with the WebGPU peers"): it computes
//! one output per unit and so loads each weight and input value once per output. Here each
//! input value loaded serves every filter of the unit, and each weight every position.
//!
//! Like [`product`](super::product) it is a Burn backend extension: the kernel in `cube.rs`,
//! the gradients (Burn's) in `autodiff.rs`; the network runs it where [`applies`] holds.

mod autodiff;
#[cfg(feature = "gpu")]
mod cube;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Shape, backend_extension};
use burn::nn::conv::Conv2d;
use burn::prelude::*;

use crate::cpu_kernels::conv::{Padding, kernel_padding};

/// A convolution as a backend operation. Stride 1, no dilation, one group, no bias (added
/// outside, where autodiff's own broadcast add gives its gradient).
#[backend_extension(Cube: cfg(feature = "gpu"), Fusion: cfg(feature = "gpu"), Autodiff)]
pub trait TiledConv: Backend {
    /// `x [N, C, H, W]` convolved by `weight [F, C, kh, kw]` with zero `padding`
    /// (`[top, left, bottom, right]`): `[N, F, H + top + bottom + 1 - kh, W + left + right + 1 - kw]`.
    #[fusion(dtype = x, shape = conv_shape(x, weight, padding))]
    fn tiled_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self>;
}

/// The output shape of [`TiledConv::tiled_conv2d`].
pub fn conv_shape(x: &Shape, weight: &Shape, padding: &Padding) -> Shape {
    let [top, left, bottom, right] = *padding;
    Shape::new([
        x[0],
        weight[0],
        x[2] + top + bottom + 1 - weight[2],
        x[3] + left + right + 1 - weight[3],
    ])
}

/// Whether [`forward`] runs `conv` on the kernel here: switched on ([`super::configure`]), on
/// the GPU, and a layer the kernel computes ([`kernel_padding`]).
pub fn applies(conv: &Conv2d, input: &Tensor<4>) -> bool {
    padding_if_applies(conv, input).is_some()
}

fn padding_if_applies(conv: &Conv2d, input: &Tensor<4>) -> Option<Padding> {
    if !super::enabled() || input.device() == Device::flex() {
        return None;
    }
    kernel_padding(conv, input)
}

/// `conv.forward(input)`: on the kernel here where [`applies`] holds, Burn's own elsewhere.
pub fn forward(conv: &Conv2d, input: Tensor<4>) -> Tensor<4> {
    let Some(padding) = padding_if_applies(conv, &input) else {
        return conv.forward(input);
    };
    let output = Tensor::from_dispatch(<Dispatch as TiledConv>::tiled_conv2d(
        input.into_dispatch(),
        conv.weight.val().into_dispatch(),
        padding,
    ));
    match &conv.bias {
        Some(bias) => output + bias.val().reshape([1, -1, 1, 1]),
        None => output,
    }
}
