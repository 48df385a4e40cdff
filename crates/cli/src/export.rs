use atelier_core::data::{CsvOptions, to_csv};

use crate::args::Args;
use crate::files;

/// `atelier export-csv --input FILE --out OUT.csv [--limit N] [--no-labels] [--no-header]`:
/// writes any supported file (IDX images with their labels, a CSV) in Kaggle's CSV layout.
pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["input", "out", "limit"], &["no-labels", "no-header"])?;
    let input = args.get("input").ok_or("export-csv needs --input FILE")?;
    let out = args.get("out").ok_or("export-csv needs --out FILE.csv")?;
    let mut data = files::dataset(input)?;
    if let Some(limit) = args.get("limit") {
        data = data.truncated(
            limit
                .parse()
                .map_err(|_| format!("--limit: {limit:?} is not a number"))?,
        );
    }
    let options = CsvOptions {
        header: !args.switch("no-header"),
        labels: !args.switch("no-labels"),
    };
    std::fs::write(out, to_csv(&data, options)).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("wrote {} images to {out}", data.len());
    Ok(())
}
