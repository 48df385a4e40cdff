//! [`TiledConv`] under autodiff: the forward pass on the inner backend, both gradients Burn's
//! own (`conv2d_x_backward`, `conv2d_weight_backward`).

use burn::backend::Backend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::tensor::ops::ConvOptions;

use super::TiledConv;
use crate::cpu_kernels::conv::Padding;

#[derive(Debug)]
struct Conv;

impl<B: Backend + TiledConv> Backward<B, 2> for Conv {
    /// The input, the weight and the padding.
    type State = (B::FloatTensorPrimitive, B::FloatTensorPrimitive, Padding);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x, weight, [top, left, bottom, right]) = ops.state;
        let options =
            ConvOptions::new_with_padding([1, 1], [(top, bottom), (left, right)], [1, 1], 1);
        if let Some(node) = node_x {
            let x_grad =
                B::conv2d_x_backward(x.clone(), weight.clone(), grad.clone(), options.clone());
            grads.register::<B>(node.id, x_grad);
        }
        if let Some(node) = node_weight {
            grads.register::<B>(node.id, B::conv2d_weight_backward(x, weight, grad, options));
        }
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
}
