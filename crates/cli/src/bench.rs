use std::time::Instant;

use atelier_core::data::parse_csv;

use crate::args::Args;

/// `atelier bench-parse FILE [--repeat N]`: CSV parse speed, median of N runs, as JSON.
pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["repeat"], &[])?;
    let path = args
        .positional
        .first()
        .ok_or("bench-parse needs a CSV file")?;
    let repeat: usize = args.parsed("repeat", 5)?;
    let bytes = crate::files::read_bytes(path)?;
    let mut seconds = Vec::with_capacity(repeat);
    let mut images = 0;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let data = parse_csv(&bytes).map_err(|e| e.located(path))?;
        seconds.push(start.elapsed().as_secs_f64());
        images = data.len();
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "file": path,
            "bytes": bytes.len(),
            "images": images,
            "runs": seconds.len(),
            "median_seconds": median,
            "mb_per_second": bytes.len() as f64 / 1e6 / median,
        })
    );
    Ok(())
}
