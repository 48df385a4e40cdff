/// The two submission layouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PredictionsLayout {
    /// The notebook's: header `Label`, one class per line.
    #[default]
    Label,
    /// Kaggle's: header `ImageId,Label`, ids from 1.
    ImageIdLabel,
}

/// The predictions CSV, in the order of the test file, LF line ends.
pub fn predictions_csv(predictions: &[u8], layout: PredictionsLayout) -> String {
    let mut csv = String::with_capacity(predictions.len() * 8 + 16);
    match layout {
        PredictionsLayout::Label => {
            csv.push_str("Label\n");
            for p in predictions {
                csv.push_str(&format!("{p}\n"));
            }
        }
        PredictionsLayout::ImageIdLabel => {
            csv.push_str("ImageId,Label\n");
            for (i, p) in predictions.iter().enumerate() {
                csv.push_str(&format!("{},{p}\n", i + 1));
            }
        }
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts() {
        assert_eq!(
            predictions_csv(&[9, 0, 3], PredictionsLayout::Label),
            "Label\n9\n0\n3\n"
        );
        assert_eq!(
            predictions_csv(&[9, 0], PredictionsLayout::ImageIdLabel),
            "ImageId,Label\n1,9\n2,0\n"
        );
    }
}
