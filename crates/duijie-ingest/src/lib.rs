//! Reads catalogue files — xlsx/xls workbooks, CSV/TSV in UTF-8 or GBK, JSON and JSONL — into
//! drafts of demands, achievements or experts, with a row-level report. Pure: no database, no
//! HTTP; the app layer stores what this returns.
//!
//! Code map: `format` decides what the bytes are and decodes text; `workbook` and
//! `delimited` turn workbooks and CSV into grids of rows; `table` finds the header and the
//! notes in a grid; `headers` knows the header synonyms and what they say about the kind of
//! catalogue; `records` turns rows into drafts and keeps the report; `json` handles the
//! JSON shapes.

mod delimited;
mod error;
mod format;
mod headers;
mod json;
mod records;
mod table;
mod workbook;

pub use error::IngestError;

use duijie_core::{Draft, RecordKind, RowError};
use records::Collector;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use table::{Grid, Table};

/// Limits and the expected kind for one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The kind of records the caller expects; `None` detects it from the headers.
    pub kind: Option<RecordKind>,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Largest total uncompressed size of a zipped workbook, in bytes.
    pub max_xlsx_uncompressed: u64,
    /// Most non-empty rows (over all sheets) accepted.
    pub max_rows: u32,
    /// Most bytes of cell text (UTF-8, over all sheets) a workbook may hold. Reading keeps
    /// every cell's text and then the drafts made from it, so this, not the inflated size of
    /// the zip (markup, repeated shared strings), is what bounds a workbook's memory.
    pub max_cell_text: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            kind: None,
            max_bytes: 50 * 1024 * 1024,
            max_xlsx_uncompressed: 500 * 1024 * 1024,
            max_rows: 1_000_000,
            max_cell_text: 128 * 1024 * 1024,
        }
    }
}

/// One record read from a file, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    /// Sheet name; `csv` for CSV/TSV, `json` for JSON.
    pub sheet: String,
    /// 1-based sheet row as the user sees it (the item or line number for JSON).
    pub row: u32,
    pub draft: Draft,
}

/// Everything read from one file: the records and the report of what was not read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// The file name as the caller gave it.
    pub file: String,
    /// Hex SHA-256 of the raw bytes.
    pub sha256: String,
    pub kind: RecordKind,
    /// Rows read as records or skipped; empty rows, titles, notes and repeated headers are not
    /// counted, and duplicate rows count once. Always `records.len() + rows_skipped`.
    pub rows_total: u32,
    pub rows_skipped: u32,
    pub records: Vec<ParsedRow>,
    /// Skipped rows, dropped values and duplicates, in the order found.
    pub errors: Vec<RowError>,
}

/// The sheet name CSV and TSV rows are reported under.
const CSV_SHEET: &str = "csv";

