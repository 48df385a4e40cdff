//! A model as data: a list of layers that can be edited, saved as JSON and checked before any
//! training.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::{IMAGE_SIDE, NUM_CLASSES};
use crate::size::{check_json_numbers, checked_product};

/// At most this many layers in a model.
pub const MAX_LAYERS: usize = 100;

/// At most this many parameters in a model: AlexNet (61,750,530) fits with room for edits;
/// past it, the weights and the optimizer's state outgrow what a browser tab can hold.
pub const MAX_PARAMETERS: u64 = 100_000_000;

/// At most this many values per image after any layer (a 28x28 image of 5,349 channels): one
/// batch's activations must fit in memory.
pub const MAX_VALUES_PER_IMAGE: u64 = 1 << 22;

/// A non-linearity applied after a layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// Identity: the layer's output as it is (the output layer's logits).
    #[default]
    None,
    Relu,
    Sigmoid,
    Tanh,
    Gelu,
    /// Slope 0.01 below zero.
    LeakyRelu,
    /// Alpha 1.0.
    Elu,
}

impl Activation {
    fn name(self) -> &'static str {
        match self {
            Activation::None => "",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Gelu => "gelu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Elu => "elu",
        }
    }
}

/// Keras's two convolution paddings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Padding {
    /// No padding: the image shrinks by `kernel - 1`.
    #[default]
    Valid,
    /// Zero padding so that the output is `ceil(input / stride)`.
    Same,
}

fn one() -> usize {
    1
}

/// One layer. JSON: `{"type": "conv2d", "filters": 32, "kernel": 3, "padding": "same",
/// "activation": "relu"}`, `{"type": "dense", "units": 10}`, ...
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LayerSpec {
    /// 2-D convolution with a square kernel.
    Conv2d {
        filters: usize,
        kernel: usize,
        #[serde(default = "one")]
        stride: usize,
        #[serde(default)]
        padding: Padding,
        #[serde(default)]
        activation: Activation,
    },
    /// Max pooling over `size` x `size` windows (stride defaults to `size`).
    MaxPool {
        size: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<usize>,
    },
    /// Average pooling over `size` x `size` windows (stride defaults to `size`).
    AvgPool {
        size: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<usize>,
    },
    /// Batch normalisation over channels (images) or features (flat).
    BatchNorm,
    /// Zeroes a `rate` share of values while training.
    Dropout { rate: f64 },
    /// Images to vectors.
    Flatten,
    /// Fully connected layer.
    Dense {
        units: usize,
        #[serde(default)]
        activation: Activation,
    },
}

/// A whole model: layers in order, applied to `[n, 1, 28, 28]` images, ending in 10 logits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelSpec {
    /// The layers, first to last.
    pub layers: Vec<LayerSpec>,
}

/// The shape of one image's activations after a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Channels x height x width.
    Image {
        channels: usize,
        height: usize,
        width: usize,
    },
    /// A vector of features.
    Flat(usize),
}

impl Shape {
    /// The input: one grayscale 28x28 image.
    pub const INPUT: Shape = Shape::Image {
        channels: 1,
        height: IMAGE_SIDE,
        width: IMAGE_SIDE,
    };

    /// Values per image.
    pub fn size(self) -> usize {
        match self {
            Shape::Image {
                channels,
                height,
                width,
            } => channels * height * width,
            Shape::Flat(n) => n,
        }
    }

    /// Channels of an image, features of a vector: what batch-norm normalises over.
    pub fn features(self) -> usize {
        match self {
            Shape::Image { channels, .. } => channels,
            Shape::Flat(n) => n,
        }
    }
}

impl fmt::Display for Shape {
    /// Keras's order: height, width, channels.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Image {
                channels,
                height,
                width,
            } => write!(f, "({height}, {width}, {channels})"),
            Shape::Flat(n) => write!(f, "({n})"),
        }
    }
}

/// Why a model cannot be built. `layer` is 1-based; 0 means the model as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// The layer at fault (1-based), or 0 for the whole model.
    pub layer: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.layer == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "layer {}: {}", self.layer, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// Output size of a window sliding over `input` (Keras's `valid` and `same`).
