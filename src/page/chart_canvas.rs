//! The canvas every chart of the page is drawn on: plotters-canvas's backend, with the text
//! measured by the canvas itself.
//!
//! plotters sizes text (a caption, an axis's labels) through its font, which in a browser
//! appends a span to the page, reads its size and removes it: a synchronous style and layout
//! of the whole page for every label, and DOM garbage, on the main thread. The canvas's
//! `measureText` needs no layout (BENCHMARKS.md, "The page's main thread").

use plotters::prelude::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// plotters-canvas's error, which it does not name.
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

pub struct ChartCanvas {
    canvas: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl ChartCanvas {
    /// The canvas, sized to its element as plotters-canvas sizes it; `None` without a 2D context.
    pub fn new(element: HtmlCanvasElement) -> Option<Self> {
        let context = element
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        Some(Self {
            canvas: CanvasBackend::with_canvas_object(element)?,
            context,
        })
    }
}

impl DrawingBackend for ChartCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.canvas.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.canvas.draw_text(text, style, pos)
    }

    /// The width the canvas gives `text` in `style`'s font (the font `draw_text` sets), and the
    /// font's height: its ascent and descent, as a laid-out line of it has. A canvas that cannot
    /// measure (it never fails on a 2D context) gives a glyph of 0.6 by 1.2 of the font's size.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        let size = style.size();
        self.context.set_font(&format!(
            "{} {size}px {}",
            style.style().as_str(),
            style.family().as_str(),
        ));
        let (width, height) = match self.context.measure_text(text) {
            Ok(metrics) => (
                metrics.width(),
                metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent(),
            ),
            Err(_) => (0.6 * size * text.chars().count() as f64, 1.2 * size),
        };
        let height = if height > 0.0 { height } else { 1.2 * size };
        Ok((width.ceil() as u32, height.ceil() as u32))
    }
}
