//! [`GemmConvBackend`] under autodiff: the forward pass on the inner backend, the gradients
//! as two more calls of it (see the module's documentation).

use burn::backend::Backend;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;

use super::{GemmConvBackend, Padding};

#[derive(Debug)]
struct GemmConv2d;

impl<B: Backend + GemmConvBackend> Backward<B, 2> for GemmConv2d {
    type State = (NodeId, NodeId, Padding);

    fn backward(
        self,
        ops: Ops<Self::State, 2>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, weight_state, padding) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        let weight = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(weight_state);
        if let Some(node) = node_x {
            let input_grad = B::gemm_conv2d_input_grad(x.clone(), weight, grad.clone(), padding);
            grads.register::<B>(node.id, input_grad);
        }
        if let Some(node) = node_weight {
            grads.register::<B>(node.id, B::gemm_conv2d_weight_grad(x, grad, padding));
        }
    }
}

impl<B: Backend + GemmConvBackend, C: CheckpointStrategy> GemmConvBackend for Autodiff<B, C> {
    fn gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        match GemmConv2d
            .prepare::<C>([x.node(), weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let weight_state = prep.checkpoint(&weight);
                let output = B::gemm_conv2d(x.into_primitive(), weight.into_primitive(), padding);
                prep.finish((x_state, weight_state, padding), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::gemm_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                padding,
            )),
        }
    }
}
