//! Files from a drop, the picker or the sample: read, recognised by content, parsed in slices
//! with progress, and sorted into a training and a test set.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use atelier_core::data::{
    ArrivingCsv, CsvReader, DataError, Dataset, LoadedFile, Sets, datasets_from_files,
    inflate_if_gzip, is_gzip, is_idx, load_bytes, sort_into_sets,
};
use atelier_core::saved::is_model_file;
use atelier_core::size::check_file_size;

use crate::reply;
use atelier_browser::js;
use atelier_browser::protocol::Reply;

/// A file's name and bytes, and its dataset where it is a CSV parsed while it was read.
pub struct NamedBytes {
    pub name: String,
    pub bytes: Vec<u8>,
    pub parsed: Option<Result<Dataset, String>>,
}

/// Bytes of a `File` read in one step.
const READ_SLICE_BYTES: f64 = (8 << 20) as f64;

/// A file's bytes in the engine's memory. A `File` is read a slice at a time straight into
/// place, so a large CSV is never held whole as a JavaScript buffer as well (133 MB less at the
/// peak for the full `train.csv`); an `ArrayBuffer` (the sample) is copied. A plain CSV is
/// parsed as it arrives: each slice's lines are read while the browser reads the next slice,
/// so that little of the reading adds to the parsing (`ArrivingCsv`).
pub async fn read(name: &str, content: &JsValue) -> Result<NamedBytes, String> {
    let unreadable = |e: JsValue| unreadable(name, &e);
    let named = |bytes, parsed| NamedBytes {
        name: name.to_string(),
        bytes,
        parsed,
    };
    if let Some(buffer) = content.dyn_ref::<ArrayBuffer>() {
        return Ok(named(Uint8Array::new(buffer).to_vec(), None));
    }
    let blob = content
        .dyn_ref::<Blob>()
        .ok_or_else(|| format!("{name}: not a file"))?;
    let size = blob.size();
    // Refused by its size before anything is allocated for it, as the command line does.
    check_file_size(name, size as u64)?;
    let read_slice = |start: f64| -> Result<JsFuture, String> {
        let end = (start + READ_SLICE_BYTES).min(size);
        let slice = blob
            .slice_with_f64_and_f64(start, end)
            .map_err(unreadable)?;
        Ok(JsFuture::from(slice.array_buffer()))
    };
    let mut bytes = Vec::with_capacity(size as usize);
    let mut csv: Option<ArrivingCsv> = None;
    let mut next = (size > 0.0).then(|| read_slice(0.0)).transpose()?;
    while let Some(pending) = next.take() {
        let chunk = Uint8Array::new(&pending.await.map_err(unreadable)?);
        let at = bytes.len();
        bytes.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[at..]);
        // Ask for the next slice first: the browser reads it while this one is parsed.
        if (bytes.len() as f64) < size {
            next = Some(read_slice(bytes.len() as f64)?);
        }
        if at == 0 && is_plain_csv(&bytes) {
            csv = Some(ArrivingCsv::default());
        }
        let Some(arriving) = csv.as_mut() else {
            show_progress(bytes.len(), size as usize, &format!("reading {name}"));
            continue;
        };
        match parse_arrived(name, arriving, &bytes, next.is_none(), size as usize).await {
            Ok(Some(dataset)) => return Ok(named(bytes, Some(Ok(dataset)))),
            Ok(None) => {}
            // The rest of the file would not change the error.
            Err(message) => return Ok(named(bytes, Some(Err(message)))),
        }
    }
    Ok(named(bytes, None))
}

/// Why the browser could not read `name`, and what to do. A `File` is a handle to the file on
/// disk: moved, deleted or changed since it was chosen, it reads as not found or not readable
/// (a new engine reading the page's handles again meets this).
fn unreadable(name: &str, error: &JsValue) -> String {
    match js::error_parts(error) {
        (kind, _) if kind == "NotFoundError" || kind == "NotReadableError" => format!(
            "{name}: could not be read: it was moved, deleted or changed since it was chosen. Drop it again."
        ),
        (kind, message) if !kind.is_empty() => {
            format!("{name}: could not be read ({kind}: {message})")
        }
        _ => format!("{name}: could not be read ({error:?})"),
    }
}

/// Whether `start`, a file's first bytes, can only be a CSV (the engine's other files are
/// gzip, IDX and model files, each recognised by its first bytes).
fn is_plain_csv(start: &[u8]) -> bool {
    !is_gzip(start) && !is_idx(start) && !is_model_file(start)
}

/// Reads the lines of `arrived` that `arriving` has not read, the progress bar out of the
/// file's `size`; the dataset once `complete`.
async fn parse_arrived(
    name: &str,
    arriving: &mut ArrivingCsv,
    arrived: &[u8],
    complete: bool,
    size: usize,
) -> Result<Option<Dataset>, String> {
    let Some(mut reader) = arriving
        .reader(arrived, complete)
        .map_err(|e| located(name, e))?
    else {
        return Ok(None);
    };
    read_in_slices(name, &mut reader, |done| done, size).await?;
    if complete {
        return reader.finish().map(Some).map_err(|e| located(name, e));
    }
    arriving.set_aside(reader);
    Ok(None)
}

/// Bytes parsed between two yields to the page.
const SLICE_BYTES: usize = 2 << 20;

fn located(name: &str, error: DataError) -> String {
    error.located(name)
}

/// Reads all of `reader`'s rows a slice at a time, the progress bar at `at(done)` of `total`.
async fn read_in_slices(
    name: &str,
    reader: &mut CsvReader<'_>,
    at: impl Fn(usize) -> usize,
    total: usize,
) -> Result<(), String> {
    loop {
        let finished = reader.read(SLICE_BYTES).map_err(|e| located(name, e))?;
        let (done, _) = reader.progress();
        show_progress(at(done), total, &format!("reading {name}"));
        js::yield_now().await;
        if finished {
            return Ok(());
        }
    }
}

/// A CSV, parsed a slice at a time with the progress bar moving.
async fn parse_csv_in_slices(
    name: &str,
    bytes: &[u8],
    done_before: usize,
    total: usize,
) -> Result<Dataset, String> {
    let mut reader = CsvReader::new(bytes).map_err(|e| located(name, e))?;
    read_in_slices(name, &mut reader, |done| done_before + done, total).await?;
    reader.finish().map_err(|e| located(name, e))
}

fn show_progress(done: usize, total: usize, text: &str) {
    reply(&Reply::Progress {
        done,
        total,
        text: text.to_string(),
    });
}

/// Reads every file; on the first bad one, returns its error and nothing else (so what was
/// loaded before stays as it was). Which file trains and which tests is the core's choice.
pub async fn load(files: Vec<NamedBytes>) -> Result<Sets, String> {
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let mut done = 0;
    let mut contents = Vec::with_capacity(files.len());
    for file in files {
        let file_size = file.bytes.len();
        let content = match file.parsed {
            Some(parsed) => LoadedFile::Csv(parsed?),
            None => {
                let bytes = inflate_if_gzip(&file.bytes).map_err(|e| located(&file.name, e))?;
                if is_idx(&bytes) {
                    load_bytes(&bytes).map_err(|e| located(&file.name, e))?
                } else {
                    LoadedFile::Csv(parse_csv_in_slices(&file.name, &bytes, done, total).await?)
                }
            }
        };
        contents.push((file.name, content));
        done += file_size.min(total - done);
        js::yield_now().await;
    }
    Ok(sort_into_sets(datasets_from_files(contents)?))
}
