//! Workbooks through calamine: xlsx streamed cell by cell into a sparse grid (so a sheet that
//! declares a huge range costs nothing), other formats through calamine's ranges; cell values
//! turned into the text people typed (`50.0` → `50`, date cells → `2027-06-30`); merged
//! regions spanning rows filled down, as the grouped rows they stand for.

use crate::error::IngestError;
use crate::format::human;
use crate::table::{may_need_merges, Cell, Grid, Row};
use crate::ReadOptions;
use calamine::{Data, DataRef, Dimensions, Reader, SheetType, SheetVisible};
use chrono::Datelike;
use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Cells beyond this column are ignored: catalogues are a few dozen columns wide.
const MAX_COLUMNS: u32 = 256;

fn corrupt(file: &str, detail: impl std::fmt::Display) -> IngestError {
    IngestError::Corrupt {
        file: file.to_string(),
        detail: detail.to_string(),
    }
}

fn too_many_rows(file: &str, max_rows: u32) -> IngestError {
    IngestError::TooLarge {
        file: file.to_string(),
        what: format!("行数（多于 {max_rows} 行）"),
    }
}

/// What a workbook may still hold: rows and bytes of cell text, over all its sheets.
struct Budget<'f> {
    file: &'f str,
    rows: u64,
    text: u64,
    max_rows: u32,
    max_text: u64,
}

impl<'f> Budget<'f> {
    fn new(file: &'f str, opts: &ReadOptions) -> Self {
        Budget {
            file,
            rows: 0,
            text: 0,
            max_rows: opts.max_rows,
            max_text: opts.max_cell_text,
        }
    }

    /// A cell of `len` bytes is kept.
    fn text(&mut self, len: usize) -> Result<(), IngestError> {
        self.text = self.text.saturating_add(len as u64);
        if self.text > self.max_text {
            return Err(IngestError::TooLarge {
                file: self.file.to_string(),
                what: format!("单元格文字总量（多于 {}）", human(self.max_text)),
            });
        }
        Ok(())
    }

    /// The sheet being read has `rows` rows so far.
    fn rows(&self, rows: usize) -> Result<(), IngestError> {
        if self.rows.saturating_add(rows as u64) > u64::from(self.max_rows) {
            return Err(too_many_rows(self.file, self.max_rows));
        }
        Ok(())
    }

    /// A sheet of `rows` rows was read.
    fn sheet_done(&mut self, rows: usize) {
        self.rows = self.rows.saturating_add(rows as u64);
    }
}

/// calamine parses untrusted bytes; a panic inside it must become an error about the file,
/// never take the importer down.
fn guarded<T>(file: &str, f: impl FnOnce() -> Result<T, IngestError>) -> Result<T, IngestError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(corrupt(file, "工作簿结构异常")))
}

/// Reads the visible worksheets of an xlsx workbook.
pub(crate) fn read_xlsx(
    file: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<Grid<'static>>, IngestError> {
    guarded(file, || {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| corrupt(file, e))?;
        let names = visible_sheets(book.sheets_metadata());
        let mut grids = Vec::with_capacity(names.len());
        let mut budget = Budget::new(file, opts);
        for name in names {
            let mut builder = GridBuilder::default();
            {
                let mut reader = book
                    .worksheet_cells_reader(&name)
                    .map_err(|e| corrupt(file, format!("{name}: {e}")))?;
                while let Some(cell) = reader
                    .next_cell()
                    .map_err(|e| corrupt(file, format!("{name}: {e}")))?
                {
                    let (r, c) = cell.get_position();
                    if let Some(text) = data_ref_text(cell.get_value()) {
                        budget.text(text.len())?;
                        builder.push(r, c, text);
                        budget.rows(builder.rows.len())?;
                    }
                }
            }
            let mut grid = builder.finish(name);
            // calamine finds merged regions by parsing the whole sheet again, so it is asked only
            // when a blank cell could be covered by one. Merges only help: a sheet whose merge
            // list is unreadable is still read.
            if may_need_merges(&grid) {
                if let Some(Ok(merges)) = book.worksheet_merge_cells(&grid.name) {
                    fill_merges(&mut grid, &merges);
                }
            }
            budget.sheet_done(grid.rows.len());
            grids.push(grid);
        }
        Ok(grids)
    })
}

