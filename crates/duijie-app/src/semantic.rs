//! Dense vectors kept with the records (semantic matching, issue #20). Every demand,
//! achievement, expert and instrument with text gets a vector of what it is about
//! (multilingual-e5-small, duijie-embed), computed in the background after a write or an
//! import — the lexical index is searchable at once, the dense part catches up — and stored
//! in the database keyed by a hash of the embedded text, so a restart, a re-index or a second
//! replica reads it instead of computing it again. The vectors live in memory as int8
//! ([`VectorSet`]) for the matcher and the search box.

use crate::{blocking, internal, store_err, App, AppResult};
use duijie_core::EntityKind;
use duijie_embed::{Embedder, Kind, DIM};
use duijie_match::{quantise, Fusion, MatchConfig, QueryEncoder, Semantic, VectorSet, GRAPH_FROM};
use duijie_store::{Record, SqlStore, TextHash};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Word pieces of a record that are embedded: titles and keywords fit; long biographies are
/// cut, which costs little, since their opening says what the person works on.
pub const PASSAGE_TOKENS: usize = 256;
/// Names the model and the embedding recipe in every text key: another model or recipe gets
/// other keys, never a stale vector.
const MODEL_TAG: &str = "e5-small-zh-en-q4";
/// The kinds of record that get vectors.
const EMBEDDED: [EntityKind; 4] = [
    EntityKind::Demand,
    EntityKind::Achievement,
    EntityKind::Expert,
    EntityKind::Instrument,
];
/// Texts embedded per blocking call (and stored per transaction).
const EMBED_BATCH: usize = 32;
/// Records read per page while loading, and changes read per round of the log.
const PAGE: u32 = 2_000;
/// Progress lines in the log at most this often while catching up.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The text of a record that is embedded: what it is about, not who or where.
pub fn passage_text(record: &Record) -> Option<String> {
    fn join(parts: &[&str]) -> String {
        parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("。")
    }
    let text = match record {
        Record::Demand(d) => join(&[
            &d.body.title,
            &d.body.keywords.join("、"),
            &d.body.description,
            &d.body.goals,
        ]),
        Record::Achievement(a) => {
            join(&[&a.body.title, &a.body.keywords.join("、"), &a.body.summary])
        }
        Record::Expert(e) => {
            let topics: Vec<&str> = e.body.topics().collect();
            join(&[&topics.join("、"), &e.body.bio])
        }
        Record::Instrument(i) => join(&[&i.body.name, &i.body.model, &i.body.description]),
    };
    (!text.is_empty()).then_some(text)
}

/// The key of a record's embedded text (model, recipe and text).
pub fn text_key(text: &str) -> TextHash {
    key_of(Kind::Passage, text)
}

/// The key of an embedded text on either side of retrieval: the same words embedded as a
/// query get another vector than as a passage, so the side is part of the key.
fn key_of(side: Kind, text: &str) -> TextHash {
    let side = match side {
        Kind::Passage => "passage",
        Kind::Query => "query",
    };
    let mut h = Sha256::new();
    h.update(format!("{MODEL_TAG}/{PASSAGE_TOKENS}/{side}\n").as_bytes());
    h.update(text.as_bytes());
    h.finalize().into()
}

/// The text a stored demand is ranked with, as the matcher hands it to the encoder.
fn demand_query(record: &Record) -> Option<String> {
    let Record::Demand(d) = record else {
        return None;
    };
    let text = crate::matching::match_input(d).semantic_text();
    (!text.is_empty()).then_some(text)
}

/// A vector as stored (int8) back to a unit vector.
fn dequantise(v: &[i8]) -> Vec<f32> {
    let mut out: Vec<f32> = v.iter().map(|&x| f32::from(x) / 127.0).collect();
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        out.iter_mut().for_each(|x| *x /= norm);
    }
    out
}

/// Query vectors of stored demands, computed in the background beside their passages, so
/// that ranking a stored demand embeds nothing while its request waits. Kept per demand: a
/// changed demand replaces its entry, a deleted one drops it; demands with the same text
/// share one vector.
#[derive(Default)]
struct DemandQueries {
    vectors: HashMap<TextHash, (Vec<f32>, usize)>,
    keys: HashMap<String, TextHash>,
}

impl DemandQueries {
    fn put(&mut self, id: &str, key: TextHash, vector: &[i8]) {
        if self.keys.get(id) == Some(&key) {
            return;
        }
        self.forget(id);
        self.keys.insert(id.to_string(), key);
        self.vectors
            .entry(key)
            .or_insert_with(|| (dequantise(vector), 0))
            .1 += 1;
    }

