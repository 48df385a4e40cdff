use plotters::coord::Shift;
use plotters::prelude::*;

use super::{TRAIN_COLOR, Theme, VALIDATION_COLOR, chart_error};
use crate::data::{CLASS_NAMES, NUM_CLASSES};

/// The model's ten class probabilities as horizontal bars, the most likely class highlighted.
pub fn draw_probabilities<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    probabilities: Option<&[f32; NUM_CLASSES]>,
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(24)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0f32..1.0f32, (0..NUM_CLASSES).into_segmented())
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .axis_style(theme.ink)
        .label_style(theme.text(12))
        .bold_line_style(theme.grid())
        .light_line_style(TRANSPARENT)
        .x_labels(6)
        .x_label_formatter(&|p| format!("{:.0}%", p * 100.0))
        .y_labels(NUM_CLASSES)
        .y_label_formatter(&|segment| match segment {
            SegmentValue::CenterOf(class) | SegmentValue::Exact(class) => {
                CLASS_NAMES.get(*class).copied().unwrap_or("").to_string()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(chart_error)?;
    let Some(probabilities) = probabilities else {
        return area.present().map_err(chart_error);
    };
    let best = most_likely(probabilities);
    chart
        .draw_series(probabilities.iter().enumerate().map(|(class, &p)| {
            let color = if class == best {
                VALIDATION_COLOR
            } else {
                TRAIN_COLOR
            };
            Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(class)),
                    (p.clamp(0.0, 1.0), SegmentValue::Exact(class + 1)),
                ],
                color.filled(),
            )
        }))
        .map_err(chart_error)?;
    area.present().map_err(chart_error)
}

/// The index of the largest probability.
pub fn most_likely(probabilities: &[f32; NUM_CLASSES]) -> usize {
    probabilities
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(class, _)| class)
}
