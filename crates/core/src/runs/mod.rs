//! Runs kept and compared: a record of every training run and grid-search trial (what it was
//! trained on and with, how it went, how good it came out), the file that carries runs and
//! their models between browsers and the command line, the settings that differ between runs,
//! and the rule that makes room when the browser's storage runs short.
//!
//! The faces only store, show and send these: the page keeps records in IndexedDB, the command
//! line writes them with `--run-record`; what a record holds and how it grows is decided here.

mod compare;
mod file;
mod record;
mod room;

pub use compare::{Difference, differences};
pub use file::{
    KeptRun, MAX_RUNS_FILE_BYTES, RUNS_EXTENSION, check_runs_file_size, is_runs_file,
    read_runs_file, runs_file,
};
pub use record::{MAX_BATCH_LOSSES, RunData, RunEvaluation, RunKind, RunRecord, RunState, run_id};
pub use room::{KeptModel, Room, make_room, runs_quota};