    fn forget(&mut self, id: &str) {
        let Some(key) = self.keys.remove(id) else {
            return;
        };
        if let std::collections::hash_map::Entry::Occupied(mut e) = self.vectors.entry(key) {
            e.get_mut().1 -= 1;
            if e.get().1 == 0 {
                e.remove();
            }
        }
    }
}

/// Query vectors kept per process: a demand's page ranks institutions and experts from one
/// text, and a popular demand is viewed again and again.
const QUERY_CACHE: usize = 512;

/// The model, loaded on first use (parsing it takes a moment and some memory; a process that
/// never ranks or embeds never loads it), and the latest query vectors. A model that cannot
/// be loaded is reported once and leaves ranking to words.
#[derive(Default)]
struct Model {
    embedder: OnceLock<Option<Arc<Embedder>>>,
    queries: std::sync::Mutex<HashMap<TextHash, Vec<f32>>>,
    demands: std::sync::RwLock<DemandQueries>,
}

impl Model {
    fn get(&self) -> Option<Arc<Embedder>> {
        self.embedder
            .get_or_init(|| match Embedder::bundled() {
                Ok(e) => Some(Arc::new(e.with_max_tokens(PASSAGE_TOKENS))),
                Err(error) => {
                    tracing::error!(%error, "sentence model unusable: ranking by words only");
                    None
                }
            })
            .clone()
    }
}

impl QueryEncoder for Model {
    fn encode_query(&self, text: &str) -> Option<Vec<f32>> {
        let key = key_of(Kind::Query, text);
        let demand = self
            .demands
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .vectors
            .get(&key)
            .map(|(v, _)| v.clone());
        if demand.is_some() {
            return demand;
        }
        let cached = self
            .queries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if cached.is_some() {
            return cached;
        }
        let model = self.get()?;
        match model.embed_one(text, Kind::Query) {
            Ok(v) => {
                let mut queries = self.queries.lock().unwrap_or_else(|e| e.into_inner());
                if queries.len() >= QUERY_CACHE {
                    queries.clear();
                }
                queries.insert(key, v.clone());
                Some(v)
            }
            Err(error) => {
                tracing::warn!(%error, "query not embedded: ranking by words only");
                None
            }
        }
    }
}

/// Semantic matching settings (`[semantic]` in `duijie.toml`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticConfig {
    /// Share of dense evidence in a document's score (`MatchConfig::semantic_ratio`).
    pub ratio: f32,
    pub fusion: Fusion,
    /// Kinds of at least this many records are searched through an approximate graph
    /// (`duijie_match::VectorSet::with_graph_from`).
    pub graph_from: usize,
    /// Documents the meaning side adds per kind (`MatchConfig::dense_limit`).
    pub candidates: usize,
}

impl Default for SemanticConfig {
    /// The configuration measured in `docs/ranking.md` ("Semantic evidence beside BM25").
    fn default() -> Self {
        SemanticConfig {
            ratio: 0.5,
            fusion: Fusion::Normalised,
            graph_from: GRAPH_FROM,
            candidates: MatchConfig::default().dense_limit,
        }
    }
}

impl SemanticConfig {
    /// `base` with this ratio, fusion and number of dense candidates.
    pub(crate) fn match_config(&self, base: &MatchConfig) -> MatchConfig {
        MatchConfig {
            semantic_ratio: self.ratio,
            fusion: self.fusion,
            dense_limit: self.candidates,
            ..*base
        }
    }
}

/// Which way [`App::copy_vectors`] copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorCopy {
    /// From the other database into this app's.
    Fetch,
    /// From this app's database into the other.
    Keep,
}

/// How far the dense part is behind the records, for `/healthz` and progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct VectorStatus {
    /// Records with a vector in memory.
    pub documents: u64,
    /// Stored demands whose query vector is ready (their rankings embed nothing).
    pub queries: u64,
    /// Texts waiting for their vector (records' passages and stored demands' queries).
    pub pending: u64,
    /// Vectors this process computed since it started (the others were read from the database).
    pub embedded: u64,
    /// Records searched through an approximate graph (kinds of at least
    /// `duijie_match::GRAPH_FROM` records); the others are scanned exactly.
    pub graphed: u64,
    /// The stored vectors were loaded and the log followed at least once.
    pub started: bool,
}