fn window_output(input: usize, kernel: usize, stride: usize, padding: Padding) -> Option<usize> {
    match padding {
        Padding::Same => Some(input.div_ceil(stride)),
        Padding::Valid => input.checked_sub(kernel).map(|rest| rest / stride + 1),
    }
}

/// Keras's `same` padding split (before, after) along one side.
pub fn same_padding(input: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let output = input.div_ceil(stride);
    let total = ((output - 1) * stride + kernel).saturating_sub(input);
    (total / 2, total - total / 2)
}

impl LayerSpec {
    /// A short description: `conv2d 32 3x3 same relu`, `max-pool 2x2`, `dense 10`.
    pub fn describe(&self) -> String {
        let with = |text: String, activation: Activation| match activation {
            Activation::None => text,
            a => format!("{text} {}", a.name()),
        };
        match *self {
            LayerSpec::Conv2d {
                filters,
                kernel,
                stride,
                padding,
                activation,
            } => {
                let mut text = format!("conv2d {filters} {kernel}x{kernel}");
                if stride != 1 {
                    text += &format!(" stride {stride}");
                }
                if padding == Padding::Same {
                    text += " same";
                }
                with(text, activation)
            }
            LayerSpec::MaxPool { size, stride } => pool_text("max-pool", size, stride),
            LayerSpec::AvgPool { size, stride } => pool_text("avg-pool", size, stride),
            LayerSpec::BatchNorm => "batch-norm".into(),
            LayerSpec::Dropout { rate } => format!("dropout {rate}"),
            LayerSpec::Flatten => "flatten".into(),
            LayerSpec::Dense { units, activation } => with(format!("dense {units}"), activation),
        }
    }

    /// The shape this layer produces from `input`, or what is wrong (without the layer number).
    pub fn output_shape(&self, input: Shape) -> Result<Shape, String> {
        let image = || match input {
            Shape::Image {
                channels,
                height,
                width,
            } => Ok((channels, height, width)),
            Shape::Flat(_) => Err(format!(
                "{} needs an image input, but the layers before it produce a flat vector {input}",
                self.describe()
            )),
        };
        let positive = |what: &str, value: usize| {
            if value == 0 {
                Err(format!("{what} must be at least 1"))
            } else {
                Ok(())
            }
        };
        match *self {
            LayerSpec::Conv2d {
                filters,
                kernel,
                stride,
                padding,
                ..
            } => {
                positive("filters", filters)?;
                positive("kernel", kernel)?;
                positive("stride", stride)?;
                let (_, height, width) = image()?;
                let (h, w) = spatial(height, width, kernel, stride, padding, self)?;
                // `same` padding fits any kernel; none may be wider than the image it sees.
                at_most_input("kernel", kernel, height, width)?;
                at_most_input("stride", stride, height, width)?;
                image_of(filters, h, w, self)
            }
            LayerSpec::MaxPool { size, stride } | LayerSpec::AvgPool { size, stride } => {
                positive("size", size)?;
                let stride = stride.unwrap_or(size);
                positive("stride", stride)?;
                let (channels, height, width) = image()?;
                let (h, w) = spatial(height, width, size, stride, Padding::Valid, self)?;
                at_most_input("stride", stride, height, width)?;
                image_of(channels, h, w, self)
            }
            LayerSpec::BatchNorm => Ok(input),
            LayerSpec::Dropout { rate } => {
                if (0.0..1.0).contains(&rate) {
                    Ok(input)
                } else {
                    Err(format!(
                        "dropout rate {rate} must be at least 0 and below 1"
                    ))
                }
            }
            LayerSpec::Flatten => match input {
                Shape::Flat(_) => {
                    Err("flatten needs an image input, but it is already flat".into())
                }
                image => Ok(Shape::Flat(image.size())),
            },
            LayerSpec::Dense { units, .. } => {
                positive("units", units)?;
                if units as u64 > MAX_VALUES_PER_IMAGE {
                    return Err(format!(
                        "{units} units are more than the {MAX_VALUES_PER_IMAGE} values a layer may produce per image"
                    ));
                }
                match input {
                    Shape::Flat(_) => Ok(Shape::Flat(units)),
                    Shape::Image { .. } => Err(format!(
                        "dense needs a flat input, but it receives images {input}: add a flatten layer before it"
                    )),
                }
            }
        }
    }

