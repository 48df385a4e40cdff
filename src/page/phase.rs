//! The page's phase: one value that says what the page is doing. The user's actions that start
//! work move it, and then only the engine's replies about that work; it writes the `status`
//! element's `data-state` (the page contract) and is never read back from there.

/// A run of the engine that holds the page until it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// A training run: its events draw the charts.
    Train,
    /// A grid search: its training events are the search's progress.
    Grid,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing runs, and nothing was trained yet.
    #[default]
    Idle,
    /// Files are being read.
    Loading,
    /// A training run or a grid search, perhaps paused.
    Running { job: Job, paused: bool },
    /// Nothing runs; a model was trained here.
    Done,
    /// The last work failed (the message is on the page).
    Error,
}

impl Phase {
    /// The name in `data-state`: idle, loading, training, paused, done, error.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Loading => "loading",
            Phase::Running { paused: false, .. } => "training",
            Phase::Running { paused: true, .. } => "paused",
            Phase::Done => "done",
            Phase::Error => "error",
        }
    }

    /// True while work holds the page (another cannot start).
    pub fn is_busy(self) -> bool {
        matches!(self, Phase::Loading | Phase::Running { .. })
    }

    /// The job that runs, if any.
    pub fn job(self) -> Option<Job> {
        match self {
            Phase::Running { job, .. } => Some(job),
            _ => None,
        }
    }
}
