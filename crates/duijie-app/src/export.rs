//! Exports of a catalogue edition in the forms bureaus hand out: an xlsx workbook laid out for
//! printing, UTF-8 CSV with a BOM (so spreadsheet programs read the Chinese), JSON, and a
//! printable HTML page. One row model feeds every format (the JSON as it is, the others as a
//! [`Table`]); contact columns only when `full`.

use crate::table::{csv_document, html_table, workbook, Align, Cell, Column, Layout, Table};
use crate::{internal, AppResult};
use duijie_core::text::escape_html;
use duijie_core::{CatalogueEdition, Demand, DomainError};
use serde::Serialize;

/// What an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Json,
    Html,
}

/// The one of `all` that `name` calls `s` (case and surrounding spaces forgiven), or an error
/// on `format` saying `refusal` of the name and listing the choices: exports and the report
/// name their formats alike.
pub(crate) fn format_named<F: Copy>(
    s: &str,
    all: &[F],
    name: fn(F) -> &'static str,
    refusal: impl FnOnce(&str) -> String,
) -> AppResult<F> {
    let s = s.trim().to_ascii_lowercase();
    all.iter().copied().find(|f| name(*f) == s).ok_or_else(|| {
        let choices: Vec<&str> = all.iter().map(|f| name(*f)).collect();
        let message = format!("{}，可选：{}", refusal(&s), choices.join("、"));
        DomainError::invalid("format", message)
    })
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Xlsx,
        ExportFormat::Csv,
        ExportFormat::Json,
        ExportFormat::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Html => "html",
        }
    }

    /// The format named by `s` (`xlsx`, `csv`, `json`, `html`), or an error naming the choices.
    pub fn parse(s: &str) -> AppResult<ExportFormat> {
        format_named(s, &Self::ALL, Self::as_str, |s| {
            format!("导出格式“{s}”不支持")
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

/// An export ready to be sent or written.
#[derive(Debug, Clone)]
pub struct CatalogueExport {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// The edition's title made safe as a file name, with the format's extension.
    pub file_name: String,
}

/// The columns bureaus print, in order; the contact columns follow only in full exports.
pub const COLUMNS: [&str; 10] = [
    "序号",
    "需求名称",
    "需求单位",
    "所在地区",
    "所属领域",
    "需求内容",
    "预期目标",
    "合作方式",
    "拟投入资金（万元）",
    "截止日期",
];
pub const CONTACT_COLUMNS: [&str; 3] = ["联系人", "联系电话", "电子邮箱"];
/// Column widths in characters, matching [`COLUMNS`] then [`CONTACT_COLUMNS`].
const WIDTHS: [f64; 13] = [
    6.0, 28.0, 24.0, 12.0, 14.0, 50.0, 36.0, 16.0, 12.0, 12.0, 10.0, 16.0, 22.0,
];
/// Where the field column is, for grouping.
const FIELD_COLUMN: usize = 4;

/// One demand as every format shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    pub no: usize,
    pub id: String,
    pub title: String,
    pub enterprise: String,
    pub region: String,
    pub field: String,
    pub description: String,
    pub goals: String,
    pub modes: Vec<String>,
    pub budget_wan: Option<f64>,
    pub budget_negotiable: bool,
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
}

impl ExportRow {
    fn cells(&self, full: bool) -> Vec<Cell> {
        let budget = match (self.budget_wan, self.budget_negotiable) {
            (Some(b), _) => Cell::Number(b),
            (None, true) => Cell::Text("面议".into()),
            (None, false) => Cell::Text(String::new()),
        };
        let mut cells = vec![
            Cell::Number(self.no as f64),
            Cell::Text(self.title.clone()),
            Cell::Text(self.enterprise.clone()),
            Cell::Text(self.region.clone()),
            Cell::Text(self.field.clone()),
            Cell::Text(self.description.clone()),
            Cell::Text(self.goals.clone()),
            Cell::Text(self.modes.join("、")),
            budget,
            Cell::Text(self.deadline.clone().unwrap_or_default()),
        ];
        if full {
            for c in [&self.contact_name, &self.contact_phone, &self.contact_email] {
                cells.push(Cell::Text(c.clone().unwrap_or_default()));
            }
        }
        cells
    }
}

/// The rows of an edition grouped by field (taxonomy order, unclassified last), in the
/// edition's order within a field, numbered from 1.
pub fn rows(items: &[Demand], full: bool) -> Vec<ExportRow> {
    let mut sorted: Vec<&Demand> = items.iter().collect();
    // Stable: the edition's order is kept inside each field.
    sorted.sort_by_key(|d| (d.body.field.is_none(), d.body.field));
    sorted
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let b = &d.body;
            let contact = |c: &Option<String>| if full { c.clone() } else { None };
            ExportRow {
                no: i + 1,
                id: d.id.clone(),
                title: b.title.clone(),
                enterprise: d.org_name.clone(),
                region: b.region.clone().unwrap_or_default(),
                field: match (b.field, &b.field_raw) {
                    (Some(f), _) => f.label().to_string(),
                    (None, Some(raw)) => raw.clone(),
                    (None, None) => "未分类".to_string(),
                },
                description: b.description.clone(),
                goals: b.goals.clone(),
                modes: b.modes.iter().map(|m| m.label().to_string()).collect(),
                budget_wan: b.budget_wan,
                budget_negotiable: b.budget_negotiable,
                deadline: b.deadline.map(|d| d.format("%Y-%m-%d").to_string()),
                contact_name: contact(&b.contact.name),
                contact_phone: contact(&b.contact.phone),
                contact_email: contact(&b.contact.email),
            }
        })
        .collect()
}

