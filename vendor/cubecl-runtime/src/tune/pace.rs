//! Pacing: who decides when a new key is tuned. (A patch of Atelier's on cubecl-runtime 0.11.3,
//! see the crate's PATCH.md.)
//!
//! Unpaced, cubecl's own behaviour, a key met for the first time is tuned at once: every
//! candidate is compiled and benchmarked before the call that met it goes on, so a program's first
//! step waits for every kernel it uses to be tuned. Paced, a key is tuned only while the caller's
//! allowances last ([`allow_one`], [`withhold`]); otherwise the call runs the set's first working
//! candidate (as a call does while its key's samples resolve) and the key counts as
//! [`deferred`]. A training loop that allows one tuning per step spreads the tuning over its
//! steps instead of paying it all before the first.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static PACED: AtomicBool = AtomicBool::new(false);
static FALLBACKS: AtomicBool = AtomicBool::new(false);
static ALLOWED: AtomicUsize = AtomicUsize::new(0);
static DEFERRED: AtomicUsize = AtomicUsize::new(0);

/// Turns pacing on or off for the whole process (off by default).
pub fn set_paced(paced: bool) {
    PACED.store(paced, Ordering::Relaxed);
}

/// Whether tuning is paced.
pub fn is_paced() -> bool {
    PACED.load(Ordering::Relaxed)
}

/// Makes the fixed-count pass (wasm's) measure every batch of a key's plan, the fallbacks of
/// lower priority too, instead of stopping at the first batch that launches (off by default). On
/// a software adapter the simple kernels kept as fallbacks can beat the ones made for a GPU.
pub fn set_measure_fallbacks(measure: bool) {
    FALLBACKS.store(measure, Ordering::Relaxed);
}

/// Whether the fixed-count pass measures every batch of the plan.
pub fn measures_fallbacks() -> bool {
    FALLBACKS.load(Ordering::Relaxed)
}

/// Allows one more key to be tuned. Allowances add up: one that no key needing tuning took is
/// left for a key met later, so that shapes met rarely (a last partial batch) are tuned too.
pub fn allow_one() {
    let _ = ALLOWED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1));
}

/// Drops the allowances not taken: the keys met next run untuned, until [`allow_one`].
pub fn withhold() {
    ALLOWED.store(0, Ordering::Relaxed);
}

/// How many keys were met and answered untuned, and are not tuned yet (in any tuner).
pub fn deferred() -> usize {
    DEFERRED.load(Ordering::Relaxed)
}

/// Whether a key that needs tuning may be tuned now, taking the allowance if so.
pub(crate) fn admit() -> bool {
    !is_paced()
        || ALLOWED
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
}

pub(crate) fn count_deferred() {
    DEFERRED.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn count_tuned() {
    // Saturating: a count is never taken below zero by a key the tuner forgot.
    let _ = DEFERRED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
}
