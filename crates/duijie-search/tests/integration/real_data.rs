//! Real titles: NSFC life-science projects (../shared/data, skipped when absent).

use crate::common::*;
use duijie_core::EntityKind;
use duijie_search::{SearchIndex, SearchQuery};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nsfc-life-2019-2023")
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            csv_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "csv") {
            out.push(p);
        }
    }
}

/// Splits one CSV line with `"`-quoted fields (the files have no embedded newlines).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[test]
fn nsfc_titles_are_searchable() {
    let mut files = Vec::new();
    csv_files(&data_dir(), &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("skipped: no NSFC data at {}", data_dir().display());
        return;
    }
    let mut docs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        let header = split_csv(lines.next().unwrap_or_default());
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(t), Some(a), Some(o), Some(k)) = (
            col("title"),
            col("approveText"),
            col("organization"),
            col("keywords"),
        ) else {
            continue;
        };
        for line in lines {
            let row = split_csv(line);
            let (Some(title), Some(id)) = (row.get(t), row.get(a)) else {
                continue;
            };
            if !seen.insert(id.clone()) {
                continue;
            }
            let title = title.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
            let keywords: Vec<&str> = row
                .get(k)
                .map(|k| k.split('；').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            let org = row.get(o).cloned().unwrap_or_default();
            docs.push(achievement(id, title).keywords(&keywords).org(&org, &org));
        }
    }
    assert!(docs.len() > 1000, "{} projects", docs.len());
    let n = docs.len();
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(docs).unwrap();
    index.commit(1).unwrap();
    assert_eq!(index.doc_count() as usize, n);

    for (query, must_contain) in [
        ("应激颗粒", "应激颗粒"),
        ("非编码RNA", "RNA"),
        ("肠道菌群", "菌群"),
    ] {
        let r = index
            .search(&SearchQuery {
                text: Some(query.to_string()),
                ..SearchQuery::new(EntityKind::Achievement)
            })
            .unwrap();
        assert!(r.total > 0, "{query}");
        let first = &r.hits[0];
        assert!(
            first
                .title_html
                .to_lowercase()
                .contains(&must_contain.to_lowercase()),
            "{query}: {}",
            first.title_html
        );
        assert!(
            first.title_html.contains("<em>"),
            "{query}: {}",
            first.title_html
        );
    }
}
