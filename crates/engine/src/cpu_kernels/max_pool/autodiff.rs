//! [`MaxPoolKernels`] under autodiff: the forward pass on the inner backend, its gradient from
//! the checkpointed input.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;
use burn::backend::{AutodiffBackend, Backend};

use super::MaxPoolKernels;

#[derive(Debug)]
struct MaxPool2dPlain;

impl<B: Backend + MaxPoolKernels> Backward<B, 1> for MaxPool2dPlain {
    type State = (NodeId, [usize; 2], [usize; 2]);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, kernel, stride) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        if let Some(node) = node_x {
            grads.register::<B>(
                node.id,
                B::max_pool2d_plain_backward(x, grad, kernel, stride),
            );
        }
    }
}

impl<B: Backend + MaxPoolKernels, C: CheckpointStrategy> MaxPoolKernels for Autodiff<B, C> {
    fn max_pool2d_plain(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self> {
        match MaxPool2dPlain
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let output = B::max_pool2d_plain(x.into_primitive(), kernel, stride);
                prep.finish((x_state, kernel, stride), output)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::max_pool2d_plain(x.into_primitive(), kernel, stride))
            }
        }
    }

    /// The value, as a constant: nothing here takes second derivatives (Burn's autodiff does
    /// not differentiate its own max-pool backward either).
    fn max_pool2d_plain_backward(
        x: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self> {
        let (x, output_grad) = (Self::inner(x), Self::inner(output_grad));
        Self::from_inner(B::max_pool2d_plain_backward(x, output_grad, kernel, stride))
    }
}