/// The edition as a table: the columns (contact columns only when `full`), a row per demand,
/// grouped by field on the page.
fn table(edition: &CatalogueEdition, rows: &[ExportRow], full: bool) -> Table {
    let contact = if full { &CONTACT_COLUMNS[..] } else { &[] };
    let headers = COLUMNS.into_iter().chain(contact.iter().copied());
    Table {
        sheet: "需求目录",
        title: edition.title.clone(),
        columns: headers
            .zip(WIDTHS)
            .enumerate()
            .map(|(col, (header, width))| Column {
                header,
                width,
                align: if col == 0 || col == FIELD_COLUMN {
                    Align::Center
                } else {
                    Align::Left
                },
            })
            .collect(),
        rows: rows.iter().map(|r| r.cells(full)).collect(),
        group_by: Some(FIELD_COLUMN),
    }
}

/// A file name from the edition's title and the version (公开版, or 含联系方式 for the
/// contact-bearing one, so the two never overwrite each other): characters file systems refuse
/// become `_`.
pub fn file_name(edition: &CatalogueEdition, format: ExportFormat, full: bool) -> String {
    let stem: String = edition
        .title
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = if stem.is_empty() {
        edition.id.clone()
    } else {
        stem
    };
    let version = if full { "含联系方式" } else { "公开版" };
    format!("{stem}({version}).{}", format.as_str())
}

/// Renders an edition. CPU-bound for large editions: call it off the async executor.
pub fn render(
    edition: &CatalogueEdition,
    items: &[Demand],
    format: ExportFormat,
    full: bool,
) -> AppResult<CatalogueExport> {
    let rows = rows(items, full);
    let table = table(edition, &rows, full);
    let bytes = match format {
        ExportFormat::Xlsx => {
            let subtitle = subtitle(edition, rows.len());
            workbook(&[table], &Layout::Printed { subtitle })
                .map_err(|e| internal("xlsx export", e))?
        }
        ExportFormat::Csv => csv_document(&table.headers(), table.rows),
        ExportFormat::Json => json(edition, &rows, &table.headers()),
        ExportFormat::Html => html(edition, &table).into_bytes(),
    };
    Ok(CatalogueExport {
        bytes,
        content_type: format.content_type(),
        file_name: file_name(edition, format, full),
    })
}

fn subtitle(edition: &CatalogueEdition, count: usize) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &edition.period {
        parts.push(format!("期次：{p}"));
    }
    if let Some(at) = edition.published_at {
        parts.push(format!(
            "发布日期：{}",
            duijie_core::time::china_local(at).format("%Y-%m-%d")
        ));
    } else {
        parts.push("草稿（未发布）".to_string());
    }
    parts.push(format!("共 {count} 项"));
    parts.join("　")
}

