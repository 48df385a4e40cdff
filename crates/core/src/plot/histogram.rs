use plotters::coord::Shift;
use plotters::prelude::*;

use super::{TRAIN_COLOR, Theme, chart_error};
use crate::data::{CLASS_NAMES, NUM_CLASSES};

/// Images per class, one bar each (the notebook's count plot).
pub fn draw_class_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    counts: &[usize; NUM_CLASSES],
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption("Images per class", theme.text(18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0..NUM_CLASSES).into_segmented(), 0.0..top)
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .axis_style(theme.ink)
        .label_style(theme.text(12))
        .bold_line_style(theme.grid())
        .light_line_style(TRANSPARENT)
        .x_labels(NUM_CLASSES)
        .x_label_formatter(&|segment| match segment {
            SegmentValue::CenterOf(class) | SegmentValue::Exact(class) => {
                CLASS_NAMES.get(*class).copied().unwrap_or("").to_string()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(chart_error)?;
    chart
        .draw_series(
            Histogram::vertical(&chart)
                .style(TRAIN_COLOR.filled())
                .margin(4)
                .data(
                    counts
                        .iter()
                        .enumerate()
                        .map(|(class, &n)| (class, n as f64)),
                ),
        )
        .map_err(chart_error)?;
    area.present().map_err(chart_error)
}
