//! Files that cannot be read at all: each is an error naming the file, never a panic.

use crate::fixtures::*;
use duijie_core::ErrorCode;
use duijie_ingest::{read_bytes, read_path, IngestError, ReadOptions};

fn assert_unreadable(name: &str, bytes: &[u8]) -> IngestError {
    let err = read_err(name, bytes, &ReadOptions::default());
    assert_eq!(err.code(), ErrorCode::UnreadableFile, "{err}");
    assert!(err.to_string().contains(name), "{err}");
    assert_eq!(err.file(), name);
    err
}

#[test]
fn empty_files() {
    assert!(matches!(
        assert_unreadable("空.csv", b""),
        IngestError::Empty { .. }
    ));
    assert!(matches!(
        assert_unreadable("空白.csv", b" \r\n\t\n"),
        IngestError::Empty { .. }
    ));
    assert!(matches!(
        assert_unreadable("bom.csv", b"\xEF\xBB\xBF\n"),
        IngestError::Empty { .. }
    ));
}

#[test]
fn corrupt_zip() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend(garbage(2_000));
    assert!(matches!(
        assert_unreadable("坏.xlsx", &bytes),
        IngestError::Corrupt { .. }
    ));

    // A real workbook cut in half.
    let whole = demand_workbook();
    let half = whole.get(..whole.len() / 2).expect("half");
    assert_unreadable("半个.xlsx", half);
}

#[test]
fn a_zip_that_is_not_a_workbook() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("natural.csv", zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut w, "项目名称,依托单位\n".as_bytes()).expect("write");
        w.finish().expect("finish");
    }
    let err = assert_unreadable("natural.csv.zip", buf.get_ref());
    assert!(matches!(err, IngestError::NotACatalogue { .. }), "{err}");
}

#[test]
fn binary_garbage_and_html() {
    let err = assert_unreadable("随机.bin", &garbage(10_000));
    assert!(matches!(err, IngestError::NotACatalogue { .. }), "{err}");
    let err = assert_unreadable(
        "假的.xls",
        b"<html><table><tr><td>a</td></tr></table></html>",
    );
    assert!(matches!(err, IngestError::NotACatalogue { .. }), "{err}");
}

#[test]
fn ole_header_with_garbage_behind_it() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(garbage(4_096));
    assert_unreadable("旧版.xls", &bytes);
}

#[test]
fn file_size_cap() {
    let opts = ReadOptions {
        max_bytes: 10,
        ..ReadOptions::default()
    };
    let err = read_err(
        "big.csv",
        "需求名称,需求单位\n高纯氧化铝,某公司\n".as_bytes(),
        &opts,
    );
    assert_eq!(err.code(), ErrorCode::TooLarge);
    assert!(err.to_string().contains("big.csv"));

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.csv");
    std::fs::write(&path, "需求名称,需求单位\n高纯氧化铝,某公司\n").expect("write");
    let err = read_path(&path, &opts).expect_err("too large");
    assert_eq!(err.code(), ErrorCode::TooLarge);
    let err =
        read_path(&dir.path().join("missing.csv"), &ReadOptions::default()).expect_err("missing");
    assert!(matches!(err, IngestError::Io { .. }));
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    // Every prefix of a workbook and of a JSON file, and byte-flipped copies: an answer
    // (records or an error) each time.
    let xlsx = demand_workbook();
    for cut in (0..xlsx.len()).step_by(97) {
        let _ = read_bytes(
            "cut.xlsx",
            xlsx.get(..cut).unwrap_or(&xlsx),
            &ReadOptions::default(),
        );
    }
    let mut flipped = xlsx.clone();
    for i in (30..flipped.len()).step_by(50) {
        if let Some(b) = flipped.get_mut(i) {
            *b ^= 0x5A;
        }
        let _ = read_bytes("flip.xlsx", &flipped, &ReadOptions::default());
    }
    let json = "[{\"需求名称\":\"高纯氧化铝\",\"企业名称\":\"金源矿业\"}]";
    for (i, _) in json.char_indices() {
        let _ = read_bytes(
            "cut.json",
            json.get(..i).unwrap_or("").as_bytes(),
            &ReadOptions::default(),
        );
    }
    let csv = "需求名称,需求单位\n\"高纯\"\"氧化铝,金源\n注";
    for (i, _) in csv.char_indices() {
        let _ = read_bytes(
            "cut.csv",
            csv.get(..i).unwrap_or("").as_bytes(),
            &ReadOptions::default(),
        );
    }
}
