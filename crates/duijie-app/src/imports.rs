//! Importing catalogue files: read (off the executor), write in one transaction, report.

use crate::{blocking, found, internal, store_err, Action, App, AppResult, Caller};
use duijie_core::{DemandStatus, DomainError, ErrorCode, ImportReport, RecordKind};
use duijie_ingest::{read_bytes, ReadOptions};
use duijie_store::ImportBatch;

/// Imports read and stored at once. Each holds its file, its decoded cells and its drafts
/// (several times the file, `docs/reliability.md`), so the server's memory for imports is
/// bounded by this many; further imports wait for a place in the order they came (tokio's
/// semaphore is fair), none is refused.
pub(crate) const IMPORTS_AT_ONCE: usize = 2;

/// One file to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// `None`: detected from the headers.
    pub kind: Option<RecordKind>,
}

impl App {
    /// Imports one catalogue file (bureau and admin). Demands from a catalogue are published.
    pub async fn import_file(
        &self,
        caller: &Caller,
        req: ImportRequest,
    ) -> AppResult<ImportReport> {
        let user = caller.require(Action::ImportCatalogue)?;
        self.import_as(&user.name, req).await
    }

    /// The import itself, for callers already authorised (the CLI on the server machine).
    pub async fn import_as(&self, actor_name: &str, req: ImportRequest) -> AppResult<ImportReport> {
        let ImportRequest {
            file_name,
            bytes,
            kind,
        } = req;
        let slot = self
            .import_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| internal("import slots", e))?;
        // The place goes with the read: a request cut while its file is being read leaves
        // the place taken until the read, which cannot be aborted, has ended.
        let (parsed, _slot) = blocking(move || {
            let opts = ReadOptions {
                kind,
                ..ReadOptions::default()
            };
            let parsed = read_bytes(&file_name, &bytes, &opts)
                .map_err(|e| DomainError::new(e.code(), e.to_string()))?;
            Ok((parsed, slot))
        })
        .await?;
        if parsed.records.is_empty() && parsed.rows_total == 0 {
            return Err(DomainError::new(
                ErrorCode::UnreadableFile,
                format!("{}：没有可导入的数据行", parsed.file),
            ));
        }
        let batch = ImportBatch {
            file: parsed.file,
            sha256: parsed.sha256,
            kind: parsed.kind,
            rows_total: parsed.rows_total,
            rows_skipped: parsed.rows_skipped,
            errors: parsed.errors,
            records: parsed.records.into_iter().map(|r| r.draft).collect(),
            demand_status: DemandStatus::Published,
            actor_name: actor_name.to_string(),
        };
        self.store_import(batch).await
    }

    /// Stores parsed records as one import and wakes the indexer.
    pub(crate) async fn store_import(&self, batch: ImportBatch) -> AppResult<ImportReport> {
        let report = self.store.import(batch).await.map_err(store_err)?;
        tracing::info!(
            import = %report.id,
            kind = report.kind.as_str(),
            imported = report.rows_imported,
            unchanged = report.rows_unchanged,
            skipped = report.rows_skipped,
            "catalogue imported"
        );
        self.notify_changed().await;
        Ok(report)
    }

    pub async fn imports(&self, caller: &Caller) -> AppResult<Vec<ImportReport>> {
        caller.require(Action::ImportCatalogue)?;
        self.store.list_imports(200).await.map_err(store_err)
    }

    pub async fn import_report(&self, caller: &Caller, id: &str) -> AppResult<ImportReport> {
        caller.require(Action::ImportCatalogue)?;
        found(self.store.get_import(id).await, "导入记录")
    }
}
