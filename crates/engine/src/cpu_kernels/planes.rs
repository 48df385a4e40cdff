//! Activations `[N, C, ...]` as planes (one channel of one sample), for the kernels that work
//! channel by channel: per-channel sums and plane-by-plane maps on rayon's threads.

use burn::backend::Shape;
use rayon::prelude::*;

use super::parallel_fill::{filled_in_parallel, one_thread};

/// Contiguous activations seen as `samples` x `channels` planes of `plane` values.
pub(super) struct Activations<'a> {
    pub(super) x: &'a [f32],
    samples: usize,
    pub(super) channels: usize,
    plane: usize,
}

impl<'a> Activations<'a> {
    pub(super) fn new(x: &'a [f32], shape: &Shape) -> Self {
        let (samples, channels) = (shape[0], shape[1]);
        Self {
            x,
            samples,
            channels,
            plane: x.len() / (samples * channels).max(1),
        }
    }

    pub(super) fn per_channel_count(&self) -> usize {
        self.samples * self.plane
    }

    fn plane_range(&self, sample: usize, channel: usize) -> std::ops::Range<usize> {
        let start = (sample * self.channels + channel) * self.plane;
        start..start + self.plane
    }

    /// The mean over each channel of `sum_plane(channel, plane)`, a plane's partial sum;
    /// partial sums add up in `f64`.
    pub(super) fn per_channel(&self, sum_plane: impl Fn(usize, &[f32]) -> f32 + Sync) -> Vec<f32> {
        self.per_channel_with(self.x, |channel, plane, _| sum_plane(channel, plane))
            .into_iter()
            .map(|sum| sum / self.per_channel_count() as f32)
            .collect()
    }

    /// The sum over each channel of `sum_plane(channel, plane of x, plane of other)`.
    pub(super) fn per_channel_with(
        &self,
        other: &[f32],
        sum_plane: impl Fn(usize, &[f32], &[f32]) -> f32 + Sync,
    ) -> Vec<f32> {
        let channel_sum = |channel| {
            let total: f64 = (0..self.samples)
                .map(|sample| {
                    let range = self.plane_range(sample, channel);
                    f64::from(sum_plane(channel, &self.x[range.clone()], &other[range]))
                })
                .sum();
            total as f32
        };
        if one_thread() {
            (0..self.channels).map(channel_sum).collect()
        } else {
            (0..self.channels)
                .into_par_iter()
                .map(channel_sum)
                .collect()
        }
    }

    /// A new tensor's values: `value(x, other)` at every index, with `value` from
    /// `for_channel(channel)` once per plane. The per-channel constants are then plain `f32`s
    /// in the loop, which compiles to SIMD; indexing them per value kept it scalar.
    pub(super) fn map_planes<F: Fn(f32, f32) -> f32>(
        &self,
        other: &[f32],
        for_channel: impl Fn(usize) -> F + Sync,
    ) -> Vec<f32> {
        let per_sample = self.channels * self.plane;
        filled_in_parallel(self.x.len(), per_sample, |sample, sample_out| {
            for channel in 0..self.channels {
                let range = self.plane_range(sample, channel);
                let outputs = &mut sample_out[channel * self.plane..][..self.plane];
                let value = for_channel(channel);
                let inputs = self.x[range.clone()].iter().zip(&other[range]);
                for (out, (&v, &o)) in outputs.iter_mut().zip(inputs) {
                    *out = value(v, o);
                }
            }
        })
    }
}

/// `Σ term(a[i], b[i])` in sixteen lanes over fixed-size chunks, which compiles to SIMD adds:
/// a plain `f32` sum is one dependency chain the compiler may not reorder, and lanes picked by
/// `index % 8` compiled to scalar adds through the stack (9% of a `default` step in `perf`).
pub(super) fn lane_sum(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> f32) -> f32 {
    const LANES: usize = 16;
    assert_eq!(a.len(), b.len(), "lane_sum takes two planes of one size");
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest: f32 = (a_chunks.remainder().iter().zip(b_chunks.remainder()))
        .map(|(&x, &y)| term(x, y))
        .sum();
    let mut lanes = [0.0f32; LANES];
    for (a, b) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            lanes[lane] += term(a[lane], b[lane]);
        }
    }
    lanes.iter().sum::<f32>() + rest
}
