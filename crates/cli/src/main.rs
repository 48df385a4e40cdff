//! `atelier`: the native command line over the same core as the page.
//!
//! ```text
//! atelier check FILE...
//! atelier summary [--model baseline|alexnet|default|vgg|FILE.json]
//! atelier train --train FILE [--test FILE] [--model NAME] [--epochs N] ... [--json]
//! atelier predict --model-file MODEL.atelier --test FILE [--predictions OUT.csv]
//! atelier export-csv --input FILE --out OUT.csv
//! atelier bench-parse FILE.csv
//! ```

mod args;
mod bench;
mod check;
mod export;
mod files;
mod predict;
mod subnormals;
mod summary;
mod threads;
mod train;

use std::process::ExitCode;

const USAGE: &str = "\
usage:
  atelier check FILE...
  atelier summary [--model baseline|alexnet|default|vgg|LAYERS.json]
  atelier train --train FILE [--test FILE] [--model NAME|LAYERS.json] [--epochs N]
                [--batch-size N] [--learning-rate X] [--optimizer sgd|adam|adamw|rmsprop]
                [--loss cross-entropy|mse] [--schedule constant|cosine|step] [--momentum X] [--weight-decay X] [--seed N]
                [--val-split F] [--limit N] [--predictions OUT.csv] [--with-ids] [--tta]
                [--device cpu|wgpu] [--json]
                [--model-file MODEL.atelier (start from its weights)] [--save-model OUT.atelier]
                [--translate PIXELS] [--flip] [--erase SHARE] [--early-stopping PATIENCE]
                [--run-record OUT.atelier-runs (the run's record and model, for the page's Runs)]
  atelier predict --model-file MODEL.atelier --test FILE [--predictions OUT.csv] [--with-ids]
                [--tta] [--device cpu|wgpu] [--json]
  atelier export-csv --input FILE --out OUT.csv [--limit N] [--no-labels] [--no-header]
  atelier bench-parse FILE.csv [--repeat N]

FILE is a CSV (label,pixel1..pixel784, or 784 pixel columns) or an IDX images file
(its labels file beside it is found by name), gzipped or not. --tta predicts each test
image together with its mirror image (test-time augmentation).";

fn main() -> ExitCode {
    subnormals::flush_to_zero();
    let mut argv = std::env::args().skip(1);
    let command = argv.next();
    let rest: Vec<String> = argv.collect();
    let result = match command.as_deref() {
        Some("check") => check::run(&rest),
        Some("summary") => summary::run(&rest),
        Some("train") => train::run(&rest),
        Some("predict") => predict::run(&rest),
        Some("export-csv") => export::run(&rest),
        Some("bench-parse") => bench::run(&rest),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::FAILURE
        }
    }
}
