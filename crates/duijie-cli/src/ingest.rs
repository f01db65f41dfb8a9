//! `duijie ingest`: import files one by one, each in its own transaction, and report.

use crate::output::progress_bar;
use anyhow::{bail, Context, Result};
use duijie_app::{App, ImportRequest};
use duijie_core::RecordKind;
use std::path::{Path, PathBuf};

pub async fn run(
    app: &App,
    kind: Option<&str>,
    report: Option<&Path>,
    files: &[PathBuf],
) -> Result<()> {
    let kind = kind.and_then(RecordKind::parse);
    let bar = progress_bar(files.len() as u64, "ingest");
    let mut reports = Vec::new();
    let mut failed = 0;
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string());
        bar.set_message(name.clone());
        let result = match std::fs::read(path) {
            Ok(bytes) => app
                .import_as(
                    "cli",
                    ImportRequest {
                        file_name: name.clone(),
                        bytes,
                        kind,
                    },
                )
                .await
                .map_err(|e| e.message),
            Err(e) => Err(format!("{}: cannot read file: {e}", path.display())),
        };
        bar.inc(1);
        match result {
            Ok(r) => {
                bar.suspend(|| {
                    println!(
                        "{}: {} — {} rows, {} imported, {} unchanged, {} skipped, {} problems",
                        path.display(),
                        r.kind.as_str(),
                        r.rows_total,
                        r.rows_imported,
                        r.rows_unchanged,
                        r.rows_skipped,
                        r.errors.len()
                    );
                    for e in r.errors.iter().take(20) {
                        println!(
                            "  {} row {}{}: [{}] {}",
                            e.sheet,
                            e.row,
                            e.column
                                .as_deref()
                                .map(|c| format!(" column {c}"))
                                .unwrap_or_default(),
                            e.code,
                            e.message
                        );
                    }
                    if r.errors.len() > 20 {
                        println!("  … {} more", r.errors.len() - 20);
                    }
                });
                reports.push(r);
            }
            Err(message) => {
                failed += 1;
                bar.suspend(|| eprintln!("error: {message}"));
            }
        }
    }
    bar.finish_and_clear();
    if let Some(out) = report {
        let json = if reports.len() == 1 {
            serde_json::to_string_pretty(&reports[0])?
        } else {
            serde_json::to_string_pretty(&reports)?
        };
        std::fs::write(out, json)
            .with_context(|| format!("cannot write report {}", out.display()))?;
    }
    if failed > 0 {
        bail!("{failed} of {} files could not be imported", files.len());
    }
    Ok(())
}

/// After an import: the semantic vectors of records that have none yet, with a progress bar.
/// The records are searchable by words already; an interrupted run loses at most one batch,
/// and a running server's background embedder finishes the rest.
pub async fn vectors(app: &App) -> Result<()> {
    if app.vector_status().is_none() {
        return Ok(());
    }
    let bar = progress_bar(0, "vectors");
    bar.set_message("semantic vectors (Ctrl-C leaves the rest to the server)");
    let bar2 = bar.clone();
    let embedded = app
        .sync_vectors(move |done, total| {
            bar2.set_length(total);
            bar2.set_position(done);
        })
        .await
        .map_err(|e| anyhow::anyhow!("semantic vectors: {}", e.message))?;
    bar.finish_and_clear();
    if embedded > 0 {
        println!("semantic vectors: {embedded} records embedded");
    }
    Ok(())
}
