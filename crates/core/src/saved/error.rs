use std::fmt;

/// Why a model file cannot be used (or a model not saved).
#[derive(Clone, Debug, PartialEq)]
pub enum SavedModelError {
    /// The bytes do not start with the model file's magic.
    NotAModelFile,
    /// Written by a newer (or older) Atelier.
    UnsupportedVersion(u32),
    /// The file ends early (an interrupted download or copy).
    Truncated { expected: u64, found: u64 },
    /// The bytes are damaged.
    Corrupt(String),
    /// Readable, but its architecture or weights do not fit together.
    Invalid(String),
    /// The device could not give the weights back.
    Device(String),
}

impl fmt::Display for SavedModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAModelFile => write!(
                f,
                "not an Atelier model file (it does not start with \"ATELIER-MODEL\")"
            ),
            Self::UnsupportedVersion(v) => write!(
                f,
                "model file version {v} is not one this version of Atelier reads (it reads 1)"
            ),
            Self::Truncated { expected, found } => write!(
                f,
                "the model file is truncated: it has {found} bytes, its header promises {expected}"
            ),
            Self::Corrupt(why) => write!(f, "the model file is damaged: {why}"),
            Self::Invalid(why) => {
                write!(f, "the model file does not describe a usable model: {why}")
            }
            Self::Device(why) => write!(f, "could not read the model's weights: {why}"),
        }
    }
}

impl std::error::Error for SavedModelError {}
