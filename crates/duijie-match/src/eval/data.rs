//! Loading the two NSFC listings used as held-out attribution data: the life-science projects
//! 2019–2023 (CSV files in nested folders, the same project in several of them) and the
//! management-science projects of 2017 (one zipped CSV).
//!
//! This is a small dedicated reader, not the catalogue importer: `duijie-ingest` was not
//! available when the harness was written (see `docs/ranking.md`).

use crate::MatchError;
use duijie_core::text::{clean_line, normalize_org_name};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Read;
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
    /// 项目批准号
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

/// Parses CSV text (RFC 4180 quoting) into rows of fields.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn column(path: &Path, header: &[String], name: &str) -> Result<usize, MatchError> {
    header
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| MatchError::data(path, format!("no column {name}")))
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), MatchError> {
    let entries = std::fs::read_dir(dir).map_err(|e| MatchError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| MatchError::io(dir, e))?.path();
        if path.is_dir() {
            csv_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "csv") {
            out.push(path);
        }
    }
    Ok(())
}

/// Drops the `12.` numbering the life-science listing puts before titles.
fn strip_numbering(title: &str) -> &str {
    let digits = title.len() - title.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        if let Some(rest) = title[digits..]
            .strip_prefix('.')
            .or_else(|| title[digits..].strip_prefix('、'))
        {
            return rest.trim_start();
        }
    }
    title
}

fn year(s: &str) -> Option<i32> {
    s.trim().get(..4).and_then(|y| y.parse().ok())
}

/// Reads every listing CSV under `dir` (files with the `approveText` header; the others are
/// skipped), de-duplicated by approval number, in path order.
pub fn load_life(dir: &Path) -> Result<Vec<Project>, MatchError> {
    let mut files = Vec::new();
    csv_files(dir, &mut files)?;
    files.sort();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| MatchError::io(&path, e))?;
        let rows = parse_csv(&text);
        let Some(header) = rows.first() else { continue };
        if !header.iter().any(|h| h == "approveText") {
            continue;
        }
        let id_c = column(&path, header, "approveText")?;
        let title_c = column(&path, header, "title")?;
        let org_c = column(&path, header, "organization")?;
        let person_c = column(&path, header, "personText")?;
        let kw_c = column(&path, header, "keywords")?;
        let year_c = column(&path, header, "approveYear")?;
        for row in &rows[1..] {
            let get = |c: usize| row.get(c).map_or("", String::as_str);
            let id = get(id_c).trim();
            let title = clean_line(strip_numbering(get(title_c).trim()));
            let org = clean_line(get(org_c));
            if id.is_empty() || title.is_empty() || org.is_empty() || !seen.insert(id.to_string()) {
                continue;
            }
            out.push(Project {
                id: id.to_string(),
                title,
                keywords: get(kw_c)
                    .split(['；', ';'])
                    .map(clean_line)
                    .filter(|k| !k.is_empty())
                    .collect(),
                org_key: normalize_org_name(&org),
                org,
                person: clean_line(get(person_c)),
                year: year(get(year_c)),
            });
        }
    }
    Ok(out)
}

/// Reads the zipped management-science listing (the first `.csv` in the archive).
pub fn load_mgmt(zip_path: &Path) -> Result<Vec<Project>, MatchError> {
    let file = std::fs::File::open(zip_path).map_err(|e| MatchError::io(zip_path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| MatchError::data(zip_path, e.to_string()))?;
    let name = archive
        .file_names()
        .find(|n| n.ends_with(".csv"))
        .map(str::to_string)
        .ok_or_else(|| MatchError::data(zip_path, "no .csv in the archive"))?;
    let mut bytes = Vec::new();
    archive
        .by_name(&name)
        .map_err(|e| MatchError::data(zip_path, e.to_string()))?
        .read_to_end(&mut bytes)
        .map_err(|e| MatchError::io(zip_path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| MatchError::data(zip_path, format!("{name} is not UTF-8")))?;
    let rows = parse_csv(&text);
    let header = rows
        .first()
        .ok_or_else(|| MatchError::data(zip_path, "empty CSV"))?;
    let id_c = column(zip_path, header, "项目批准号")?;
    let title_c = column(zip_path, header, "项目名称")?;
    let org_c = column(zip_path, header, "依托单位")?;
    let person_c = column(zip_path, header, "负责人")?;
    let year_c = column(zip_path, header, "起止年月")?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in &rows[1..] {
        let get = |c: usize| row.get(c).map_or("", String::as_str);
        let id = get(id_c).trim();
        let title = clean_line(get(title_c));
        let org = clean_line(get(org_c));
        if id.is_empty() || title.is_empty() || org.is_empty() || !seen.insert(id.to_string()) {
            continue;
        }
        out.push(Project {
            id: id.to_string(),
            title,
            keywords: Vec::new(),
            org_key: normalize_org_name(&org),
            org,
            person: clean_line(get(person_c)),
            year: year(get(year_c)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_commas_and_newlines() {
        let rows = parse_csv("a,b\r\n\"x, \"\"y\"\"\",\"l1\nl2\"\n");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, \"y\"", "l1\nl2"]]);
    }

    #[test]
    fn numbering_is_stripped() {
        assert_eq!(strip_numbering("12.线虫病原细菌"), "线虫病原细菌");
        assert_eq!(strip_numbering("3D打印"), "3D打印");
    }
}
