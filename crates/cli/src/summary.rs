use crate::args::Args;
use crate::files;

/// `atelier summary --model NAME`: the layer table, ending with `total parameters: N`.
pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["model"], &[])?;
    let spec = files::model_spec(args.get("model").unwrap_or("default"))?;
    let summary = spec.summary().map_err(|e| e.to_string())?;
    println!("{summary}");
    Ok(())
}
