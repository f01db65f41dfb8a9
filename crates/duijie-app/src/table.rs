//! One table model for the documents duijie writes — the catalogue's export and the annual
//! report — and its writers: one xlsx writer (a sheet per table), one HTML table writer and one
//! CSV writer. A table has a title, columns (header, width, alignment) and rows of typed cells.

use crate::svg::number;
use duijie_core::text::escape_html;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::borrow::Cow;

/// A cell value: numbers stay numbers in the workbook.
pub(crate) enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as a CSV field holds it: numbers as they are, text through [`sheet_text`].
    fn csv_value(&self) -> String {
        match self {
            Cell::Text(t) => sheet_text(t).into_owned(),
            Cell::Number(n) => n.to_string(),
        }
    }

    /// The cell as a page shows it, escaped.
    fn html(&self) -> String {
        match self {
            Cell::Text(t) => escape_html(t),
            Cell::Number(n) => number(*n),
        }
    }
}

/// Where a column's cells sit in their box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    /// Numbers to compare down the column.
    Right,
}

/// A column: its header, its width in the workbook (characters) and its alignment.
pub(crate) struct Column {
    pub header: &'static str,
    pub width: f64,
    pub align: Align,
}

/// A table of a document: a worksheet of the workbook, a table of the page.
pub(crate) struct Table {
    /// The worksheet's name.
    pub sheet: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The column whose runs of equal values get a heading row on the page (with their count).
    pub group_by: Option<usize>,
}

impl Table {
    pub(crate) fn headers(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.header).collect()
    }
}

/// How the workbook lays a table out on its sheet.
pub(crate) enum Layout {
    /// The header on the first row, frozen (the report's sheets).
    Plain,
    /// For printing: the title and `subtitle` above the header, the header repeated on every
    /// page of landscape A4, one page wide, with an autofilter (the catalogue).
    Printed { subtitle: String },
}

/// Text as every CSV and workbook duijie writes holds it. Spreadsheet programs read a cell
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection:
/// a demand titled `=HYPERLINK(...)` becomes a live link in the bureau's copy); OWASP's remedy
/// is a leading `'`, which makes the cell text and keeps it readable. Workbooks get it too,
/// although their text cells are never evaluated, so both files show the same value.
pub(crate) fn sheet_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A workbook with a sheet per table, laid out by `layout`.
pub(crate) fn workbook(tables: &[Table], layout: &Layout) -> Result<Vec<u8>, XlsxError> {
    let border = FormatBorder::Thin;
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let sub_fmt = Format::new().set_align(FormatAlign::Right);
    let head_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(border)
        .set_background_color(0xD9E1F2)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell_fmt = Format::new()
        .set_text_wrap()
        .set_border(border)
        .set_align(FormatAlign::Top);
    let aligned = |align: Align| match align {
        Align::Left => cell_fmt.clone(),
        Align::Center => cell_fmt.clone().set_align(FormatAlign::Center),
        Align::Right => cell_fmt.clone().set_align(FormatAlign::Right),
    };

    let mut wb = Workbook::new();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.sheet)?;
        let last_col = t.columns.len().saturating_sub(1) as u16;
        let head_row = match layout {
            Layout::Plain => 0,
            Layout::Printed { subtitle } => {
                ws.merge_range(0, 0, 0, last_col, &sheet_text(&t.title), &title_fmt)?;
                ws.set_row_height(0, 30)?;
                ws.merge_range(1, 0, 1, last_col, &sheet_text(subtitle), &sub_fmt)?;
                2
            }
        };
        let formats: Vec<Format> = t.columns.iter().map(|c| aligned(c.align)).collect();
        for (col, c) in t.columns.iter().enumerate() {
            ws.write_string_with_format(head_row, col as u16, c.header, &head_fmt)?;
            ws.set_column_width(col as u16, c.width)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = head_row + 1 + i as u32;
            for ((col, cell), fmt) in row.iter().enumerate().zip(&formats) {
                match cell {
                    Cell::Number(n) => ws.write_number_with_format(r, col as u16, *n, fmt)?,
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, col as u16, sheet_text(s), fmt)?
                    }
                };
            }
        }
        ws.set_freeze_panes(head_row + 1, 0)?;
        if let Layout::Printed { .. } = layout {
            ws.autofilter(head_row, 0, head_row + t.rows.len() as u32, last_col)?;
            ws.set_landscape();
            ws.set_paper_size(9); // A4
            ws.set_repeat_rows(head_row, head_row)?;
            ws.set_print_fit_to_pages(1, 0);
        }
    }
    wb.save_to_buffer()
}

