//! Reading datasets from paths, and model specs from names or JSON files.

use atelier_core::data::{
    Dataset, LoadedFile, datasets_from_files, idx_labels_path_for, load_bytes,
};
use atelier_core::model::{ModelSpec, preset};
use atelier_core::saved::{SavedModel, is_model_file};
use atelier_core::size::check_file_size;

/// The bytes of `path`, refused by its size before it is read when it is larger than Atelier
/// reads (the page refuses the same files).
pub fn read_bytes(path: &str) -> Result<Vec<u8>, String> {
    let failed = |e: std::io::Error| format!("{path}: {e}");
    let metadata = std::fs::metadata(path).map_err(failed)?;
    if metadata.is_dir() {
        return Err(format!("{path}: is a folder, not a file"));
    }
    check_file_size(path, metadata.len())?;
    std::fs::read(path).map_err(failed)
}

/// A file read from disk.
pub struct ReadFile {
    pub loaded: LoadedFile,
    /// For IDX images: the labels found beside them.
    pub labels_path: Option<String>,
}

/// Reads and recognises `path`; for IDX images, also reads the labels file beside it when there
/// is one. Errors come as `FILE:LINE:COLUMN: message`.
pub fn read(path: &str) -> Result<ReadFile, String> {
    let bytes = read_bytes(path)?;
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
    let label_bytes = read_bytes(&labels_path)?;
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
        let json = String::from_utf8(read_bytes(name)?)
            .map_err(|_| format!("{name}: not UTF-8 text (a JSON layer list is)"))?;
        return ModelSpec::from_json(&json).map_err(|e| format!("{name}: {e}"));
    }
    Err(format!(
        "unknown model {name:?}: choose baseline, alexnet, default, vgg, or a .json layer list"
    ))
}

/// A model file written by `--save-model` or the page's "Save model".
pub fn saved_model(path: &str) -> Result<SavedModel, String> {
    let bytes = read_bytes(path)?;
    SavedModel::from_bytes(&bytes).map_err(|e| format!("{path}: {e}"))
}
