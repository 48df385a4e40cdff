//! The model file: one `.atelier` file holds the architecture, the weights, the training
//! settings and the history, so that a model trained in the page opens in the command line and
//! back, and predicts exactly the same.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! "ATELIER-MODEL\n"   14 bytes, so that a text editor shows what the file is
//! version             u32 (1)
//! header length       u32, then that many bytes of JSON: settings, history, tensor shapes
//! weights             f32 values of every tensor, in the order the header lists them
//! checksum            u32 CRC-32 of everything before it
//! ```

mod error;
mod weights;

pub use error::SavedModelError;
pub use weights::{NamedTensor, Weights};

use serde::{Deserialize, Serialize};

use crate::size::{MAX_SIZE, check_json_numbers, checked_product, checked_sum, of, to_usize};
use crate::train::{History, TrainConfig};

/// The first bytes of every model file.
pub const MAGIC: &[u8] = b"ATELIER-MODEL\n";

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// The usual file name extension.
pub const EXTENSION: &str = "atelier";

/// A model as saved: everything needed to predict with it, and to know where it came from.
#[derive(Clone, Debug)]
pub struct SavedModel {
    /// Where the model came from, in words: "pre-trained", "trained here", ...
    pub origin: String,
    /// The settings it was trained with; `settings.model` is its architecture.
    pub settings: TrainConfig,
    /// Its loss and accuracy, epoch by epoch.
    pub history: History,
    /// Accuracy on a labelled test set, when one was scored.
    pub test_accuracy: Option<f32>,
    /// Parameters and batch-norm statistics, in the network's own order.
    pub weights: Weights,
}

/// What the JSON header holds.
#[derive(Serialize, Deserialize)]
struct Header {
    origin: String,
    settings: TrainConfig,
    history: History,
    test_accuracy: Option<f32>,
    tensors: Vec<TensorHeader>,
}

#[derive(Serialize, Deserialize)]
struct TensorHeader {
    name: String,
    shape: Vec<usize>,
}

/// True when `bytes` start like a model file (whatever follows).
pub fn is_model_file(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

impl SavedModel {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            origin: self.origin.clone(),
            settings: self.settings.clone(),
            history: self.history.clone(),
            test_accuracy: self.test_accuracy,
            tensors: self
                .weights
                .tensors
                .iter()
                .map(|t| TensorHeader {
                    name: t.name.clone(),
                    shape: t.shape.clone(),
                })
                .collect(),
        };
        let header = serde_json::to_vec(&header).expect("the header is plain data");
        let values = self.weights.value_count();
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + header.len() + 4 * values + 4);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header);
        for tensor in &self.weights.tensors {
            for value in &tensor.values {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        let checksum = crc32(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// Reads a model file; says precisely what is wrong with one it cannot use. Every size in
    /// it is checked against the file's length and the model's limits before anything is
    /// allocated for it, and its tensors must be the ones its layers hold.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SavedModelError> {
        if !is_model_file(bytes) {
            return Err(SavedModelError::NotAModelFile);
        }
        let found = of(bytes.len());
        let mut at = MAGIC.len();
        let version = read_u32(bytes, &mut at)?;
        if version != VERSION {
            return Err(SavedModelError::UnsupportedVersion(version));
        }
        let header_len = u64::from(read_u32(bytes, &mut at)?);
        let header_end =
            checked_sum([of(at), header_len], found).ok_or(SavedModelError::Truncated {
                expected: of(at).saturating_add(header_len),
                found,
            })?;
        let header_bytes = &bytes[at..to_usize(header_end)];
        at = to_usize(header_end);
        let unreadable = |e: serde_json::Error| {
            SavedModelError::Corrupt(format!("its header is unreadable ({e})"))
        };
        let header: serde_json::Value = serde_json::from_slice(header_bytes).map_err(unreadable)?;
        check_json_numbers(&header, &["seed"]).map_err(SavedModelError::Invalid)?;
        let header: Header = serde_json::from_value(header).map_err(unreadable)?;
        header
            .settings
            .check()
            .map_err(|e| SavedModelError::Invalid(e.to_string()))?;
        let shapes = header
            .settings
            .model
            .tensor_shapes()
            .map_err(|e| SavedModelError::Invalid(e.to_string()))?;
        check_tensors(&header.tensors, &shapes)?;

        // The layers' limits bound these; checked all the same.
        let too_large = || SavedModelError::Invalid("its tensors are too large".into());
        let counts = shapes
            .iter()
            .map(|shape| checked_product(shape.iter().map(|&d| of(d)), MAX_SIZE))
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(too_large)?;
        let values = checked_sum(counts.iter().copied(), MAX_SIZE / 4).ok_or_else(too_large)?;
        let expected = checked_sum([of(at), 4 * values, 4], MAX_SIZE).ok_or_else(too_large)?;
        if found < expected {
            return Err(SavedModelError::Truncated { expected, found });
        }
        if found > expected {
            return Err(SavedModelError::Corrupt(format!(
                "{} unexpected bytes after the weights",
                found - expected
            )));
        }
        let expected = to_usize(expected);
        let stored = u32::from_le_bytes(bytes[expected - 4..].try_into().expect("4 bytes"));
        if crc32(&bytes[..expected - 4]) != stored {
            return Err(SavedModelError::Corrupt(
                "its checksum does not match its contents".into(),
            ));
        }

        let mut tensors = Vec::with_capacity(header.tensors.len());
        for (entry, count) in header.tensors.into_iter().zip(counts) {
            let end = at + 4 * to_usize(count);
            let values = bytes[at..end]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect();
            at = end;
            tensors.push(NamedTensor {
                name: entry.name,
                shape: entry.shape,
                values,
            });
        }
        Ok(Self {
            origin: header.origin,
            settings: header.settings,
            history: header.history,
            test_accuracy: header.test_accuracy,
            weights: Weights { tensors },
        })
    }
}

/// Refuses a tensor list that is not the one the layers hold, naming the first difference.
fn check_tensors(tensors: &[TensorHeader], shapes: &[Vec<usize>]) -> Result<(), SavedModelError> {
    if tensors.len() != shapes.len() {
        return Err(SavedModelError::Invalid(format!(
            "it holds {} tensors, its layers have {}",
            tensors.len(),
            shapes.len()
        )));
    }
    for (index, (tensor, shape)) in tensors.iter().zip(shapes).enumerate() {
        if tensor.shape != *shape {
            return Err(SavedModelError::Invalid(format!(
                "tensor {} ({}) has shape {:?}, its layers need {:?}",
                index + 1,
                tensor.name,
                tensor.shape,
                shape
            )));
        }
    }
    Ok(())
}

fn read_u32(bytes: &[u8], at: &mut usize) -> Result<u32, SavedModelError> {
    let word = bytes.get(*at..*at + 4).ok_or(SavedModelError::Truncated {
        expected: of(*at + 4),
        found: of(bytes.len()),
    })?;
    *at += 4;
    Ok(u32::from_le_bytes(word.try_into().expect("4 bytes")))
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}
