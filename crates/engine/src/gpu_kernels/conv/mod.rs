//! A convolution on WebGPU as register-tiled kernels: in the forward pass each unit of work
//! computes a few filters at eight output positions of one image, in registers, with no
//! workgroup memory and no barrier. The input's gradient is the same kernel (a convolution of
//! the output's gradient by the flipped filters), and the filters' gradient a kernel of the same
//! style, each unit a few filters at a few of their taps, summed over the images.
//!
//! On a software adapter cubecl's direct convolution for a layer with one input channel (the
//! first layer of every preset) was the slowest kernel of a training batch once the dense
//! products were our own (BENCHMARKS.md, "Like for like with the WebGPU peers"): it computes
//! one output per unit and so loads each weight and input value once per output. Here each
//! input value loaded serves every filter of the unit, and each weight every position.
//!
//! Burn's own gradients (for the input's, transposed convolutions and products) were most of a
//! `default` training batch on a software adapter once the forward pass was our own
//! (BENCHMARKS.md, "Kernels of our own on WebGPU").
//!
//! Both kernels work out where each output position reads its input once per kernel position
//! (or output row), outside the loop over channels (or along the row): on a software adapter
//! that index arithmetic, not the multiply-adds, was most of their time.
//!
//! Like [`product`](super::product) it is a Burn backend extension: the kernels in `cube.rs`,
//! the gradients in `autodiff.rs`; the network runs it where [`applies`] holds.

mod autodiff;
#[cfg(feature = "gpu")]
mod cube;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Shape, backend_extension};
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::tensor::ops::ConvOptions;

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

    /// The gradient of [`TiledConv::tiled_conv2d`]`(x, weight, padding)` with respect to
    /// `weight`, given the gradient of its output: `weight`'s shape, summed over the images.
    #[fusion(dtype = x, shape = weight)]
    fn tiled_conv2d_weight_grad(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self>;
}

/// Burn's options for a convolution the kernels here compute, for Burn's own ops where a kernel
/// here does not apply.
fn conv_options([top, left, bottom, right]: Padding) -> ConvOptions<2> {
    ConvOptions::new_with_padding([1, 1], [(top, bottom), (left, right)], [1, 1], 1)
}

/// The padding under which the input's gradient is a convolution of the output's gradient by
/// the filters turned around (`[F, C, kh, kw]` read as `[C, F, kh, kw]`, flipped in both spatial
/// dimensions): `kernel - 1 - padding` on each side, or `None` where a side is padded by more
/// than the kernel's size less one (such a convolution reads rows of zeros only).
fn transposed_padding(padding: &Padding, [kernel_h, kernel_w]: [usize; 2]) -> Option<Padding> {
    let [top, left, bottom, right] = *padding;
    let (reach_h, reach_w) = (kernel_h.checked_sub(1)?, kernel_w.checked_sub(1)?);
    Some([
        reach_h.checked_sub(top)?,
        reach_w.checked_sub(left)?,
        reach_h.checked_sub(bottom)?,
        reach_w.checked_sub(right)?,
    ])
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
