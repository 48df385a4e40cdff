//! From `u8` images to tensors, scaled to [0, 1] per batch.

use burn::prelude::*;

use atelier_core::data::{Augmentation, Dataset, IMAGE_PIXELS, IMAGE_SIDE, SeededRng};

/// A batch on the device: images `[n, 1, 28, 28]` in [0, 1] and, when known, their labels.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Images, `[n, 1, 28, 28]`.
    pub images: Tensor<4>,
    /// Labels, `[n]`.
    pub labels: Option<Tensor<1, Int>>,
}

/// `k` images of 784 darkness bytes each as a `[k, 1, 28, 28]` tensor in [0, 1].
pub fn images_to_tensor(pixels: &[u8], device: &Device) -> Tensor<4> {
    let count = pixels.len() / IMAGE_PIXELS;
    let scaled: Vec<f32> = pixels.iter().map(|&p| p as f32 * (1.0 / 255.0)).collect();
    Tensor::from_data(
        TensorData::new(scaled, [count, 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    )
}

/// The images (and labels) at `indices`, as one batch.
pub fn batch_images(dataset: &Dataset, indices: &[usize], device: &Device) -> Batch {
    let mut scaled = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    for &i in indices {
        scaled.extend(dataset.image(i).iter().map(|&p| p as f32 * (1.0 / 255.0)));
    }
    into_batch(dataset, indices, scaled, device)
}

/// As [`batch_images`], each image changed by `augmentation` first (drawing from `rng`).
pub fn augmented_batch(
    dataset: &Dataset,
    indices: &[usize],
    augmentation: &Augmentation,
    rng: &mut SeededRng,
    device: &Device,
) -> Batch {
    let mut scaled = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    for &i in indices {
        let changed = augmentation.apply(dataset.image(i), rng);
        scaled.extend(changed.iter().map(|&p| p as f32 * (1.0 / 255.0)));
    }
    into_batch(dataset, indices, scaled, device)
}

fn into_batch(dataset: &Dataset, indices: &[usize], scaled: Vec<f32>, device: &Device) -> Batch {
    let images = Tensor::from_data(
        TensorData::new(scaled, [indices.len(), 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    );
    let labels = dataset.labels().map(|labels| {
        let picked: Vec<i32> = indices.iter().map(|&i| labels[i] as i32).collect();
        Tensor::from_data(TensorData::new(picked, [indices.len()]), device)
    });
    Batch { images, labels }
}
