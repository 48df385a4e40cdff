//! Drawings and photos to 28x28 darkness images, made the way Fashion-MNIST's were: the garment
//! cropped to its bounding box, its longer side scaled to 28 pixels keeping the aspect ratio,
//! centred, darkness = 255 - luminance (light garment on a dark ground).

use super::{IMAGE_PIXELS, IMAGE_SIDE};

/// Darkness below this is background when cropping (anti-aliasing and sensor noise).
const INK_THRESHOLD: u8 = 24;

/// Darkness (255 - luminance) of RGBA pixels, transparent ones taken as white paper: what the
/// drawing pad gives.
pub fn darkness_from_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let alpha = p[3] as f32 / 255.0;
            let over_white = luminance(p[0], p[1], p[2]) * alpha + 255.0 * (1.0 - alpha);
            (255.0 - over_white).round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

/// Darkness of a photo's RGBA pixels with its background made dark, whatever it was: the
/// border's typical tone is taken as background, everything is measured as distance from it,
/// and the contrast is stretched so that the garment's strongest pixel is 255.
pub fn photo_darkness(width: usize, height: usize, rgba: &[u8]) -> Vec<u8> {
    let gray: Vec<f32> = rgba
        .chunks_exact(4)
        .map(|p| luminance(p[0], p[1], p[2]))
        .collect();
    let background = border_median(width, height, &gray);
    let distance: Vec<f32> = gray.iter().map(|&g| (g - background).abs()).collect();
    // A little of the distance is noise (paper grain, JPEG ringing): drop it before stretching.
    let noise = 12.0;
    let strongest = distance.iter().copied().fold(0.0f32, f32::max);
    let span = (strongest - noise).max(1.0);
    distance
        .iter()
        .map(|&d| ((d - noise).max(0.0) * 255.0 / span).round().min(255.0) as u8)
        .collect()
}

/// The 28x28 image of a `width` x `height` darkness picture, or `None` when nothing is drawn.
/// A picture whose size does not match its values is `None` as well.
pub fn to_fashion_mnist(width: usize, height: usize, darkness: &[u8]) -> Option<Vec<u8>> {
    if width.checked_mul(height) != Some(darkness.len()) {
        return None;
    }
    let (left, top, right, bottom) = bounding_box(width, height, darkness)?;
    let (box_w, box_h) = (right - left, bottom - top);
    let (out_w, out_h) = scaled_size(box_w, box_h);
    let offset_x = (IMAGE_SIDE - out_w) / 2;
    let offset_y = (IMAGE_SIDE - out_h) / 2;

    let mut image = vec![0u8; IMAGE_PIXELS];
    for y in 0..out_h {
        let (y0, y1) = source_span(y, out_h, top, box_h);
        for x in 0..out_w {
            let (x0, x1) = source_span(x, out_w, left, box_w);
            image[(offset_y + y) * IMAGE_SIDE + offset_x + x] =
                area_average(width, darkness, (x0, x1, right), (y0, y1, bottom));
        }
    }
    Some(image)
}

/// The garment's size in the 28x28 image: its longer side 28 pixels, its aspect kept.
fn scaled_size(box_w: usize, box_h: usize) -> (usize, usize) {
    let scale = IMAGE_SIDE as f32 / box_w.max(box_h) as f32;
    let out_w = ((box_w as f32 * scale).round() as usize).clamp(1, IMAGE_SIDE);
    let out_h = ((box_h as f32 * scale).round() as usize).clamp(1, IMAGE_SIDE);
    (out_w, out_h)
}

fn luminance(r: u8, g: u8, b: u8) -> f32 {
    0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32
}

/// The median of the outermost ring of pixels.
fn border_median(width: usize, height: usize, values: &[f32]) -> f32 {
    if width == 0 || height == 0 || values.len() < width * height {
        return 255.0;
    }
    let mut border: Vec<f32> = (0..width)
        .flat_map(|x| [values[x], values[(height - 1) * width + x]])
        .chain((0..height).flat_map(|y| [values[y * width], values[y * width + width - 1]]))
        .collect();
    if border.is_empty() {
        return 255.0;
    }
    border.sort_by(f32::total_cmp);
    border[border.len() / 2]
}

/// `(left, top, right, bottom)`, exclusive on the right and bottom, of the inked pixels. Each
/// row is searched from both ends, so a picture inked to its edges costs one look per row.
fn bounding_box(
    width: usize,
    height: usize,
    darkness: &[u8],
) -> Option<(usize, usize, usize, usize)> {
    let inked = |&d: &u8| d > INK_THRESHOLD;
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (y, row) in darkness.chunks_exact(width.max(1)).take(height).enumerate() {
        let Some(first) = row.iter().position(inked) else {
            continue;
        };
        let last = row.iter().rposition(inked).unwrap_or(first);
        let b = bounds.get_or_insert((first, y, last + 1, y + 1));
        b.0 = b.0.min(first);
        b.2 = b.2.max(last + 1);
        b.3 = y + 1;
    }
    bounds
}

/// The source interval (in pixels, fractional) that output pixel `i` of `out` covers. Both
/// ends come from one exact integer product, so that neighbouring spans meet exactly and the
/// last ends exactly at `start + length`, never a rounding past it.
fn source_span(i: usize, out: usize, start: usize, length: usize) -> (f32, f32) {
    let at = |k: usize| start as f32 + (length * k) as f32 / out as f32;
    (at(i), at(i + 1))
}

/// The mean darkness over a fractional rectangle, each source pixel weighted by its overlap;
/// `x_end` and `y_end` (exclusive) bound the pixels read.
fn area_average(
    width: usize,
    darkness: &[u8],
    (x0, x1, x_end): (f32, f32, usize),
    (y0, y1, y_end): (f32, f32, usize),
) -> u8 {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for y in y0.floor() as usize..(y1.ceil() as usize).min(y_end) {
        let wy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).max(0.0);
        for x in x0.floor() as usize..(x1.ceil() as usize).min(x_end) {
            let wx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).max(0.0);
            sum += darkness[y * width + x] as f32 * wx * wy;
            weight += wx * wy;
        }
    }
    if weight == 0.0 {
        0
    } else {
        (sum / weight).round().min(255.0) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For every box from 1x1 to 600x600 (and one off its origin), each output pixel's source
    /// span lies inside the box, is not empty, and the spans tile the box without gaps: no
    /// read outside the picture, no hole in the garment.
    #[test]
    fn every_spans_lies_inside_its_box_for_every_size() {
        for width in 1..=600 {
            for height in 1..=600 {
                let (out_w, out_h) = scaled_size(width, height);
                for (out, length) in [(out_w, width), (out_h, height)] {
                    for start in [0, 37] {
                        let end = (start + length) as f32;
                        let mut previous_end = start as f32;
                        for i in 0..out {
                            let (from, to) = source_span(i, out, start, length);
                            assert_eq!(from, previous_end, "{width}x{height} pixel {i}");
                            assert!(from < to && to <= end, "{width}x{height} pixel {i}");
                            assert!(from.floor() as usize >= start);
                            previous_end = to;
                        }
                        assert_eq!(previous_end, end, "{width}x{height}");
                    }
                }
            }
        }
    }
}
