//! [`SearchIndex`]: one tantivy index in a directory (or in memory), its reader and its single
//! writer; opening, recreating on schema change or corruption, batched writes and commits that
//! record the last applied change-log sequence.

use crate::columns::ColumnCache;
use crate::schema::{
    build_schema, Fields, IndexDoc, KEYWORD_SEPARATOR, NO_BUDGET, OPEN_ENDED_DAY, SCHEMA_VERSION,
};
use crate::stats::StatsCache;
use crate::tokenizer::{
    shared_jieba, BigramTokenizer, JiebaTokenizer, BIGRAM_TOKENIZER_NAME, TOKENIZER_NAME,
};
use crate::SearchError;
use duijie_core::EntityKind;
use jieba_rs::Jieba;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tantivy::schema::{Schema, Term};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

/// File next to the index that records the [`SCHEMA_VERSION`] it was built with.
const VERSION_FILE: &str = "duijie-schema-version";

/// Indexing memory for an on-disk index, shared by the writer's threads.
const WRITER_MEMORY: usize = 192 << 20;
/// Indexing memory for an in-memory index (tests, evaluation).
const IN_MEMORY_WRITER_MEMORY: usize = 64 << 20;

/// The search index. Share it behind an `Arc`; every method is blocking.
pub struct SearchIndex {
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    pub(crate) jieba: Arc<Jieba>,
    pub(crate) columns: ColumnCache,
    pub(crate) stats: StatsCache,
    applied_seq: Mutex<Option<i64>>,
    needs_rebuild: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("needs_rebuild", &self.needs_rebuild)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CommitPayload {
    applied_seq: i64,
}

fn io_error(path: &Path, source: std::io::Error) -> SearchError {
    SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Files tantivy and this crate write into an index directory; nothing else is ever deleted.
fn is_index_file(name: &str) -> bool {
    if matches!(
        name,
        "meta.json" | ".managed.json" | ".tantivy-meta.lock" | ".tantivy-writer.lock"
    ) || name == VERSION_FILE
    {
        return true;
    }
    // Segment files: `<32 hex digits>.<ext>` (optionally `.<opstamp>.del`).
    let stem = name.split('.').next().unwrap_or("");
    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) && name.len() > 33
}

fn wipe(dir: &Path) -> Result<(), SearchError> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let path = entry.path();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if is_file && entry.file_name().to_str().is_some_and(is_index_file) {
            std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        }
    }
    Ok(())
}

