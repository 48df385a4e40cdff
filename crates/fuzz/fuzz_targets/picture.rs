//! A photo's RGBA pixels of any size up to 600x600 (its width from the first two bytes, its
//! height from the rest's length) to a 28x28 image, and a drawing's: never a read outside the
//! picture, always 784 values when something is found.
#![no_main]

use atelier_core::data::{IMAGE_PIXELS, darkness_from_rgba, photo_darkness, to_fashion_mnist};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((size, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let width = usize::from(u16::from_le_bytes(*size)) % 600 + 1;
    let height = (rest.len() / 4 / width).min(600);
    let rgba = &rest[..width * height * 4];
    for darkness in [photo_darkness(width, height, rgba), darkness_from_rgba(rgba)] {
        if let Some(image) = to_fashion_mnist(width, height, &darkness) {
            assert_eq!(image.len(), IMAGE_PIXELS);
        }
    }
});