/// The class of every table on a page; the site's stylesheet and the printable documents'
/// style it.
const TABLE_CLASS: &str = "report-table";

/// The table as HTML, escaped: a header, the rows (with a heading row per group when the table
/// groups them), or 暂无 when it has none.
pub(crate) fn html_table(t: &Table) -> String {
    let width = t.columns.len();
    let mut out = format!("<table class=\"{TABLE_CLASS}\">\n<thead><tr>");
    for c in &t.columns {
        out.push_str(&format!("<th>{}</th>", escape_html(c.header)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    if t.rows.is_empty() {
        out.push_str(&format!("<tr><td colspan=\"{width}\">暂无</td></tr>\n"));
    }
    let group_of = |row: &[Cell]| t.group_by.and_then(|col| row.get(col)).map(Cell::html);
    let mut group: Option<String> = None;
    for (i, row) in t.rows.iter().enumerate() {
        let this = group_of(row);
        if this.is_some() && this != group {
            let n = t.rows[i..]
                .iter()
                .take_while(|r| group_of(r) == this)
                .count();
            out.push_str(&format!(
                "<tr class=\"group\"><th colspan=\"{width}\">{}（{n} 项）</th></tr>\n",
                this.as_deref().unwrap_or_default()
            ));
            group = this;
        }
        out.push_str("<tr>");
        for (cell, c) in row.iter().zip(&t.columns) {
            let class = match c.align {
                Align::Left => "",
                Align::Center => " class=\"c\"",
                Align::Right => " class=\"num\"",
            };
            out.push_str(&format!("<td{class}>{}</td>", cell.html()));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A CSV file as every export of duijie writes it: UTF-8 with a BOM (so spreadsheet programs
/// read the Chinese), CRLF line ends, text cells through [`sheet_text`].
pub(crate) fn csv_document(headers: &[&str], rows: impl IntoIterator<Item = Vec<Cell>>) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    out.push_str(&line(headers.iter().map(|h| h.to_string()).collect()));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&line(row.iter().map(Cell::csv_value).collect()));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            sheet: "表",
            title: "标题".into(),
            columns: vec![
                Column {
                    header: "序号",
                    width: 6.0,
                    align: Align::Center,
                },
                Column {
                    header: "领域",
                    width: 14.0,
                    align: Align::Left,
                },
                Column {
                    header: "金额",
                    width: 14.0,
                    align: Align::Right,
                },
            ],
            rows,
            group_by: Some(1),
        }
    }

    #[test]
    fn a_page_groups_runs_of_the_grouping_column_and_aligns_by_column() {
        let text = |s: &str| Cell::Text(s.into());
        let t = table(vec![
            vec![Cell::Number(1.0), text("新材料"), Cell::Number(12.5)],
            vec![Cell::Number(2.0), text("新材料"), text("面议")],
            vec![Cell::Number(3.0), text("<b>"), Cell::Number(1.0 / 3.0)],
        ]);
        let page = html_table(&t);
        assert!(
            page.contains("<th colspan=\"3\">新材料（2 项）</th>"),
            "{page}"
        );
        assert!(
            page.contains("<th colspan=\"3\">&lt;b&gt;（1 项）</th>"),
            "{page}"
        );
        assert!(page.contains("<td class=\"c\">1</td><td>新材料</td><td class=\"num\">12.5</td>"));
        assert!(page.contains("<td class=\"num\">0.33</td>"), "{page}");
        assert!(!page.contains("<b>"));
        assert!(html_table(&table(Vec::new())).contains("<td colspan=\"3\">暂无</td>"));
    }
}