    /// Parameters as Keras counts them (batch-norm's moving mean and variance included),
    /// saturating rather than wrapping for a layer that does not fit its input.
    pub fn parameters(&self, input: Shape) -> u64 {
        match *self {
            LayerSpec::Conv2d {
                filters, kernel, ..
            } => saturating_product(&[kernel, kernel, input.features(), filters])
                .saturating_add(filters as u64),
            LayerSpec::BatchNorm => saturating_product(&[4, input.features()]),
            LayerSpec::Dense { units, .. } => {
                saturating_product(&[input.size(), units]).saturating_add(units as u64)
            }
            _ => 0,
        }
    }

    /// Multiply-adds of this layer's forward pass for one image producing `output` (convolutions
    /// and dense layers; the element-wise layers' work is small beside them).
    pub fn multiply_adds(&self, input: Shape, output: Shape) -> u64 {
        match *self {
            LayerSpec::Conv2d { kernel, .. } => {
                saturating_product(&[kernel, kernel, input.features(), output.size()])
            }
            LayerSpec::Dense { units, .. } => saturating_product(&[input.size(), units]),
            _ => 0,
        }
    }

    /// The shapes of the tensors this layer holds, in the engine's order (weights, then bias;
    /// batch-norm's scale, shift, running mean and running variance): what a model file must
    /// list for it. Linear weights are `[inputs, units]`, as Burn keeps them.
    pub fn tensor_shapes(&self, input: Shape) -> Vec<Vec<usize>> {
        match *self {
            LayerSpec::Conv2d {
                filters, kernel, ..
            } => vec![
                vec![filters, input.features(), kernel, kernel],
                vec![filters],
            ],
            LayerSpec::BatchNorm => vec![vec![input.features()]; 4],
            LayerSpec::Dense { units, .. } => vec![vec![input.size(), units], vec![units]],
            _ => Vec::new(),
        }
    }
}

fn pool_text(kind: &str, size: usize, stride: Option<usize>) -> String {
    match stride {
        Some(stride) if stride != size => format!("{kind} {size}x{size} stride {stride}"),
        _ => format!("{kind} {size}x{size}"),
    }
}

/// The product of layer sizes in `u64`, saturating rather than wrapping (a layer that does not
/// fit its input may hold any field).
fn saturating_product(factors: &[usize]) -> u64 {
    factors
        .iter()
        .fold(1u64, |product, &f| product.saturating_mul(f as u64))
}

/// Refuses a window or stride larger than the image it slides over.
fn at_most_input(what: &str, value: usize, height: usize, width: usize) -> Result<(), String> {
    if value > height.min(width) {
        return Err(format!(
            "{what} {value} is larger than the {height}x{width} input it sees"
        ));
    }
    Ok(())
}

/// An image shape of `channels` x `height` x `width`, if it is within
/// [`MAX_VALUES_PER_IMAGE`].
fn image_of(
    channels: usize,
    height: usize,
    width: usize,
    layer: &LayerSpec,
) -> Result<Shape, String> {
    match checked_product(
        [channels as u64, height as u64, width as u64],
        MAX_VALUES_PER_IMAGE,
    ) {
        Some(_) => Ok(Shape::Image {
            channels,
            height,
            width,
        }),
        None => Err(format!(
            "{} makes {channels}x{height}x{width} values per image, more than the {MAX_VALUES_PER_IMAGE} a layer may produce",
            layer.describe()
        )),
    }
}

fn spatial(
    height: usize,
    width: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
    layer: &LayerSpec,
) -> Result<(usize, usize), String> {
    match (
        window_output(height, kernel, stride, padding),
        window_output(width, kernel, stride, padding),
    ) {
        (Some(h), Some(w)) if h >= 1 && w >= 1 => Ok((h, w)),
        _ => Err(format!(
            "{} does not fit a {height}x{width} input: the image would shrink below 1x1",
            layer.describe()
        )),
    }
}

impl ModelSpec {
    /// A model of these layers.
    pub fn new(layers: Vec<LayerSpec>) -> Self {
        Self { layers }
    }

