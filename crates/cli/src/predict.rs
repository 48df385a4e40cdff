//! `atelier predict`: a saved model's predictions for a test set, as the page writes them.

use atelier_engine::SavedNetwork;

use crate::args::Args;
use crate::files;
use crate::train::{device, write_predictions};

const OPTIONS: &[&str] = &["model-file", "test", "predictions", "device"];

/// `atelier predict --model-file MODEL.atelier --test FILE ...`.
pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, OPTIONS, &["json", "with-ids", "tta"])?;
    let model_path = args
        .get("model-file")
        .ok_or("atelier predict needs --model-file MODEL.atelier")?;
    let test_path = args
        .get("test")
        .ok_or("atelier predict needs --test FILE")?;
    let saved = files::saved_model(model_path)?;
    let test = files::dataset(test_path)?;
    let device = device(args.get("device").unwrap_or("cpu"))?;
    let network = saved
        .network(&device)
        .map_err(|e| format!("{model_path}: {e}"))?;
    write_predictions(&args, &network, &test, &device, args.switch("json"))?;
    Ok(())
}
