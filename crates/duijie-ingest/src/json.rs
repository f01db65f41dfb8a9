//! JSON catalogues: an array of records, `{"items": [...]}`, JSONL, and the faculty-profile
//! shape (`items[].extra.{name, university, ...}`) read straight into experts. Generic records
//! become a table whose headers are their keys, so they share the spreadsheet path.

use crate::headers::Columns;
use crate::records::{code, one_line, prose, split_list, Collector, Issues};
use crate::table::{Row, Table};
use crate::workbook::number_text;
use duijie_core::text::split_keywords;
use duijie_core::validate::MAX_TEXT_CHARS;
use duijie_core::{Contact, Draft, ExpertDraft, RowError};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The sheet name JSON rows are reported under.
pub(crate) const SHEET: &str = "json";

/// Keys under which a wrapping object keeps its records.
const ITEM_KEYS: &[&str] = &["items", "data", "records", "rows", "list", "results"];

/// Longest bio taken from a profile page's text when the profile has no bio of its own.
const MAX_PAGE_BIO_CHARS: usize = 4000;

/// What a JSON file holds.
pub(crate) enum JsonDoc {
    /// Records with field keys; `numbers` are their 1-based item (or JSONL line) numbers.
    Records {
        items: Vec<(u32, Map<String, Value>)>,
        /// Items that are not objects or lines that are not JSON: reported and counted.
        bad: Vec<RowError>,
    },
    /// Faculty profiles: experts.
    Faculty(Vec<Value>),
}

/// Parses JSON or JSONL. `Ok(None)` when the text is not JSON at all, so the caller can try
/// another format; `Err` with serde's reason when `insist` (a `.json` name) says it must be.
pub(crate) fn parse(text: &str, insist: bool) -> Result<Option<JsonDoc>, String> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return if insist {
            Err("不是 JSON".to_string())
        } else {
            Ok(None)
        };
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => whole_document(value).map(Some),
        Err(whole_err) => match json_lines(text) {
            Some(doc) => Ok(Some(doc)),
            None if insist => Err(whole_err.to_string()),
            None => Ok(None),
        },
    }
}

fn whole_document(value: Value) -> Result<JsonDoc, String> {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => {
            let key = ITEM_KEYS
                .iter()
                .find(|k| map.get(**k).is_some_and(Value::is_array));
            match key.and_then(|k| map.remove(*k)) {
                Some(Value::Array(items)) => items,
                // A single record object.
                _ => vec![Value::Object(map)],
            }
        }
        _ => return Err("JSON 中没有记录".to_string()),
    };
    if items.iter().any(is_faculty_profile) {
        return Ok(JsonDoc::Faculty(items));
    }
    let mut objects = Vec::with_capacity(items.len());
    let mut bad = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match item {
            Value::Object(map) => objects.push((number, map)),
            _ => bad.push(not_an_object(number)),
        }
    }
    Ok(JsonDoc::Records {
        items: objects,
        bad,
    })
}

fn not_an_object(number: u32) -> RowError {
    RowError {
        sheet: SHEET.to_string(),
        row: number,
        column: None,
        code: code::INVALID_JSON.to_string(),
        message: "该项不是对象，未导入".to_string(),
    }
}

/// JSONL: one object per line. `None` unless at least one line is a JSON object, so prose or
/// CSV that happens to start with `{` is not taken for JSONL.
fn json_lines(text: &str) -> Option<JsonDoc> {
    let mut items = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => items.push((number, map)),
            Ok(_) => bad.push(not_an_object(number)),
            Err(e) => bad.push(RowError {
                sheet: SHEET.to_string(),
                row: number,
                column: None,
                code: code::INVALID_JSON.to_string(),
                message: format!("该行不是有效的 JSON，未导入（invalid JSON line: {e}）"),
            }),
        }
    }
    if items.is_empty() {
        return None;
    }
    Some(JsonDoc::Records { items, bad })
}

fn is_faculty_profile(item: &Value) -> bool {
    item.get("extra")
        .and_then(Value::as_object)
        .is_some_and(|e| e.contains_key("university") || e.contains_key("research_areas"))
}

