//! Seeded, deterministic shuffles and the train/validation split.

/// Indices of the training and validation images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Images to learn from.
    pub train: Vec<usize>,
    /// Images held out to measure the model, in ascending order.
    pub validation: Vec<usize>,
}

/// SplitMix64: tiny, fast, and identical on every platform, so a seed means the same split in
/// the browser and natively.
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (bound > 0), without modulo bias worth caring about at our sizes.
    pub fn below(&mut self, bound: usize) -> usize {
        ((self.next_u64() as u128 * bound as u128) >> 64) as usize
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// `0..count` in an order fixed by `seed`.
pub fn shuffled_indices(count: usize, seed: u64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..count).collect();
    SeededRng::new(seed).shuffle(&mut indices);
    indices
}

/// How many of `count` images [`split_indices`] holds out for `validation_fraction`.
pub fn held_out_count(count: usize, validation_fraction: f64) -> usize {
    let fraction = validation_fraction.clamp(0.0, 1.0);
    let held_out = (count as f64 * fraction).round() as usize;
    if fraction > 0.0 && count >= 2 {
        held_out.clamp(1, count - 1)
    } else {
        held_out
    }
}

/// Holds out `validation_fraction` of `count` images (rounded, at least one when the fraction is
/// positive and there are two images or more), chosen by `seed`.
pub fn split_indices(count: usize, validation_fraction: f64, seed: u64) -> Split {
    let held_out = held_out_count(count, validation_fraction);
    let shuffled = shuffled_indices(count, seed);
    let mut validation = shuffled[..held_out].to_vec();
    validation.sort_unstable();
    Split {
        train: shuffled[held_out..].to_vec(),
        validation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_a_seeded_partition() {
        let a = split_indices(1000, 0.2, 12345);
        assert_eq!(a, split_indices(1000, 0.2, 12345));
        assert_ne!(a, split_indices(1000, 0.2, 1));
        assert_eq!((a.train.len(), a.validation.len()), (800, 200));
        let mut all: Vec<usize> = a.train.iter().chain(&a.validation).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn tiny_sets_keep_one_image_on_each_side() {
        let s = split_indices(2, 0.01, 0);
        assert_eq!((s.train.len(), s.validation.len()), (1, 1));
        assert_eq!(split_indices(5, 0.0, 0).validation.len(), 0);
    }
}