/// Reads `.xls`, `.xlsb` and `.ods` through calamine's whole-sheet ranges.
pub(crate) fn read_other(
    file: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<Grid<'static>>, IngestError> {
    guarded(file, || {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| corrupt(file, e))?;
        let names = visible_sheets(book.sheets_metadata());
        let mut grids = Vec::with_capacity(names.len());
        let mut budget = Budget::new(file, opts);
        for name in names {
            let merges = match &book {
                calamine::Sheets::Xls(xls) => xls.worksheet_merge_cells(&name).unwrap_or_default(),
                _ => Vec::new(),
            };
            let range = book
                .worksheet_range(&name)
                .map_err(|e| corrupt(file, format!("{name}: {e}")))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut builder = GridBuilder::default();
            for (ri, row) in range.rows().enumerate() {
                let r = r0.saturating_add(u32::try_from(ri).unwrap_or(u32::MAX));
                for (ci, value) in row.iter().enumerate() {
                    let c = c0.saturating_add(u32::try_from(ci).unwrap_or(u32::MAX));
                    if let Some(text) = data_text(value) {
                        budget.text(text.len())?;
                        builder.push(r, c, text);
                    }
                }
                budget.rows(builder.rows.len())?;
            }
            let mut grid = builder.finish(name);
            fill_merges(&mut grid, &merges);
            budget.sheet_done(grid.rows.len());
            grids.push(grid);
        }
        Ok(grids)
    })
}

