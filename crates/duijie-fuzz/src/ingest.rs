//! The catalogue readers under arbitrary bytes: `duijie_ingest::read_bytes` must return a
//! report whose counts add up, or an error that names the file.

use duijie_core::RecordKind;
use duijie_ingest::{read_bytes, ReadOptions};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// Caps small enough that one input stays cheap; the readers' own caps are what is tested.
fn options(kind: Option<RecordKind>) -> ReadOptions {
    ReadOptions {
        kind,
        max_bytes: 4 * 1024 * 1024,
        max_xlsx_uncompressed: 16 * 1024 * 1024,
        max_rows: 100_000,
        max_cell_text: 16 * 1024 * 1024,
    }
}

/// The kind a caller may insist on, chosen by the input so each input is replayed the same way.
fn kind_for(data: &[u8]) -> Option<RecordKind> {
    match data.len() % 4 {
        0 => None,
        1 => Some(RecordKind::Demands),
        2 => Some(RecordKind::Achievements),
        _ => Some(RecordKind::Experts),
    }
}

/// Reads `bytes` as `file` and checks what came back.
fn check(file: &str, bytes: &[u8], kind: Option<RecordKind>) {
    match read_bytes(file, bytes, &options(kind)) {
        Ok(parsed) => {
            assert_eq!(parsed.file, file);
            assert_eq!(
                parsed.rows_total as usize,
                parsed.records.len() + parsed.rows_skipped as usize,
                "rows_total must be records + skipped"
            );
            if let Some(k) = kind {
                assert_eq!(parsed.kind, k, "the kind asked for is the kind read");
            }
            for row in &parsed.records {
                assert!(row.row >= 1, "rows are numbered from 1");
            }
        }
        Err(e) => {
            assert_eq!(e.file(), file);
            assert!(
                e.to_string().contains(file),
                "the error names the file: {e}"
            );
        }
    }
}

/// Separates the parts of a generated workbook in an `ingest_xlsx` input.
pub const PART_SEPARATOR: &[u8] = b"\n#part#\n";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

/// An xlsx workbook (entries stored, not deflated, so every input byte reaches the XML
/// parser) whose parts come from `data`, split at [`PART_SEPARATOR`]: the worksheet, the
/// shared strings, then optionally the styles and the workbook part. Missing parts are left
/// out of the archive, as a broken file would.
pub fn workbook_from_parts(data: &[u8]) -> Vec<u8> {
    let parts: Vec<&[u8]> = split(data, PART_SEPARATOR).collect();
    let part = |i: usize| parts.get(i).copied();
    let entries: [(&str, Option<&[u8]>); 7] = [
        ("[Content_Types].xml", Some(CONTENT_TYPES.as_bytes())),
        ("_rels/.rels", Some(ROOT_RELS.as_bytes())),
        ("xl/_rels/workbook.xml.rels", Some(WORKBOOK_RELS.as_bytes())),
        ("xl/workbook.xml", part(3).or(Some(WORKBOOK.as_bytes()))),
        ("xl/styles.xml", part(2).or(Some(STYLES.as_bytes()))),
        ("xl/worksheets/sheet1.xml", part(0)),
        ("xl/sharedStrings.xml", part(1)),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        let Some(bytes) = bytes else { continue };
        // Writing to memory cannot fail; a failure would only shorten the archive, which is
        // itself a fine input.
        if zip.start_file(name, stored).is_err() || zip.write_all(bytes).is_err() {
            break;
        }
    }
    let _ = zip.finish();
    out.into_inner()
}

fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(at) => {
                rest = r.get(at + sep.len()..);
                r.get(..at)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Workbooks: a zip as given (anything starting with `PK`), else a workbook built from the
/// input's parts (see [`workbook_from_parts`]).
pub fn ingest_xlsx(data: &[u8]) {
    let kind = kind_for(data);
    if data.starts_with(b"PK") {
        check("fuzz.xlsx", data, kind);
    } else {
        check("fuzz.xlsx", &workbook_from_parts(data), kind);
    }
}

/// CSV/TSV text: the bytes as given (any encoding, the reader detects it), and the same text
/// re-encoded as GBK and as UTF-16 with a BOM, as Excel exports them.
pub fn ingest_csv(data: &[u8]) {
    let kind = kind_for(data);
    check("fuzz.csv", data, kind);
    check("fuzz.tsv", data, kind);
    let text = String::from_utf8_lossy(data);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    check("fuzz-gbk.csv", &gbk, kind);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    check("fuzz-utf16.txt", &utf16, kind);
}

/// JSON, JSONL and the faculty-profile shape, under the names that insist on JSON and under
/// one that lets the reader fall back to CSV.
pub fn ingest_json(data: &[u8]) {
    let kind = kind_for(data);
    check("fuzz.json", data, kind);
    check("fuzz.jsonl", data, kind);
    check("fuzz.txt", data, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_split_at_the_separator() {
        let data = b"a\n#part#\nb\n#part#\n";
        let parts: Vec<&[u8]> = split(data, PART_SEPARATOR).collect();
        assert_eq!(parts, vec![&b"a"[..], b"b", b""]);
        assert_eq!(split(b"", PART_SEPARATOR).count(), 1);
    }
}
