//! The layer table: output shape and parameters per layer, totals counted the way Keras does.

use std::fmt;

use super::{ModelSpec, Shape, SpecError};

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerSummary {
    /// `conv2d 10 3x3 relu`, ...
    pub description: String,
    /// Shape of one image's output.
    pub output: Shape,
    /// Parameters (Keras's count).
    pub parameters: u64,
    /// Multiply-adds of the forward pass for one image.
    pub multiply_adds: u64,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// One row per layer.
    pub layers: Vec<LayerSummary>,
}

impl Summary {
    /// Total parameters, Keras's way (batch-norm moving statistics included).
    pub fn total_parameters(&self) -> u64 {
        self.layers.iter().map(|l| l.parameters).sum()
    }

    /// Multiply-adds of the forward pass for one image, all layers.
    pub fn total_multiply_adds(&self) -> u64 {
        self.layers.iter().map(|l| l.multiply_adds).sum()
    }
}

impl ModelSpec {
    /// The layer table, or why the model cannot be built.
    pub fn summary(&self) -> Result<Summary, SpecError> {
        let shapes = self.validate()?;
        let inputs = std::iter::once(Shape::INPUT).chain(shapes.iter().copied());
        let layers = self
            .layers
            .iter()
            .zip(inputs)
            .zip(&shapes)
            .map(|((layer, input), &output)| LayerSummary {
                description: layer.describe(),
                output,
                parameters: layer.parameters(input),
                multiply_adds: layer.multiply_adds(input, output),
            })
            .collect();
        Ok(Summary { layers })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<4} {:<28} {:<16} {:>12}",
            "#", "layer", "output shape", "parameters"
        )?;
        for (index, layer) in self.layers.iter().enumerate() {
            writeln!(
                f,
                "{:<4} {:<28} {:<16} {:>12}",
                index + 1,
                layer.description,
                layer.output.to_string(),
                layer.parameters
            )?;
        }
        write!(f, "total parameters: {}", self.total_parameters())
    }
}
