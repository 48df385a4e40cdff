//! Files to datasets and datasets to a training and a test set: the one way the page's drops and
//! the command line's paths become data, on the real Fashion-MNIST files.

use atelier_core::data::{LoadedFile, datasets_from_files, load_bytes, sort_into_sets};
use atelier_fixtures::*;

fn loaded(name: &str) -> (String, LoadedFile) {
    (name.to_string(), load_bytes(&idx_bytes(name)).unwrap())
}

fn csv(name: &str, text: String) -> (String, LoadedFile) {
    (name.to_string(), load_bytes(text.as_bytes()).unwrap())
}

#[test]
fn idx_images_meet_their_labels_by_name_whatever_the_order() {
    let files = vec![
        loaded("t10k-labels-idx1-ubyte.gz"),
        loaded("train-images-idx3-ubyte.gz"),
        loaded("t10k-images-idx3-ubyte.gz"),
        loaded("train-labels-idx1-ubyte.gz"),
    ];
    let sets = sort_into_sets(datasets_from_files(files).unwrap());
    let (train_name, train) = sets.train.unwrap();
    let (test_name, test) = sets.test.unwrap();
    assert_eq!(train_name, "train-images-idx3-ubyte.gz");
    assert_eq!(train, *train_set());
    assert_eq!(test_name, "t10k-images-idx3-ubyte.gz");
    assert_eq!(test, *test_set());
}

#[test]
fn idx_images_under_other_names_meet_the_labels_with_as_many_items() {
    let rename = |(name, content): (String, LoadedFile)| (format!("sample {name}"), content);
    let files = vec![
        rename(loaded("train-images-idx3-ubyte.gz")),
        rename(loaded("t10k-labels-idx1-ubyte.gz")),
        rename(loaded("train-labels-idx1-ubyte.gz")),
    ];
    let datasets = datasets_from_files(files).unwrap_err();
    // The test labels came without their images: refused, naming the file.
    assert_eq!(
        datasets,
        "sample t10k-labels-idx1-ubyte.gz: no IDX images file with 10000 images came with these labels"
    );
    let files = vec![
        (
            "a.idx3".to_string(),
            load_bytes(&idx_bytes("t10k-images-idx3-ubyte.gz")).unwrap(),
        ),
        (
            "b.idx1".to_string(),
            load_bytes(&idx_bytes("t10k-labels-idx1-ubyte.gz")).unwrap(),
        ),
    ];
    let datasets = datasets_from_files(files).unwrap();
    assert_eq!(datasets.len(), 1);
    assert_eq!(datasets[0].1, *test_set());
}

#[test]
fn unpaired_idx_images_stay_unlabelled_and_are_the_test_set() {
    let files = vec![
        loaded("t10k-images-idx3-ubyte.gz"),
        csv("train.csv", kaggle_csv(&train_subset(300))),
    ];
    let sets = sort_into_sets(datasets_from_files(files).unwrap());
    assert_eq!(sets.train.unwrap().0, "train.csv");
    let (name, test) = sets.test.unwrap();
    assert_eq!(name, "t10k-images-idx3-ubyte.gz");
    assert!(!test.is_labelled());
    assert_eq!(test.len(), 10_000);
}

#[test]
fn the_larger_labelled_csv_trains_and_an_unlabelled_one_is_preferred_as_the_test_set() {
    let train = train_subset(500);
    let labelled_test = test_subset(200);
    let unlabelled = test_subset(100);
    let files = vec![
        csv("fashion-mnist_test.csv", kaggle_csv(&labelled_test)),
        csv("train.csv", kaggle_csv(&train)),
    ];
    let sets = sort_into_sets(datasets_from_files(files).unwrap());
    assert_eq!(sets.train.as_ref().unwrap().0, "train.csv");
    // No unlabelled file: the other labelled one is the test set, and gets scored.
    assert_eq!(sets.test.as_ref().unwrap().0, "fashion-mnist_test.csv");
    assert!(sets.test.unwrap().1.is_labelled());

    let files = vec![
        csv("fashion-mnist_test.csv", kaggle_csv(&labelled_test)),
        csv("test.csv", unlabelled_csv(&unlabelled)),
        csv("train.csv", kaggle_csv(&train)),
    ];
    let sets = sort_into_sets(datasets_from_files(files).unwrap());
    assert_eq!(sets.train.unwrap().0, "train.csv");
    assert_eq!(sets.test.unwrap().0, "test.csv");
}

#[test]
fn only_a_test_set_leaves_the_training_set_as_it_was() {
    let files = vec![csv("test.csv", unlabelled_csv(&test_subset(50)))];
    let sets = sort_into_sets(datasets_from_files(files).unwrap());
    assert!(sets.train.is_none());
    assert_eq!(sets.test.unwrap().1.len(), 50);
}
