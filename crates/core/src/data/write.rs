//! Writing datasets back out in Kaggle's CSV layout (for the sample, fixtures and benchmarks).

use super::{Dataset, IMAGE_PIXELS};

/// Options for [`to_csv`].
#[derive(Clone, Copy, Debug)]
pub struct CsvOptions {
    /// Write `label,pixel1,...,pixel784` (or `pixel1,...` without labels) first.
    pub header: bool,
    /// Write the label column (only when the dataset has labels).
    pub labels: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            header: true,
            labels: true,
        }
    }
}

/// The dataset as CSV text, LF line ends, label first.
pub fn to_csv(dataset: &Dataset, options: CsvOptions) -> String {
    let labels = dataset.labels().filter(|_| options.labels);
    let mut out = String::with_capacity(dataset.len() * IMAGE_PIXELS * 3);
    if options.header {
        let mut names: Vec<String> = labels.iter().map(|_| "label".to_string()).collect();
        names.extend((1..=IMAGE_PIXELS).map(|i| format!("pixel{i}")));
        out.push_str(&names.join(","));
        out.push('\n');
    }
    let numbers = itoa_table();
    for index in 0..dataset.len() {
        if let Some(labels) = labels {
            out.push_str(&numbers[labels[index] as usize]);
            out.push(',');
        }
        for (i, &p) in dataset.image(index).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&numbers[p as usize]);
        }
        out.push('\n');
    }
    out
}

/// "0".."255", so writing a pixel is a copy.
fn itoa_table() -> Vec<String> {
    (0..=255u16).map(|v| v.to_string()).collect()
}
