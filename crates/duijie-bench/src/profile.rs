//! Where the import time goes: the same file imported into a fresh data dir, then the
//! indexer's loop (`App::sync_index`) replayed step by step with a timer on each step —
//! read the change log, load the records, build the documents, upsert, commit — and, for
//! comparison, the same documents indexed with one commit at the end.

use crate::import;
use anyhow::Result;
use duijie_core::{EntityKind, RecordKind};
use duijie_search::IndexDoc;
use duijie_store::Record;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Default, Serialize)]
pub struct Profile {
    pub rows: u64,
    pub parse_s: f64,
    pub import_as_s: f64,
    pub rounds: usize,
    pub changes_since_s: f64,
    pub get_records_s: f64,
    pub to_doc_s: f64,
    pub upsert_s: f64,
    pub commit_s: f64,
    pub replay_total_s: f64,
    /// Same documents, one commit at the end (fresh index).
    pub one_commit_s: f64,
    /// `App::sync_index` itself on a second fresh data dir.
    pub sync_index_s: f64,
}

fn achievement_doc(record: &Record) -> Option<IndexDoc> {
    // Mirrors duijie-app's `indexer::to_doc` for achievements (it is crate-private).
    let Record::Achievement(a) = record else {
        return None;
    };
    Some(IndexDoc {
        kind: EntityKind::Achievement,
        id: a.id.clone(),
        title: a.body.title.clone(),
        keywords: a.body.keywords.clone(),
        body: a.body.summary.clone(),
        org_id: a.org_id.clone(),
        org_name: a.org_name.clone(),
        person: a.body.leader.clone(),
        expert_id: a.expert_id.clone(),
        field: a.body.field.map(|f| f.label().to_string()),
        more_fields: Vec::new(),
        region: a.body.region.clone(),
        status: None,
        modes: Vec::new(),
        created_at: a.created_at.timestamp_millis(),
        year: a.body.year.map(i64::from),
        deadline_day: None,
        budget_wan: None,
    })
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub async fn run(file: &Path, work: &Path, batch: u32) -> Result<Profile> {
    let mut p = Profile {
        parse_s: import::parse_only(file)?.0,
        ..Profile::default()
    };
    duijie_search::shared_jieba();
    let dir = work.join("profile-a");
    let _ = std::fs::remove_dir_all(&dir);
    let app = import::open(&dir).await?;
    let bytes = std::fs::read(file)?;
    let t = Instant::now();
    let report = app
        .import_as(
            "bench",
            duijie_app::ImportRequest {
                file_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                bytes,
                kind: Some(RecordKind::Achievements),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    p.import_as_s = secs(t.elapsed());
    p.rows = u64::from(report.rows_imported);
    // The replay reads and writes what the app left, through the store and the index alone.
    drop(app);
    let store = duijie_store::connect(&import::database_url(&dir)).await?;
    let index = std::sync::Arc::new(duijie_search::SearchIndex::open(&import::index_dir(&dir))?);
    let mut applied = index.applied_seq().unwrap_or(0);
    let mut all_docs = Vec::new();
    let start = Instant::now();
    loop {
        let t = Instant::now();
        let changes = store.changes_since(applied, batch).await?;
        p.changes_since_s += secs(t.elapsed());
        let Some(last) = changes.last().map(|c| c.seq) else {
            break;
        };
        p.rounds += 1;
        let mut ids: Vec<String> = changes
            .iter()
            .filter(|c| c.entity == EntityKind::Achievement)
            .map(|c| c.entity_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let t = Instant::now();
        let records = store.get_records(EntityKind::Achievement, &ids).await?;
        p.get_records_s += secs(t.elapsed());
        let t = Instant::now();
        let docs: Vec<IndexDoc> = records.iter().filter_map(achievement_doc).collect();
        p.to_doc_s += secs(t.elapsed());
        all_docs.extend(docs.iter().cloned());
        let idx = index.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || idx.upsert(docs)).await??;
        p.upsert_s += secs(t.elapsed());
        let idx = index.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || idx.commit(last)).await??;
        p.commit_s += secs(t.elapsed());
        applied = last;
    }
    p.replay_total_s = secs(start.elapsed());
    drop((store, index));

    // The same documents, one commit.
    let dir_b = work.join("profile-b");
    let _ = std::fs::remove_dir_all(&dir_b);
    std::fs::create_dir_all(&dir_b)?;
    let t = Instant::now();
    let fresh = duijie_search::SearchIndex::open(&dir_b.join("index"))?;
    tokio::task::spawn_blocking(move || -> Result<()> {
        fresh.upsert(all_docs)?;
        fresh.commit(1)?;
        Ok(())
    })
    .await??;
    p.one_commit_s = secs(t.elapsed());

    // The real thing, for comparison.
    let dir_c = work.join("profile-c");
    let _ = std::fs::remove_dir_all(&dir_c);
    let (_, timing) = import::import_files(&dir_c, &[file.to_path_buf()]).await?;
    p.sync_index_s = timing.index_s;
    for d in [dir, dir_b, dir_c] {
        let _ = std::fs::remove_dir_all(d);
    }
    Ok(p)
}
