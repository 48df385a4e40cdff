//! A photo's width and height read from its file's first bytes, before any decoding: so that a
//! 20000x20000 PNG of a few kilobytes is refused instead of asking the browser for 1.6 GB of
//! pixels.

/// How many of a file's first bytes [`image_size`] needs at most (a JPEG's frame header can sit
/// after a large EXIF block).
pub const IMAGE_HEADER_BYTES: usize = 256 << 10;

/// The most pixels a photo may have: 50 megapixels, more than phone cameras take.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;

/// The width and height of a PNG, JPEG, GIF, WebP or BMP from its first bytes; `None` for any
/// other format, or a header that ends early or says 0.
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let le16 = |at| bytes_at(bytes, at).map(u16::from_le_bytes);
    let be32 = |at| bytes_at(bytes, at).map(u32::from_be_bytes);
    let le32 = |at| bytes_at(bytes, at).map(u32::from_le_bytes);
    let le24 = |at| bytes_at(bytes, at).map(|[a, b, c]| u32::from_le_bytes([a, b, c, 0]));
    let size = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
        (be32(16)?, be32(20)?)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        (u32::from(le16(6)?), u32::from(le16(8)?))
    } else if bytes.starts_with(b"BM") {
        let height = le32(22)? as i32;
        (le32(18)?, height.unsigned_abs())
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        match bytes.get(12..16)? {
            b"VP8 " => (u32::from(le16(26)? & 0x3fff), u32::from(le16(28)? & 0x3fff)),
            b"VP8L" => {
                let bits = le32(21)?;
                ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        }
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        jpeg_size(bytes)?
    } else {
        return None;
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// The `N` bytes at `at`, if the file has them.
fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A JPEG's size from its first start-of-frame segment, walking the segments before it.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at| bytes_at(bytes, at).map(u16::from_be_bytes);
    let mut at = 2;
    loop {
        // Fill bytes (0xff) may pad before a marker.
        while *bytes.get(at)? == 0xff && *bytes.get(at + 1)? == 0xff {
            at += 1;
        }
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let is_frame = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_frame {
            return Some((u32::from(be16(at + 7)?), u32::from(be16(at + 5)?)));
        }
        let standalone = matches!(marker, 0x01 | 0xd0..=0xd7);
        at += if standalone {
            2
        } else {
            2 + usize::from(be16(at + 2)?)
        };
    }
}

/// Refuses a photo of more than [`MAX_PHOTO_PIXELS`], or of a size its header does not say.
pub fn check_photo_size(name: &str, header: &[u8]) -> Result<(u32, u32), String> {
    let Some((width, height)) = image_size(header) else {
        return Err(format!(
            "{name}: not a PNG, JPEG, GIF, WebP or BMP image whose size can be read"
        ));
    };
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(format!(
            "{name}: the photo is {width}x{height} pixels; Atelier reads photos up to {} megapixels",
            MAX_PHOTO_PIXELS / 1_000_000
        ));
    }
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes
    }

    #[test]
    fn sizes_are_read_from_each_formats_header() {
        assert_eq!(image_size(&png(601, 37)), Some((601, 37)));
        let mut gif = b"GIF89a".to_vec();
        gif.extend([0x59, 0x02, 0x25, 0x00]);
        assert_eq!(image_size(&gif), Some((601, 37)));
        let mut bmp = b"BM".to_vec();
        bmp.extend([0; 16]);
        bmp.extend(601u32.to_le_bytes());
        bmp.extend((-37i32).to_le_bytes());
        assert_eq!(image_size(&bmp), Some((601, 37)));
        // A JPEG: start of image, an APP0 segment, then a baseline frame header.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x25, 0x02, 0x59, 0x03]);
        assert_eq!(image_size(&jpeg), Some((601, 37)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
        webp.extend([0; 8]);
        webp.extend([0x58, 0x02, 0x00, 0x24, 0x00, 0x00]);
        assert_eq!(image_size(&webp), Some((601, 37)));
    }

    #[test]
    fn huge_unknown_and_damaged_photos_are_refused() {
        assert_eq!(
            check_photo_size("big.png", &png(20_000, 20_000)).unwrap_err(),
            "big.png: the photo is 20000x20000 pixels; Atelier reads photos up to 50 megapixels"
        );
        assert!(check_photo_size("a.png", &png(7000, 7000)).is_ok());
        assert!(check_photo_size("zero.png", &png(0, 5)).is_err());
        assert!(check_photo_size("text.png", b"hello").is_err());
        // A JPEG that ends inside its segments, or loops on fill bytes to its end.
        assert_eq!(image_size(&[0xff, 0xd8, 0xff, 0xe0, 0xff]), None);
        assert_eq!(image_size(&[0xff, 0xd8, 0xff, 0xff, 0xff]), None);
        // A PNG cut anywhere before the end of its size.
        for cut in 0..24 {
            assert_eq!(image_size(&png(601, 37)[..cut]), None, "cut at {cut}");
        }
    }
}
