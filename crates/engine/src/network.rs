//! The Burn module built from a [`ModelSpec`]: one enum variant per layer kind, applied in order.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2d, AvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Initializer, Linear, LinearConfig,
    PaddingConfig2d,
};
use burn::prelude::*;
use burn::tensor::activation;

use atelier_core::model::{
    Activation, LayerSpec, ModelSpec, Padding, Shape, SpecError, same_padding,
};

use crate::cpu_kernels::{batch_norm, conv, dropout, max_pool};
use crate::gpu_kernels::{conv as gpu_conv, product};

/// Keras's default (Glorot uniform), so that the notebook's models start where the notebook's
/// do; Burn's default (Kaiming uniform, PyTorch's) starts the baseline's wide dense layer 2.4x
/// smaller and learns more slowly in the first epoch.
const KERAS_INIT: Initializer = Initializer::XavierUniform { gain: 1.0 };

/// A classifier: `[n, 1, 28, 28]` images in, `[n, 10]` logits out.
#[derive(Module, Debug)]
pub struct Network {
    layers: Vec<Layer>,
}

/// One layer of a [`Network`].
#[derive(Module, Debug)]
pub enum Layer {
    Conv(ConvLayer),
    MaxPool(MaxPool2d),
    AvgPool(AvgPool2d),
    BatchNorm(BatchNorm),
    Dropout(Dropout),
    Flatten(FlattenLayer),
    Dense(DenseLayer),
}

/// A convolution followed by its activation.
#[derive(Module, Debug)]
pub struct ConvLayer {
    conv: Conv2d,
    #[module(skip)]
    activation: Activation,
}

/// A fully connected layer followed by its activation.
#[derive(Module, Debug)]
pub struct DenseLayer {
    linear: Linear,
    #[module(skip)]
    activation: Activation,
}

/// Images to vectors (no parameters).
#[derive(Module, Debug)]
pub struct FlattenLayer {
    #[module(skip)]
    features: usize,
}

/// Activations between layers: images until a flatten, vectors after.
enum Activations {
    Image(Tensor<4>),
    Flat(Tensor<2>),
}

impl Activations {
    fn image(self) -> Tensor<4> {
        match self {
            Activations::Image(x) => x,
            // Validation rules this out; a vector is a 1x1 image with many channels anyway.
            Activations::Flat(x) => {
                let [n, features] = x.dims();
                x.reshape([n, features, 1, 1])
            }
        }
    }

    fn flat(self) -> Tensor<2> {
        match self {
            Activations::Image(x) => x.flatten(1, 3),
            Activations::Flat(x) => x,
        }
    }
}

fn activate<const D: usize>(x: Tensor<D>, activation: Activation) -> Tensor<D> {
    match activation {
        Activation::None => x,
        Activation::Relu => activation::relu(x),
        Activation::Sigmoid => activation::sigmoid(x),
        Activation::Tanh => activation::tanh(x),
        Activation::Gelu => activation::gelu(x),
        Activation::LeakyRelu => activation::leaky_relu(x, 0.01),
        Activation::Elu => activation::elu(x, 1.0),
    }
}

impl Layer {
    fn build(spec: &LayerSpec, input: Shape, device: &Device) -> Self {
        match *spec {
            LayerSpec::Conv2d {
                filters,
                kernel,
                stride,
                padding,
                activation,
            } => {
                let padding = match (padding, input) {
                    (Padding::Same, Shape::Image { height, width, .. }) => {
                        let (top, bottom) = same_padding(height, kernel, stride);
                        let (left, right) = same_padding(width, kernel, stride);
                        PaddingConfig2d::Explicit(top, left, bottom, right)
                    }
                    _ => PaddingConfig2d::Valid,
                };
                let conv = Conv2dConfig::new([input.features(), filters], [kernel, kernel])
                    .with_stride([stride, stride])
                    .with_padding(padding)
                    .with_initializer(KERAS_INIT)
                    .init(device);
                Layer::Conv(ConvLayer { conv, activation })
            }
            LayerSpec::MaxPool { size, stride } => Layer::MaxPool(
                MaxPool2dConfig::new([size, size])
                    .with_strides([stride.unwrap_or(size); 2])
                    .init(),
            ),
            LayerSpec::AvgPool { size, stride } => Layer::AvgPool(
                AvgPool2dConfig::new([size, size])
                    .with_strides([stride.unwrap_or(size); 2])
                    .init(),
            ),
            LayerSpec::BatchNorm => {
                Layer::BatchNorm(BatchNormConfig::new(input.features()).init(device))
            }
            LayerSpec::Dropout { rate } => Layer::Dropout(DropoutConfig::new(rate).init()),
            LayerSpec::Flatten => Layer::Flatten(FlattenLayer {
                features: input.size(),
            }),
            LayerSpec::Dense { units, activation } => Layer::Dense(DenseLayer {
                linear: LinearConfig::new(input.size(), units)
                    .with_initializer(KERAS_INIT)
                    .init(device),
                activation,
            }),
        }
    }

    fn forward(&self, x: Activations) -> Activations {
        match self {
            Layer::Conv(layer) => {
                let x = x.image();
                if gpu_conv::applies(&layer.conv, &x) {
                    let y = gpu_conv::forward(&layer.conv, x);
                    return Activations::Image(activate(y, layer.activation));
                }
                let y = match layer.activation {
                    // The bias and ReLU fused where the convolution runs on cpu_kernels.
                    Activation::Relu => conv::forward_relu(&layer.conv, x),
                    activation => activate(conv::forward(&layer.conv, x), activation),
                };
                Activations::Image(y)
            }
            Layer::MaxPool(pool) => Activations::Image(max_pool::forward(pool, x.image())),
            Layer::AvgPool(pool) => Activations::Image(pool.forward(x.image())),
            Layer::BatchNorm(norm) => match x {
                Activations::Image(x) => Activations::Image(batch_norm::forward(norm, x)),
                Activations::Flat(x) => Activations::Flat(batch_norm::forward(norm, x)),
            },
            Layer::Dropout(dropout) => match x {
                Activations::Image(x) => Activations::Image(dropout::forward(dropout, x)),
                Activations::Flat(x) => Activations::Flat(dropout::forward(dropout, x)),
            },
            Layer::Flatten(_) => Activations::Flat(x.flat()),
            Layer::Dense(layer) => Activations::Flat(activate(
                product::forward(&layer.linear, x.flat()),
                layer.activation,
            )),
        }
    }
}

impl Network {
    /// Builds the model on `device` after checking the specification. Seed the device first
    /// (`device.seed(..)`) for reproducible initial weights.
    pub fn new(spec: &ModelSpec, device: &Device) -> Result<Self, SpecError> {
        let shapes = spec.validate()?;
        let inputs = std::iter::once(Shape::INPUT).chain(shapes);
        let layers = spec
            .layers
            .iter()
            .zip(inputs)
            .map(|(layer, input)| Layer::build(layer, input, device))
            .collect();
        Ok(Self { layers })
    }

    /// Logits `[n, 10]` for images `[n, 1, 28, 28]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.layers
            .iter()
            .fold(Activations::Image(images), |x, layer| layer.forward(x))
            .flat()
    }
}
