//! Keeps the search index following the store's change log: after every local write (woken
//! by [`App::notify_changed`]), every second for writes of other replicas, and on start. A
//! full rebuild reads every record from the store; the index is never the system of record.

use crate::{blocking, internal, store_err, App, AppResult};
use chrono::Datelike;
use duijie_core::Change;
use duijie_core::{EntityKind, Field};
use duijie_search::IndexDoc;
use duijie_store::{Record, StoreError};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Changes read from the log per round: a bulk catch-up reads the log and the records in
/// few, large round trips.
const BATCH: u32 = 10_000;
/// Changes applied between commits while catching up: a tantivy commit costs far more than a
/// batch, and a crash before a commit only means those changes are replayed (upserts are
/// idempotent).
const COMMIT_EVERY: usize = 50_000;
/// After a catch-up of at least this many changes (a bulk import), the index is merged down to
/// one segment if it has more than [`MAX_SEGMENTS`]: queries pay per segment.
const COMPACT_AFTER: usize = 20_000;
const MAX_SEGMENTS: usize = 2;
/// Records read per page during a rebuild.
const REBUILD_PAGE: u32 = 2_000;
/// The kinds of record the index holds.
const INDEXED: [EntityKind; 4] = [
    EntityKind::Demand,
    EntityKind::Achievement,
    EntityKind::Expert,
    EntityKind::Instrument,
];

pub(crate) struct Indexer {
    applied: AtomicI64,
    /// The first catch-up after start has finished.
    started: AtomicBool,
    wake: tokio::sync::Notify,
    /// One sync at a time per process.
    running: tokio::sync::Mutex<()>,
    /// The applied sequence, for writers waiting to read their own write.
    applied_watch: tokio::sync::watch::Sender<i64>,
    /// Whether a background indexer task follows the log in this process.
    spawned: AtomicBool,
}

impl Default for Indexer {
    fn default() -> Self {
        Indexer {
            applied: AtomicI64::new(0),
            started: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
            running: tokio::sync::Mutex::new(()),
            applied_watch: tokio::sync::watch::channel(0).0,
            spawned: AtomicBool::new(false),
        }
    }
}

impl Indexer {
    fn set_applied(&self, seq: i64) {
        self.applied.store(seq, Ordering::Release);
        self.applied_watch.send_replace(seq);
    }
}

/// How long a write waits for the index to apply it before answering anyway (read your own
/// writes, like Elasticsearch's `refresh=wait_for`; a bulk import may take longer, and is
/// then searchable moments later).
const WRITE_VISIBLE_WITHIN: Duration = Duration::from_secs(5);

/// How far the index is behind the database, read afresh from the change log's head.
#[derive(Debug, Clone)]
pub struct IndexStatus {
    /// The change-log sequence the index has committed.
    pub applied_seq: i64,
    /// The change log's last sequence; `None` when the database did not answer.
    pub head_seq: Option<i64>,
    /// Sequence numbers between the two (changes not yet searchable; on PostgreSQL a rolled
    /// back write leaves a gap that counts too until the index passes it).
    pub behind: Option<u64>,
    /// The first catch-up after start has finished and the index has applied the whole log.
    pub caught_up: bool,
    /// Whether the first catch-up after start has finished.
    pub started: bool,
    pub documents: u64,
}

/// Whether this replica may take traffic, judged from its [`IndexStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Started and at most `max_index_lag` changes behind.
    Ok,
    /// The first catch-up after start has not finished.
    Starting,
    /// More than `max_index_lag` changes behind.
    Behind,
    /// The change log's head could not be read.
    DatabaseUnavailable,
}

impl Readiness {
    pub const ALL: [Readiness; 4] = [
        Readiness::Ok,
        Readiness::Starting,
        Readiness::Behind,
        Readiness::DatabaseUnavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ok => "ok",
            Readiness::Starting => "starting",
            Readiness::Behind => "behind",
            Readiness::DatabaseUnavailable => "database_unavailable",
        }
    }
}

