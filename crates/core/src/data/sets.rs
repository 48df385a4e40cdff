//! Files to datasets, and datasets to a training and a test set: one way for the page's drops
//! and the command line's paths alike.

use super::{Dataset, LoadedFile, idx_labels_path_for};

/// The training and test sets that a group of files makes; `None` leaves that set as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sets {
    pub train: Option<(String, Dataset)>,
    pub test: Option<(String, Dataset)>,
}

/// The datasets that `files` (each a name and its content) hold: a CSV is one, an IDX images
/// file is one with the IDX labels file that goes with it, found by name (`...-images-idx3...`
/// and `...-labels-idx1...`) or else as the one with as many items; unpaired images stay
/// unlabelled. An IDX labels file with no images is an error naming it, as is a pair that does
/// not fit together.
pub fn datasets_from_files(
    files: Vec<(String, LoadedFile)>,
) -> Result<Vec<(String, Dataset)>, String> {
    let mut datasets = Vec::new();
    let mut images = Vec::new();
    let mut labels: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, content) in files {
        match content {
            LoadedFile::Csv(data) => datasets.push((name, data)),
            LoadedFile::IdxImages(data) => images.push((name, data)),
            LoadedFile::IdxLabels(l) => labels.push((name, l)),
        }
    }
    for (name, data) in images {
        let by_name = idx_labels_path_for(&name)
            .and_then(|wanted| labels.iter().position(|(n, _)| *n == wanted));
        let partner = by_name.or_else(|| labels.iter().position(|(_, l)| l.len() == data.len()));
        match partner {
            Some(i) => {
                let (_, l) = labels.remove(i);
                let labelled = data.with_labels(l).map_err(|e| e.located(&name))?;
                datasets.push((name, labelled));
            }
            None => datasets.push((name, data)),
        }
    }
    if let Some((name, l)) = labels.first() {
        return Err(format!(
            "{name}: no IDX images file with {} images came with these labels",
            l.len()
        ));
    }
    Ok(datasets)
}

/// Which of `datasets` trains and which is the test set: the largest labelled set trains; the
/// test set is an unlabelled one (the notebook's `test.csv`), or else the next labelled one
/// (a labelled test set gets scored).
pub fn sort_into_sets(mut datasets: Vec<(String, Dataset)>) -> Sets {
    // Stable: among sets of one size, the first given trains.
    datasets.sort_by_key(|(_, d)| std::cmp::Reverse(d.is_labelled().then_some(d.len())));
    let (labelled, unlabelled): (Vec<_>, Vec<_>) =
        datasets.into_iter().partition(|(_, d)| d.is_labelled());
    let mut labelled = labelled.into_iter();
    let train = labelled.next();
    let test = unlabelled.into_iter().next().or_else(|| labelled.next());
    Sets { train, test }
}
