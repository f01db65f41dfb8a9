//! Writing, committing, reopening, recreating.

use crate::common::*;
use duijie_core::EntityKind;
use duijie_search::{SearchIndex, SearchQuery, SCHEMA_VERSION};

#[test]
fn upsert_delete_commit_and_applied_seq_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert!(index.needs_rebuild(), "a new directory has to be filled");
        assert_eq!(index.applied_seq(), None);
        index
            .upsert(vec![
                achievement("a1", "耐盐水稻").keywords(&["水稻", "耐盐"]),
                achievement("a2", "锂电池正极材料"),
                achievement("a3", "高纯氧化铝"),
            ])
            .unwrap();
        assert_eq!(index.doc_count(), 0, "invisible before commit");
        index.commit(7).unwrap();
        assert_eq!(index.doc_count(), 3);
        // Replace one, delete one.
        index
            .upsert(vec![achievement("a1", "耐盐小麦").year(2021)])
            .unwrap();
        index.delete("a3").unwrap();
        index.commit(9).unwrap();
        assert_eq!(index.doc_count(), 2);
        assert_eq!(index.applied_seq(), Some(9));
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(!index.needs_rebuild());
    assert_eq!(index.applied_seq(), Some(9));
    assert_eq!(index.doc_count(), 2);
    let a1 = index.get("a1").unwrap().unwrap();
    assert_eq!(a1.title, "耐盐小麦");
    assert_eq!(a1.year, Some(2021));
    assert!(index.get("a3").unwrap().is_none());
}

#[test]
fn get_returns_what_was_indexed() {
    let index = SearchIndex::in_memory().unwrap();
    let doc = demand("d1", "盐碱地改良", "published")
        .body("需要<b>改良</b>盐碱地")
        .keywords(&["盐碱地", "土壤改良"])
        .field("现代农业")
        .region("河南")
        .org("org_9", "某农业公司")
        .modes(&["技术转让", "合作开发"])
        .created(1_700_000_000_000);
    index.upsert(vec![doc.clone()]).unwrap();
    index.commit(1).unwrap();
    assert_eq!(index.get("d1").unwrap(), Some(doc));
}

#[test]
fn an_index_of_another_schema_version_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(vec![achievement("a1", "耐盐水稻")]).unwrap();
        index.commit(3).unwrap();
    }
    let version_file = dir.path().join("duijie-schema-version");
    assert_eq!(
        std::fs::read_to_string(&version_file).unwrap(),
        SCHEMA_VERSION.to_string()
    );
    std::fs::write(&version_file, "0").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.doc_count(), 0);
    assert_eq!(index.applied_seq(), None);
}

#[test]
fn a_corrupted_index_is_recreated_and_foreign_files_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(vec![achievement("a1", "耐盐水稻")]).unwrap();
        index.commit(3).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    std::fs::write(dir.path().join("meta.json"), b"{not json \xff").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.doc_count(), 0);
    assert!(dir.path().join("notes.txt").exists());
    // Usable after recreation.
    index.upsert(vec![achievement("a2", "锂电池")]).unwrap();
    index.commit(4).unwrap();
    assert_eq!(index.doc_count(), 1);
}

#[test]
fn a_missing_segment_file_means_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(vec![achievement("a1", "耐盐水稻")]).unwrap();
        index.commit(3).unwrap();
    }
    let segment_file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    std::fs::remove_file(segment_file).unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.doc_count(), 0);
}

#[test]
fn clear_empties_the_index_and_forgets_the_sequence() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .upsert(vec![
            achievement("a1", "耐盐水稻"),
            demand("d1", "耐盐", "published"),
        ])
        .unwrap();
    index.commit(5).unwrap();
    index.clear().unwrap();
    assert_eq!(index.doc_count(), 0);
    assert_eq!(index.applied_seq(), None);
    let all = index
        .search(&SearchQuery::new(EntityKind::Achievement))
        .unwrap();
    assert_eq!(all.total, 0);
}

#[test]
fn compact_merges_segments_and_keeps_documents_and_sequence() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        for (seq, id, title) in [
            (1, "a1", "耐盐水稻育种"),
            (2, "a2", "锂电池正极材料"),
            (3, "a3", "高纯氧化铝"),
            (4, "a4", "水稻病害防控"),
        ] {
            index.upsert(vec![achievement(id, title)]).unwrap();
            index.commit(seq).unwrap();
        }
        index.delete("a2").unwrap();
        index.commit(5).unwrap();
        assert!(
            !index.compact(8).unwrap(),
            "few enough segments: left alone"
        );
        let before = find_titles(&index, "水稻");
        let files = || std::fs::read_dir(dir.path()).unwrap().count();
        let files_before = files();
        assert!(index.compact(1).unwrap(), "four segments merged");
        assert!(
            files() < files_before,
            "the merged segments' files are removed: {} -> {}",
            files_before,
            files()
        );
        assert!(!index.compact(1).unwrap(), "one segment is left");
        assert_eq!(index.doc_count(), 3);
        assert_eq!(find_titles(&index, "水稻"), before);
        assert!(index.get("a2").unwrap().is_none(), "deleted stays deleted");
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(!index.needs_rebuild());
    assert_eq!(
        index.applied_seq(),
        Some(5),
        "the merge keeps the commit's sequence"
    );
    assert_eq!(index.doc_count(), 3);
    assert!(
        !index.compact(1).unwrap(),
        "still one segment after reopening"
    );
}

fn find_titles(index: &SearchIndex, text: &str) -> Vec<String> {
    let mut ids: Vec<String> = index
        .search(&SearchQuery {
            text: Some(text.to_string()),
            ..SearchQuery::new(EntityKind::Achievement)
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}
