//! Importing a corpus through the application, timed end to end: read the file bytes,
//! `App::import_as` (parse + store in one transaction per file), then `App::sync_index`
//! (the indexer following the change log into the on-disk tantivy index).

use anyhow::{Context, Result};
use duijie_app::{App, AppConfig, ImportRequest, IndexMode};
use duijie_core::{ErrorCode, RecordKind, Role};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Timings of one import.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportTiming {
    pub files: usize,
    pub rows_total: u64,
    pub rows_imported: u64,
    /// Reading the files and `import_as` (parse + store) for each.
    pub read_store_s: f64,
    /// `sync_index` after the last file.
    pub index_s: f64,
    pub total_s: f64,
    pub db_bytes: u64,
    pub index_bytes: u64,
}

/// A data dir laid out as `duijie serve --data-dir` expects it.
pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("duijie.db").display())
}

pub fn index_dir(dir: &Path) -> PathBuf {
    dir.join("index")
}

pub async fn open(dir: &Path) -> Result<Arc<App>> {
    open_with(dir, &database_url(dir)).await
}

/// The app over `database_url` with its index in `dir`.
pub async fn open_with(dir: &Path, database_url: &str) -> Result<Arc<App>> {
    std::fs::create_dir_all(dir)?;
    App::open(&AppConfig {
        database_url: database_url.to_string(),
        index: IndexMode::Dir(index_dir(dir)),
        semantic: None,
    })
    .await
}

/// Bytes under `path` (files, recursively).
pub fn dir_bytes(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|rd| rd.flatten().map(|e| dir_bytes(&e.path())).sum())
        .unwrap_or(0)
}

/// The database file with its WAL and shared-memory files.
pub fn db_bytes(dir: &Path) -> u64 {
    ["duijie.db", "duijie.db-wal", "duijie.db-shm"]
        .iter()
        .map(|f| dir_bytes(&dir.join(f)))
        .sum()
}

/// Imports `files` into a fresh data dir `dir` (which must not hold a database yet) and
/// indexes them; the app is returned open (with its index writer).
pub async fn import_files(dir: &Path, files: &[PathBuf]) -> Result<(Arc<App>, ImportTiming)> {
    import_files_into(dir, &database_url(dir), files).await
}

/// [`import_files`] into the database at `database_url` (which must be empty), the index in
/// `dir`.
pub async fn import_files_into(
    dir: &Path,
    database_url: &str,
    files: &[PathBuf],
) -> Result<(Arc<App>, ImportTiming)> {
    // Loaded once per process; a running server has it loaded too.
    duijie_search::shared_jieba();
    let app = open_with(dir, database_url).await?;
    let mut t = ImportTiming {
        files: files.len(),
        ..ImportTiming::default()
    };
    let start = Instant::now();
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let report = app
            .import_as(
                "bench",
                ImportRequest {
                    file_name: name,
                    bytes,
                    kind: Some(RecordKind::Achievements),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("import of {} failed: {}", path.display(), e.message))?;
        t.rows_total += u64::from(report.rows_total);
        t.rows_imported += u64::from(report.rows_imported);
    }
    t.read_store_s = start.elapsed().as_secs_f64();
    let before_index = Instant::now();
    app.sync_index()
        .await
        .map_err(|e| anyhow::anyhow!("index sync failed: {}", e.message))?;
    t.index_s = before_index.elapsed().as_secs_f64();
    t.total_s = start.elapsed().as_secs_f64();
    t.db_bytes = db_bytes(dir);
    t.index_bytes = dir_bytes(&index_dir(dir));
    Ok((app, t))
}

/// The administrator account the load authenticates as.
const BENCH_ADMIN: &str = "bench-admin";

/// Creates an admin account for the load client (a bearer token is not rate limited).
pub async fn admin_token(app: &App) -> Result<String> {
    let (_, token) = app
        .add_user(BENCH_ADMIN, Role::Admin, None)
        .await
        .map_err(|e| anyhow::anyhow!("cannot create the bench account: {}", e.message))?;
    Ok(token)
}

/// A new token for the bench's account of a data dir imported before (created when missing).
pub async fn renew_admin_token(app: &App) -> Result<String> {
    match app.reset_token(BENCH_ADMIN).await {
        Ok(token) => Ok(token),
        Err(e) if e.code == ErrorCode::NotFound => admin_token(app).await,
        Err(e) => anyhow::bail!("cannot renew the bench token: {}", e.message),
    }
}

/// Parse only (`duijie_ingest::read_bytes`), for the breakdown of the import time.
pub fn parse_only(path: &Path) -> Result<(f64, usize)> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let start = Instant::now();
    let parsed = duijie_ingest::read_bytes(
        &name,
        &bytes,
        &duijie_ingest::ReadOptions {
            kind: Some(RecordKind::Achievements),
            ..duijie_ingest::ReadOptions::default()
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((start.elapsed().as_secs_f64(), parsed.records.len()))
}
