//! Charts drawn through plotters on any `DrawingBackend`: a canvas in the page, a bitmap in
//! tests. They only read numbers that `train` and `eval` produce.

mod curves;
mod grid;
mod histogram;
mod probabilities;
mod runs;

pub use curves::{draw_accuracy_chart, draw_loss_chart};
pub use grid::draw_grid_chart;
pub use histogram::draw_class_histogram;
pub use probabilities::{draw_probabilities, most_likely};
pub use runs::{RUN_COLORS, draw_runs_chart, run_color, runs_chart_svg};

use plotters::style::{Color, IntoFont, RGBColor, ShapeStyle, TextStyle, WHITE};

/// Training series colour.
pub const TRAIN_COLOR: RGBColor = RGBColor(37, 99, 235);
/// Validation series colour.
pub const VALIDATION_COLOR: RGBColor = RGBColor(234, 88, 12);

/// What a chart is drawn on and with, around its series: the paper, and the ink of its text,
/// axes and grid. The series keep their colours in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub paper: RGBColor,
    pub ink: RGBColor,
}

impl Theme {
    /// Dark ink on white: the page's light scheme, and every picture written to a file.
    pub const LIGHT: Theme = Theme {
        paper: WHITE,
        ink: RGBColor(31, 41, 55),
    };
    /// Light ink on the page's dark panels (`prefers-color-scheme: dark`).
    pub const DARK: Theme = Theme {
        paper: RGBColor(17, 24, 39),
        ink: RGBColor(229, 231, 235),
    };

    /// Chart text of `size` pixels in the theme's ink.
    pub(crate) fn text(self, size: u32) -> TextStyle<'static> {
        ("sans-serif", size).into_font().color(&self.ink)
    }

    /// Grid lines: the ink, faint.
    pub(crate) fn grid(self) -> ShapeStyle {
        self.ink.mix(0.15).into()
    }
}

/// Any plotters error, as text (backends have different error types).
pub(crate) fn chart_error(error: impl std::fmt::Debug) -> String {
    format!("could not draw the chart: {error:?}")
}

/// Natively, plotters draws text with a font it is given (the browser's canvas has its own):
/// registers the TrueType file at `path` as the charts' `sans-serif`.
#[cfg(not(target_arch = "wasm32"))]
pub fn register_font_file(path: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    // plotters keeps fonts for the life of the program.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, bytes)
        .map_err(|_| format!("{path}: not a font plotters can read"))
}