impl IndexStatus {
    /// Ready once the index has caught up after start and while it trails the change log by
    /// at most `max_behind` sequence numbers.
    pub fn readiness(&self, max_behind: u64) -> Readiness {
        match self.behind {
            _ if !self.started => Readiness::Starting,
            None => Readiness::DatabaseUnavailable,
            Some(behind) if behind > max_behind => Readiness::Behind,
            Some(_) => Readiness::Ok,
        }
    }
}

fn field_label(f: Option<Field>) -> Option<String> {
    f.map(|f| f.label().to_string())
}

/// The searchable form of a stored record.
pub(crate) fn to_doc(record: &Record) -> IndexDoc {
    match record {
        Record::Demand(d) => IndexDoc {
            kind: EntityKind::Demand,
            id: d.id.clone(),
            title: d.body.title.clone(),
            keywords: d.body.keywords.clone(),
            body: format!("{}\n{}", d.body.description, d.body.goals),
            org_id: d.org_id.clone(),
            org_name: d.org_name.clone(),
            person: None,
            expert_id: None,
            field: field_label(d.body.field),
            more_fields: Vec::new(),
            region: d.body.region.clone(),
            status: Some(d.status.as_str().to_string()),
            modes: d.body.modes.iter().map(|m| m.label().to_string()).collect(),
            created_at: d.created_at.timestamp_millis(),
            year: None,
            deadline_day: d.body.deadline.map(|day| i64::from(day.num_days_from_ce())),
            budget_wan: d.body.budget_wan,
        },
        Record::Achievement(a) => IndexDoc {
            kind: EntityKind::Achievement,
            id: a.id.clone(),
            title: a.body.title.clone(),
            keywords: a.body.keywords.clone(),
            body: a.body.summary.clone(),
            org_id: a.org_id.clone(),
            org_name: a.org_name.clone(),
            person: a.body.leader.clone(),
            expert_id: a.expert_id.clone(),
            field: field_label(a.body.field),
            more_fields: Vec::new(),
            region: a.body.region.clone(),
            status: None,
            modes: Vec::new(),
            created_at: a.created_at.timestamp_millis(),
            year: a.body.year.map(i64::from),
            deadline_day: None,
            budget_wan: None,
        },
        Record::Expert(e) => IndexDoc {
            kind: EntityKind::Expert,
            id: e.id.clone(),
            // An expert is found by what they work on; the name is kept as the person.
            title: e.body.research_areas.join("；"),
            keywords: e.body.keywords.clone(),
            body: [
                e.body.title.clone().unwrap_or_default(),
                e.body.department.clone().unwrap_or_default(),
                e.body.bio.clone(),
            ]
            .join("\n"),
            org_id: e.org_id.clone(),
            org_name: e.org_name.clone(),
            person: Some(e.body.name.clone()),
            expert_id: Some(e.id.clone()),
            field: field_label(e.body.field),
            more_fields: Vec::new(),
            region: None,
            status: None,
            modes: Vec::new(),
            created_at: e.created_at.timestamp_millis(),
            year: None,
            deadline_day: None,
            budget_wan: None,
        },
        Record::Instrument(i) => {
            let mut fields = i.body.fields.iter().map(|f| f.label().to_string());
            IndexDoc {
                kind: EntityKind::Instrument,
                id: i.id.clone(),
                title: i.body.name.clone(),
                keywords: [i.body.model.clone()]
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect(),
                body: format!(
                    "{}\n{}\n{}",
                    i.body.description, i.body.location, i.body.booking_terms
                ),
                org_id: i.org_id.clone(),
                org_name: i.org_name.clone(),
                person: None,
                expert_id: None,
                field: fields.next(),
                more_fields: fields.collect(),
                region: None,
                status: None,
                modes: Vec::new(),
                created_at: i.created_at.timestamp_millis(),
                year: None,
                deadline_day: None,
                budget_wan: None,
            }
        }
    }
}

