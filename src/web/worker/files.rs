//! Files from a drop, the picker or the sample: read, recognised by content, parsed in slices
//! with progress, and sorted into a training and a test set.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::data::{CsvReader, DataError, Dataset, IdxFile, inflate_if_gzip, is_idx, parse_idx};

use super::super::js;
use super::super::protocol::Reply;
use super::reply;

/// A file's name and bytes.
pub struct NamedBytes {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a batch of files gave.
#[derive(Default)]
pub struct Loaded {
    pub train: Option<(String, Dataset)>,
    pub test: Option<(String, Dataset)>,
}

/// Bytes of a `File` read in one step.
const READ_SLICE_BYTES: f64 = (32 << 20) as f64;

/// A file's bytes in the engine's memory. A `File` is read a slice at a time straight into
/// place, so a large CSV is never held whole as a JavaScript buffer as well (133 MB less at the
/// peak for the full `train.csv`); an `ArrayBuffer` (the sample) is copied.
pub async fn read(name: &str, content: &JsValue) -> Result<Vec<u8>, String> {
    let unreadable = |e: JsValue| format!("{name}: could not be read ({e:?})");
    if let Some(buffer) = content.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    let blob = content
        .dyn_ref::<Blob>()
        .ok_or_else(|| format!("{name}: not a file"))?;
    let size = blob.size();
    let mut bytes = Vec::with_capacity(size as usize);
    let mut start = 0.0;
    while start < size {
        let end = (start + READ_SLICE_BYTES).min(size);
        let slice = blob
            .slice_with_f64_and_f64(start, end)
            .map_err(unreadable)?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(unreadable)?;
        let chunk = Uint8Array::new(&buffer);
        let at = bytes.len();
        bytes.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[at..]);
        show_progress(end as usize, size as usize, &format!("reading {name}"));
        start = end;
    }
    Ok(bytes)
}

/// Bytes parsed between two yields to the page.
const SLICE_BYTES: usize = 2 << 20;

fn located(name: &str, error: DataError) -> String {
    error.located(name)
}

/// A CSV, parsed a slice at a time with the progress bar moving.
async fn parse_csv_in_slices(
    name: &str,
    bytes: &[u8],
    done_before: usize,
    total: usize,
) -> Result<Dataset, String> {
    let mut reader = CsvReader::new(bytes).map_err(|e| located(name, e))?;
    loop {
        let finished = reader.read(SLICE_BYTES).map_err(|e| located(name, e))?;
        let (done, _) = reader.progress();
        show_progress(done_before + done, total, &format!("reading {name}"));
        js::yield_now().await;
        if finished {
            return reader.finish().map_err(|e| located(name, e));
        }
    }
}

fn show_progress(done: usize, total: usize, text: &str) {
    reply(&Reply::Progress {
        done,
        total,
        text: text.to_string(),
    });
}

/// Reads every file; on the first bad one, returns its error and nothing else (so what was
/// loaded before stays as it was).
pub async fn load(files: Vec<NamedBytes>) -> Result<Loaded, String> {
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let mut done = 0;
    let mut labelled: Vec<(String, Dataset)> = Vec::new();
    let mut unlabelled: Vec<(String, Dataset)> = Vec::new();
    let mut idx_images: Vec<(String, Dataset)> = Vec::new();
    let mut idx_labels: Vec<(String, Vec<u8>)> = Vec::new();

    for file in &files {
        let bytes = inflate_if_gzip(&file.bytes).map_err(|e| located(&file.name, e))?;
        if is_idx(&bytes) {
            match parse_idx(&bytes).map_err(|e| located(&file.name, e))? {
                IdxFile::Images(pixels) => {
                    idx_images.push((file.name.clone(), Dataset::new(pixels, None)))
                }
                IdxFile::Labels(labels) => idx_labels.push((file.name.clone(), labels)),
            }
        } else {
            let dataset = parse_csv_in_slices(&file.name, &bytes, done, total).await?;
            if dataset.is_labelled() {
                labelled.push((file.name.clone(), dataset));
            } else {
                unlabelled.push((file.name.clone(), dataset));
            }
        }
        done += file.bytes.len().min(total - done);
        js::yield_now().await;
    }

    // IDX images meet the labels file with as many items.
    for (name, images) in idx_images {
        let position = idx_labels.iter().position(|(_, l)| l.len() == images.len());
        match position {
            Some(i) => {
                let (_, labels) = idx_labels.remove(i);
                let dataset = images.with_labels(labels).map_err(|e| located(&name, e))?;
                labelled.push((name, dataset));
            }
            None => unlabelled.push((name, images)),
        }
    }
    if let Some((name, labels)) = idx_labels.first() {
        return Err(format!(
            "{name}: no IDX images file with {} images came with these labels",
            labels.len()
        ));
    }

    // The largest labelled set trains; another labelled set is a test set that gets scored.
    labelled.sort_by_key(|(_, d)| std::cmp::Reverse(d.len()));
    let mut loaded = Loaded::default();
    let mut labelled = labelled.into_iter();
    loaded.train = labelled.next();
    loaded.test = unlabelled.into_iter().next().or_else(|| labelled.next());
    Ok(loaded)
}
