//! Data augmentation on `u8` images, per batch and on the fly: more varied training images at
//! no memory cost. Each transform has a switch and a strength.

use serde::{Deserialize, Serialize};

use super::{IMAGE_PIXELS, IMAGE_SIDE, SeededRng};

/// Which random changes each training image gets (validation and test images get none).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Augmentation {
    /// Shift by up to this many pixels across and down, independently (0: off). The garment
    /// moves; what leaves one side is gone, the other side fills with background.
    #[serde(default)]
    pub translate: usize,
    /// Mirror left-right, half of the images (garments are left-right symmetric enough).
    #[serde(default)]
    pub flip: bool,
    /// Share of images (0-1) with a random rectangle (2-20% of the image) erased to background.
    #[serde(default)]
    pub erase: f32,
}

impl Augmentation {
    /// True when it changes nothing.
    pub fn is_off(&self) -> bool {
        self.translate == 0 && !self.flip && self.erase <= 0.0
    }

    /// Checks the strengths.
    pub fn check(&self) -> Result<(), String> {
        if self.translate > IMAGE_SIDE / 2 {
            return Err(format!(
                "translation of {} pixels is too far: at most {}",
                self.translate,
                IMAGE_SIDE / 2
            ));
        }
        if !(0.0..=1.0).contains(&self.erase) {
            return Err(format!(
                "erasing share {} must be between 0 and 1",
                self.erase
            ));
        }
        Ok(())
    }

    /// A changed copy of one 28x28 image.
    pub fn apply(&self, image: &[u8], rng: &mut SeededRng) -> [u8; IMAGE_PIXELS] {
        let mut out = [0u8; IMAGE_PIXELS];
        let side = IMAGE_SIDE as isize;
        let shift = |rng: &mut SeededRng| -> isize {
            if self.translate == 0 {
                0
            } else {
                rng.below(2 * self.translate + 1) as isize - self.translate as isize
            }
        };
        let (dx, dy) = (shift(rng), shift(rng));
        let flip = self.flip && rng.below(2) == 1;
        for y in 0..side {
            let source_y = y - dy;
            if !(0..side).contains(&source_y) {
                continue;
            }
            for x in 0..side {
                let shifted = x - dx;
                let source_x = if flip { side - 1 - shifted } else { shifted };
                if (0..side).contains(&source_x) {
                    out[(y * side + x) as usize] = image[(source_y * side + source_x) as usize];
                }
            }
        }
        if self.erase > 0.0 && (rng.below(1_000_000) as f32) < self.erase * 1_000_000.0 {
            self.erase_rectangle(&mut out, rng);
        }
        out
    }

    /// Random erasing (Zhong et al. 2017): a rectangle of 2-20% of the area, aspect 1:3 to 3:1.
    fn erase_rectangle(&self, image: &mut [u8; IMAGE_PIXELS], rng: &mut SeededRng) {
        let area = IMAGE_PIXELS as f32 * (0.02 + 0.18 * rng.below(1001) as f32 / 1000.0);
        let aspect = (1.0f32 / 3.0) * 9.0f32.powf(rng.below(1001) as f32 / 1000.0);
        let height = ((area * aspect).sqrt().round() as usize).clamp(1, IMAGE_SIDE);
        let width = ((area / aspect).sqrt().round() as usize).clamp(1, IMAGE_SIDE);
        let top = rng.below(IMAGE_SIDE - height + 1);
        let left = rng.below(IMAGE_SIDE - width + 1);
        for y in top..top + height {
            image[y * IMAGE_SIDE + left..y * IMAGE_SIDE + left + width].fill(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered() -> Vec<u8> {
        (0..IMAGE_PIXELS).map(|i| (i % 251) as u8 + 1).collect()
    }

    #[test]
    fn off_changes_nothing() {
        let image = numbered();
        let out = Augmentation::default().apply(&image, &mut SeededRng::new(1));
        assert_eq!(out.to_vec(), image);
    }

    #[test]
    fn flip_mirrors_rows_and_shift_moves_within_bounds() {
        let image = numbered();
        let flip = Augmentation {
            flip: true,
            ..Default::default()
        };
        let mut rng = SeededRng::new(7);
        let mut mirrored = 0;
        for _ in 0..20 {
            let out = flip.apply(&image, &mut rng);
            if out.to_vec() != image {
                mirrored += 1;
                assert_eq!(out[0], image[IMAGE_SIDE - 1]);
                assert_eq!(out[IMAGE_SIDE + 3], image[IMAGE_SIDE + IMAGE_SIDE - 4]);
            }
        }
        assert!((5..=15).contains(&mirrored), "{mirrored} of 20 flipped");

        let shift = Augmentation {
            translate: 3,
            ..Default::default()
        };
        for seed in 0..50 {
            let out = shift.apply(&image, &mut SeededRng::new(seed));
            // Every kept pixel is the original's, moved by at most 3 in each direction.
            let kept = out.iter().filter(|&&v| v != 0).count();
            assert!(kept >= 25 * 25, "seed {seed}: only {kept} pixels kept");
        }
    }

    #[test]
    fn erasing_clears_a_rectangle_of_the_stated_size() {
        let image = vec![200u8; IMAGE_PIXELS];
        let erase = Augmentation {
            erase: 1.0,
            ..Default::default()
        };
        let mut rng = SeededRng::new(3);
        for _ in 0..100 {
            let erased = erase
                .apply(&image, &mut rng)
                .iter()
                .filter(|&&v| v == 0)
                .count();
            assert!(
                (1..=IMAGE_PIXELS / 4).contains(&erased),
                "{erased} pixels erased"
            );
        }
    }
}
