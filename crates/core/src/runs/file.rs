//! The runs file: records and their models in one file, for export and import, and for the
//! command line's `--run-record`. Layout (integers little-endian), like the model file's:
//!
//! ```text
//! "ATELIER-RUNS\n"    13 bytes, so that a text editor shows what the file is
//! version             u32 (1)
//! header length       u32, then that many bytes of JSON: the records, each model's length
//! models              each run's model file, in the records' order (length 0: none)
//! checksum            u32 CRC-32 of everything before it
//! ```

use serde::{Deserialize, Serialize};

use super::RunRecord;
use crate::saved::SavedModel;
use crate::size::{MAX_SIZE, check_json_numbers, checked_sum, of, to_usize};

/// The first bytes of every runs file.
pub const MAGIC: &[u8] = b"ATELIER-RUNS\n";

/// The format version this build writes and reads.
const VERSION: u32 = 1;

/// The usual file name extension.
pub const RUNS_EXTENSION: &str = "atelier-runs";

/// At most this many runs in one file.
const MAX_RUNS: usize = 10_000;

/// The records' JSON may take at most this many bytes: a record is a few tens of KB, and the
/// page parses the JSON whole (several times its size in memory) in a 32-bit address space.
const MAX_HEADER_BYTES: u64 = 32 << 20;

/// The largest runs file read, refused by its size before any of it is read: the page holds
/// the file, a copy of each model in turn and the runs read, all at once.
pub const MAX_RUNS_FILE_BYTES: u64 = 256 << 20;

/// Refuses a runs file of `bytes` bytes over [`MAX_RUNS_FILE_BYTES`] (before reading it).
pub fn check_runs_file_size(bytes: u64) -> Result<(), String> {
    if bytes > MAX_RUNS_FILE_BYTES {
        return Err(format!(
            "the file is {} MB; Atelier reads runs files up to {} MB (export fewer runs at once)",
            bytes.div_ceil(1 << 20),
            MAX_RUNS_FILE_BYTES >> 20
        ));
    }
    Ok(())
}

/// Fields of a record typed wider than 32 bits (times, byte counts, the seed).
const WIDE_FIELDS: &[&str] = &[
    "seed",
    "started_at",
    "seconds",
    "model_bytes",
    "model_lengths",
];

/// A run as carried in the file: its record and, unless it was dropped, its model file.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptRun {
    pub record: RunRecord,
    pub model: Option<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    runs: Vec<RunRecord>,
    /// Bytes of each run's model; 0 for none.
    model_lengths: Vec<u64>,
}

/// True when `bytes` start like a runs file.
pub fn is_runs_file(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The file holding `runs`.
pub fn runs_file(runs: &[KeptRun]) -> Vec<u8> {
    let header = Header {
        runs: runs.iter().map(|r| r.record.clone()).collect(),
        model_lengths: runs
            .iter()
            .map(|r| r.model.as_ref().map_or(0, |m| of(m.len())))
            .collect(),
    };
    let header = serde_json::to_vec(&header).expect("records are plain data");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&header);
    for model in runs.iter().filter_map(|r| r.model.as_ref()) {
        bytes.extend_from_slice(model);
    }
    let mut crc = flate2::Crc::new();
    crc.update(&bytes);
    bytes.extend_from_slice(&crc.sum().to_le_bytes());
    bytes
}

/// Reads a runs file, checking every size against the file before using it, every record's
/// settings, and every model (a good model file, with the layers its record names); says what
/// is wrong and with which run. All or nothing: one bad run refuses the file.
pub fn read_runs_file(bytes: &[u8]) -> Result<Vec<KeptRun>, String> {
    if !is_runs_file(bytes) {
        return Err(
            "this is not an Atelier runs file (it does not start with ATELIER-RUNS)".into(),
        );
    }
    let found = of(bytes.len());
    let truncated =
        |expected: u64| format!("the file is cut short: {found} bytes, {expected} expected");
    let word = |at: usize| -> Result<u32, String> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
            .ok_or_else(|| truncated(of(at + 4)))
    };
    let mut at = MAGIC.len();
    let version = word(at)?;
    if version != VERSION {
        return Err(format!(
            "it is a runs file of version {version}; this Atelier reads version {VERSION}"
        ));
    }
    let header_len = u64::from(word(at + 4)?);
    at += 8;
    if header_len > MAX_HEADER_BYTES {
        return Err(format!(
            "its records take {} MB; Atelier reads up to {} MB of them",
            header_len.div_ceil(1 << 20),
            MAX_HEADER_BYTES >> 20
        ));
    }
    let header_end = checked_sum([of(at), header_len], found)
        .ok_or_else(|| truncated(of(at).saturating_add(header_len)))?;
    let unreadable = |e: serde_json::Error| format!("its records are unreadable ({e})");
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[at..to_usize(header_end)]).map_err(unreadable)?;
    check_json_numbers(&header, WIDE_FIELDS)?;
    let header: Header = serde_json::from_value(header).map_err(unreadable)?;
    at = to_usize(header_end);
    if header.runs.len() > MAX_RUNS {
        return Err(format!(
            "it holds {} runs; Atelier reads up to {MAX_RUNS} at once",
            header.runs.len()
        ));
    }
    if header.model_lengths.len() != header.runs.len() {
        return Err(format!(
            "it lists {} models for {} runs",
            header.model_lengths.len(),
            header.runs.len()
        ));
    }
    let expected = checked_sum(
        header.model_lengths.iter().copied().chain([of(at), 4]),
        MAX_SIZE,
    )
    .ok_or_else(|| truncated(u64::MAX))?;
    if found != expected {
        return Err(if found < expected {
            truncated(expected)
        } else {
            format!("{} unexpected bytes after the models", found - expected)
        });
    }
    let body = &bytes[..bytes.len() - 4];
    let stored = u32::from_le_bytes(bytes[body.len()..].try_into().expect("4 bytes"));
    let mut crc = flate2::Crc::new();
    crc.update(body);
    if crc.sum() != stored {
        return Err("its checksum does not match its contents".into());
    }

    let mut runs = Vec::with_capacity(header.runs.len());
    let mut ids = std::collections::HashSet::new();
    for (index, (record, length)) in header
        .runs
        .into_iter()
        .zip(header.model_lengths)
        .enumerate()
    {
        let which = format!("run {} ({})", index + 1, record.name);
        check_record(&record).map_err(|e| format!("{which}: {e}"))?;
        if !ids.insert(record.id.clone()) {
            return Err(format!("{which}: its id {} appears twice", record.id));
        }
        let end = at + to_usize(length);
        let model = (length > 0).then(|| bytes[at..end].to_vec());
        at = end;
        if let Some(model) = &model {
            let saved = SavedModel::from_bytes(model)
                .map_err(|e| format!("{which}: its model file is not usable: {e}"))?;
            if saved.settings.model != record.settings.model {
                return Err(format!(
                    "{which}: its model's layers are not the ones its record names"
                ));
            }
        }
        runs.push(KeptRun { record, model });
    }
    Ok(runs)
}

