use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::{draw_legend, draw_marked_line, epoch_chart};
use super::{Theme, chart_error};
use crate::train::History;

/// One colour per run compared (Tableau's ten): a run keeps its colour in the chart, the
/// legend and the page's table.
pub const RUN_COLORS: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// The colour of the `index`th run compared.
pub fn run_color(index: usize) -> RGBColor {
    RUN_COLORS[index % RUN_COLORS.len()]
}

/// Runs side by side: on the left each run's training loss (thin) and validation loss (thick)
/// per epoch, on the right its validation accuracy; one colour per run, named in the legend.
pub fn draw_runs_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[(&str, &History)],
    theme: Theme,
) -> Result<(), String> {
    area.fill(&theme.paper).map_err(chart_error)?;
    let epochs = runs
        .iter()
        .map(|(_, h)| h.epochs.len())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (left, right) = area.split_horizontally(area.dim_in_pixel().0 / 2);
    let finite = |v: f32| v.is_finite().then_some(v as f64);
    let losses = |h: &History, validation: bool| -> Vec<(f64, f64)> {
        h.epochs
            .iter()
            .filter_map(|m| {
                let loss = if validation {
                    m.val_loss
                } else {
                    Some(m.train_loss)
                };
                loss.and_then(finite).map(|l| (m.epoch as f64, l))
            })
            .collect()
    };
    let top = runs
        .iter()
        .flat_map(|(_, h)| losses(h, false).into_iter().chain(losses(h, true)))
        .map(|(_, y)| y)
        .fold(0.1f64, f64::max)
        * 1.05;

    let mut chart = epoch_chart(
        &left,
        "Loss (thin: training, thick: validation)",
        0.0..epochs,
        0.0..top,
        theme,
    )?;
    let mut legend = Vec::new();
    for (index, (name, history)) in runs.iter().enumerate() {
        let color = run_color(index);
        chart
            .draw_series(LineSeries::new(
                losses(history, false),
                color.mix(0.6).stroke_width(1),
            ))
            .map_err(chart_error)?;
        let validation = losses(history, true);
        legend.push(draw_marked_line(&mut chart, validation, color, 3, name)?);
    }
    draw_legend(&chart, &legend, theme)?;

    let accuracies: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .map(|(_, h)| {
            h.epochs
                .iter()
                .filter_map(|m| m.val_accuracy.and_then(finite).map(|a| (m.epoch as f64, a)))
                .collect()
        })
        .collect();
    let bottom = accuracies
        .iter()
        .flatten()
        .map(|&(_, a)| a)
        .fold(0.5f64, f64::min)
        - 0.05;
    let mut chart = epoch_chart(
        &right,
        "Validation accuracy",
        0.0..epochs,
        bottom.max(0.0)..1.0,
        theme,
    )?;
    // The legend on the left names the runs for both panels.
    for (index, (points, (name, _))) in accuracies.into_iter().zip(runs).enumerate() {
        draw_marked_line(&mut chart, points, run_color(index), 3, name)?;
    }
    area.present().map_err(chart_error)
}

/// The same chart as an SVG document, `width` by `height` pixels, on white (for a report).
pub fn runs_chart_svg(
    runs: &[(&str, &History)],
    width: u32,
    height: u32,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_runs_chart(&area, runs, Theme::LIGHT)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::EpochMetrics;

    fn history(loss: f32, accuracy: f32) -> History {
        History {
            epochs: (1..=3)
                .map(|epoch| EpochMetrics {
                    epoch,
                    train_loss: loss / epoch as f32,
                    val_loss: Some(loss / epoch as f32 + 0.1),
                    val_accuracy: Some(accuracy),
                    images_per_second: 1.0,
                    seconds: 1.0,
                })
                .collect(),
            batch_losses: vec![],
        }
    }

    /// Each run is named in the legend and drawn in its own colour, in both panels.
    #[test]
    fn the_svg_names_each_run_in_its_colour() {
        // Natively plotters measures text with a font it is given (Debian's fonts-dejavu-core).
        super::super::register_font_file("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
            .unwrap();
        let (a, b) = (history(2.0, 0.7), history(1.0, 0.8));
        let svg = runs_chart_svg(&[("lr 0.001", &a), ("lr 0.01", &b)], 800, 300).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("lr 0.001") && svg.contains("lr 0.01"));
        for index in 0..2 {
            let RGBColor(r, g, b) = run_color(index);
            let hex = format!("#{r:02X}{g:02X}{b:02X}");
            // Training, validation and accuracy lines, and the legend's sample.
            assert!(svg.matches(&hex).count() >= 4, "{hex} in {svg}");
        }
        let RGBColor(r, g, b) = run_color(2);
        assert!(!svg.contains(&format!("#{r:02X}{g:02X}{b:02X}")));
    }
}