/// Opens the index in `dir` if it is sound and has our schema version; why not otherwise.
fn try_open(dir: &Path, schema: &Schema) -> Result<(Index, IndexReader), String> {
    let version = std::fs::read_to_string(dir.join(VERSION_FILE))
        .map_err(|_| "no schema version".to_string())?;
    if version.trim() != SCHEMA_VERSION.to_string() {
        return Err(format!("schema version {}", version.trim()));
    }
    let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
    if index.schema() != *schema {
        return Err("schema differs".to_string());
    }
    // Opening the reader loads every segment: missing or damaged files show up here.
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e: tantivy::TantivyError| e.to_string())?;
    Ok((index, reader))
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir` with the shared dictionary. A missing, damaged or
    /// outdated index is recreated empty and [`SearchIndex::needs_rebuild`] is `true`.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with(dir, shared_jieba())
    }

    /// [`SearchIndex::open`] with a given dictionary (for example
    /// [`crate::jieba_without_user_dict`]). Index and queries must use the same one.
    pub fn open_with(dir: &Path, jieba: Arc<Jieba>) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let (schema, fields) = build_schema();
        let (index, reader, needs_rebuild) = match try_open(dir, &schema) {
            Ok((index, reader)) => (index, reader, false),
            Err(reason) => {
                let fresh = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
                if fresh {
                    tracing::info!(dir = %dir.display(), "search index created");
                } else {
                    tracing::warn!(dir = %dir.display(), %reason, "search index recreated");
                }
                wipe(dir)?;
                let index = Index::create_in_dir(dir, schema)?;
                let version_path: PathBuf = dir.join(VERSION_FILE);
                std::fs::write(&version_path, SCHEMA_VERSION.to_string())
                    .map_err(|e| io_error(&version_path, e))?;
                let reader = index
                    .reader_builder()
                    .reload_policy(ReloadPolicy::Manual)
                    .try_into()?;
                (index, reader, true)
            }
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        Self::assemble(
            index,
            reader,
            fields,
            jieba,
            needs_rebuild,
            threads,
            WRITER_MEMORY,
        )
    }

    /// A fresh index in memory with the shared dictionary.
    pub fn in_memory() -> Result<Self, SearchError> {
        Self::in_memory_with(shared_jieba())
    }

    /// A fresh index in memory with a given dictionary.
    pub fn in_memory_with(jieba: Arc<Jieba>) -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Self::assemble(
            index,
            reader,
            fields,
            jieba,
            false,
            2,
            IN_MEMORY_WRITER_MEMORY,
        )
    }

    fn assemble(
        index: Index,
        reader: IndexReader,
        fields: Fields,
        jieba: Arc<Jieba>,
        needs_rebuild: bool,
        threads: usize,
        memory: usize,
    ) -> Result<Self, SearchError> {
        index.tokenizers().register(
            TOKENIZER_NAME,
            TextAnalyzer::from(JiebaTokenizer::new(jieba.clone())),
        );
        index.tokenizers().register(
            BIGRAM_TOKENIZER_NAME,
            TextAnalyzer::from(BigramTokenizer::default()),
        );
        let applied_seq = index
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str::<CommitPayload>(&p).ok())
            .map(|p| p.applied_seq);
        let writer = index.writer_with_num_threads(threads, memory)?;
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            jieba,
            columns: ColumnCache::default(),
            stats: StatsCache::default(),
            applied_seq: Mutex::new(applied_seq),
            needs_rebuild,
        })
    }

    /// `true` when [`SearchIndex::open`] found no usable index and created an empty one: the
    /// caller should rebuild it from the database.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild
    }

    /// The dictionary this index analyses text with.
    pub fn jieba(&self) -> Arc<Jieba> {
        self.jieba.clone()
    }

    /// Query-side analysis with this index's dictionary (see [`crate::analyze`]).
    pub fn analyze(&self, text: &str) -> Vec<String> {
        crate::tokenizer::analyze_with(&self.jieba, text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves tantivy's writer usable: its state only
        // changes through its own (transactional) methods.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn to_document(&self, doc: IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let t = f.text(doc.kind);
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(t.title, &doc.title);
        d.add_text(t.grams, &doc.title);
        for keyword in &doc.keywords {
            d.add_text(t.grams, keyword);
        }
        d.add_text(t.keywords, doc.keywords.join(KEYWORD_SEPARATOR));
        d.add_text(t.body, &doc.body);
        d.add_text(f.org_id, &doc.org_id);
        d.add_text(t.org_name, &doc.org_name);
        let optional = [
            (f.person, doc.person),
            (f.expert_id, doc.expert_id),
            (f.field, doc.field),
            (f.region, doc.region),
            (f.status, doc.status),
        ];
        for (field, value) in optional {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                d.add_text(field, v);
            }
        }
        for label in doc.more_fields.into_iter().filter(|v| !v.is_empty()) {
            d.add_text(f.field, label);
        }
        for mode in doc.modes {
            d.add_text(f.modes, mode);
        }
        d.add_i64(f.created_at, doc.created_at);
        if let Some(year) = doc.year {
            d.add_i64(f.year, year);
        }
        if doc.kind == EntityKind::Demand {
            d.add_i64(f.deadline, doc.deadline_day.unwrap_or(OPEN_ENDED_DAY));
            d.add_f64(f.budget, doc.budget_wan.unwrap_or(NO_BUDGET));
        }
        d
    }

    /// Adds or replaces documents (by id). Visible after [`SearchIndex::commit`].
    pub fn upsert(&self, docs: Vec<IndexDoc>) -> Result<(), SearchError> {
        let writer = self.writer();
        for doc in docs {
            writer.delete_term(Term::from_field_text(self.fields.id, &doc.id));
            writer.add_document(self.to_document(doc))?;
        }
        Ok(())
    }

    /// Removes a document. Visible after [`SearchIndex::commit`].
    pub fn delete(&self, id: &str) -> Result<(), SearchError> {
        self.writer()
            .delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Makes pending writes durable and visible, recording `applied_seq`, the last change-log
    /// sequence they reflect.
    pub fn commit(&self, applied_seq: i64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&CommitPayload { applied_seq })?;
        let mut writer = self.writer();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        *self.applied_seq.lock().unwrap_or_else(|e| e.into_inner()) = Some(applied_seq);
        Ok(())
    }

    /// The change-log sequence of the last commit; `None` for an index never committed to.
    pub fn applied_seq(&self) -> Option<i64> {
        *self.applied_seq.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Merges every segment into one when there are more than `max_segments`, and waits for
    /// it. Ranking looks each query term up once per segment and field, so a bulk load left in
    /// many segments makes every query slower. Returns whether it merged. A merge that tantivy
    /// refuses or abandons because its own background merges got to some of the segments first
    /// is skipped: compaction only makes queries faster, the documents are all there either way.
    pub fn compact(&self, max_segments: usize) -> Result<bool, SearchError> {
        let mut writer = self.writer();
        let ids = writer.index().searchable_segment_ids()?;
        if ids.len() <= max_segments {
            return Ok(false);
        }
        let merged = match writer.merge(&ids).wait() {
            Ok(_) => {
                self.reader.reload()?;
                true
            }
            Err(error) => {
                tracing::info!(%error, segments = ids.len(), "index compaction skipped");
                false
            }
        };
        // Files of replaced segments (or of an abandoned merge) are unused once the reader has
        // moved on: free the disk now rather than at some later commit.
        if let Err(error) = writer.garbage_collect_files().wait() {
            tracing::warn!(%error, "unused index files not removed");
        }
        Ok(merged)
    }

    /// Removes every document and forgets the applied sequence (committed at once).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut writer = self.writer();
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        *self.applied_seq.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// Committed documents, of every kind.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}
