//! Throughput and latency of duijie-search on real text (CSL abstracts and titles, Apache-2.0,
//! from `../shared/data/csl-benchmark`). Not a test: run it in release and read the numbers.
//!
//! ```text
//! cargo run --release -p duijie-search --example bench -- [docs=100000] [data-dir]
//! ```
//!
//! 1. tokenizer: the index tokenizer against raw jieba-rs `cut_for_search` (same dictionary),
//!    in characters per second on one core;
//! 2. indexing: `docs` generated achievements (real titles, abstracts, keywords) into an
//!    on-disk index, documents and characters per second;
//! 3. queries at that size: search-box p50/p95 (with facets and highlights) and weighted
//!    retrieval p50/p95 (top 200, with matched terms).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duijie_core::EntityKind;
use duijie_search::{
    shared_jieba, Filter, IndexDoc, JiebaTokenizer, SearchIndex, SearchQuery, WeightedTerm,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tantivy::tokenizer::{TokenStream, Tokenizer};

struct Corpus {
    abstracts: Vec<String>,
    keywords: Vec<Vec<String>>,
    titles: Vec<String>,
}

fn load(dir: &std::path::Path) -> Corpus {
    let mut abstracts = Vec::new();
    let mut keywords = Vec::new();
    for split in ["dev", "test"] {
        let text = std::fs::read_to_string(dir.join(format!("kg/{split}.tsv")))
            .expect("CSL kg files (pass the benchmark directory as second argument)");
        for line in text.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() >= 3 {
                abstracts.push(cols[1].to_string());
                keywords.push(cols[2].split('_').map(str::to_string).collect());
            }
        }
    }
    let mut titles = Vec::new();
    for split in ["train", "dev", "test"] {
        let text = std::fs::read_to_string(dir.join(format!("cls_ctg/{split}.tsv"))).unwrap();
        titles.extend(
            text.lines()
                .filter_map(|l| l.split('\t').nth(1))
                .map(str::to_string),
        );
    }
    Corpus {
        abstracts,
        keywords,
        titles,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: n={} p50={:.2} ms p95={:.2} ms max={:.2} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
}

fn bench_tokenizer(corpus: &Corpus) {
    let jieba = shared_jieba();
    let chars: usize = corpus.abstracts.iter().map(|a| a.chars().count()).sum();
    let rounds = 5;
    // Warm-up (dictionary built, caches hot).
    for a in corpus.abstracts.iter().take(100) {
        let _ = jieba.cut_for_search(a, true);
    }
    let mut raw = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let mut n = 0usize;
        for a in &corpus.abstracts {
            n += jieba.cut_for_search(a, true).len();
        }
        raw.push((t.elapsed(), n));
        let mut tokenizer = JiebaTokenizer::new(jieba.clone());
        let t = Instant::now();
        let mut n = 0usize;
        for a in &corpus.abstracts {
            let mut stream = tokenizer.token_stream(a);
            while stream.advance() {
                n += 1;
            }
        }
        ours.push((t.elapsed(), n));
    }
    let median = |v: &mut Vec<(Duration, usize)>| {
        v.sort();
        v[v.len() / 2]
    };
    let (raw_t, raw_n) = median(&mut raw);
    let (our_t, our_n) = median(&mut ours);
    let rate = |d: Duration| chars as f64 / d.as_secs_f64() / 1e6;
    println!(
        "tokenizer: {} abstracts, {chars} chars; raw jieba-rs cut_for_search {:.2} M chars/s \
         ({raw_n} tokens); duijie tokenizer {:.2} M chars/s ({our_n} tokens); ratio {:.0}%",
        corpus.abstracts.len(),
        rate(raw_t),
        rate(our_t),
        100.0 * raw_t.as_secs_f64() / our_t.as_secs_f64()
    );
}

const FIELDS: [&str; 5] = ["新材料", "现代农业", "生物医药", "电子信息", "先进制造"];
const REGIONS: [&str; 4] = ["河南", "湖北", "江苏", "广东"];

