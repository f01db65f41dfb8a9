//! Dense vectors for `duijie eval demands --semantic-ratios`: every ranked record of the
//! corpus is embedded once (multilingual-e5-small, duijie-embed) and cached on disk keyed by a
//! hash of the embedded text, so repeated runs only embed what changed.

use anyhow::{Context, Result};
use duijie_app::App;
use duijie_core::EntityKind;
use duijie_embed::{Embedder, Kind, DIM};
use duijie_match::{QueryEncoder, Semantic, VectorSet};
use duijie_store::Record;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Word pieces of a record that are embedded (titles and keywords fit; long biographies are
/// cut, which costs little: their opening says what the person works on).
const PASSAGE_TOKENS: usize = 256;

/// The text of a record that is embedded: what it is about, not who or where.
pub fn passage_text(record: &Record) -> Option<(EntityKind, String)> {
    let join = |parts: &[&str]| {
        parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("。")
    };
    let (kind, text) = match record {
        Record::Achievement(a) => (
            EntityKind::Achievement,
            join(&[&a.body.title, &a.body.keywords.join("、"), &a.body.summary]),
        ),
        Record::Expert(e) => {
            let topics: Vec<&str> = e
                .body
                .research_areas
                .iter()
                .chain(&e.body.keywords)
                .map(String::as_str)
                .collect();
            (EntityKind::Expert, join(&[&topics.join("、"), &e.body.bio]))
        }
        _ => return None,
    };
    (!text.is_empty()).then_some((kind, text))
}

fn text_key(text: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!("e5-small-zh-en-q4/{PASSAGE_TOKENS}/passage\n").as_bytes());
    h.update(text.as_bytes());
    h.finalize().into()
}

/// The cache file: records of a 32-byte text hash and `DIM` little-endian f32.
fn read_cache(path: &Path) -> Result<HashMap<[u8; 32], Vec<f32>>> {
    let mut out = HashMap::new();
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(out);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    for rec in bytes.chunks_exact(32 + 4 * DIM) {
        let mut key = [0u8; 32];
        key.copy_from_slice(&rec[..32]);
        let v = rec[32..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        out.insert(key, v);
    }
    Ok(out)
}

struct Encoder(Arc<Embedder>);

impl QueryEncoder for Encoder {
    fn encode_query(&self, text: &str) -> Option<Vec<f32>> {
        self.0.embed_one(text, Kind::Query).ok()
    }
}

/// Vectors of every achievement and expert of the corpus, from the cache or embedded now.
pub async fn vectors(app: &App, cache: &Path) -> Result<Semantic> {
    let embedder = Arc::new(
        tokio::task::spawn_blocking(|| {
            Embedder::bundled().map(|e| e.with_max_tokens(PASSAGE_TOKENS))
        })
        .await??,
    );
    let mut texts: Vec<(EntityKind, String, String)> = Vec::new();
    for entity in [EntityKind::Achievement, EntityKind::Expert] {
        let mut after = String::new();
        loop {
            let page = app
                .store
                .scan(entity, &after, 5_000)
                .await
                .map_err(anyhow::Error::new)?;
            let Some(last) = page.last() else { break };
            after = last.id().to_string();
            for record in &page {
                if let Some((kind, text)) = passage_text(record) {
                    texts.push((kind, record.id().to_string(), text));
                }
            }
        }
    }
    let mut cached = read_cache(cache)?;
    let missing: Vec<usize> = (0..texts.len())
        .filter(|&i| !cached.contains_key(&text_key(&texts[i].2)))
        .collect();
    eprintln!(
        "semantic: {} records, {} vectors cached, {} to embed",
        texts.len(),
        texts.len() - missing.len(),
        missing.len()
    );
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(cache)
            .with_context(|| format!("cannot write {}", cache.display()))?,
    );
    for (n, chunk) in missing.chunks(256).enumerate() {
        let batch: Vec<String> = chunk.iter().map(|&i| texts[i].2.clone()).collect();
        let e = embedder.clone();
        let vectors = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            e.embed(&refs, Kind::Passage)
        })
        .await??;
        for (&i, v) in chunk.iter().zip(vectors) {
            let key = text_key(&texts[i].2);
            out.write_all(&key)?;
            for x in &v {
                out.write_all(&x.to_le_bytes())?;
            }
            cached.insert(key, v);
        }
        out.flush()?;
        let done = ((n + 1) * 256).min(missing.len());
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "semantic: embedded {done}/{} ({:.1} records/s)",
            missing.len(),
            done as f64 / secs.max(1e-9)
        );
    }
    let set = VectorSet::new(DIM);
    for (kind, id, text) in &texts {
        if let Some(v) = cached.get(&text_key(text)) {
            set.insert(*kind, id, v);
        }
    }
    Ok(Semantic {
        encoder: Arc::new(Encoder(embedder)),
        vectors: Arc::new(set),
    })
}
