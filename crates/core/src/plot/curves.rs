use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

    let batch_style = TRAIN_COLOR.mix(0.35).stroke_width(1);
    chart
        .draw_series(LineSeries::new(batches, batch_style))
        .map_err(chart_error)?;
    let mut legend = vec![LegendEntry::new("training (batches)", batch_style)];
    for (points, color, label) in [
        (train, TRAIN_COLOR, "training"),
        (validation, VALIDATION_COLOR, "validation"),
    ] {
        legend.push(draw_marked_line(&mut chart, points, color, 2, label)?);
    }
    draw_legend(&chart, &legend, theme)?;
    area.present().map_err(chart_error)
}

/// A chart with epochs along x.
pub(super) type EpochChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A line through `points` with each point marked, `width` pixels wide; its legend entry, named
/// `label`.
pub(super) fn draw_marked_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut EpochChart<'a, DB>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: u32,
    label: &str,
) -> Result<LegendEntry, String> {
    chart
        .draw_series(LineSeries::new(points.clone(), color.stroke_width(width)))
        .map_err(chart_error)?;
    chart
        .draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )
        .map_err(chart_error)?;
    Ok(LegendEntry::new(label, color.stroke_width(width)))
}

/// One line of a legend: a series' name and the stroke it is drawn with.
pub(super) struct LegendEntry {
    label: String,
    stroke: ShapeStyle,
}

impl LegendEntry {
    pub(super) fn new(label: &str, stroke: ShapeStyle) -> Self {
        Self {
            label: label.to_string(),
            stroke,
        }
    }
}

/// The legend, top right of the plotting area, on the paper: a stroke and a name per entry.
///
/// Drawn here rather than by plotters' series labels, which size their text by the font alone:
/// in a browser that lays out a span in the page for every label, a synchronous layout of the
/// whole page each time (BENCHMARKS.md, "The page's main thread"). Here the backend measures
/// the text, as it does for the caption and the axis labels.
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &EpochChart<'a, DB>,
    entries: &[LegendEntry],
    theme: Theme,
) -> Result<(), String> {
    const MARGIN: i32 = 10;
    const PADDING: i32 = 5;
    const SWATCH: i32 = 16;
    const GAP: i32 = 6;
    const TEXT_SIZE: u32 = 12;
    if entries.is_empty() {
        return Ok(());
    }
    let area = chart.plotting_area().strip_coord_spec();
    let font = theme.text(TEXT_SIZE);
    let mut text_width = 0;
    let mut line_height = TEXT_SIZE as i32;
    for entry in entries {
        let (width, height) = area
            .estimate_text_size(&entry.label, &font)
            .map_err(chart_error)?;
        text_width = text_width.max(width as i32);
        line_height = line_height.max(height as i32);
    }
    let line_height = line_height + 4;
    let width = 2 * PADDING + SWATCH + GAP + text_width;
    let height = 2 * PADDING + line_height * entries.len() as i32;
    let left = area.dim_in_pixel().0 as i32 - MARGIN - width;
    let corners = [(left, MARGIN), (left + width, MARGIN + height)];
    area.draw(&Rectangle::new(corners, theme.paper.mix(0.85).filled()))
        .map_err(chart_error)?;
    area.draw(&Rectangle::new(corners, theme.ink.mix(0.3)))
        .map_err(chart_error)?;
    let text = font.pos(Pos::new(HPos::Left, VPos::Center));
    let x = left + PADDING;
    for (index, entry) in entries.iter().enumerate() {
        let y = MARGIN + PADDING + line_height * index as i32 + line_height / 2;
        area.draw(&PathElement::new([(x, y), (x + SWATCH, y)], entry.stroke))
            .map_err(chart_error)?;
        area.draw(&Text::new(
            entry.label.as_str(),
            (x + SWATCH + GAP, y),
            &text,
        ))
        .map_err(chart_error)?;
    }
    Ok(())
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