fn doc(corpus: &Corpus, i: usize) -> IndexDoc {
    let a = i % corpus.abstracts.len();
    // Titles and abstracts cycle at different periods so documents differ.
    let t = (i * 7 + i / corpus.titles.len()) % corpus.titles.len();
    IndexDoc {
        kind: EntityKind::Achievement,
        id: format!("ach_{i:08}"),
        title: corpus.titles[t].clone(),
        keywords: corpus.keywords[a].clone(),
        body: corpus.abstracts[a].clone(),
        org_id: format!("org_{}", i % 1500),
        org_name: format!("第{}研究院", i % 1500),
        person: Some(format!("专家{}", i % 20_000)),
        expert_id: Some(format!("exp_{}", i % 20_000)),
        field: Some(FIELDS[i % FIELDS.len()].to_string()),
        more_fields: Vec::new(),
        region: Some(REGIONS[i % REGIONS.len()].to_string()),
        status: None,
        modes: Vec::new(),
        created_at: i as i64,
        year: Some(2015 + (i % 9) as i64),
        deadline_day: None,
        budget_wan: None,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let docs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let data: PathBuf = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/csl-benchmark/benchmark")
    });
    let corpus = load(&data);
    bench_tokenizer(&corpus);

    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    let t = Instant::now();
    let mut chars = 0usize;
    let batch = 10_000;
    for start in (0..docs).step_by(batch) {
        let chunk: Vec<IndexDoc> = (start..(start + batch).min(docs))
            .map(|i| doc(&corpus, i))
            .collect();
        chars += chunk
            .iter()
            .map(|d| d.title.chars().count() + d.body.chars().count())
            .sum::<usize>();
        index.upsert(chunk).unwrap();
    }
    index.commit(docs as i64).unwrap();
    let took = t.elapsed();
    println!(
        "indexing: {docs} docs in {:.1} s: {:.0} docs/s, {:.2} M chars/s (commit included)",
        took.as_secs_f64(),
        docs as f64 / took.as_secs_f64(),
        chars as f64 / took.as_secs_f64() / 1e6
    );

    let queries: Vec<String> = corpus
        .keywords
        .iter()
        .take(500)
        .enumerate()
        .map(|(i, k)| {
            if i % 2 == 0 {
                k[0].clone()
            } else {
                k.iter().take(2).cloned().collect::<Vec<_>>().join(" ")
            }
        })
        .collect();
    let mut times = Vec::new();
    let mut hits = 0usize;
    for q in &queries {
        let t = Instant::now();
        let r = index
            .search(&SearchQuery {
                text: Some(q.clone()),
                ..SearchQuery::new(EntityKind::Achievement)
            })
            .unwrap();
        times.push(t.elapsed());
        hits += usize::from(r.total > 0);
    }
    println!("search: {hits}/{} queries with hits", queries.len());
    report("search (text, facets, highlights, 20 hits)", times);

    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        index
            .search(&SearchQuery {
                region: Some("河南".into()),
                ..SearchQuery::new(EntityKind::Achievement)
            })
            .unwrap();
        times.push(t.elapsed());
    }
    report("search (listing newest first, filter, facets)", times);

    let mut weighting = Vec::new();
    let mut retrieval = Vec::new();
    let mut retrieval_10 = Vec::new();
    let mut terms_total = 0usize;
    let n = index.num_docs_in(EntityKind::Achievement) as f32;
    for (i, a) in corpus.abstracts.iter().take(300).enumerate() {
        // A demand-like query: a title plus the start of an abstract.
        let text: String = format!(
            "{}。{}",
            corpus.titles[i],
            a.chars().take(100).collect::<String>()
        );
        let t = Instant::now();
        let terms: Vec<WeightedTerm> = index
            .analyze(&text)
            .into_iter()
            .map(|term| {
                let df = index.doc_freq_in(EntityKind::Achievement, &term) as f32;
                let weight = ((n + 1.0) / (df + 1.0)).ln();
                WeightedTerm { term, weight }
            })
            .collect();
        weighting.push(t.elapsed());
        terms_total += terms.len();
        let t = Instant::now();
        index
            .top_weighted(EntityKind::Achievement, &terms, &Filter::default(), 200)
            .unwrap();
        retrieval.push(t.elapsed());
        let t = Instant::now();
        index
            .top_weighted(EntityKind::Achievement, &terms, &Filter::default(), 10)
            .unwrap();
        retrieval_10.push(t.elapsed());
    }
    println!(
        "top_weighted: {:.0} terms per query on average",
        terms_total as f64 / 300.0
    );
    report(
        "query weighting (analyze + doc_freq_in per term)",
        weighting,
    );
    report(
        "top_weighted (top 200 + fast fields + matched terms)",
        retrieval,
    );
    report("top_weighted (top 10)", retrieval_10);
}