impl App {
    /// After a write: wakes the background indexer and waits, at most
    /// [`WRITE_VISIBLE_WITHIN`], until the index has applied the change log up to this write,
    /// so that the writer's next read on this replica finds it (the background embedder is
    /// woken too, and not waited for). Without a background indexer
    /// (the CLI, some tests), the change is applied here.
    pub async fn notify_changed(&self) {
        self.vectors_changed();
        let target = match self.store.last_seq().await {
            Ok(seq) => seq,
            Err(error) => {
                tracing::warn!(%error, "change log head unreadable after a write");
                self.indexer.wake.notify_one();
                return;
            }
        };
        if !self.indexer.spawned.load(Ordering::Acquire) {
            if let Err(error) = self.sync_index().await {
                tracing::warn!(%error, "index sync after a write failed");
            }
            return;
        }
        let mut applied = self.indexer.applied_watch.subscribe();
        self.indexer.wake.notify_one();
        let visible = applied.wait_for(|seq| *seq >= target);
        if tokio::time::timeout(WRITE_VISIBLE_WITHIN, visible)
            .await
            .is_err()
        {
            tracing::warn!(target, "index still behind a write after the wait");
        }
    }

    /// A write's answer: the store's error as the user's ([`store_err`]); a write that
    /// happened is made visible first ([`App::notify_changed`]).
    pub(crate) async fn written<T>(&self, write: Result<T, StoreError>) -> AppResult<T> {
        let done = write.map_err(store_err)?;
        self.notify_changed().await;
        Ok(done)
    }

    /// The index's progress against the change log's head as the database sees it now (a
    /// flag set once at start would keep claiming health while the indexer is stuck).
    pub async fn index_status(&self) -> IndexStatus {
        let head_seq = match self.store.last_seq().await {
            Ok(seq) => Some(seq),
            Err(error) => {
                tracing::warn!(%error, "change log head unreadable for the health check");
                None
            }
        };
        let applied_seq = self.indexer.applied.load(Ordering::Acquire);
        let started = self.indexer.started.load(Ordering::Acquire);
        // A restored database can be behind the index: nothing is then waiting to be applied.
        let behind = head_seq.map(|head| u64::try_from(head - applied_seq).unwrap_or(0));
        IndexStatus {
            applied_seq,
            head_seq,
            behind,
            caught_up: started && behind == Some(0),
            started,
            documents: self.index.doc_count(),
        }
    }

    /// Up to `limit` entries of the change log after `seq`, with the last one's sequence;
    /// `None` once there are none (the index and the embedder page through the log alike).
    pub(crate) async fn changes_after(
        &self,
        seq: i64,
        limit: u32,
    ) -> AppResult<Option<(Vec<Change>, i64)>> {
        let changes = self
            .store
            .changes_since(seq, limit)
            .await
            .map_err(store_err)?;
        Ok(changes.last().map(|c| c.seq).map(|last| (changes, last)))
    }

    /// Applies every change the index has not seen; returns how many were applied.
    pub async fn sync_index(&self) -> AppResult<usize> {
        let _one = self.indexer.running.lock().await;
        let mut applied = self.index.applied_seq().unwrap_or(0);
        let mut total = 0;
        let mut uncommitted = 0usize;
        loop {
            let Some((changes, last)) = self.changes_after(applied, BATCH).await? else {
                break;
            };
            let mut docs = Vec::new();
            let mut gone = Vec::new();
            for entity in INDEXED {
                let (records, removed) = self.changed_records(&changes, entity).await?;
                gone.extend(removed);
                for doc in records.iter().map(to_doc) {
                    if doc.has_text() {
                        docs.push(doc);
                    } else {
                        // Nothing to match on (an NSFC leader known only by name): kept out
                        // of the index and of every statistic; the leader is found through
                        // the projects they lead.
                        gone.push(doc.id);
                    }
                }
            }
            total += changes.len();
            uncommitted += changes.len();
            // Commit when caught up (a short batch) or after many changes.
            let commit = changes.len() < BATCH as usize || uncommitted >= COMMIT_EVERY;
            let index = self.index.clone();
            blocking(move || {
                for id in &gone {
                    index.delete(id).map_err(|e| internal("index delete", e))?;
                }
                index
                    .upsert(docs)
                    .map_err(|e| internal("index upsert", e))?;
                if commit {
                    index
                        .commit(last)
                        .map_err(|e| internal("index commit", e))?;
                }
                Ok(())
            })
            .await?;
            applied = last;
            if commit {
                uncommitted = 0;
                self.indexer.set_applied(applied);
            }
        }
        if uncommitted > 0 {
            // The last batch was full and the log then ended: commit what it applied.
            let index = self.index.clone();
            blocking(move || {
                index
                    .commit(applied)
                    .map_err(|e| internal("index commit", e))
            })
            .await?;
        }
        self.compact_after(total).await?;
        self.indexer.set_applied(applied);
        self.indexer.started.store(true, Ordering::Release);
        Ok(total)
    }

