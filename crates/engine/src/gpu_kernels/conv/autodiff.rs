//! [`TiledConv`] under autodiff: the forward pass on the inner backend; the input's gradient a
//! [`TiledConv::tiled_conv2d`] of the output's gradient by the filters turned around, the
//! filters' gradient [`TiledConv::tiled_conv2d_weight_grad`]. Where a side's padding is wider
//! than the filter reaches, the input's gradient is Burn's own (`conv2d_x_backward`).

use burn::backend::Backend;
use burn::backend::TensorMetadata;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;

use super::{TiledConv, conv_options, transposed_padding};
use crate::cpu_kernels::conv::Padding;

#[derive(Debug)]
struct Conv;

impl<B: Backend + TiledConv> Backward<B, 2> for Conv {
    /// The input, the weight and the padding.
    type State = (B::FloatTensorPrimitive, B::FloatTensorPrimitive, Padding);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x, weight, padding) = ops.state;
        if let Some(node) = node_x {
            let x_grad = x_grad::<B>(x.clone(), weight.clone(), grad.clone(), padding);
            grads.register::<B>(node.id, x_grad);
        }
        if let Some(node) = node_weight {
            let weight_grad = B::tiled_conv2d_weight_grad(x, weight, grad, padding);
            grads.register::<B>(node.id, weight_grad);
        }
    }
}

/// The gradient of `x`: `output_grad` convolved by `weight` turned around, zero-padded by
/// [`transposed_padding`].
fn x_grad<B: Backend + TiledConv>(
    x: B::FloatTensorPrimitive,
    weight: B::FloatTensorPrimitive,
    output_grad: B::FloatTensorPrimitive,
    padding: Padding,
) -> B::FloatTensorPrimitive {
    let shape = weight.shape();
    match transposed_padding(&padding, [shape[2], shape[3]]) {
        Some(around) => {
            let turned = B::float_flip(B::float_swap_dims(weight, 0, 1), &[2, 3]);
            B::tiled_conv2d(output_grad, turned, around)
        }
        None => B::conv2d_x_backward(x, weight, output_grad, conv_options(padding)),
    }
}

impl<B: Backend + TiledConv, C: CheckpointStrategy> TiledConv for Autodiff<B, C> {
    fn tiled_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        padding: [usize; 4],
    ) -> FloatTensor<Self> {
        match Conv
            .prepare::<C>([x.node(), weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (x, weight) = (x.into_primitive(), weight.into_primitive());
                let output = B::tiled_conv2d(x.clone(), weight.clone(), padding);
                prep.finish((x, weight, padding), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::tiled_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                padding,
            )),
        }
    }

    /// Only [`Conv`]'s backward pass calls it, on the inner backend; here it is Burn's own, whose
    /// autodiff knows its gradients.
    fn tiled_conv2d_weight_grad(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        Self::conv2d_weight_backward(x, weight, output_grad, conv_options(padding))
    }
}
