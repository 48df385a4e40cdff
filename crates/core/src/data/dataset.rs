/// Side of a Fashion-MNIST image in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of garment classes.
pub const NUM_CLASSES: usize = 10;

/// Class names, indexed by label.
pub const CLASS_NAMES: [&str; NUM_CLASSES] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Images as darkness values 0-255, row-major, 784 bytes each, with optional labels 0-9.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dataset {
    pixels: Vec<u8>,
    labels: Option<Vec<u8>>,
}

impl Dataset {
    /// Builds a dataset; `pixels.len()` must be a multiple of 784 and labels (if any) one per
    /// image, each below 10. Parsers check this before calling.
    pub(crate) fn new(pixels: Vec<u8>, labels: Option<Vec<u8>>) -> Self {
        debug_assert_eq!(pixels.len() % IMAGE_PIXELS, 0);
        if let Some(labels) = &labels {
            debug_assert_eq!(labels.len(), pixels.len() / IMAGE_PIXELS);
            debug_assert!(labels.iter().all(|&l| (l as usize) < NUM_CLASSES));
        }
        Self { pixels, labels }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / IMAGE_PIXELS
    }

    /// True when there is no image.
    pub fn is_empty(&self) -> bool {
        self.pixels.is_empty()
    }

    /// True when every image has a label.
    pub fn is_labelled(&self) -> bool {
        self.labels.is_some()
    }

    /// All pixels, image after image.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The 784 pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// Labels, when the source had them.
    pub fn labels(&self) -> Option<&[u8]> {
        self.labels.as_deref()
    }

    /// Images per class (all zero when unlabelled).
    pub fn class_counts(&self) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &label in self.labels().unwrap_or(&[]) {
            counts[label as usize] += 1;
        }
        counts
    }

    /// The first `limit` images (all of them when there are fewer).
    pub fn truncated(mut self, limit: usize) -> Self {
        let keep = limit.min(self.len());
        self.pixels.truncate(keep * IMAGE_PIXELS);
        if let Some(labels) = &mut self.labels {
            labels.truncate(keep);
        }
        self
    }

    /// A new dataset holding the images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        let mut pixels = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        let labels = self
            .labels()
            .map(|labels| indices.iter().map(|&i| labels[i]).collect());
        Self::new(pixels, labels)
    }
}

impl Dataset {
    /// Attaches labels (from an IDX labels file) to unlabelled images.
    pub fn with_labels(self, labels: Vec<u8>) -> Result<Self, super::DataError> {
        if labels.len() != self.len() {
            return Err(super::DataError::IdxCountMismatch {
                images: self.len(),
                labels: labels.len(),
            });
        }
        if let Some(item) = labels.iter().position(|&l| l as usize >= NUM_CLASSES) {
            return Err(super::DataError::IdxLabelOutOfRange {
                item,
                value: labels[item],
            });
        }
        Ok(Self::new(self.pixels, Some(labels)))
    }
}
