//! What a file is and how its text is encoded: container detection from magic bytes (the
//! extension only breaks ties), the zip size checks that run before calamine inflates anything,
//! and decoding of UTF-8, UTF-16 and GBK/GB18030 text.

use crate::error::IngestError;
use std::borrow::Cow;
use std::io::{Cursor, Read};

/// The container of a catalogue file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// An Office Open XML workbook (zip).
    Xlsx,
    /// Another workbook calamine reads: `.xls` (OLE2), `.xlsb`, `.ods`.
    OtherWorkbook,
    /// CSV, TSV, JSON or JSONL text.
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Deflate cannot expand data by more than about 1032:1; a file whose compressed size times
/// this cannot exceed the cap needs no streaming check of its real uncompressed size.
const MAX_DEFLATE_RATIO: u64 = 1100;

/// Looks at the bytes, not the name: a `.csv` that is really a workbook is read as a workbook.
/// For zips, checks the declared (and, when they could lie, the actual) uncompressed sizes
/// against `max_uncompressed`.
pub(crate) fn sniff(
    file: &str,
    bytes: &[u8],
    max_uncompressed: u64,
) -> Result<Container, IngestError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return inspect_zip(file, bytes, max_uncompressed);
    }
    if bytes.starts_with(OLE2_MAGIC) {
        return Ok(Container::OtherWorkbook);
    }
    Ok(Container::Text)
}

fn corrupt(file: &str, detail: impl std::fmt::Display) -> IngestError {
    IngestError::Corrupt {
        file: file.to_string(),
        detail: detail.to_string(),
    }
}

fn too_large_unzipped(file: &str, size: u64, cap: u64) -> IngestError {
    IngestError::TooLarge {
        file: file.to_string(),
        what: format!("解压后大小 {}（上限 {}）", human(size), human(cap)),
    }
}

/// Sizes as people read them (`60.0 MiB`).
pub(crate) fn human(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn inspect_zip(file: &str, bytes: &[u8], cap: u64) -> Result<Container, IngestError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(file, e))?;
    let mut declared: u64 = 0;
    let mut compressed: u64 = 0;
    let mut kind = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| corrupt(file, e))?;
        declared = declared.saturating_add(entry.size());
        compressed = compressed.saturating_add(entry.compressed_size());
        match entry.name() {
            "xl/workbook.xml" => kind = Some(Container::Xlsx),
            "xl/workbook.bin" | "content.xml" if kind.is_none() => {
                kind = Some(Container::OtherWorkbook)
            }
            _ => {}
        }
    }
    if declared > cap {
        return Err(too_large_unzipped(file, declared, cap));
    }
    let Some(kind) = kind else {
        return Err(IngestError::NotACatalogue {
            file: file.to_string(),
            detail: "zip 压缩包中没有工作簿，请先解压".to_string(),
        });
    };
    // Declared sizes come from the file itself; when the compressed data could inflate past the
    // cap, count what it really inflates to, stopping as soon as the cap is passed.
    if compressed.saturating_mul(MAX_DEFLATE_RATIO) > cap {
        let mut actual: u64 = 0;
        for i in 0..archive.len() {
            let entry = archive.by_index(i).map_err(|e| corrupt(file, e))?;
            let budget = cap.saturating_sub(actual).saturating_add(1);
            let n = std::io::copy(&mut entry.take(budget), &mut std::io::sink())
                .map_err(|e| corrupt(file, e))?;
            actual = actual.saturating_add(n);
            if actual > cap {
                return Err(too_large_unzipped(file, actual, cap));
            }
        }
    }
    Ok(kind)
}

/// Decoded text and the encoding it was read in.
pub(crate) struct Decoded<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) encoding: &'static str,
}

/// Decodes catalogue text: a BOM decides; else valid UTF-8 is UTF-8; else chardetng guesses
/// (with a `.cn` hint, so GBK wins over Big5 and the like) and GBK is read as its superset
/// GB18030.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Decoded {
            text: String::from_utf8_lossy(rest),
            encoding: "UTF-8",
        };
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // Excel's "Unicode text" export is UTF-16 with a BOM.
        let (text, enc, _) = encoding_rs::UTF_16LE.decode(bytes);
        return Decoded {
            text,
            encoding: enc.name(),
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(s),
            encoding: "UTF-8",
        };
    }
    let mut detector = chardetng::EncodingDetector::new();
    // A megabyte is plenty to tell GBK from Big5 or a Western code page.
    let sample = bytes.get(..1 << 20).unwrap_or(bytes);
    detector.feed(sample, sample.len() == bytes.len());
    let mut enc = detector.guess(Some(b"cn"), true);
    if enc == encoding_rs::GBK {
        enc = encoding_rs::GB18030;
    }
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text,
        encoding: enc.name(),
    }
}

/// Whether bytes that are not a workbook look like binary data rather than text: NUL bytes in
/// the first kilobytes (UTF-16 is decoded before this is asked), or, after decoding, many
/// control or replacement characters.
pub(crate) fn looks_binary(raw: &[u8], text: &str) -> bool {
    let is_utf16 = raw.starts_with(b"\xFF\xFE") || raw.starts_with(b"\xFE\xFF");
    let head = raw.get(..8192).unwrap_or(raw);
    if !is_utf16 && head.contains(&0) {
        return true;
    }
    let mut total = 0usize;
    let mut odd = 0usize;
    for c in text.chars().take(8192) {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            odd += 1;
        }
    }
    total > 0 && odd * 20 > total
}

/// The lower-cased extension of a file name (`"csv"`), or `""`.
pub(crate) fn extension(file: &str) -> String {
    std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gbk_utf8_bom_and_utf16() {
        let (gbk, _, _) =
            encoding_rs::GBK.encode("需求名称,需求单位\n高纯氧化铝,灵宝市金源矿业有限公司\n");
        let d = decode(&gbk);
        assert!(d.text.starts_with("需求名称,需求单位"), "{}", d.text);
        assert_eq!(d.encoding, "gb18030");

        let d = decode("\u{FEFF}需求名称".as_bytes());
        assert_eq!(d.text, "需求名称");

        let mut utf16 = vec![0xFF, 0xFE];
        for u in "名称\t单位".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&utf16).text, "名称\t单位");
        assert!(!looks_binary(&utf16, "名称\t单位"));
    }

    #[test]
    fn binary_is_told_from_text() {
        assert!(looks_binary(b"\x00\x01\x02abc", ""));
        assert!(!looks_binary("a,b\n".as_bytes(), "a,b\n"));
        assert!(looks_binary(b"x", "\u{FFFD}\u{FFFD}\u{FFFD}ab"));
    }

    #[test]
    fn zip_without_workbook_is_not_a_catalogue() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts: zip::write::SimpleFileOptions = Default::default();
            w.start_file("data.csv", opts).expect("start");
            std::io::Write::write_all(&mut w, b"a,b\n").expect("write");
            w.finish().expect("finish");
        }
        let err = sniff("x.zip", buf.get_ref(), 1 << 20).expect_err("not a workbook");
        assert!(matches!(err, IngestError::NotACatalogue { .. }), "{err}");
    }
}