    /// The shapes of every tensor the model holds, layer by layer in the engine's order (see
    /// [`LayerSpec::tensor_shapes`]), or why the model cannot be built.
    pub fn tensor_shapes(&self) -> Result<Vec<Vec<usize>>, SpecError> {
        let outputs = self.validate()?;
        let inputs = std::iter::once(Shape::INPUT).chain(outputs);
        Ok(self
            .layers
            .iter()
            .zip(inputs)
            .flat_map(|(layer, input)| layer.tensor_shapes(input))
            .collect())
    }

    /// Reads a model from its JSON layer list, and checks it.
    pub fn from_json(json: &str) -> Result<Self, SpecError> {
        let spec = Self::parse_json(json)?;
        spec.validate()?;
        Ok(spec)
    }

    /// Reads a JSON layer list that may still need fixing (the layer editor shows why it
    /// cannot train): refused only when it is not a layer list, holds a number no size can be,
    /// or has more than [`MAX_LAYERS`] layers.
    pub fn parse_json(json: &str) -> Result<Self, SpecError> {
        let not_valid = |why: String| SpecError {
            layer: 0,
            message: format!("not a valid layer list: {why}"),
        };
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| not_valid(e.to_string()))?;
        check_json_numbers(&value, &[]).map_err(not_valid)?;
        let spec: Self = serde_json::from_value(value).map_err(|e| not_valid(e.to_string()))?;
        spec.check_layer_count()?;
        Ok(spec)
    }

    fn check_layer_count(&self) -> Result<(), SpecError> {
        if self.layers.len() > MAX_LAYERS {
            return Err(SpecError {
                layer: 0,
                message: format!(
                    "the model has {} layers; at most {MAX_LAYERS} are allowed",
                    self.layers.len()
                ),
            });
        }
        Ok(())
    }

    /// The same model with each pool's stride written out (absent, it is the pool's size), so
    /// that two ways of writing one model compare equal.
    pub fn normalized(&self) -> Self {
        let layers = self
            .layers
            .iter()
            .cloned()
            .map(|layer| match layer {
                LayerSpec::MaxPool { size, stride } => LayerSpec::MaxPool {
                    size,
                    stride: Some(stride.unwrap_or(size)),
                },
                LayerSpec::AvgPool { size, stride } => LayerSpec::AvgPool {
                    size,
                    stride: Some(stride.unwrap_or(size)),
                },
                other => other,
            })
            .collect();
        Self { layers }
    }

    /// The JSON layer list.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Each layer's output shape, or the first problem: a layer that does not fit its input, or
    /// a model that does not end in 10 logits.
    pub fn validate(&self) -> Result<Vec<Shape>, SpecError> {
        if self.layers.is_empty() {
            return Err(SpecError {
                layer: 0,
                message: "the model has no layers".into(),
            });
        }
        self.check_layer_count()?;
        let mut shapes = Vec::with_capacity(self.layers.len());
        let mut shape = Shape::INPUT;
        let mut parameters = 0u64;
        for (index, layer) in self.layers.iter().enumerate() {
            let input = shape;
            let at_fault = |message| SpecError {
                layer: index + 1,
                message,
            };
            shape = layer.output_shape(input).map_err(at_fault)?;
            parameters = parameters.saturating_add(layer.parameters(input));
            if parameters > MAX_PARAMETERS {
                return Err(at_fault(format!(
                    "the model reaches {parameters} parameters here, more than the {MAX_PARAMETERS} allowed"
                )));
            }
            shapes.push(shape);
        }
        let last = self.layers.len();
        match self
            .layers
            .iter()
            .rev()
            .find(|l| !matches!(l, LayerSpec::Dropout { .. }))
        {
            Some(LayerSpec::Dense {
                units,
                activation: Activation::None,
            }) if *units == NUM_CLASSES && shape == Shape::Flat(NUM_CLASSES) => Ok(shapes),
            Some(LayerSpec::Dense { units, activation }) if *units == NUM_CLASSES => {
                Err(SpecError {
                    layer: last,
                    message: format!(
                        "the output layer must have no activation (it has {}): the loss applies softmax itself",
                        activation.name()
                    ),
                })
            }
            _ => Err(SpecError {
                layer: last,
                message: format!(
                    "the model must end with a dense layer of {NUM_CLASSES} units, one per class (it ends with {shape})"
                ),
            }),
        }
    }
}
