use burn::prelude::*;
use burn::tensor::activation::softmax;

use atelier_core::data::{Dataset, NUM_CLASSES};
use atelier_core::eval::{ConfusionMatrix, Evaluation, Mistake, choose_mistakes};
use atelier_core::train::{LossKind, TrainError};

use crate::autotune;
use crate::batch::{batch_images, images_to_tensor};
use crate::host::TrainHost;
use crate::loss::Loss;
use crate::network::Network;

fn device_error(error: impl std::fmt::Debug) -> TrainError {
    TrainError::Device(format!("{error:?}"))
}

/// Reads a batch of predicted classes back from the device: the batch has run, and the next
/// kernel shape waiting for its tuning may have it ([`autotune::allow_one`]).
async fn read_classes(classes: Tensor<1, Int>) -> Result<Vec<u8>, TrainError> {
    let data = classes.into_data_async().await.map_err(device_error)?;
    autotune::allow_one();
    Ok(data.iter::<i64>().map(|c| c as u8).collect())
}

/// Loss, accuracy and confusion matrix of `model` (in validation mode, on a plain device) on the
/// labelled images at `indices`.
pub async fn evaluate(
    model: &Network,
    dataset: &Dataset,
    indices: &[usize],
    batch_size: usize,
    loss: LossKind,
    device: &Device,
) -> Result<Evaluation, TrainError> {
    let truth = dataset
        .labels()
        .ok_or_else(|| TrainError::Data("the images have no labels to evaluate against".into()))?;
    let mut loss_sum = Tensor::<1>::zeros([1], device);
    let mut predictions = Vec::with_capacity(indices.len());
    for chunk in indices.chunks(batch_size.max(1)) {
        let batch = batch_images(dataset, chunk, device);
        let labels = batch.labels.expect("labelled dataset");
        let logits = model.forward(batch.images);
        loss_sum = loss_sum + loss.per_image(logits.clone(), labels).sum();
        predictions.extend(read_classes(logits.argmax(1).reshape([chunk.len()])).await?);
    }
    let loss_sum: f32 = loss_sum
        .into_scalar_async::<f32>()
        .await
        .map_err(device_error)?;
    let truth: Vec<u8> = indices.iter().map(|&i| truth[i]).collect();
    let confusion = ConfusionMatrix::from_pairs(&truth, &predictions);
    Ok(Evaluation {
        loss: loss_sum / indices.len().max(1) as f32,
        accuracy: confusion.accuracy(),
        confusion,
        predictions,
    })
}

/// The predicted class of every image in `dataset`, in order.
pub async fn predict(
    model: &Network,
    dataset: &Dataset,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<u8>, TrainError> {
    predict_by(dataset, batch_size, device, |images| model.forward(images)).await
}

/// As [`predict`], with test-time augmentation by the mirror: each image's class probabilities
/// are averaged with its left-right mirror's, as augmentation by the mirror trains the model to
/// see both (its gain: BENCHMARKS.md, "Accuracy of the presets").
pub async fn predict_mirrored(
    model: &Network,
    dataset: &Dataset,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<u8>, TrainError> {
    predict_by(dataset, batch_size, device, |images| {
        let mirrored = images.clone().flip([3]);
        softmax(model.forward(images), 1) + softmax(model.forward(mirrored), 1)
    })
    .await
}

/// The class with the highest of `scores` (a batch of images to one score per class) for every
/// image of `dataset`, a batch at a time.
async fn predict_by(
    dataset: &Dataset,
    batch_size: usize,
    device: &Device,
    scores: impl Fn(Tensor<4>) -> Tensor<2>,
) -> Result<Vec<u8>, TrainError> {
    let mut predictions = Vec::with_capacity(dataset.len());
    let indices: Vec<usize> = (0..dataset.len()).collect();
    for chunk in indices.chunks(batch_size.max(1)) {
        let images = batch_images(dataset, chunk, device).images;
        let classes = scores(images).argmax(1).reshape([chunk.len()]);
        predictions.extend(read_classes(classes).await?);
    }
    Ok(predictions)
}

/// Class probabilities for images given as 784 darkness bytes each.
pub async fn predict_probabilities(
    model: &Network,
    pixels: &[u8],
    device: &Device,
) -> Result<Vec<[f32; NUM_CLASSES]>, TrainError> {
    let probabilities = softmax(model.forward(images_to_tensor(pixels, device)), 1);
    let data = probabilities
        .into_data_async()
        .await
        .map_err(device_error)?;
    autotune::allow_one();
    let values: Vec<f32> = data.iter::<f32>().collect();
    Ok(values
        .chunks_exact(NUM_CLASSES)
        .map(|row| std::array::from_fn(|i| row[i]))
        .collect())
}

/// Images evaluated between two turns given back to the host.
const SLICE_IMAGES: usize = 2048;

/// [`evaluate`], a slice of images at a time, letting `host` breathe in between (a browser must
/// get its event loop back). `None` when `indices` is empty.
pub async fn evaluate_in_slices(
    model: &Network,
    dataset: &Dataset,
    indices: &[usize],
    batch_size: usize,
    loss: LossKind,
    device: &Device,
    host: &mut impl TrainHost,
) -> Result<Option<Evaluation>, TrainError> {
    let mut total: Option<Evaluation> = None;
    for chunk in indices.chunks(SLICE_IMAGES) {
        let part = evaluate(model, dataset, chunk, batch_size, loss, device).await?;
        total = Some(match total {
            Some(sum) => sum.merge(part),
            None => part,
        });
        host.sleep(0).await;
    }
    Ok(total)
}

/// The error gallery for `evaluation` (of the images at `indices`): the misclassified images
/// the core chooses, each with the model's confidence in its wrong answer.
pub async fn mistakes(
    model: &Network,
    dataset: &Dataset,
    indices: &[usize],
    evaluation: &Evaluation,
    device: &Device,
    host: &mut impl TrainHost,
) -> Result<Vec<Mistake>, TrainError> {
    let Some(truth) = dataset.labels() else {
        return Ok(Vec::new());
    };
    let chosen = choose_mistakes(truth, indices, &evaluation.predictions);
    let mut mistakes = Vec::with_capacity(chosen.len());
    for slice in chosen.chunks(64) {
        let pixels: Vec<u8> = slice
            .iter()
            .flat_map(|&(index, _, _)| dataset.image(index).iter().copied())
            .collect();
        let probabilities = predict_probabilities(model, &pixels, device).await?;
        for (&(index, truth, predicted), p) in slice.iter().zip(probabilities) {
            mistakes.push(Mistake {
                pixels: dataset.image(index).to_vec(),
                truth,
                predicted,
                confidence: p[predicted as usize],
            });
        }
        host.sleep(0).await;
    }
    Ok(mistakes)
}