/// A JSON value as cell text: numbers as typed, arrays joined with `；`, nested objects dropped.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::Null | Value::Object(_) => String::new(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().map(number_text).unwrap_or_default(),
        },
        Value::String(s) => s.trim().to_string(),
        Value::Array(items) => items
            .iter()
            .map(value_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// Generic records as a table: the union of their keys (in order of first appearance) is the
/// header row.
pub(crate) fn records_table(items: &[(u32, Map<String, Value>)]) -> Table<'static> {
    let mut keys: Vec<&str> = Vec::new();
    for (_, map) in items {
        for k in map.keys() {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let rows = items
        .iter()
        .map(|(number, map)| Row {
            number: *number,
            cells: keys
                .iter()
                .map(|k| Cow::Owned(map.get(*k).map(value_text).unwrap_or_default()))
                .collect(),
        })
        .collect();
    Table {
        sheet: SHEET.to_string(),
        columns: Columns::from_texts(&keys),
        rows,
        header_row: None,
        has_notes: false,
        region: None,
    }
}

/// Our copy of the profiles has contacts replaced with placeholders such as `[邮箱已删除]`.
fn is_placeholder(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && s.contains("删除")
}

/// Reads faculty profiles as experts: name, university, department, position (or academic
/// titles), research areas, keywords, bio (or the page text), valid e-mail and phone.
pub(crate) fn read_faculty(items: &[Value], out: &mut Collector) {
    for (i, item) in items.iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let extra = item.get("extra").and_then(Value::as_object);
        let field = |key: &str| -> Option<String> {
            extra
                .and_then(|e| e.get(key))
                .map(value_text)
                .filter(|s| !s.is_empty() && !is_placeholder(s))
        };
        let mut issues = Issues::new(SHEET, number);
        let name = field("name")
            .or_else(|| item.get("title").map(value_text))
            .as_deref()
            .and_then(one_line);
        let org = field("university").as_deref().and_then(one_line);
        if name.is_none() || org.is_none() {
            let missing: Vec<&str> = [
                (name.is_none(), "extra.name"),
                (org.is_none(), "extra.university"),
            ]
            .into_iter()
            .filter(|(m, _)| *m)
            .map(|(_, k)| k)
            .collect();
            issues.push(
                missing.first().copied(),
                code::MISSING_REQUIRED,
                format!("缺少必填项：{}，该项未导入", missing.join("、")),
            );
            out.add(SHEET, number, None, issues.errors);
            continue;
        }
        let list = |key: &str| -> Vec<String> {
            match extra.and_then(|e| e.get(key)) {
                Some(Value::Array(values)) => {
                    let mut out: Vec<String> = Vec::new();
                    for v in values {
                        if let Some(s) = one_line(&value_text(v)) {
                            if !is_placeholder(&s) && !out.contains(&s) {
                                out.push(s);
                            }
                        }
                    }
                    out
                }
                Some(v) => split_list(&value_text(v)),
                None => Vec::new(),
            }
        };
        let title = field("position")
            .as_deref()
            .and_then(one_line)
            .or_else(|| Some(list("academic_titles").join("、")).filter(|s| !s.is_empty()));
        // A scraped profile page is the person's record, not text they typed into a form: an
        // over-long biography is cut to the form's limit (and reported), the expert kept.
        let bio = field("bio").map(|b| {
            let n = b.chars().count();
            if n > MAX_TEXT_CHARS {
                issues.push(
                    Some("extra.bio"),
                    code::TOO_LONG,
                    format!("简介有 {n} 个字符，超过上限 {MAX_TEXT_CHARS}，已截断"),
                );
            }
            prose(truncate_chars(&b, MAX_TEXT_CHARS))
        });
        let bio = bio.unwrap_or_else(|| {
            item.get("content")
                .map(value_text)
                .map(|c| prose(truncate_chars(&c, MAX_PAGE_BIO_CHARS)))
                .unwrap_or_default()
        });
        let keywords = match extra.and_then(|e| e.get("keywords")) {
            Some(Value::String(s)) => split_keywords(s),
            _ => list("keywords"),
        };
        let contact = Contact {
            name: None,
            phone: field("phone").and_then(|p| issues.phone("extra.phone", &p)),
            email: field("email").and_then(|e| issues.email("extra.email", &e)),
        };
        let draft = ExpertDraft {
            org_name: org.unwrap_or_default(),
            name: name.unwrap_or_default(),
            title,
            department: field("department").as_deref().and_then(one_line),
            research_areas: list("research_areas"),
            keywords,
            bio,
            field: None,
            contact,
        };
        out.add(SHEET, number, Some(Draft::Expert(draft)), issues.errors);
    }
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Reports items that could not be read as records.
pub(crate) fn report_bad(bad: Vec<RowError>, out: &mut Collector) {
    for e in bad {
        out.skip(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let doc = parse(r#"[{"title":"a"},3]"#, true)
            .expect("ok")
            .expect("json");
        match doc {
            JsonDoc::Records { items, bad } => {
                assert_eq!(items.len(), 1);
                assert_eq!(bad.len(), 1);
                assert_eq!(bad[0].row, 2);
            }
            JsonDoc::Faculty(_) => panic!("not faculty"),
        }
        let doc = parse("{\"a\":1}\n\n{\"a\":2}\nnot json\n", true)
            .expect("ok")
            .expect("jsonl");
        match doc {
            JsonDoc::Records { items, bad } => {
                assert_eq!(
                    items.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                    vec![1, 3]
                );
                assert_eq!(bad.iter().map(|e| e.row).collect::<Vec<_>>(), vec![4]);
            }
            JsonDoc::Faculty(_) => panic!("not faculty"),
        }
        assert!(parse("名称,单位", false).expect("ok").is_none());
        assert!(parse("{broken", true).is_err());
        assert!(parse("{broken", false).expect("ok").is_none());
    }

    #[test]
    fn values_as_text() {
        assert_eq!(value_text(&serde_json::json!(50.0)), "50");
        assert_eq!(value_text(&serde_json::json!(["a", 1, null])), "a；1");
        assert_eq!(value_text(&serde_json::json!({"x": 1})), "");
        assert!(is_placeholder("[邮箱已删除]"));
    }
}
