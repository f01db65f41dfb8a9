//! CSV and TSV: delimiter sniffing and a lenient RFC 4180 parser that borrows cells from the
//! decoded text (only cells with doubled quotes are copied), numbering records as a
//! spreadsheet program would show them.

use crate::table::{Cell, Row};
use std::borrow::Cow;

/// Guesses the delimiter from the first lines: the most frequent of `,` `\t` `;` `|`, the
/// extension's own delimiter winning ties.
pub(crate) fn sniff_delimiter(text: &str, ext: &str) -> u8 {
    let preferred = if ext == "tsv" || ext == "tab" {
        b'\t'
    } else {
        b','
    };
    let mut counts = [
        (preferred, 0usize),
        (b',', 0),
        (b'\t', 0),
        (b';', 0),
        (b'|', 0),
    ];
    for line in text.lines().take(20) {
        for b in line.bytes() {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    let mut best = counts[0];
    for c in counts.iter().skip(1) {
        if c.1 > best.1 {
            best = *c;
        }
    }
    best.0
}

/// The parse stopped because the file has more than `max_rows` records.
#[derive(Debug)]
pub(crate) struct TooManyRows;

/// Parses delimited text into its non-empty rows. Quotes are honoured around whole cells; a
/// stray quote inside an unquoted cell is kept as text; a quote left open runs to the end.
pub(crate) fn parse(text: &str, delim: u8, max_rows: u32) -> Result<Vec<Row<'_>>, TooManyRows> {
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    let mut cells: Vec<Cell<'_>> = Vec::new();
    let mut number: u32 = 0;
    let mut pos = 0usize;
    let len = bytes.len();
    // Every boundary below sits on an ASCII byte (delimiter, quote, CR, LF), so slicing `text`
    // there is always on a char boundary.
    while pos <= len {
        // One cell starts at `pos`.
        let (cell, next, end_of_record) = if bytes.get(pos) == Some(&b'"') {
            quoted_cell(text, pos + 1, delim)
        } else {
            plain_cell(text, pos, delim)
        };
        cells.push(cell);
        pos = next;
        if end_of_record {
            number = number.saturating_add(1);
            if cells.iter().any(|c| !c.is_empty()) {
                if rows.len() >= max_rows as usize {
                    return Err(TooManyRows);
                }
                rows.push(Row {
                    number,
                    cells: std::mem::take(&mut cells),
                });
            } else {
                cells.clear();
            }
            if pos >= len {
                break;
            }
        }
    }
    Ok(rows)
}

/// Returns the cell, the position after its delimiter or line end, and whether a record ended.
fn plain_cell(text: &str, start: usize, delim: u8) -> (Cell<'_>, usize, bool) {
    let bytes = text.as_bytes();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        if b == delim {
            return (trimmed(text, start, i), i + 1, false);
        }
        if b == b'\n' || b == b'\r' {
            return (trimmed(text, start, i), line_end(bytes, i), true);
        }
        i += 1;
    }
    (trimmed(text, start, bytes.len()), bytes.len() + 1, true)
}

fn quoted_cell(text: &str, start: usize, delim: u8) -> (Cell<'_>, usize, bool) {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut owned: Option<String> = None;
    let mut seg_start = start;
    loop {
        match bytes.get(i) {
            None => {
                // Unterminated quote: everything to the end is the cell.
                let cell = finish(text, owned, seg_start, bytes.len(), start);
                return (cell, bytes.len() + 1, true);
            }
            Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(text.get(seg_start..i).unwrap_or(""));
                s.push('"');
                i += 2;
                seg_start = i;
            }
            Some(b'"') => {
                let mut cell = finish(text, owned, seg_start, i, start);
                // Text between the closing quote and the delimiter is kept, not lost.
                let (tail, next, end) = plain_cell(text, i + 1, delim);
                if !tail.is_empty() {
                    let mut s = cell.into_owned();
                    s.push_str(&tail);
                    cell = Cow::Owned(s);
                }
                return (cell, next, end);
            }
            Some(_) => i += 1,
        }
    }
}

fn finish(
    text: &str,
    owned: Option<String>,
    seg_start: usize,
    end: usize,
    start: usize,
) -> Cell<'_> {
    match owned {
        Some(mut s) => {
            s.push_str(text.get(seg_start..end).unwrap_or(""));
            let t = s.trim();
            if t.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(t.to_string())
            }
        }
        None => trimmed(text, start, end),
    }
}

fn trimmed(text: &str, start: usize, end: usize) -> Cell<'_> {
    Cow::Borrowed(text.get(start..end).unwrap_or("").trim())
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
        i + 2
    } else {
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[Row<'_>]) -> Vec<(u32, Vec<String>)> {
        rows.iter()
            .map(|r| (r.number, r.cells.iter().map(|c| c.to_string()).collect()))
            .collect()
    }

    #[test]
    fn quotes_newlines_and_empty_lines() {
        let text = "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"multi\nline\"\n\n , ,\n1,2,3";
        let rows = parse(text, b',', 100).expect("parsed");
        assert_eq!(
            cells(&rows),
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (
                    2,
                    vec!["x, y".into(), "he said \"hi\"".into(), "multi\nline".into()]
                ),
                (5, vec!["1".into(), "2".into(), "3".into()]),
            ]
        );
    }

    #[test]
    fn lenient_with_stray_and_open_quotes() {
        let rows = parse("a\"b,\"c\"d\n\"open,e", b',', 100).expect("parsed");
        assert_eq!(
            cells(&rows),
            vec![
                (1, vec!["a\"b".into(), "cd".into()]),
                (2, vec!["open,e".into()]),
            ]
        );
    }

    #[test]
    fn cr_only_line_ends_and_trailing_delimiters() {
        let rows = parse("a;b;\rc;d;", b';', 100).expect("parsed");
        assert_eq!(
            cells(&rows),
            vec![
                (1, vec!["a".into(), "b".into(), "".into()]),
                (2, vec!["c".into(), "d".into(), "".into()]),
            ]
        );
    }

    #[test]
    fn row_cap() {
        assert!(parse("a\nb\nc\n", b',', 2).is_err());
        assert_eq!(parse("a\nb\n", b',', 2).map(|r| r.len()).ok(), Some(2));
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3", "csv"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3", "tsv"), b',');
        assert_eq!(sniff_delimiter("title only", "tsv"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c", "csv"), b';');
    }
}
