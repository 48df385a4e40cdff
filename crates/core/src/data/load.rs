//! Recognises a file by its content (not its name) and reads it.

use std::fmt;

use super::{DataError, Dataset, IdxFile, inflate_if_gzip, is_idx, parse_csv, parse_idx};

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A CSV with a label column.
    Train,
    /// A CSV of pixels only.
    Test,
    /// An IDX images file.
    IdxImages,
    /// An IDX labels file.
    IdxLabels,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Train => "train",
            FileKind::Test => "test",
            FileKind::IdxImages | FileKind::IdxLabels => "idx",
        })
    }
}

/// A file's content, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadedFile {
    /// Images, labelled or not, from a CSV.
    Csv(Dataset),
    /// Images from an IDX images file (their labels live in another file).
    IdxImages(Dataset),
    /// Labels from an IDX labels file.
    IdxLabels(Vec<u8>),
}

impl LoadedFile {
    /// The kind of file it was.
    pub fn kind(&self) -> FileKind {
        match self {
            LoadedFile::Csv(d) if d.is_labelled() => FileKind::Train,
            LoadedFile::Csv(_) => FileKind::Test,
            LoadedFile::IdxImages(_) => FileKind::IdxImages,
            LoadedFile::IdxLabels(_) => FileKind::IdxLabels,
        }
    }
}

/// Reads a CSV or IDX file, gzipped or not, recognising which from its bytes.
pub fn load_bytes(bytes: &[u8]) -> Result<LoadedFile, DataError> {
    let bytes = inflate_if_gzip(bytes)?;
    if !is_idx(&bytes) {
        return parse_csv(&bytes).map(LoadedFile::Csv);
    }
    Ok(match parse_idx(&bytes)? {
        IdxFile::Images(pixels) => LoadedFile::IdxImages(Dataset::new(pixels, None)),
        IdxFile::Labels(labels) => LoadedFile::IdxLabels(labels),
    })
}