fn json(edition: &CatalogueEdition, rows: &[ExportRow], columns: &[&str]) -> Vec<u8> {
    let doc = serde_json::json!({
        "catalogue": edition,
        "columns": columns,
        "items": rows,
    });
    // Serialising plain values cannot fail.
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// The printable page's stylesheet, inline so the saved file stands alone (the server allows
/// it by its hash in the Content-Security-Policy).
pub const PRINT_CSS: &str =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\
\"SimSun\",sans-serif;margin:24px;color:#111}\
h1{text-align:center;font-size:22px;margin:0 0 4px}\
.meta{text-align:center;color:#555;margin:0 0 16px}\
table{border-collapse:collapse;width:100%;font-size:12px}\
th,td{border:1px solid #888;padding:4px 6px;vertical-align:top;white-space:pre-wrap}\
thead th{background:#d9e1f2}\
tr.group th{background:#f2f2f2;text-align:left}\
td.c{text-align:center}\
@page{size:A4 landscape;margin:12mm}\
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}";

fn html(edition: &CatalogueEdition, table: &Table) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape_html(&edition.title)));
    out.push_str(&format!("<style>{PRINT_CSS}</style>\n</head>\n<body>\n"));
    out.push_str(&format!("<h1>{}</h1>\n", escape_html(&edition.title)));
    out.push_str(&format!(
        "<p class=\"meta\">{}</p>\n",
        escape_html(&subtitle(edition, table.rows.len()))
    ));
    out.push_str(&html_table(table));
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{csv_field, sheet_text};
    use chrono::Utc;
    use duijie_core::{CatalogueStatus, Contact, DemandDraft, DemandStatus, Field};

    fn edition() -> CatalogueEdition {
        CatalogueEdition {
            id: "cat_1".into(),
            title: "2026年第4期企业技术需求目录".into(),
            period: Some("2026Q4".into()),
            status: CatalogueStatus::Published,
            item_count: 3,
            created_by: "科技局".into(),
            created_at: Utc::now(),
            published_at: Some(Utc::now()),
        }
    }

    fn item(id: &str, title: &str, field: Option<Field>) -> Demand {
        Demand {
            id: id.into(),
            org_id: "org_1".into(),
            org_name: "甲公司".into(),
            status: DemandStatus::Published,
            version: 1,
            body: DemandDraft {
                title: title.into(),
                description: "需要, \"引号\"\n换行".into(),
                field,
                budget_negotiable: true,
                contact: Contact {
                    phone: Some("13800000000".into()),
                    ..Contact::default()
                },
                ..DemandDraft::default()
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn items() -> Vec<Demand> {
        vec![
            item("a", "<script>alert(1)</script>", Some(Field::NewMaterials)),
            item("b", "乙", None),
            item("c", "丙", Some(Field::ElectronicInformation)),
            item("d", "丁", Some(Field::NewMaterials)),
        ]
    }

    #[test]
    fn rows_are_grouped_by_field_and_numbered() {
        let r = rows(&items(), false);
        let order: Vec<(&str, &str, usize)> = r
            .iter()
            .map(|r| (r.id.as_str(), r.field.as_str(), r.no))
            .collect();
        assert_eq!(
            order,
            [
                ("c", "电子信息", 1),
                ("a", "新材料", 2),
                ("d", "新材料", 3),
                ("b", "未分类", 4)
            ]
        );
        assert!(r.iter().all(|r| r.contact_phone.is_none()));
        assert_eq!(
            rows(&items(), true)[0].contact_phone.as_deref(),
            Some("13800000000")
        );
    }

    /// The test edition's export in a text `format` (with contacts when `full`), as text,
    /// and its file name.
    fn render_text(format: ExportFormat, full: bool) -> (String, String) {
        let out = render(&edition(), &items(), format, full).unwrap();
        (String::from_utf8(out.bytes).unwrap(), out.file_name)
    }

    #[test]
    fn csv_has_a_bom_quotes_and_no_contact_unless_full() {
        let (text, file_name) = render_text(ExportFormat::Csv, false);
        assert!(text.starts_with("\u{feff}序号,需求名称"));
        assert!(text.contains("\"需要, \"\"引号\"\"\n换行\""));
        assert!(text.contains(",面议,"));
        assert!(!text.contains("13800000000") && !text.contains("联系电话"));
        let (full, full_name) = render_text(ExportFormat::Csv, true);
        assert!(full.contains("13800000000"));
        assert_eq!(file_name, "2026年第4期企业技术需求目录(公开版).csv");
        assert_eq!(full_name, "2026年第4期企业技术需求目录(含联系方式).csv");
    }

    #[test]
    fn html_is_escaped_and_printable() {
        let (page, _) = render_text(ExportFormat::Html, false);
        assert!(page.contains("<html lang=\"zh-CN\">"));
        assert!(page.contains("@media print"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("新材料（2 项）"));
    }

    fn sheet(bytes: Vec<u8>) -> calamine::Range<calamine::Data> {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        wb.worksheet_range("需求目录").unwrap()
    }

    fn text_at(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
        range
            .get_value((row, col))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn xlsx_reads_back_with_title_header_and_grouped_rows() {
        let public = sheet(
            render(&edition(), &items(), ExportFormat::Xlsx, false)
                .unwrap()
                .bytes,
        );
        assert_eq!(text_at(&public, 0, 0), "2026年第4期企业技术需求目录");
        assert!(text_at(&public, 1, 0).contains("共 4 项"));
        let header: Vec<String> = (0..13).map(|c| text_at(&public, 2, c)).collect();
        assert_eq!(header[..10], COLUMNS.map(str::to_string));
        assert!(header[10..].iter().all(String::is_empty), "{header:?}");
        assert_eq!(text_at(&public, 3, 0), "1");
        assert_eq!(text_at(&public, 3, 4), "电子信息");
        assert_eq!(text_at(&public, 4, 1), "<script>alert(1)</script>");
        assert_eq!(text_at(&public, 6, 4), "未分类");
        assert_eq!(text_at(&public, 6, 8), "面议");
        assert_eq!(public.height(), 7);

        let full = sheet(
            render(&edition(), &items(), ExportFormat::Xlsx, true)
                .unwrap()
                .bytes,
        );
        assert_eq!(text_at(&full, 2, 11), "联系电话");
        assert_eq!(text_at(&full, 3, 11), "13800000000");
    }

    /// Texts spreadsheet programs would run as formulas: OWASP's list of first characters.
    const FORMULAS: [&str; 6] = [
        "=HYPERLINK(\"http://evil.example/x\",\"查看详情\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+86 138 0000 0000",
        "-20℃环境下的电池",
        "\t=1+1",
        "\r=1+1",
    ];

    fn formula_items() -> Vec<Demand> {
        FORMULAS
            .iter()
            .enumerate()
            .map(|(i, t)| item(&format!("f{i}"), t, None))
            .collect()
    }

    #[test]
    fn sheet_text_prefixes_only_what_would_be_a_formula() {
        for t in FORMULAS {
            assert_eq!(sheet_text(t), format!("'{t}"));
        }
        for t in ["", "面议", "锂电池 = 储能", "2026-12-31", "'已是文本"] {
            assert_eq!(sheet_text(t), t);
        }
    }

    #[test]
    fn formula_text_is_neutralised_in_csv() {
        let out = render(&edition(), &formula_items(), ExportFormat::Csv, true).unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        for t in FORMULAS {
            assert!(
                text.contains(&format!(",{},", csv_field(&format!("'{t}")))),
                "{t:?} not neutralised in {text}"
            );
            assert!(!text.contains(&format!(",{},", csv_field(t))), "{t:?}");
        }
    }

    #[test]
    fn formula_text_is_neutralised_in_xlsx() {
        let mut e = edition();
        e.title = "=1+1".into();
        let range = sheet(
            render(&e, &formula_items(), ExportFormat::Xlsx, true)
                .unwrap()
                .bytes,
        );
        assert_eq!(text_at(&range, 0, 0), "'=1+1");
        // calamine leaves xlsx's escape of a carriage return as it is stored.
        let titles: Vec<String> = (0..FORMULAS.len() as u32)
            .map(|i| text_at(&range, 3 + i, 1).replace("_x000D_", "\r"))
            .collect();
        let expected: Vec<String> = FORMULAS.iter().map(|t| format!("'{t}")).collect();
        assert_eq!(titles, expected);
        // Numbers stay numbers: the row number is not text.
        assert_eq!(range.get_value((3, 0)), Some(&calamine::Data::Float(1.0)));
    }

    /// 20:00 UTC on 31 October is already 1 November in China: the date printed is China's.
    #[test]
    fn the_publication_date_is_china_standard_time() {
        let mut e = edition();
        e.published_at = Some("2026-10-31T20:00:00Z".parse().unwrap());
        let page = String::from_utf8(
            render(&e, &items(), ExportFormat::Html, false)
                .unwrap()
                .bytes,
        )
        .unwrap();
        assert!(page.contains("发布日期：2026-11-01"), "{page}");
    }

    #[test]
    fn formats_parse_and_file_names_are_safe() {
        assert_eq!(ExportFormat::parse(" XLSX ").unwrap(), ExportFormat::Xlsx);
        let err = ExportFormat::parse("pdf").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("format"));
        let mut e = edition();
        e.title = "a/b:c".into();
        assert_eq!(
            file_name(&e, ExportFormat::Json, false),
            "a_b_c(公开版).json"
        );
        let json: serde_json::Value = serde_json::from_slice(
            &render(&edition(), &items(), ExportFormat::Json, false)
                .unwrap()
                .bytes,
        )
        .unwrap();
        assert_eq!(json["items"][0]["id"], "c");
        assert!(json["items"][0].get("contact_phone").is_none());
    }
}
