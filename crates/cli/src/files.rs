//! Reading datasets from paths, and model specs from names or JSON files.

use atelier_core::data::{
    Dataset, LoadedFile, datasets_from_files, idx_labels_path_for, load_bytes,
};
use atelier_core::model::{ModelSpec, preset};
use atelier_core::saved::{SavedModel, is_model_file};

/// A file read from disk.
pub struct ReadFile {
    pub loaded: LoadedFile,
    /// For IDX images: the labels found beside them.
    pub labels_path: Option<String>,
}

/// Reads and recognises `path`; for IDX images, also reads the labels file beside it when there
/// is one. Errors come as `FILE:LINE:COLUMN: message`.
pub fn read(path: &str) -> Result<ReadFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    if is_model_file(&bytes) {
        return Err(format!(
            "{path}: this is an Atelier model file, not images: give it with --model-file"
        ));
    }
    let loaded = load_bytes(&bytes).map_err(|e| e.located(path))?;
    let labels_path = idx_labels_path_for(path).filter(|p| std::path::Path::new(p).exists());
    let (LoadedFile::IdxImages(_), Some(labels_path)) = (&loaded, labels_path) else {
        return Ok(ReadFile {
            loaded,
            labels_path: None,
        });
    };
    let label_bytes = std::fs::read(&labels_path).map_err(|e| format!("{labels_path}: {e}"))?;
    let labels = load_bytes(&label_bytes).map_err(|e| e.located(&labels_path))?;
    if !matches!(labels, LoadedFile::IdxLabels(_)) {
        return Err(format!("{labels_path}: not an IDX labels file"));
    }
    // The images and the labels beside them make one dataset, as the page pairs them.
    let mut datasets = datasets_from_files(vec![
        (path.to_string(), loaded),
        (labels_path.clone(), labels),
    ])?;
    let (_, labelled) = datasets
        .pop()
        .expect("an images file and its labels make one dataset");
    Ok(ReadFile {
        loaded: LoadedFile::IdxImages(labelled),
        labels_path: Some(labels_path),
    })
}

/// The images of `path` (a CSV or IDX images file).
pub fn dataset(path: &str) -> Result<Dataset, String> {
    match read(path)?.loaded {
        LoadedFile::Csv(d) | LoadedFile::IdxImages(d) => Ok(d),
        LoadedFile::IdxLabels(_) => Err(format!(
            "{path}: this is an IDX labels file; give the images file (its labels are found beside it)"
        )),
    }
}

/// A preset name or a JSON layer list file.
pub fn model_spec(name: &str) -> Result<ModelSpec, String> {
    if let Some(spec) = preset(name) {
        return Ok(spec);
    }
    if name.ends_with(".json") {
        let json = std::fs::read_to_string(name).map_err(|e| format!("{name}: {e}"))?;
        return ModelSpec::from_json(&json).map_err(|e| format!("{name}: {e}"));
    }
    Err(format!(
        "unknown model {name:?}: choose baseline, alexnet, default, or a .json layer list"
    ))
}

/// A model file written by `--save-model` or the page's "Save model".
pub fn saved_model(path: &str) -> Result<SavedModel, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    SavedModel::from_bytes(&bytes).map_err(|e| format!("{path}: {e}"))
}
