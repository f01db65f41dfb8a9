//! Runs the held-out attribution evaluation over an in-memory index and prints the table:
//! `cargo run --release -p duijie-eval --example eval -- [--data DIR] [--seed N]
//! [--holdout N] [--config JSON] [--no-user-dict] [--json] [--export-split FILE]`.

use duijie_eval::attribution::in_process::run;
use duijie_eval::attribution::{export_split, EvalConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut data = PathBuf::from("/work/shared/data");
    let mut seed = None;
    let mut holdout = None;
    let mut config = None;
    let mut user_dict = true;
    let mut json = false;
    let mut export = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = PathBuf::from(args.next().ok_or("--data needs a value")?),
            "--seed" => seed = Some(args.next().ok_or("--seed needs a value")?.parse()?),
            "--holdout" => holdout = Some(args.next().ok_or("--holdout needs a value")?.parse()?),
            "--no-user-dict" => user_dict = false,
            "--config" => config = Some(args.next().ok_or("--config needs a value")?),
            "--export-split" => {
                export = Some(PathBuf::from(
                    args.next().ok_or("--export-split needs a value")?,
                ))
            }
            "--json" => json = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let mut cfg = EvalConfig::new(&data);
    if let Some(s) = seed {
        cfg.seed = s;
    }
    if let Some(h) = holdout {
        cfg.holdout = h;
    }
    if let Some(c) = config {
        cfg.matcher = serde_json::from_str(&c)?;
    }
    cfg.user_dict = user_dict;
    if let Some(path) = export {
        export_split(&cfg, &path)?;
        eprintln!("split written to {}", path.display());
        return Ok(());
    }
    let report = run(&cfg)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
