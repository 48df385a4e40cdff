use plotters::coord::Shift;
use plotters::prelude::*;

use super::{TRAIN_COLOR, Theme, VALIDATION_COLOR, chart_error};
use crate::train::Trial;

/// Grid-search results: validation accuracy (left) and loss (right), one bar per trial.
pub fn draw_grid_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    trials: &[Trial],
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let panels = area.split_evenly((1, 2));
    let label = |trial: &Trial| {
        if trials.iter().all(|t| t.batch_size == trials[0].batch_size) {
            format!("{}", trial.learning_rate)
        } else {
            format!("{} / {}", trial.learning_rate, trial.batch_size)
        }
    };
    let accuracies: Vec<f64> = trials.iter().map(|t| t.val_accuracy as f64).collect();
    let losses: Vec<f64> = trials
        .iter()
        .map(|t| {
            if t.val_loss.is_finite() {
                t.val_loss as f64
            } else {
                0.0
            }
        })
        .collect();
    let top_loss = losses.iter().copied().fold(0.0, f64::max).max(0.1) * 1.1;
    for (panel, (caption, values, top, color)) in panels.iter().zip([
        ("validation accuracy", &accuracies, 1.0, VALIDATION_COLOR),
        ("validation loss", &losses, top_loss, TRAIN_COLOR),
    ]) {
        let count = trials.len().max(1);
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, theme.text(15))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(44)
            .build_cartesian_2d((0..count).into_segmented(), 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .axis_style(theme.ink)
            .label_style(theme.text(12))
            .bold_line_style(theme.grid())
            .light_line_style(TRANSPARENT)
            .x_labels(count)
            .x_label_formatter(&|segment| match segment {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    trials.get(*i).map(label).unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(color.filled())
                    .margin(6)
                    .data(values.iter().copied().enumerate()),
            )
            .map_err(chart_error)?;
    }
    area.present().map_err(chart_error)
}