/// Hidden sheets usually hold drop-down lists, not records.
fn visible_sheets(meta: &[calamine::Sheet]) -> Vec<String> {
    meta.iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

/// Collects cells (0-based positions, in any order) into sorted non-empty rows.
#[derive(Default)]
struct GridBuilder {
    rows: Vec<Row<'static>>,
    sorted: bool,
}

impl GridBuilder {
    fn push(&mut self, r: u32, c: u32, text: String) {
        if c >= MAX_COLUMNS {
            return;
        }
        let number = r.saturating_add(1);
        let append_new = match self.rows.last() {
            Some(last) if last.number == number => false,
            Some(last) => {
                if last.number > number {
                    // Out-of-order rows are legal in the format, if rare: sort at the end.
                    self.sorted = false;
                }
                true
            }
            None => {
                self.sorted = true;
                true
            }
        };
        if append_new {
            self.rows.push(Row {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(row) = self.rows.last_mut() {
            set_cell(&mut row.cells, c as usize, Cow::Owned(text));
        }
    }

    fn finish(mut self, name: String) -> Grid<'static> {
        if !self.sorted && !self.rows.is_empty() {
            self.rows.sort_by_key(|r| r.number);
            let mut merged: Vec<Row<'static>> = Vec::with_capacity(self.rows.len());
            for row in self.rows {
                match merged.last_mut() {
                    Some(last) if last.number == row.number => {
                        for (i, cell) in row.cells.into_iter().enumerate() {
                            if !cell.is_empty() {
                                set_cell(&mut last.cells, i, cell);
                            }
                        }
                    }
                    _ => merged.push(row),
                }
            }
            self.rows = merged;
        }
        Grid {
            name,
            rows: self.rows,
        }
    }
}

fn set_cell<'a>(cells: &mut Vec<Cell<'a>>, c: usize, value: Cell<'a>) {
    if cells.len() <= c {
        cells.resize(c + 1, Cow::Borrowed(""));
    }
    if let Some(slot) = cells.get_mut(c) {
        *slot = value;
    }
}

/// Copies the value of each merged region that spans several rows into the region's other
/// cells, so grouped rows under one merged 企业名称 each carry the enterprise. Regions within one
/// row (a merged title) are left alone: copying them would only fake extra cells.
fn fill_merges(grid: &mut Grid<'_>, merges: &[Dimensions]) {
    for m in merges {
        let (top, left) = m.start;
        let (bottom, right) = m.end;
        if bottom <= top || left >= MAX_COLUMNS {
            continue;
        }
        let right = right.min(MAX_COLUMNS - 1);
        let top_number = top.saturating_add(1);
        let Ok(top_index) = grid.rows.binary_search_by_key(&top_number, |r| r.number) else {
            continue;
        };
        let value: Cell<'static> = match grid
            .rows
            .get(top_index)
            .map(|r| r.get(left as usize))
            .filter(|v| !v.is_empty())
        {
            Some(v) => Cow::Owned(v.to_string()),
            None => continue,
        };
        let bottom_number = bottom.saturating_add(1);
        for row in grid.rows.iter_mut().skip(top_index) {
            if row.number > bottom_number {
                break;
            }
            for c in left..=right {
                let c = c as usize;
                if row.get(c).is_empty() {
                    set_cell(&mut row.cells, c, value.clone());
                }
            }
        }
    }
}

/// Text of a number as people typed it: integers without `.0`, others without float noise.
pub(crate) fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn date_text(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_duration() {
        return number_text(dt.as_f64());
    }
    match dt.as_datetime() {
        Some(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => number_text(dt.as_f64()),
    }
}

/// ISO date-times (`2027-06-30T00:00:00`) keep only their date.
fn iso_text(s: &str) -> String {
    s.split('T').next().unwrap_or(s).trim().to_string()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn data_ref_text(v: &DataRef<'_>) -> Option<String> {
    match v {
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) => non_empty(number_text(*f)),
        DataRef::String(s) => non_empty(s.trim().to_string()),
        DataRef::SharedString(s) => non_empty(s.trim().to_string()),
        DataRef::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        DataRef::DateTime(dt) => Some(date_text(dt)),
        DataRef::DateTimeIso(s) => non_empty(iso_text(s)),
        DataRef::DurationIso(s) => non_empty(s.trim().to_string()),
        DataRef::Error(_) | DataRef::Empty => None,
    }
}

fn data_text(v: &Data) -> Option<String> {
    match v {
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => non_empty(number_text(*f)),
        Data::String(s) => non_empty(s.trim().to_string()),
        Data::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) => Some(date_text(dt)),
        Data::DateTimeIso(s) => non_empty(iso_text(s)),
        Data::DurationIso(s) => non_empty(s.trim().to_string()),
        Data::Error(_) | Data::Empty => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(50.0), "50");
        assert_eq!(number_text(13800000000.0), "13800000000");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-2.5), "-2.5");
        assert_eq!(number_text(f64::NAN), "");
    }

    #[test]
    fn builder_sorts_and_merges_out_of_order_cells() {
        let mut b = GridBuilder::default();
        b.push(2, 0, "c".into());
        b.push(0, 1, "b".into());
        b.push(0, 0, "a".into());
        b.push(5, 999, "far".into());
        let g = b.finish("s".into());
        let rows: Vec<(u32, Vec<&str>)> = g
            .rows
            .iter()
            .map(|r| (r.number, r.cells.iter().map(|c| c.as_ref()).collect()))
            .collect();
        assert_eq!(rows, vec![(1, vec!["a", "b"]), (3, vec!["c"])]);
    }

    #[test]
    fn vertical_merges_fill_down_horizontal_ones_do_not() {
        let row = |n: u32, cells: &[&'static str]| Row {
            number: n,
            cells: cells.iter().map(|c| Cow::Borrowed(*c)).collect(),
        };
        let mut g = Grid {
            name: "s".into(),
            rows: vec![
                row(1, &["标题"]),
                row(3, &["甲公司", "需求一"]),
                row(4, &["", "需求二"]),
                row(5, &["", "需求三"]),
            ],
        };
        let merges = [
            Dimensions {
                start: (0, 0),
                end: (0, 3),
            },
            Dimensions {
                start: (2, 0),
                end: (3, 0),
            },
        ];
        fill_merges(&mut g, &merges);
        assert_eq!(g.rows[0].cells.len(), 1);
        assert_eq!(g.rows[2].get(0), "甲公司");
        assert_eq!(g.rows[3].get(0), "");
    }
}
