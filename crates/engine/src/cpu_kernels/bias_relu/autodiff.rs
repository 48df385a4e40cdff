//! [`BiasReluKernels`] under autodiff: the forward pass on the inner backend, its output kept
//! for the backward pass (the ReLU's mask is where it is positive).

use burn::backend::Backend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;

use super::BiasReluKernels;

#[derive(Debug)]
struct BiasRelu;

impl<B: Backend + BiasReluKernels> Backward<B, 2> for BiasRelu {
    type State = B::FloatTensorPrimitive;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_bias] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_grad, bias_grad) = B::bias_relu_backward(ops.state, grad);
        for (node, grad) in [(node_x, x_grad), (node_bias, bias_grad)] {
            if let Some(node) = node {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}

impl<B: Backend + BiasReluKernels, C: CheckpointStrategy> BiasReluKernels for Autodiff<B, C> {
    fn bias_relu(x: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        match BiasRelu
            .prepare::<C>([x.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let output = B::bias_relu(x.into_primitive(), bias.into_primitive());
                prep.finish(output.clone(), output)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::bias_relu(x.into_primitive(), bias.into_primitive()))
            }
        }
    }
}
