//! IDX files as Zalando ships Fashion-MNIST: `*-idx3-ubyte` images and `*-idx1-ubyte` labels,
//! gzipped or raw.

use std::io::Read;

use super::{DataError, Dataset, IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use crate::size::{of, to_usize};

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// One IDX file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdxFile {
    /// 28x28 images, 784 bytes each.
    Images(Vec<u8>),
    /// One label 0-9 per item.
    Labels(Vec<u8>),
}

impl IdxFile {
    fn kind(&self) -> &'static str {
        match self {
            IdxFile::Images(_) => "images",
            IdxFile::Labels(_) => "labels",
        }
    }
}

/// The most a gzipped file may inflate to: the full Fashion-MNIST training set as a CSV twice
/// over. A file that inflates further is refused before it fills memory (a "gzip bomb").
pub const MAX_INFLATED_BYTES: u64 = 256 << 20;

/// True when the (inflated) bytes start like an IDX file: two zero bytes, which no text file
/// starts with. Which element type and dimensions it has, [`parse_idx`] checks.
pub fn is_idx(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[0] == 0 && bytes[1] == 0
}

/// True when the bytes start like gzip data.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(GZIP_MAGIC)
}

/// Inflates gzip data, at most [`MAX_INFLATED_BYTES`] of it; anything else is returned as it is.
pub fn inflate_if_gzip(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, DataError> {
    if !is_gzip(bytes) {
        return Ok(bytes.into());
    }
    let initial = bytes
        .len()
        .saturating_mul(4)
        .min(to_usize(MAX_INFLATED_BYTES));
    let mut out = Vec::with_capacity(initial);
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip {
            reason: e.to_string(),
        })?;
    if of(out.len()) > MAX_INFLATED_BYTES {
        return Err(DataError::InflatesTooMuch {
            limit: MAX_INFLATED_BYTES,
        });
    }
    Ok(out.into())
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// What IDX's element type byte names, for a file of another type than unsigned bytes.
fn element_type_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0x08 => "unsigned bytes",
        0x09 => "signed bytes",
        0x0B => "16-bit integers",
        0x0C => "32-bit integers",
        0x0D => "32-bit floats",
        0x0E => "64-bit floats",
        _ => return None,
    })
}

/// Reads one IDX file (images or labels), gzipped or raw. The header's sizes are checked in
/// 64 bits against the file's length before any copy (the same verdict in the page).
pub fn parse_idx(bytes: &[u8]) -> Result<IdxFile, DataError> {
    let bytes = inflate_if_gzip(bytes)?;
    let found = of(bytes.len());
    let truncated = |expected: u64| DataError::IdxTruncated { expected, found };
    let magic = read_u32(&bytes, 0).ok_or(if bytes.is_empty() {
        DataError::Empty
    } else {
        truncated(8)
    })?;
    let [zero_a, zero_b, element_type, dimensions] = magic.to_be_bytes();
    if zero_a != 0 || zero_b != 0 {
        return Err(DataError::IdxBadMagic { found: magic });
    }
    if element_type != 0x08 {
        return Err(match element_type_name(element_type) {
            Some(name) => DataError::IdxElementType { name },
            None => DataError::IdxBadMagic { found: magic },
        });
    }
    let (kind, header, item_size) = match magic {
        IMAGES_MAGIC => {
            let rows = read_u32(&bytes, 8).ok_or(truncated(16))?;
            let cols = read_u32(&bytes, 12).ok_or(truncated(16))?;
            if rows as usize != IMAGE_SIDE || cols as usize != IMAGE_SIDE {
                return Err(DataError::IdxWrongImageSize { rows, cols });
            }
            ("images", 16, of(IMAGE_PIXELS))
        }
        LABELS_MAGIC => ("labels", 8, 1),
        _ => return Err(DataError::IdxDimensions { dimensions }),
    };
    let count = read_u32(&bytes, 4).ok_or(truncated(header))?;
    if count == 0 {
        return Err(DataError::IdxNoItems { kind });
    }
    // At most 4 GiB of items plus the header: fits 64 bits whatever the header says.
    let expected = header + u64::from(count) * item_size;
    match found {
        found if found < expected => return Err(truncated(expected)),
        found if found > expected => return Err(DataError::IdxTrailingBytes { expected, found }),
        _ => {}
    }
    let header = to_usize(header);
    let body = match bytes {
        std::borrow::Cow::Owned(mut inflated) => {
            inflated.drain(..header);
            inflated
        }
        std::borrow::Cow::Borrowed(raw) => raw[header..].to_vec(),
    };
    if magic == IMAGES_MAGIC {
        return Ok(IdxFile::Images(body));
    }
    if let Some(item) = body.iter().position(|&l| l as usize >= NUM_CLASSES) {
        return Err(DataError::IdxLabelOutOfRange {
            item,
            value: body[item],
        });
    }
    Ok(IdxFile::Labels(body))
}

/// Reads an images file and its labels file into one labelled dataset.
pub fn parse_idx_pair(images: &[u8], labels: &[u8]) -> Result<Dataset, DataError> {
    let images = match parse_idx(images)? {
        IdxFile::Images(pixels) => pixels,
        other => {
            return Err(DataError::IdxWrongKind {
                expected: "images",
                found: other.kind(),
            });
        }
    };
    let labels = match parse_idx(labels)? {
        IdxFile::Labels(labels) => labels,
        other => {
            return Err(DataError::IdxWrongKind {
                expected: "labels",
                found: other.kind(),
            });
        }
    };
    let image_count = images.len() / IMAGE_PIXELS;
    if image_count != labels.len() {
        return Err(DataError::IdxCountMismatch {
            images: image_count,
            labels: labels.len(),
        });
    }
    Ok(Dataset::new(images, Some(labels)))
}

/// The labels file that ships beside an images file:
/// `train-images-idx3-ubyte.gz` -> `train-labels-idx1-ubyte.gz`, `t10k-images.idx3-ubyte` ->
/// `t10k-labels.idx1-ubyte`.
pub fn idx_labels_path_for(images_path: &str) -> Option<String> {
    let (dir, name) = match images_path.rfind(['/', '\\']) {
        Some(i) => images_path.split_at(i + 1),
        None => ("", images_path),
    };
    if !name.contains("images") || !name.contains("idx3") {
        return None;
    }
    Some(format!(
        "{dir}{}",
        name.replacen("images", "labels", 1)
            .replacen("idx3", "idx1", 1)
    ))
}
