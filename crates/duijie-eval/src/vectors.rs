//! Embedding an evaluation corpus as the service does it, with a database of vectors kept
//! between runs (`--vectors`) so that a text is embedded once.

use anyhow::{Context, Result};
use duijie_app::{App, VectorCopy};
use std::path::Path;
use std::time::Instant;

/// Where a run shows how far a long step is (the binary draws a bar on a terminal).
pub trait Progress: Sync {
    /// `done` of `total` units.
    fn update(&self, done: u64, total: u64);
    /// The step is over.
    fn finish(&self);
}

/// Embeds the records of `app` that have no vector yet, first taking what the database at
/// `cache` holds and afterwards leaving there what was embedded.
pub(crate) async fn embed(app: &App, cache: Option<&Path>, progress: &dyn Progress) -> Result<()> {
    let cache = match cache {
        Some(path) => Some(
            duijie_store::connect(&format!("sqlite://{}", path.display()))
                .await
                .with_context(|| format!("cannot open the vector database {}", path.display()))?,
        ),
        None => None,
    };
    if let Some(cache) = &cache {
        app.copy_vectors(cache.as_ref(), VectorCopy::Fetch)
            .await
            .map_err(anyhow::Error::new)?;
    }
    let started = Instant::now();
    let embedded = app
        .sync_vectors(|done, total| progress.update(done, total))
        .await
        .map_err(anyhow::Error::new)?;
    progress.finish();
    if let Some(status) = app.vector_status() {
        eprintln!(
            "semantic: {} records with vectors, {embedded} embedded now in {:.0} s",
            status.documents,
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(cache) = &cache {
        app.copy_vectors(cache.as_ref(), VectorCopy::Keep)
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(())
}
