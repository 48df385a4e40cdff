//! Kernels for the CPU backend, where flex runs Burn's generic version of an operation or runs
//! it on one thread: the convolution and its gradients, batch normalisation, bias and ReLU,
//! max pooling, dropout; for training, and (all but dropout) for inference on the plain device,
//! which validation, predictions and the drawing pad use.
//!
//! Each is a Burn backend extension (the pattern burn-signal and burn-vision follow): a trait
//! of backend operations, its flex implementation (`flex.rs`), its autodiff implementation with
//! the gradients (`autodiff.rs`), and `applies`/`forward` for the layer that uses it. `forward`
//! is Burn's own layer wherever `applies` does not hold, so WebGPU and every other backend keep
//! Burn's kernels. Each is tested against Burn's own: outputs and every gradient.

pub mod batch_norm;
pub mod bias_relu;
pub mod conv;
pub mod dropout;
mod flex_tensors;
pub mod max_pool;
mod parallel_fill;
mod planes;
mod product;
