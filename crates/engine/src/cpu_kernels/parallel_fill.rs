//! New buffers written chunk by chunk on rayon's threads, zeroed as they are written.
//!
//! `vec![0.0; len]` zeroes the whole buffer on the calling thread before any task starts: the
//! allocator hands back memory a previous step freed, so `calloc` has to `memset` it. For the
//! 14-29 MB unrolled images of `default`'s convolutions that serial `memset` was the largest
//! single item on the training loop's own thread (8% of all samples, while both rayon threads
//! waited). Here each task zeroes its own chunk just before filling it, in cache and in
//! parallel.

use std::mem::MaybeUninit;

use rayon::prelude::*;

/// A buffer of `len` values, split into chunks of `chunk` values (the last may be shorter);
/// `fill(index, chunk)` runs on rayon's threads for each chunk, which it receives zeroed.
pub(super) fn filled_in_parallel(
    len: usize,
    chunk: usize,
    fill: impl Fn(usize, &mut [f32]) + Sync,
) -> Vec<f32> {
    let mut values = Vec::<f32>::with_capacity(len);
    let fill_chunk = |(index, chunk): (usize, &mut [MaybeUninit<f32>])| {
        chunk.fill(MaybeUninit::new(0.0));
        // SAFETY: every element of `chunk` was initialised on the line above, and
        // `MaybeUninit<f32>` has the layout of `f32`.
        let chunk = unsafe { &mut *(chunk as *mut [MaybeUninit<f32>] as *mut [f32]) };
        fill(index, chunk);
    };
    let spare = &mut values.spare_capacity_mut()[..len];
    if one_thread() {
        spare
            .chunks_mut(chunk.max(1))
            .enumerate()
            .for_each(fill_chunk);
    } else {
        spare
            .par_chunks_mut(chunk.max(1))
            .enumerate()
            .for_each(fill_chunk);
    }
    // SAFETY: the chunks cover the first `len` elements, and each chunk was initialised.
    unsafe { values.set_len(len) };
    values
}

/// Whether rayon has a single thread (the command line chooses one for small models, see
/// crates/cli/src/threads.rs). Work is then done on the calling thread: handing every
/// operation to rayon's one thread and waiting for it cost `baseline` a fifth of its speed in
/// thread switches.
pub(super) fn one_thread() -> bool {
    rayon::current_num_threads() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_starts_zeroed_and_keeps_what_its_task_wrote() {
        // Dirty the allocator's free memory first, so a missed zeroing would show.
        drop(vec![7.0f32; 1000]);
        let values = filled_in_parallel(1000, 64, |index, chunk| {
            assert!(chunk.iter().all(|&v| v == 0.0));
            assert_eq!(chunk.len(), if index == 15 { 1000 - 15 * 64 } else { 64 });
            chunk[0] = index as f32 + 1.0;
        });
        assert_eq!(values.len(), 1000);
        for (at, &value) in values.iter().enumerate() {
            let expected = if at % 64 == 0 {
                (at / 64) as f32 + 1.0
            } else {
                0.0
            };
            assert_eq!(value, expected, "at {at}");
        }
        assert!(filled_in_parallel(0, 0, |_, _| unreachable!()).is_empty());
    }
}
