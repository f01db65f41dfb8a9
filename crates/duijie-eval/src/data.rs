//! Loading the two NSFC listings used as held-out attribution data: the life-science projects
//! 2019–2023 (CSV files in nested folders, the same project in several of them) and the
//! management-science projects of 2017 (one zipped CSV).
//!
//! Both are read by the catalogue importer (`duijie-ingest`), as a bureau's upload would be:
//! it knows the NSFC headers (项目名称/title, 依托单位/organization, 负责人/personText,
//! keywords, years) and strips the `12.` numbering of life-science titles.

use crate::EvalError;
use duijie_core::text::normalize_org_name;
use duijie_core::{Draft, RecordKind};
use duijie_ingest::{ParsedFile, ReadOptions};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Which listing a project comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSet {
    /// `nsfc-life-2019-2023`: titles with keywords.
    NsfcLife,
    /// `nsfc-mgmt-2017`: titles only.
    NsfcMgmt,
}

impl DataSet {
    pub fn as_str(self) -> &'static str {
        match self {
            DataSet::NsfcLife => "nsfc_life",
            DataSet::NsfcMgmt => "nsfc_mgmt",
        }
    }
}

/// One funded project, read as an achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// `<listing>-<n>`, in reading order (the importer does not read 项目批准号).
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    /// 依托单位 as written.
    pub org: String,
    /// 依托单位 normalised for identity; the institution's id in the evaluation.
    pub org_key: String,
    /// 负责人
    pub person: String,
    pub year: Option<i32>,
}

impl Project {
    /// The query the held-out project becomes: title, then `。关键词：k1；k2…`.
    pub fn query_text(&self) -> String {
        if self.keywords.is_empty() {
            self.title.clone()
        } else {
            format!("{}。关键词：{}", self.title, self.keywords.join("；"))
        }
    }

    /// The expert's id in the evaluation: `org_key|person`.
    pub fn expert_key(&self) -> String {
        format!("{}|{}", self.org_key, self.person)
    }
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), EvalError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EvalError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| EvalError::io(dir, e))?.path();
        if path.is_dir() {
            csv_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "csv") {
            out.push(path);
        }
    }
    Ok(())
}

/// Is this CSV a project listing (its header names `approveText`), not a code table?
fn is_listing(path: &Path) -> Result<bool, EvalError> {
    let file = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| EvalError::io(path, e))?;
    Ok(header.contains("approveText"))
}

fn options() -> ReadOptions {
    ReadOptions {
        kind: Some(RecordKind::Achievements),
        ..ReadOptions::default()
    }
}

/// The achievements of an imported file as projects, skipping ones already seen (same title,
/// institution and leader: the life-science listing repeats projects across its files).
fn collect(
    parsed: ParsedFile,
    prefix: &str,
    seen: &mut HashSet<(String, String, String)>,
    out: &mut Vec<Project>,
) {
    for row in parsed.records {
        let Draft::Achievement(a) = row.draft else {
            continue;
        };
        let person = a.leader.unwrap_or_default();
        if a.title.is_empty() || a.org_name.is_empty() {
            continue;
        }
        if !seen.insert((a.title.clone(), a.org_name.clone(), person.clone())) {
            continue;
        }
        out.push(Project {
            id: format!("{prefix}-{}", out.len()),
            title: a.title,
            keywords: a.keywords,
            org_key: normalize_org_name(&a.org_name),
            org: a.org_name,
            person,
            year: a.year,
        });
    }
}

/// Reads every listing CSV under `dir` (files with the `approveText` header; code tables are
/// skipped) through the importer, de-duplicated, in path order.
pub fn load_life(dir: &Path) -> Result<Vec<Project>, EvalError> {
    let mut files = Vec::new();
    csv_files(dir, &mut files)?;
    files.sort();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for path in files {
        if !is_listing(&path)? {
            continue;
        }
        let parsed = duijie_ingest::read_path(&path, &options())
            .map_err(|e| EvalError::data(&path, e.to_string()))?;
        collect(parsed, "life", &mut seen, &mut out);
    }
    Ok(out)
}

/// Reads the zipped management-science listing (the first `.csv` in the archive) through the
/// importer.
pub fn load_mgmt(zip_path: &Path) -> Result<Vec<Project>, EvalError> {
    let file = std::fs::File::open(zip_path).map_err(|e| EvalError::io(zip_path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| EvalError::data(zip_path, e.to_string()))?;
    let name = archive
        .file_names()
        .find(|n| n.ends_with(".csv"))
        .map(str::to_string)
        .ok_or_else(|| EvalError::data(zip_path, "no .csv in the archive"))?;
    let mut bytes = Vec::new();
    archive
        .by_name(&name)
        .map_err(|e| EvalError::data(zip_path, e.to_string()))?
        .read_to_end(&mut bytes)
        .map_err(|e| EvalError::io(zip_path, e))?;
    let parsed = duijie_ingest::read_bytes(&name, &bytes, &options())
        .map_err(|e| EvalError::data(zip_path, e.to_string()))?;
    let mut out = Vec::new();
    collect(parsed, "mgmt", &mut HashSet::new(), &mut out);
    Ok(out)
}

/// Projects as a JSON achievement listing with the catalogue's Chinese headers, as a bureau
/// would upload it; each row is (title, institution, leader, keywords).
pub(crate) fn achievement_listing<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, &'a str, &'a [String])>,
) -> serde_json::Result<Vec<u8>> {
    let rows: Vec<serde_json::Value> = rows
        .map(|(title, institution, person, keywords)| {
            serde_json::json!({
                "成果名称": title,
                "完成单位": institution,
                "负责人": person,
                "关键词": keywords.join("；"),
            })
        })
        .collect();
    serde_json::to_vec(&rows)
}
