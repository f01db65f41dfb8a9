//! The sheet grid every format is read into, and how a table is found in it: which row is the
//! header, which rows above are titles, which rows below are notes rather than records.

use crate::headers::{Col, Columns};
use duijie_core::text::fold_char;
use std::borrow::Cow;

/// One cell's text, trimmed; borrowed from the decoded file where the format allows.
pub(crate) type Cell<'a> = Cow<'a, str>;

/// A non-empty row of a sheet.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    /// 1-based row number as a spreadsheet program shows it.
    pub(crate) number: u32,
    pub(crate) cells: Vec<Cell<'a>>,
}

impl Row<'_> {
    pub(crate) fn get(&self, index: usize) -> &str {
        self.cells.get(index).map(|c| c.as_ref()).unwrap_or("")
    }

    fn non_empty(&self) -> impl Iterator<Item = (usize, &str)> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| (i, c.as_ref()))
    }
}

/// A sheet as read: only its non-empty rows, in ascending row order.
#[derive(Debug, Clone)]
pub(crate) struct Grid<'a> {
    pub(crate) name: String,
    pub(crate) rows: Vec<Row<'a>>,
}

/// A table ready to be turned into records: recognised columns and the rows under the header.
#[derive(Debug)]
pub(crate) struct Table<'a> {
    pub(crate) sheet: String,
    pub(crate) columns: Columns,
    pub(crate) rows: Vec<Row<'a>>,
    /// The row number of the header, when the table came from a sheet.
    pub(crate) header_row: Option<u32>,
    /// Spreadsheets carry titles and notes around the table; JSON items do not.
    pub(crate) has_notes: bool,
    /// The county (or city) a sheet name or a title row above the header names
    /// (`陕州区2026年企业技术需求`): the region of rows that give none of their own.
    pub(crate) region: Option<String>,
}

/// How many rows from the top may hold the header (title rows come first).
const HEADER_SEARCH_ROWS: usize = 12;
/// Fewer recognised header cells than this is more likely a title or a data row.
const MIN_HEADER_SCORE: usize = 2;

/// Finds the header among the first rows: the row with the most cells naming a known field
/// (the earliest on a tie), as its index in `grid.rows` and its columns.
fn find_header(grid: &Grid<'_>) -> Option<(usize, Columns)> {
    let mut best: Option<(usize, Columns)> = None;
    for (i, row) in grid.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let columns = Columns::from_texts(&row.cells);
        let better = best
            .as_ref()
            .is_none_or(|(_, b)| columns.score() > b.score());
        if columns.score() >= MIN_HEADER_SCORE && better {
            best = Some((i, columns));
        }
    }
    best
}

/// The table under the header, or `None` when no row qualifies as a header.
pub(crate) fn find_table(grid: Grid<'_>) -> Option<Table<'_>> {
    let (index, columns) = find_header(&grid)?;
    let titles = grid
        .rows
        .iter()
        .take(index)
        .flat_map(|r| r.non_empty().map(|(_, c)| c));
    let region = region_in(&grid.name).or_else(|| titles.filter_map(region_in).last());
    let mut rows = grid.rows;
    let header_row = rows.get(index).map(|r| r.number);
    let body = rows.split_off(index.saturating_add(1).min(rows.len()));
    Some(Table {
        sheet: grid.name,
        columns,
        rows: body,
        header_row,
        has_notes: true,
        region,
    })
}

/// Words ending like a place name that are not one (园区, 社区, 市场 …).
const NOT_PLACES: &[&str] = &[
    "地区", "社区", "园区", "小区", "城区", "市区", "辖区", "山区", "灾区", "景区", "矿区", "牧区",
    "产区", "片区", "专区", "街区", "分区", "省市", "城市", "都市", "超市", "上市", "门市", "各县",
    "全县", "本县", "全区", "本区", "全市", "本市", "各区", "各市",
];

/// The most local place a short text (a sheet name, a title) names: the last run of two to
/// five Han characters ending in 县, 区 or 旗, else one ending in 市 — `三门峡市陕州区` gives
/// 陕州区, `2026年灵宝市企业技术需求` gives 灵宝市. A heuristic without a gazetteer: a name
/// must start the text or follow a digit, a date word or another place.
pub(crate) fn region_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let han = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let mut county: Option<String> = None;
    let mut city: Option<String> = None;
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        // Digits, punctuation, dates and a province end a would-be name (2026年度, 河南省).
        if !han(*c) || "年度第期的与和及省在于之".contains(*c) {
            start = i + 1;
            continue;
        }
        if !matches!(c, '县' | '区' | '旗' | '市') || i < start + 1 {
            continue;
        }
        let from = start.max(i.saturating_sub(4));
        let name: String = chars[from..=i].iter().collect();
        if NOT_PLACES.iter().any(|w| name.ends_with(w)) {
            continue;
        }
        start = i + 1;
        if *c == '市' {
            city = Some(name);
        } else {
            county = Some(name);
        }
    }
    county.or(city)
}

