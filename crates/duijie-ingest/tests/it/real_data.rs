//! Real catalogues from `/work/shared/data`, when that directory is present (it is not part of
//! the repository); each test says so and returns when its file is missing.

use crate::fixtures::*;
use duijie_core::RecordKind;
use duijie_ingest::{read_bytes, read_path, ReadOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

const DATA: &str = "/work/shared/data";

fn data_file(rel: &str) -> Option<PathBuf> {
    let path = Path::new(DATA).join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is not present", path.display());
        None
    }
}

#[test]
fn nsfc_life_csv() {
    let Some(path) = data_file("nsfc-life-2019-2023/19_21/C01/C0106.csv") else {
        return;
    };
    let p = read_path(&path, &ReadOptions::default()).expect("readable");
    assert_eq!(p.kind, RecordKind::Achievements);
    assert_eq!(p.rows_skipped, 0, "{:?}", p.errors.first());
    assert!(p.records.len() > 100, "{}", p.records.len());
    let a = achievements(&p);
    let (row, first) = a[0];
    assert_eq!(row, 2);
    assert_eq!(
        first.title,
        "微生物修复石油污染的厌氧解烃分子机制及重要功能基因研究"
    );
    assert_eq!(first.org_name, "南开大学");
    assert_eq!(first.leader.as_deref(), Some("王威"));
    assert_eq!(first.year, Some(2015));
    assert_eq!(first.keywords.len(), 5);
    // No title keeps its listing number (`12.`); the raw file numbers every one.
    let numbered = |t: &str| {
        let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
        rest.len() < t.len() && rest.starts_with(['.', '、'])
    };
    assert!(a.iter().all(|(_, x)| !numbered(&x.title)));
}

#[test]
fn nsfc_management_listing_from_its_zip() {
    let Some(path) = data_file("nsfc-mgmt-2017/natural-2017-09-26.csv.zip") else {
        return;
    };
    let file = std::fs::File::open(&path).expect("open");
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    let mut csv = Vec::new();
    archive
        .by_index(0)
        .expect("entry")
        .read_to_end(&mut csv)
        .expect("read");
    let started = std::time::Instant::now();
    let p = read_bytes("natural-2017-09-26.csv", &csv, &ReadOptions::default()).expect("readable");
    println!(
        "nsfc-mgmt: {} rows in {:?} (debug build)",
        p.rows_total,
        started.elapsed()
    );
    assert_eq!(p.kind, RecordKind::Achievements);
    assert!(p.rows_total > 17_000, "{}", p.rows_total);
    let a = achievements(&p);
    let (_, first) = a[0];
    assert_eq!(first.org_name, "安徽大学");
    assert_eq!(first.leader.as_deref(), Some("陶志富"));
    assert_eq!(first.year, Some(2018), "year from 起止年月 2018.01-2020.12");
}

#[test]
fn faculty_profiles() {
    let Some(path) = data_file("faculty-profiles/scholars/sjtu/sjtu_cs_faculty/latest.json") else {
        return;
    };
    let p = read_path(&path, &ReadOptions::default()).expect("readable");
    assert_eq!(p.kind, RecordKind::Experts);
    assert_eq!(p.rows_total, 253);
    let e = experts(&p);
    assert!(e.iter().all(|(_, x)| x.org_name == "上海交通大学"));
    assert!(e.iter().any(|(_, x)| x.name == "陈海波"));
}

#[test]
fn every_faculty_profile_file_reads() {
    let Some(root) = data_file("faculty-profiles/scholars") else {
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "latest.json") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty());
    let mut experts_read = 0;
    for f in &files {
        let p = read_path(f, &ReadOptions::default()).expect("readable");
        assert_eq!(p.kind, RecordKind::Experts, "{}", f.display());
        experts_read += p.records.len();
    }
    println!("{} faculty files, {experts_read} experts", files.len());
    assert!(experts_read > 2_000);
}
