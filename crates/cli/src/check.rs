use atelier_core::data::{CLASS_NAMES, LoadedFile};

use crate::files;

/// `atelier check FILE...`: what each file is; the first bad file fails the command.
pub fn run(paths: &[String]) -> Result<(), String> {
    if paths.is_empty() {
        return Err("usage: atelier check FILE...".into());
    }
    let mut failed = false;
    for path in paths {
        match files::read(path) {
            Ok(file) => print_file(path, &file),
            Err(message) => {
                eprintln!("{message}");
                failed = true;
            }
        }
    }
    // Each bad file was reported above; an empty error just sets the exit status.
    if failed { Err(String::new()) } else { Ok(()) }
}

fn print_file(path: &str, file: &files::ReadFile) {
    let kind = file.loaded.kind();
    let (count, counts) = match &file.loaded {
        LoadedFile::Csv(d) | LoadedFile::IdxImages(d) => {
            (d.len(), d.is_labelled().then(|| d.class_counts()))
        }
        LoadedFile::IdxLabels(labels) => {
            let mut counts = [0; 10];
            labels.iter().for_each(|&l| counts[l as usize] += 1);
            (labels.len(), Some(counts))
        }
    };
    println!("{path}");
    println!("  kind: {kind}");
    println!("  images: {count}");
    println!(
        "  labelled: {}",
        if counts.is_some() { "yes" } else { "no" }
    );
    if let Some(labels_path) = &file.labels_path {
        println!("  labels file: {labels_path}");
    }
    if let Some(counts) = counts {
        for (class, n) in counts.iter().enumerate() {
            println!("  class {class} {}: {n}", CLASS_NAMES[class]);
        }
    }
}
