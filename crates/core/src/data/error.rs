use std::fmt;

/// Why a file could not be read. Lines and columns are 1-based, as a text editor shows them;
/// a CSV column is the field's position in its row (the label column included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The file holds nothing (or only blank lines).
    Empty,
    /// A header line and no image after it.
    NoRows { header_line: usize },
    /// The first row has neither 784 (pixels) nor 785 (label + pixels) columns.
    UnknownLayout { line: usize, found: usize },
    /// A header with 785 columns, none of them named `label`.
    HeaderWithoutLabel { line: usize },
    /// A header that names `label` beside another number of pixel columns than 784.
    HeaderPixelColumns { line: usize, pixels: usize },
    /// UTF-16 text (a byte order mark, or zero bytes between the characters).
    Utf16,
    /// Lines that end with a carriage return alone (classic Mac OS): the file is one long line.
    CrLineEnds,
    /// Two header columns named `label`.
    DuplicateLabelColumn { line: usize, column: usize },
    /// A row whose column count differs from the first row's.
    ColumnCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A value that is not a whole number.
    NotAnInteger {
        line: usize,
        column: usize,
        value: String,
    },
    /// A pixel that is a whole number but not in 0-255.
    PixelOutOfRange {
        line: usize,
        column: usize,
        value: String,
    },
    /// A label that is a whole number but not in 0-9.
    LabelOutOfRange {
        line: usize,
        column: usize,
        value: String,
    },
    /// The bytes are gzip but do not inflate.
    Gzip { reason: String },
    /// Gzip that inflates to more than `limit` bytes.
    InflatesTooMuch { limit: u64 },
    /// Not an IDX file this program reads (magic number or element type).
    IdxBadMagic { found: u32 },
    /// An IDX file of another element type than unsigned bytes.
    IdxElementType { name: &'static str },
    /// An IDX file of unsigned bytes that is neither images (3 dimensions) nor labels (1).
    IdxDimensions { dimensions: u8 },
    /// An IDX file whose header announces no items.
    IdxNoItems { kind: &'static str },
    /// Images that are not 28x28.
    IdxWrongImageSize { rows: u32, cols: u32 },
    /// Fewer bytes than the header announces.
    IdxTruncated { expected: u64, found: u64 },
    /// Extra bytes after the announced data.
    IdxTrailingBytes { expected: u64, found: u64 },
    /// An images file and a labels file of different lengths.
    IdxCountMismatch { images: usize, labels: usize },
    /// A label byte above 9 in an IDX labels file (index is 0-based item number).
    IdxLabelOutOfRange { item: usize, value: u8 },
    /// An IDX file of the wrong kind where images (or labels) were expected.
    IdxWrongKind {
        expected: &'static str,
        found: &'static str,
    },
}

impl DataError {
    /// The 1-based line the problem is on, when it has one.
    pub fn line(&self) -> Option<usize> {
        use DataError::*;
        match *self {
            NoRows { header_line: line }
            | UnknownLayout { line, .. }
            | HeaderWithoutLabel { line }
            | HeaderPixelColumns { line, .. }
            | DuplicateLabelColumn { line, .. }
            | ColumnCount { line, .. }
            | NotAnInteger { line, .. }
            | PixelOutOfRange { line, .. }
            | LabelOutOfRange { line, .. } => Some(line),
            _ => None,
        }
    }

    /// The 1-based column the problem is in, when it has one.
    pub fn column(&self) -> Option<usize> {
        use DataError::*;
        match *self {
            DuplicateLabelColumn { column, .. }
            | NotAnInteger { column, .. }
            | PixelOutOfRange { column, .. }
            | LabelOutOfRange { column, .. } => Some(column),
            _ => None,
        }
    }

    /// The problem in words, without its location.
    pub fn message(&self) -> String {
        use DataError::*;
        match self {
            Empty => "the file is empty".into(),
            NoRows { .. } => "the file has a header but no image rows".into(),
            UnknownLayout { found, .. } => format!(
                "expected 784 pixel columns, or 785 with the label first, but found {found} columns"
            ),
            HeaderWithoutLabel { .. } => {
                "the header has 785 columns but none is named \"label\"".into()
            }
            HeaderPixelColumns { pixels, .. } => format!(
                "the header names a label column and {pixels} pixel columns; Fashion-MNIST images have 784"
            ),
            Utf16 => "the file is UTF-16 text: save it as UTF-8 CSV (in Excel: \"CSV UTF-8\")".into(),
            CrLineEnds => "the lines end with a carriage return alone (classic Mac OS line ends): save it with LF or CRLF line ends".into(),
            DuplicateLabelColumn { .. } => "a second column is named \"label\"".into(),
            ColumnCount {
                expected, found, ..
            } => format!("expected {expected} columns, found {found}"),
            NotAnInteger { value, .. } => {
                format!("{} is not an integer 0-255", quote_value(value))
            }
            PixelOutOfRange { value, .. } => {
                format!("pixel value {value} is outside 0-255")
            }
            LabelOutOfRange { value, .. } => {
                format!("label {} is not a class 0-9", quote_value(value))
            }
            Gzip { reason } => format!("the gzip data is corrupt: {reason}"),
            InflatesTooMuch { limit } => format!(
                "the file inflates to more than {} MB, the most Atelier reads from a gzipped file",
                limit >> 20
            ),
            IdxElementType { name } => format!(
                "an IDX file of {name}: Atelier reads IDX files of unsigned bytes, as Fashion-MNIST ships them"
            ),
            IdxDimensions { dimensions } => format!(
                "an IDX file of {dimensions} dimensions: expected images (3) or labels (1)"
            ),
            IdxNoItems { kind } => format!("the IDX {kind} file holds no {kind}"),
            IdxBadMagic { found } => format!(
                "not a CSV or IDX file of unsigned bytes (IDX magic number 0x{found:08x}; expected 0x00000803 for images or 0x00000801 for labels)"
            ),
            IdxWrongImageSize { rows, cols } => {
                format!("the images are {rows}x{cols}; Fashion-MNIST images are 28x28")
            }
            IdxTruncated { expected, found } => format!(
                "the file is truncated: its header announces {expected} bytes, it holds {found}"
            ),
            IdxTrailingBytes { expected, found } => format!(
                "the file has {} bytes after the {expected} its header announces",
                found - expected
            ),
            IdxCountMismatch { images, labels } => format!(
                "the images file holds {images} images but the labels file holds {labels} labels"
            ),
            IdxLabelOutOfRange { item, value } => {
                format!("label {value} of item {} is not a class 0-9", item + 1)
            }
            IdxWrongKind { expected, found } => {
                format!("expected an IDX {expected} file, found an IDX {found} file")
            }
        }
    }

    /// `FILE:LINE:COLUMN: message`, or `FILE:LINE: message`, or `FILE: message`.
    pub fn located(&self, file: &str) -> String {
        match (self.line(), self.column()) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}: {}", self.message()),
            (Some(line), None) => format!("{file}:{line}: {}", self.message()),
            _ => format!("{file}: {}", self.message()),
        }
    }
}

fn quote_value(value: &str) -> String {
    if value.is_empty() {
        "an empty value".into()
    } else {
        format!("{value:?}")
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line(), self.column()) {
            (Some(line), Some(column)) => {
                write!(f, "line {line}, column {column}: {}", self.message())
            }
            (Some(line), None) => write!(f, "line {line}: {}", self.message()),
            _ => f.write_str(&self.message()),
        }
    }
}

impl std::error::Error for DataError {}