/// Columns whose values are shared by grouped rows, so a merged cell over several rows is
/// plausible: the organisation and its particulars, not per-record text.
const GROUPED: &[Col] = &[
    Col::Enterprise,
    Col::Institution,
    Col::OrgAny,
    Col::CreditCode,
    Col::Field,
    Col::Modes,
    Col::Region,
    Col::ContactName,
    Col::Phone,
    Col::Email,
    Col::Leader,
    Col::Name,
    Col::Maturity,
    Col::Year,
    Col::Period,
    Col::Deadline,
    Col::Department,
    Col::ProfTitle,
    Col::Budget,
    Col::Funding,
];

/// Whether merged regions could fill something: a row under the header with a blank cell in a
/// column grouped rows share. Reading merges costs a second pass over the sheet, so complete
/// listings skip it.
pub(crate) fn may_need_merges(grid: &Grid<'_>) -> bool {
    let Some((index, columns)) = find_header(grid) else {
        return false;
    };
    let grouped: Vec<usize> = columns
        .mapped()
        .iter()
        .filter(|(c, _)| GROUPED.contains(c))
        .map(|(_, i)| *i)
        .collect();
    grid.rows
        .iter()
        .skip(index.saturating_add(1))
        .any(|row| grouped.iter().any(|i| row.get(*i).is_empty()))
}

/// Text that starts a note, a signature line or a total under a table.
const NOTE_PREFIXES: &[&str] = &[
    "填表说明",
    "填报说明",
    "特别说明",
    "说明",
    "备注",
    "附注",
    "注",
    "填表人",
    "填报人",
    "审核人",
    "制表人",
    "制表",
    "合计",
    "总计",
    "小计",
];

/// Whether a cell reads as a note (`注：`, `说明:`, `填表人：`, `合计`), not as data that happens
/// to start with the same character (`注塑机…`, `注射用…`).
pub(crate) fn is_note_text(text: &str) -> bool {
    let t = text.trim_start();
    NOTE_PREFIXES.iter().any(|p| match t.strip_prefix(p) {
        Some(rest) => match rest.chars().next().map(fold_char) {
            None => true,
            Some(c) => {
                matches!(c, ':' | '：' | '.' | '、' | '(' | ',' | '，' | ';')
                    || c.is_ascii_digit()
                    || c.is_whitespace()
            }
        },
        None => false,
    })
}

/// What a row under the header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowRole {
    Data,
    /// A note, a total, a section heading or a lone cell away from the table: not counted.
    Note,
    /// The header again (concatenated exports): not counted.
    RepeatedHeader,
}

/// Tracks the table while its rows are read, so notes and lone cells can be told from data.
pub(crate) struct RowClassifier<'t> {
    columns: &'t Columns,
    has_notes: bool,
    last_data_row: Option<u32>,
    in_notes: bool,
}

impl<'t> RowClassifier<'t> {
    pub(crate) fn new(columns: &'t Columns, has_notes: bool, header_row: Option<u32>) -> Self {
        RowClassifier {
            columns,
            has_notes,
            last_data_row: header_row,
            in_notes: false,
        }
    }

