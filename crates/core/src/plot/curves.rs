use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{TRAIN_COLOR, Theme, VALIDATION_COLOR, chart_error};
use crate::train::History;

/// The x range: whole epochs, at least one.
fn epoch_range(history: &History, planned_epochs: usize) -> Range<f64> {
    let done = history.epochs.len();
    let last_batch = history.batch_losses.last().map_or(0.0, |&(x, _)| x);
    0.0..(planned_epochs.max(done) as f64)
        .max(last_batch.ceil())
        .max(1.0)
}

/// The frame every curve chart shares: a caption, epochs along x, a light grid.
pub(super) fn epoch_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    x: Range<f64>,
    y: Range<f64>,
    theme: Theme,
) -> Result<EpochChart<'a, DB>, String> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, theme.text(18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(45)
        .build_cartesian_2d(x, y)
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .axis_style(theme.ink)
        .label_style(theme.text(12))
        .axis_desc_style(theme.text(12))
        .bold_line_style(theme.grid())
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(chart_error)?;
    Ok(chart)
}

/// Training loss as it goes (every batch read, thin) and per epoch, validation loss per epoch.
pub fn draw_loss_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &History,
    planned_epochs: usize,
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let epoch_points = |pick: fn(&crate::train::EpochMetrics) -> Option<f32>| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .filter_map(|m| pick(m).map(|v| (m.epoch as f64, v as f64)))
            .collect()
    };
    let train = epoch_points(|m| Some(m.train_loss));
    let validation = epoch_points(|m| m.val_loss);
    let batches: Vec<(f64, f64)> = history
        .batch_losses
        .iter()
        .map(|&(x, y)| (x, y as f64))
        .collect();
    let top = batches
        .iter()
        .chain(&train)
        .chain(&validation)
        .map(|&(_, y)| y)
        .filter(|y| y.is_finite())
        .fold(0.0f64, f64::max)
        .max(0.1)
        * 1.05;

    let mut chart = epoch_chart(
        area,
        "Loss",
        epoch_range(history, planned_epochs),
        0.0..top,
        theme,
    )?;

    chart
        .draw_series(LineSeries::new(
            batches,
            TRAIN_COLOR.mix(0.35).stroke_width(1),
        ))
        .map_err(chart_error)?
        .label("training (batches)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], TRAIN_COLOR.mix(0.35)));
    for (points, color, label) in [
        (train, TRAIN_COLOR, "training"),
        (validation, VALIDATION_COLOR, "validation"),
    ] {
        draw_marked_line(&mut chart, points, color, 2, label)?;
    }
    draw_legend(&mut chart, theme)?;
    area.present().map_err(chart_error)
}

/// A chart with epochs along x.
pub(super) type EpochChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A line through `points` with each point marked, `width` pixels wide, named in the legend.
pub(super) fn draw_marked_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut EpochChart<'a, DB>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: u32,
    label: &str,
) -> Result<(), String> {
    chart
        .draw_series(LineSeries::new(points.clone(), color.stroke_width(width)))
        .map_err(chart_error)?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(width)));
    chart
        .draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )
        .map_err(chart_error)?;
    Ok(())
}

/// The legend, top right, on the paper.
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut EpochChart<'a, DB>,
    theme: Theme,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .background_style(theme.paper.mix(0.85))
        .border_style(theme.ink.mix(0.3))
        .label_font(theme.text(12))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(chart_error)
}

/// Validation accuracy per epoch, on a 0-1 scale.
pub fn draw_accuracy_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &History,
    planned_epochs: usize,
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let points: Vec<(f64, f64)> = history
        .epochs
        .iter()
        .filter_map(|m| m.val_accuracy.map(|a| (m.epoch as f64, a as f64)))
        .collect();
    let bottom = points
        .iter()
        .map(|&(_, a)| a)
        .fold(1.0f64, f64::min)
        .min(0.5)
        - 0.05;
    let mut chart = epoch_chart(
        area,
        "Validation accuracy",
        epoch_range(history, planned_epochs),
        bottom.max(0.0)..1.0,
        theme,
    )?;
    chart
        .draw_series(LineSeries::new(
            points.clone(),
            VALIDATION_COLOR.stroke_width(2),
        ))
        .map_err(chart_error)?;
    chart
        .draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, VALIDATION_COLOR.filled())),
        )
        .map_err(chart_error)?;
    area.present().map_err(chart_error)
}