/// What a record must be for the page to show and restore it.
fn check_record(record: &RunRecord) -> Result<(), String> {
    let id_ok = !record.id.is_empty()
        && record.id.len() <= 64
        && record
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !id_ok {
        return Err("its id is not one Atelier writes".into());
    }
    if !record.started_at.is_finite() || !record.seconds.is_finite() {
        return Err("its times are not numbers".into());
    }
    if record.history.batch_losses.len() > super::MAX_BATCH_LOSSES
        || record.history.epochs.len() > crate::train::MAX_EPOCHS
    {
        return Err("its history is longer than any run's".into());
    }
    record.settings.check().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;
    use crate::runs::{RunData, RunKind};
    use crate::saved::{NamedTensor, Weights};
    use crate::train::{History, TrainConfig};

    fn kept(id: &str, model: bool) -> KeptRun {
        let settings = TrainConfig::new(preset("baseline").unwrap());
        let model = model.then(|| {
            let tensors = settings.model.tensor_shapes().unwrap();
            let weights = Weights {
                tensors: tensors
                    .into_iter()
                    .enumerate()
                    .map(|(i, shape)| NamedTensor {
                        name: format!("t{i}"),
                        values: vec![0.5; shape.iter().product()],
                        shape,
                    })
                    .collect(),
            };
            SavedModel {
                origin: "test".into(),
                settings: settings.clone(),
                history: History::default(),
                test_accuracy: None,
                weights,
            }
            .to_bytes()
        });
        KeptRun {
            record: RunRecord::new(
                id.into(),
                1_700_000_000_000.0,
                "CPU".into(),
                RunData::default(),
                settings,
                RunKind::Trial { number: 1, of: 2 },
            ),
            model,
        }
    }

    #[test]
    fn runs_and_models_come_back_as_written() {
        let runs = vec![kept("a", true), kept("b", false), kept("c", true)];
        let bytes = runs_file(&runs);
        assert!(is_runs_file(&bytes));
        assert_eq!(read_runs_file(&bytes).unwrap(), runs);
        assert_eq!(read_runs_file(&runs_file(&[])).unwrap(), vec![]);
    }

    #[test]
    fn every_damage_is_named_and_nothing_is_read() {
        let bytes = runs_file(&[kept("a", true), kept("b", false)]);
        // Cut anywhere: refused, never a panic.
        for cut in [0, 5, 13, 16, 20, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(read_runs_file(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let middle = flipped.len() - 40;
        flipped[middle] ^= 1;
        assert!(read_runs_file(&flipped).unwrap_err().contains("checksum"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_runs_file(&longer).is_err());
        // A header length past the file, and one over the cap.
        let mut huge = bytes.clone();
        huge[17..21].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_runs_file(&huge).unwrap_err().contains("MB"));
        assert!(
            read_runs_file(b"label,pixel1\n")
                .unwrap_err()
                .contains("not an Atelier runs file")
        );
        // Too large a file is refused by its size alone (the page asks before reading it).
        assert!(check_runs_file_size(MAX_RUNS_FILE_BYTES).is_ok());
        assert!(
            check_runs_file_size(MAX_RUNS_FILE_BYTES + 1)
                .unwrap_err()
                .contains("256 MB")
        );
    }

    /// A record whose id repeats, or whose model is another architecture's, refuses the file.
    #[test]
    fn records_must_agree_with_their_models() {
        let twice = runs_file(&[kept("a", false), kept("a", false)]);
        assert!(
            read_runs_file(&twice)
                .unwrap_err()
                .contains("appears twice")
        );
        let mut other = kept("a", true);
        other.record.settings.model = preset("default").unwrap();
        let error = read_runs_file(&runs_file(&[other])).unwrap_err();
        assert!(error.contains("run 1"), "{error}");
        let mut bad_id = kept("a", false);
        bad_id.record.id = "../../x".into();
        assert!(read_runs_file(&runs_file(&[bad_id])).is_err());
    }
}