/// The dense part of an [`App`]: the model, the vectors, and the follower's progress.
pub(crate) struct Dense {
    model: Arc<Model>,
    vectors: Arc<VectorSet>,
    /// The change-log sequence whose changes have been looked at.
    cursor: AtomicI64,
    started: AtomicBool,
    pending: AtomicUsize,
    embedded: AtomicU64,
    /// One catch-up at a time per process.
    running: tokio::sync::Mutex<()>,
    wake: tokio::sync::Notify,
}

impl Dense {
    pub(crate) fn new(graph_from: usize) -> Dense {
        Dense {
            model: Arc::default(),
            vectors: Arc::new(VectorSet::with_graph_from(DIM, graph_from)),
            cursor: AtomicI64::new(0),
            started: AtomicBool::new(false),
            pending: AtomicUsize::new(0),
            embedded: AtomicU64::new(0),
            running: tokio::sync::Mutex::new(()),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// What the matcher ranks with.
    pub(crate) fn semantic(&self) -> Semantic {
        Semantic {
            encoder: self.model.clone(),
            vectors: self.vectors.clone(),
        }
    }
}

/// Records found by meaning, best first with their cosine, and the cosine of those asked about.
pub type DenseCandidates = (Vec<(String, f32)>, HashMap<String, f32>);

/// A text waiting for its vector: a record's passage, or a stored demand's query.
struct Todo {
    kind: EntityKind,
    id: String,
    side: Kind,
    key: TextHash,
    text: String,
}

impl Dense {
    /// Keeps a vector read from the database or just computed where ranking finds it.
    fn keep(&self, t: &Todo, vector: &[i8]) {
        match t.side {
            Kind::Passage => self.vectors.insert_quantised(t.kind, &t.id, vector),
            Kind::Query => self
                .model
                .demands
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .put(&t.id, t.key, vector),
        }
    }

    /// Forgets every vector of a record that is gone or has no text left.
    fn forget(&self, kind: EntityKind, id: &str) {
        self.vectors.remove(kind, id);
        if kind == EntityKind::Demand {
            self.model
                .demands
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .forget(id);
        }
    }
}

impl App {
    /// The dense part's progress; `None` when the service runs without vectors.
    pub fn vector_status(&self) -> Option<VectorStatus> {
        let d = self.dense.as_ref()?;
        Some(VectorStatus {
            documents: d.vectors.len() as u64,
            queries: d
                .model
                .demands
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .keys
                .len() as u64,
            pending: d.pending.load(Ordering::Acquire) as u64,
            embedded: d.embedded.load(Ordering::Acquire),
            graphed: d.vectors.graph_sizes().values().sum::<usize>() as u64,
            started: d.started.load(Ordering::Acquire),
        })
    }

    /// Brings the vectors up to the records: on the first call every stored vector is loaded,
    /// then every change of the log since is looked at; records whose text has no stored
    /// vector are embedded (on the blocking pool, in batches) and their vectors stored.
    /// `progress(done, total)` is called after each batch. Returns how many were embedded.
    pub async fn sync_vectors(&self, progress: impl Fn(u64, u64)) -> AppResult<u64> {
        let Some(dense) = &self.dense else {
            return Ok(0);
        };
        let _one = dense.running.lock().await;
        let mut todo: Vec<Todo> = Vec::new();
        if !dense.started.load(Ordering::Acquire) {
            // Changes after this point are looked at again by the next round: harmless.
            let seq = self.store.last_seq().await.map_err(store_err)?;
            for kind in EMBEDDED {
                let mut after = String::new();
                while let Some(page) = self.next_page(kind, &mut after).await? {
                    todo.extend(self.vectors_known(dense, kind, &page).await?);
                }
            }
            dense.cursor.store(seq, Ordering::Release);
        } else {
            loop {
                let cursor = dense.cursor.load(Ordering::Acquire);
                let Some((changes, last)) = self.changes_after(cursor, PAGE).await? else {
                    break;
                };
                for kind in EMBEDDED {
                    let (records, gone) = self.changed_records(&changes, kind).await?;
                    for id in &gone {
                        dense.forget(kind, id);
                    }
                    todo.extend(self.vectors_known(dense, kind, &records).await?);
                }
                dense.cursor.store(last, Ordering::Release);
                if changes.len() < PAGE as usize {
                    break;
                }
            }
        }
        // A record changed twice while waiting is embedded once, with its last text.
        let mut seen = std::collections::HashSet::new();
        todo.reverse();
        todo.retain(|t| seen.insert((t.kind, t.id.clone(), t.side == Kind::Query)));
        todo.reverse();
        let embedded = self.embed_todo(dense, todo, progress).await;
        // Large kinds get (or renew) their approximate graph before the round counts as done,
        // so a server reports itself caught up only once its searches are fast.
        let vectors = dense.vectors.clone();
        match tokio::task::spawn_blocking(move || vectors.refresh_graphs()).await {
            Ok(Ok(built)) if !built.is_empty() => {
                tracing::info!(kinds = ?built, "approximate search graphs built");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "kind left to the exact scan"),
            Err(e) => tracing::warn!(error = %e, "building the approximate search graphs failed"),
        }
        dense.started.store(true, Ordering::Release);
        embedded
    }

    /// Puts the stored vectors of `records` in memory; returns the records still without one.
    async fn vectors_known(
        &self,
        dense: &Dense,
        kind: EntityKind,
        records: &[Record],
    ) -> AppResult<Vec<Todo>> {
        let mut wanted: Vec<Todo> = Vec::new();
        for record in records {
            let Some(text) = passage_text(record) else {
                dense.forget(kind, record.id());
                continue;
            };
            wanted.push(Todo {
                kind,
                id: record.id().to_string(),
                side: Kind::Passage,
                key: text_key(&text),
                text,
            });
            if let Some(text) = demand_query(record) {
                wanted.push(Todo {
                    kind,
                    id: record.id().to_string(),
                    side: Kind::Query,
                    key: key_of(Kind::Query, &text),
                    text,
                });
            }
        }
        let keys: Vec<TextHash> = wanted.iter().map(|t| t.key).collect();
        let stored: HashMap<TextHash, Vec<i8>> = self
            .store
            .vectors(&keys)
            .await
            .map_err(store_err)?
            .into_iter()
            .collect();
        wanted.retain(|t| match stored.get(&t.key) {
            Some(v) => {
                dense.keep(t, v);
                false
            }
            None => true,
        });
        Ok(wanted)
    }

    async fn embed_todo(
        &self,
        dense: &Dense,
        todo: Vec<Todo>,
        progress: impl Fn(u64, u64),
    ) -> AppResult<u64> {
        let total = todo.len() as u64;
        if total == 0 {
            return Ok(0);
        }
        let Some(model) = dense.model.get() else {
            return Ok(0);
        };
        dense.pending.store(todo.len(), Ordering::Release);
        tracing::info!(records = total, "embedding records for semantic matching");
        let started = Instant::now();
        let mut logged = Instant::now();
        let mut done = 0u64;
        // One side per batch: the model prefixes a batch's texts alike.
        let (passages, queries): (Vec<Todo>, Vec<Todo>) =
            todo.into_iter().partition(|t| t.side == Kind::Passage);
        for (side, group) in [(Kind::Passage, passages), (Kind::Query, queries)] {
            for batch in group.chunks(EMBED_BATCH) {
                let texts: Vec<String> = batch.iter().map(|t| t.text.clone()).collect();
                let m = model.clone();
                let vectors = blocking(move || {
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    m.embed(&refs, side).map_err(|e| internal("embedding", e))
                })
                .await?;
                let items: Vec<(TextHash, Vec<i8>)> = batch
                    .iter()
                    .zip(&vectors)
                    .map(|(t, v)| (t.key, quantise(v)))
                    .collect();
                self.store
                    .put_vectors(&items, chrono::Utc::now().timestamp_millis())
                    .await
                    .map_err(store_err)?;
                for (t, (_, q)) in batch.iter().zip(&items) {
                    dense.keep(t, q);
                }
                done += batch.len() as u64;
                dense
                    .embedded
                    .fetch_add(batch.len() as u64, Ordering::AcqRel);
                dense
                    .pending
                    .store((total - done) as usize, Ordering::Release);
                progress(done, total);
                if logged.elapsed() >= LOG_EVERY {
                    logged = Instant::now();
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    tracing::info!(done, total, rate = format!("{rate:.1}/s"), "embedding");
                }
            }
        }
        tracing::info!(
            records = total,
            seconds = started.elapsed().as_secs(),
            "embedding caught up"
        );
        Ok(done)
    }

    /// The best `limit` records of `kind` by meaning for a search text, and the cosine of
    /// each of `also` (found by words) that has a vector; `None` without vectors or when the
    /// text could not be embedded.
    pub async fn dense_candidates(
        &self,
        kind: EntityKind,
        text: &str,
        limit: usize,
        also: Vec<String>,
    ) -> AppResult<Option<DenseCandidates>> {
        let Some(dense) = &self.dense else {
            return Ok(None);
        };
        if dense.vectors.is_empty() {
            return Ok(None);
        }
        let (model, vectors, text) = (dense.model.clone(), dense.vectors.clone(), text.to_string());
        blocking(move || {
            let Some(q) = model.encode_query(&text) else {
                return Ok(None);
            };
            let refs: Vec<&str> = also.iter().map(String::as_str).collect();
            Ok(Some(vectors.search(kind, &q, limit, &refs)))
        })
        .await
    }

    /// The next page of `kind`'s records after `after`, which moves past it; `None` at the end.
    async fn next_page(
        &self,
        kind: EntityKind,
        after: &mut String,
    ) -> AppResult<Option<Vec<Record>>> {
        let page = self
            .store
            .scan(kind, after, PAGE)
            .await
            .map_err(store_err)?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        *after = last.id().to_string();
        Ok(Some(page))
    }

    /// Copies the stored vectors of this app's record texts between its database and `other`
    /// (e.g. a database kept to hold vectors across evaluation runs, whose corpora share most
    /// texts): [`VectorCopy::Fetch`] before [`App::sync_vectors`] spares embedding what `other`
    /// already has, [`VectorCopy::Keep`] afterwards hands it what was embedded here. A key
    /// already present keeps its vector. Returns how many vectors were found to copy.
    pub async fn copy_vectors(&self, other: &SqlStore, copy: VectorCopy) -> AppResult<u64> {
        let mut keys: Vec<TextHash> = Vec::new();
        for kind in EMBEDDED {
            let mut after = String::new();
            while let Some(page) = self.next_page(kind, &mut after).await? {
                keys.extend(page.iter().filter_map(passage_text).map(|t| text_key(&t)));
            }
        }
        let (from, to): (&SqlStore, &SqlStore) = match copy {
            VectorCopy::Fetch => (other, &*self.store),
            VectorCopy::Keep => (&*self.store, other),
        };
        let mut copied = 0u64;
        for chunk in keys.chunks(PAGE as usize) {
            let items = from.vectors(chunk).await.map_err(store_err)?;
            to.put_vectors(&items, chrono::Utc::now().timestamp_millis())
                .await
                .map_err(store_err)?;
            copied += items.len() as u64;
        }
        Ok(copied)
    }

    /// Wakes the background embedder after a write.
    pub(crate) fn vectors_changed(&self) {
        if let Some(d) = &self.dense {
            d.wake.notify_one();
        }
    }

    /// Keeps the vectors following the records until the process ends (after every local
    /// write, and every few seconds for writes of other replicas).
    pub fn spawn_embedder(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let dense = self.dense.clone()?;
        let app = self.clone();
        Some(tokio::spawn(async move {
            loop {
                match app.sync_vectors(|_, _| {}).await {
                    Ok(_) => {}
                    // Stopped with the process: nothing to retry.
                    Err(e) if e.code == duijie_core::ErrorCode::Unavailable => {}
                    Err(e) => tracing::warn!(error = %e, "embedding round failed, retrying"),
                }
                tokio::select! {
                    _ = dense.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_the_text_only() {
        assert_eq!(text_key("钢铁表面缺陷检测"), text_key("钢铁表面缺陷检测"));
        assert_ne!(text_key("钢铁表面缺陷检测"), text_key("钢铁表面缺陷检测。"));
        assert_ne!(
            text_key("钢铁表面缺陷检测"),
            key_of(Kind::Query, "钢铁表面缺陷检测")
        );
    }

    #[test]
    fn demands_with_one_text_share_a_query_vector_until_both_are_gone() {
        let mut q = DemandQueries::default();
        let (a, b) = (key_of(Kind::Query, "甲"), key_of(Kind::Query, "乙"));
        let v = quantise(&[0.6, 0.8]);
        q.put("d1", a, &v);
        q.put("d2", a, &v);
        assert_eq!((q.keys.len(), q.vectors.len()), (2, 1));
        let got = &q.vectors[&a].0;
        assert!(
            (got[0] - 0.6).abs() < 0.01 && (got[1] - 0.8).abs() < 0.01,
            "{got:?}"
        );
        // d1's text changes: its old vector stays for d2.
        q.put("d1", b, &v);
        assert_eq!(q.vectors.len(), 2);
        q.forget("d2");
        assert!(!q.vectors.contains_key(&a));
        q.forget("d1");
        q.forget("d1");
        assert!(q.vectors.is_empty() && q.keys.is_empty());
    }
}