/// Reads a catalogue file from disk. The size cap is checked before anything is read.
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<ParsedFile, IngestError> {
    let file = path.display().to_string();
    let io_err = |source| IngestError::Io {
        file: file.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.len() > opts.max_bytes {
        return Err(too_large_file(&file, meta.len(), opts.max_bytes));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between the check and the read: never read past the cap.
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(opts.max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(io_err)?;
    read_bytes(&file, &bytes, opts)
}

fn too_large_file(file: &str, size: u64, cap: u64) -> IngestError {
    IngestError::TooLarge {
        file: file.to_string(),
        what: format!(
            "文件大小 {}（上限 {}）",
            format::human(size),
            format::human(cap)
        ),
    }
}

/// Reads a catalogue from bytes; `file_name` names it in reports and its extension breaks ties
/// (the bytes decide what the file is).
pub fn read_bytes(
    file_name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<ParsedFile, IngestError> {
    let file = file_name;
    if bytes.len() as u64 > opts.max_bytes {
        return Err(too_large_file(file, bytes.len() as u64, opts.max_bytes));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::Empty {
            file: file.to_string(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let mut out = Collector::default();
    let kind = match format::sniff(file, bytes, opts.max_xlsx_uncompressed)? {
        format::Container::Xlsx => {
            let grids = workbook::read_xlsx(file, bytes, opts)?;
            read_grids(file, grids, opts.kind, &mut out)?
        }
        format::Container::OtherWorkbook => {
            let grids = workbook::read_other(file, bytes, opts)?;
            read_grids(file, grids, opts.kind, &mut out)?
        }
        format::Container::Text => read_text(file, bytes, opts, &mut out)?,
    };
    let (records, errors, rows_total, rows_skipped) = out.finish();
    tracing::info!(
        file,
        kind = kind.as_str(),
        rows_total,
        rows_skipped,
        "catalogue read"
    );
    Ok(ParsedFile {
        file: file.to_string(),
        sha256,
        kind,
        rows_total,
        rows_skipped,
        records,
        errors,
    })
}

fn read_text(
    file: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    out: &mut Collector,
) -> Result<RecordKind, IngestError> {
    let decoded = format::decode(bytes);
    let text: &str = &decoded.text;
    if text.trim().is_empty() {
        return Err(IngestError::Empty {
            file: file.to_string(),
        });
    }
    if format::looks_binary(bytes, text) {
        return Err(IngestError::NotACatalogue {
            file: file.to_string(),
            detail: "二进制数据".to_string(),
        });
    }
    let ext = format::extension(file);
    tracing::debug!(file, encoding = decoded.encoding, "text catalogue");
    let insist_json = matches!(ext.as_str(), "json" | "jsonl" | "ndjson");
    match json::parse(text, insist_json) {
        Err(detail) => Err(IngestError::Corrupt {
            file: file.to_string(),
            detail,
        }),
        Ok(Some(json::JsonDoc::Faculty(items))) => {
            if let Some(kind) = opts.kind.filter(|k| *k != RecordKind::Experts) {
                let profile =
                    headers::Columns::from_texts(&["姓名", "工作单位", "职称", "研究方向"]);
                return Err(IngestError::WrongKind {
                    file: file.to_string(),
                    kind,
                    missing: profile.missing_for(kind),
                });
            }
            json::read_faculty(&items, out);
            Ok(RecordKind::Experts)
        }
        Ok(Some(json::JsonDoc::Records { items, bad })) => {
            let table = json::records_table(&items);
            let kind = read_tables(file, vec![table], opts.kind, out)?;
            json::report_bad(bad, out);
            Ok(kind)
        }
        Ok(None) => {
            if text.trim_start().starts_with('<') {
                return Err(IngestError::NotACatalogue {
                    file: file.to_string(),
                    detail: "HTML 或 XML 文本，请在 Excel 中另存为 xlsx".to_string(),
                });
            }
            let delim = delimited::sniff_delimiter(text, &ext);
            let rows = delimited::parse(text, delim, opts.max_rows).map_err(|_| {
                IngestError::TooLarge {
                    file: file.to_string(),
                    what: format!("行数（多于 {} 行）", opts.max_rows),
                }
            })?;
            let grid = Grid {
                name: CSV_SHEET.to_string(),
                rows,
            };
            read_grids(file, vec![grid], opts.kind, out)
        }
    }
}

fn read_grids(
    file: &str,
    grids: Vec<Grid<'_>>,
    wanted: Option<RecordKind>,
    out: &mut Collector,
) -> Result<RecordKind, IngestError> {
    let tables: Vec<Table<'_>> = grids.into_iter().filter_map(table::find_table).collect();
    read_tables(file, tables, wanted, out)
}

/// Settles the kind (asked for, or detected from the best-matching table) and reads every
/// table that fits it; tables of another kind in the same workbook are left alone.
fn read_tables(
    file: &str,
    tables: Vec<Table<'_>>,
    wanted: Option<RecordKind>,
    out: &mut Collector,
) -> Result<RecordKind, IngestError> {
    let no_header = || IngestError::NoHeader {
        file: file.to_string(),
    };
    let mut by_score: Vec<&Table<'_>> = tables.iter().filter(|t| t.columns.score() > 0).collect();
    by_score.sort_by_key(|t| std::cmp::Reverse(t.columns.score()));
    let best = by_score.first().ok_or_else(no_header)?;
    let fits = |t: &Table<'_>, k: RecordKind| t.columns.missing_for(k).is_empty();
    let kind = match wanted {
        Some(k) => {
            if !by_score.iter().any(|t| fits(t, k)) {
                return Err(IngestError::WrongKind {
                    file: file.to_string(),
                    kind: k,
                    missing: best.columns.missing_for(k),
                });
            }
            k
        }
        None => {
            let found = by_score
                .iter()
                .find_map(|t| t.columns.detect_kind().filter(|k| fits(t, *k)));
            match found {
                Some(k) => k,
                None => {
                    let k = best.columns.detect_kind().ok_or_else(no_header)?;
                    return Err(IngestError::MissingColumns {
                        file: file.to_string(),
                        kind: k,
                        missing: best.columns.missing_for(k),
                    });
                }
            }
        }
    };
    for t in tables {
        let same_kind = wanted.is_some() || t.columns.detect_kind() == Some(kind);
        if same_kind && fits(&t, kind) {
            records::read_table(t, kind, out);
        } else {
            tracing::debug!(file, sheet = %t.sheet, "sheet of another kind ignored");
        }
    }
    Ok(kind)
}
