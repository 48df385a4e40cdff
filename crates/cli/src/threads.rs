//! How many threads the CPU backend trains with.
//!
//! Flex spreads each tensor operation over rayon's threads. For a small model at a small batch
//! every operation is a few microseconds of work, and waking the other threads for each one
//! costs more than it saves: the notebook's baseline at batch 32 trains faster on one thread,
//! while `default` (15x the work per image) is faster on two. Measured side by side; figures
//! and the command in BENCHMARKS.md, "Threads".
//!
//! Where the threads run the work matters too: see [`block_on`].

use atelier_core::model::ModelSpec;

/// Forward-pass multiply-adds per batch below which one thread trains faster. The baseline does
/// 15.8 million at batch 32 (one thread faster) and 31.6 million at batch 64 (two faster).
const ONE_THREAD_BELOW: u64 = 24_000_000;

/// Trains `spec` at `batch_size` on one thread where that is faster, unless the user chose the
/// number of threads (`RAYON_NUM_THREADS`). Call before the first tensor operation. Returns the
/// number of threads the CPU backend will use.
pub fn choose_for(spec: &ModelSpec, batch_size: usize) -> usize {
    let user_chose = std::env::var_os("RAYON_NUM_THREADS").is_some();
    if one_thread_is_faster(spec, batch_size) && !user_chose {
        // Fails only if the pool already exists, in which case it keeps its threads.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
    }
    rayon::current_num_threads()
}

/// Runs `future` to completion on one of rayon's threads. Every tensor operation then starts
/// its tasks from inside the pool, where rayon hands them to the other thread directly; from
/// any other thread each operation is queued to the pool and the caller sleeps until it ends,
/// two thread wake-ups per operation. `default` trains with fewer context switches and faster
/// this way (BENCHMARKS.md, "Threads"). Call after
/// [`choose_for`], which must set the pool up first.
pub fn block_on<F: Future + Send>(future: F) -> F::Output
where
    F::Output: Send,
{
    rayon::scope(|_| pollster::block_on(future))
}

fn one_thread_is_faster(spec: &ModelSpec, batch_size: usize) -> bool {
    // A model that fails validation trains nowhere; training reports why.
    spec.summary()
        .is_ok_and(|s| s.total_multiply_adds().saturating_mul(batch_size as u64) < ONE_THREAD_BELOW)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_core::model::preset;

    #[test]
    fn only_small_batches_of_small_models_train_on_one_thread() {
        let baseline = preset("baseline").unwrap();
        let default = preset("default").unwrap();
        assert!(one_thread_is_faster(&baseline, 32));
        assert!(!one_thread_is_faster(&baseline, 64));
        assert!(!one_thread_is_faster(&default, 16));
        assert!(!one_thread_is_faster(&preset("alexnet").unwrap(), 1));
    }
}