    /// The records of `kind` that `changes` name, as they are now, and the ids of those gone.
    pub(crate) async fn changed_records(
        &self,
        changes: &[Change],
        kind: EntityKind,
    ) -> AppResult<(Vec<Record>, Vec<String>)> {
        let mut ids: Vec<String> = changes
            .iter()
            .filter(|c| c.entity == kind)
            .map(|c| c.entity_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let records = self
            .store
            .get_records(kind, &ids)
            .await
            .map_err(store_err)?;
        let found: std::collections::HashSet<&str> = records.iter().map(Record::id).collect();
        let gone = ids
            .into_iter()
            .filter(|id| !found.contains(id.as_str()))
            .collect();
        Ok((records, gone))
    }

    /// Rebuilds the index from every record in the store; `progress(done, total)` is called
    /// after each page.
    pub async fn rebuild_index(&self, progress: impl Fn(u64, u64)) -> AppResult<u64> {
        let _one = self.indexer.running.lock().await;
        // Changes after this point are replayed by the next sync: upserts are idempotent.
        let seq = self.store.last_seq().await.map_err(store_err)?;
        let mut total = 0u64;
        for entity in INDEXED {
            total += self.store.count(entity).await.map_err(store_err)? as u64;
        }
        let index = self.index.clone();
        blocking(move || index.clear().map_err(|e| internal("index clear", e))).await?;
        let mut done = 0u64;
        for entity in INDEXED {
            let mut after = String::new();
            loop {
                let page = self
                    .store
                    .scan(entity, &after, REBUILD_PAGE)
                    .await
                    .map_err(store_err)?;
                let Some(last) = page.last() else { break };
                after = last.id().to_string();
                done += page.len() as u64;
                let docs: Vec<IndexDoc> =
                    page.iter().map(to_doc).filter(IndexDoc::has_text).collect();
                let index = self.index.clone();
                blocking(move || index.upsert(docs).map_err(|e| internal("index upsert", e)))
                    .await?;
                progress(done, total);
            }
        }
        let index = self.index.clone();
        blocking(move || index.commit(seq).map_err(|e| internal("index commit", e))).await?;
        self.compact_after(usize::try_from(done).unwrap_or(usize::MAX))
            .await?;
        self.indexer.set_applied(seq);
        Ok(done)
    }

    /// After a bulk load of `changes` documents, merges the index down to one segment when it
    /// has more than [`MAX_SEGMENTS`].
    async fn compact_after(&self, changes: usize) -> AppResult<()> {
        if changes < COMPACT_AFTER {
            return Ok(());
        }
        let index = self.index.clone();
        blocking(move || {
            index
                .compact(MAX_SEGMENTS)
                .map(|_| ())
                .map_err(|e| internal("index compact", e))
        })
        .await
    }

    /// Follows the change log until the process ends.
    pub fn spawn_indexer(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        self.indexer.spawned.store(true, Ordering::Release);
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = app.indexer.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                if let Err(e) = app.sync_index().await {
                    tracing::warn!(error = %e, "index sync failed, retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                // Match notices of published demands left over by a stopped process (or a
                // failed attempt), once the index has caught up with them.
                if let Err(e) = app.run_match_jobs().await {
                    tracing::warn!(code = e.code.as_str(), "match jobs failed, retrying");
                }
            }
        })
    }
}
