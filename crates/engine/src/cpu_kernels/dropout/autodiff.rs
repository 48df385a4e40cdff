//! [`DropoutKernels`] under autodiff: the mask is recomputed from its seed for the backward
//! pass, so nothing but the seed is kept.

use burn::backend::Backend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;

use super::DropoutKernels;

#[derive(Debug)]
struct DropoutMask;

impl<B: Backend + DropoutKernels> Backward<B, 1> for DropoutMask {
    type State = (f64, u64);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (keep, seed) = ops.state;
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::dropout_backward(grad, keep, seed));
        }
    }
}

impl<B: Backend + DropoutKernels, C: CheckpointStrategy> DropoutKernels for Autodiff<B, C> {
    fn dropout(x: FloatTensor<Self>, keep: f64, seed: u64) -> FloatTensor<Self> {
        match DropoutMask
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                prep.finish((keep, seed), B::dropout(x.into_primitive(), keep, seed))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::dropout(x.into_primitive(), keep, seed)),
        }
    }
}
