//! [`DropoutKernels`] on flex: the mask computed and applied chunk by chunk on rayon's threads.

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::tensor::FloatTensor;

use super::{DropoutKernels, keeps};
use crate::cpu_kernels::flex_tensors::{f32_tensor, f32_values};
use crate::cpu_kernels::parallel_fill::filled_in_parallel;

/// Names this module in the message if a tensor of another dtype ever reaches it.
const KERNEL: &str = "dropout";

impl DropoutKernels for Flex {
    fn dropout(x: FloatTensor<Flex>, keep: f64, seed: u64) -> FloatTensor<Flex> {
        const CHUNK: usize = 4096;
        let shape = x.shape();
        let x = x.to_contiguous();
        let values = f32_values(&x, KERNEL);
        let scale = (1.0 / keep) as f32;
        let output = filled_in_parallel(values.len(), CHUNK, |chunk, out| {
            let first = chunk * CHUNK;
            for (offset, (out, &value)) in out.iter_mut().zip(&values[first..]).enumerate() {
                if keeps(seed, (first + offset) as u64, keep) {
                    *out = value * scale;
                }
            }
        });
        f32_tensor(output, shape)
    }
}
