//! Pacing: who decides when a new key is tuned. (A patch of Atelier's on cubecl-runtime 0.11.3,
//! see the crate's PATCH.md.)
//!
//! Unpaced, cubecl's own behaviour, a key met for the first time is tuned at once: every
//! candidate is compiled and benchmarked before the call that met it goes on, so a program's first
//! step waits for every kernel it uses to be tuned. Paced, a key is tuned only when the caller
//! has allowed one tuning since the last one ([`allow_one`]); until then the call runs the set's
//! first working candidate (as a call does while its key's samples resolve) and the key counts as
//! [`deferred`]. A training loop that allows one tuning per step spreads the tuning over its
//! first steps instead of paying it all before the first.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static PACED: AtomicBool = AtomicBool::new(false);
static ALLOWED: AtomicBool = AtomicBool::new(false);
static DEFERRED: AtomicUsize = AtomicUsize::new(0);

/// Turns pacing on or off for the whole process (off by default).
pub fn set_paced(paced: bool) {
    PACED.store(paced, Ordering::Relaxed);
}

/// Whether tuning is paced.
pub fn is_paced() -> bool {
    PACED.load(Ordering::Relaxed)
}

/// Allows the next key that needs tuning to be tuned. Allowances do not add up: one is pending
/// at most, so that a caller idle for a while does not release a burst of tunings at once.
pub fn allow_one() {
    ALLOWED.store(true, Ordering::Relaxed);
}

/// How many keys were met and answered untuned, and are not tuned yet (in any tuner).
pub fn deferred() -> usize {
    DEFERRED.load(Ordering::Relaxed)
}

/// Whether a key that needs tuning may be tuned now, taking the allowance if so.
pub(crate) fn admit() -> bool {
    !is_paced() || ALLOWED.swap(false, Ordering::Relaxed)
}

pub(crate) fn count_deferred() {
    DEFERRED.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn count_tuned() {
    // Saturating: a count is never taken below zero by a key the tuner forgot.
    let _ = DEFERRED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
}