    pub(crate) fn classify(&mut self, row: &Row<'_>) -> RowRole {
        if self.is_repeated_header(row) {
            return RowRole::RepeatedHeader;
        }
        if !self.has_notes {
            return RowRole::Data;
        }
        let mut cells = row.non_empty();
        let Some((first_index, first_text)) = cells.next() else {
            return RowRole::Note;
        };
        let lone = cells.next().is_none();
        if is_note_text(first_text) {
            self.in_notes = true;
            return RowRole::Note;
        }
        if lone {
            let col = self.columns.col_at(first_index);
            let detached = self
                .last_data_row
                .is_some_and(|last| row.number > last.saturating_add(1));
            let bracketed = first_text.starts_with(['(', '（']);
            // A lone cell outside the recognised columns, under a blank gap, after a note, or in
            // brackets (`（单位：万元）`) is a note or a section heading, not a record.
            if self.in_notes || detached || bracketed || matches!(col, None | Some(Col::Ignored)) {
                return RowRole::Note;
            }
        }
        self.last_data_row = Some(row.number);
        RowRole::Data
    }

    /// More than half of the recognised columns hold their own header again.
    fn is_repeated_header(&self, row: &Row<'_>) -> bool {
        let mapped = self.columns.mapped();
        if mapped.len() < 2 {
            return false;
        }
        let same = mapped
            .iter()
            .filter(|(_, i)| self.columns.is_header_text(*i, row.get(*i)))
            .count();
        same * 2 > mapped.len()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_most_local_place_of_a_title_is_its_region() {
        assert_eq!(region_in("三门峡市陕州区").as_deref(), Some("陕州区"));
        assert_eq!(
            region_in("2026年度陕州区企业技术需求目录").as_deref(),
            Some("陕州区")
        );
        assert_eq!(
            region_in("2026年灵宝市企业技术需求").as_deref(),
            Some("灵宝市")
        );
        assert_eq!(region_in("河南省渑池县").as_deref(), Some("渑池县"));
        assert_eq!(region_in("Sheet1"), None);
        assert_eq!(region_in("企业技术需求目录"), None);
        assert_eq!(region_in("产业园区企业需求汇总"), None);
    }

    use super::*;

    fn row(number: u32, cells: &[&'static str]) -> Row<'static> {
        Row {
            number,
            cells: cells.iter().map(|c| Cow::Borrowed(*c)).collect(),
        }
    }

    #[test]
    fn header_is_the_best_matching_row_under_the_titles() {
        let grid = Grid {
            name: "Sheet1".into(),
            rows: vec![
                row(1, &["2024年企业技术需求汇总表"]),
                row(2, &["填报单位：三门峡市科技局", "", "", "日期：2024-05-01"]),
                row(3, &["序号", "需求名称", "需求单位", "拟投入资金（万元）"]),
                row(4, &["1", "高纯氧化铝", "金源矿业有限公司", "50"]),
            ],
        };
        let table = find_table(grid).expect("header found");
        assert_eq!(table.columns.score(), 4);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].number, 4);
    }

    #[test]
    fn no_header_in_a_sheet_of_prose() {
        let grid = Grid {
            name: "说明".into(),
            rows: vec![
                row(1, &["本表用于征集企业技术需求"]),
                row(2, &["请于5月底前报送"]),
            ],
        };
        assert!(find_table(grid).is_none());
    }

    #[test]
    fn notes_are_told_from_titles_that_start_alike() {
        assert!(is_note_text("注：金额单位为万元"));
        assert!(is_note_text("注1.本表由企业填写"));
        assert!(is_note_text("填表说明"));
        assert!(is_note_text("合计"));
        assert!(is_note_text("说明: 以上需求真实有效"));
        assert!(!is_note_text("注塑机自动上料系统改造"));
        assert!(!is_note_text("注射用紫杉醇脂质体"));
        assert!(!is_note_text("说明书自动生成系统"));
    }

    #[test]
    fn lone_cells_and_repeated_headers_are_not_data() {
        let columns = Columns::from_texts(&["序号", "需求名称", "需求单位"]);
        let mut c = RowClassifier::new(&columns, true, Some(3));
        assert_eq!(
            c.classify(&row(4, &["1", "高纯氧化铝", "金源矿业"])),
            RowRole::Data
        );
        // A lone title right under the data is a (deficient) record.
        assert_eq!(c.classify(&row(5, &["", "只有名称"])), RowRole::Data);
        assert_eq!(c.classify(&row(6, &["一、电子信息领域"])), RowRole::Note);
        assert_eq!(
            c.classify(&row(7, &["序号", "需求名称", "需求单位"])),
            RowRole::RepeatedHeader
        );
        assert_eq!(c.classify(&row(9, &["", "隔了空行的一格"])), RowRole::Note);
    }
}
