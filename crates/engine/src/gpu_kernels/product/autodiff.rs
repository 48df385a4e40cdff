//! [`TiledProduct`] under autodiff: both gradients are products of the same kernel,
//! `output_grad x rhsᵀ` for `lhs` and `lhsᵀ x output_grad` for `rhs`, over transposed views.

use burn::backend::Backend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;

use super::TiledProduct;

#[derive(Debug)]
struct Product;

impl<B: Backend + TiledProduct> Backward<B, 2> for Product {
    /// The operands, `lhs` and `rhs`.
    type State = (B::FloatTensorPrimitive, B::FloatTensorPrimitive);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_lhs, node_rhs] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (lhs, rhs) = ops.state;
        if let Some(node) = node_lhs {
            let lhs_grad = B::tiled_product(grad.clone(), B::float_transpose(rhs));
            grads.register::<B>(node.id, lhs_grad);
        }
        if let Some(node) = node_rhs {
            let rhs_grad = B::tiled_product(B::float_transpose(lhs), grad);
            grads.register::<B>(node.id, rhs_grad);
        }
    }
}

impl<B: Backend + TiledProduct, C: CheckpointStrategy> TiledProduct for Autodiff<B, C> {
    fn tiled_product(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        match Product
            .prepare::<C>([lhs.node(), rhs.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (lhs, rhs) = (lhs.into_primitive(), rhs.into_primitive());
                let output = B::tiled_product(lhs.clone(), rhs.clone());
                prep.finish((lhs, rhs), output)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::tiled_product(lhs.into_primitive(), rhs.into_primitive()))
            }
        }
    }
}
