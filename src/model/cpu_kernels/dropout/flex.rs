//! [`DropoutKernels`] on flex: the mask computed and applied chunk by chunk on rayon's threads.

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::tensor::TensorData;

use super::super::parallel_fill::filled_in_parallel;
use super::{DropoutKernels, keeps};

impl DropoutKernels for Flex {
    fn dropout(x: FloatTensor<Flex>, keep: f64, seed: u64) -> FloatTensor<Flex> {
        const CHUNK: usize = 4096;
        let shape = x.shape();
        let x = x.to_contiguous();
        let values = x.as_slice::<f32>().unwrap_or_else(|| {
            panic!(
                "dropout kernels take f32 (cpu_kernels::dropout::applies checks), got {:?}",
                x.dtype()
            )
        });
        let scale = (1.0 / keep) as f32;
        let output = filled_in_parallel(values.len(), CHUNK, |chunk, out| {
            let first = chunk * CHUNK;
            for (offset, (out, &value)) in out.iter_mut().zip(&values[first..]).enumerate() {
                if keeps(seed, (first + offset) as u64, keep) {
                    *out = value * scale;
                }
            }
        });
        FlexTensor::from_data(TensorData::new(output, shape))
    }
}
