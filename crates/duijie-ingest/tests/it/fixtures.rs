//! Builders for catalogue fixtures and helpers to look at what was read.

#![allow(dead_code)]

use duijie_core::{AchievementDraft, DemandDraft, Draft, ExpertDraft};
use duijie_ingest::{read_bytes, IngestError, ParsedFile, ReadOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

pub fn read(name: &str, bytes: &[u8]) -> ParsedFile {
    match read_bytes(name, bytes, &ReadOptions::default()) {
        Ok(p) => p,
        Err(e) => panic!("{name} should be readable: {e}"),
    }
}

pub fn read_err(name: &str, bytes: &[u8], opts: &ReadOptions) -> IngestError {
    match read_bytes(name, bytes, opts) {
        Ok(p) => panic!(
            "{name} should not be readable, got {} records",
            p.records.len()
        ),
        Err(e) => e,
    }
}

/// `(row, draft)` of every record; each must be of the kind `pick` takes (`what` in the failure).
fn of_kind<'p, T>(
    p: &'p ParsedFile,
    what: &str,
    pick: impl Fn(&'p Draft) -> Option<&'p T>,
) -> Vec<(u32, &'p T)> {
    p.records
        .iter()
        .map(|r| match pick(&r.draft) {
            Some(d) => (r.row, d),
            None => panic!("expected {what}, got {:?}", r.draft),
        })
        .collect()
}

pub fn demands(p: &ParsedFile) -> Vec<(u32, &DemandDraft)> {
    of_kind(p, "a demand", |d| match d {
        Draft::Demand(d) => Some(d),
        _ => None,
    })
}

pub fn achievements(p: &ParsedFile) -> Vec<(u32, &AchievementDraft)> {
    of_kind(p, "an achievement", |d| match d {
        Draft::Achievement(a) => Some(a),
        _ => None,
    })
}

pub fn experts(p: &ParsedFile) -> Vec<(u32, &ExpertDraft)> {
    of_kind(p, "an expert", |d| match d {
        Draft::Expert(e) => Some(e),
        _ => None,
    })
}

/// Writes `rows` of text into `ws` from row `top`, column A on.
pub fn write_rows(ws: &mut Worksheet, top: u32, rows: &[&[&str]]) {
    for (r, row) in (top..).zip(rows) {
        for (c, v) in (0u16..).zip(row.iter()) {
            ws.write_string(r, c, *v).expect("cell");
        }
    }
}

/// The smallest demand sheet: a header and one demand of 金源矿业.
pub const ONE_DEMAND: [&[&str]; 2] = [
    &["需求名称", "需求单位"],
    &["高纯氧化铝", "金源矿业有限公司"],
];

/// `(sheet, row, column, code)` of every reported problem.
pub fn problems(p: &ParsedFile) -> Vec<(String, u32, Option<String>, String)> {
    p.errors
        .iter()
        .map(|e| (e.sheet.clone(), e.row, e.column.clone(), e.code.clone()))
        .collect()
}

pub fn problem(
    sheet: &str,
    row: u32,
    column: Option<&str>,
    code: &str,
) -> (String, u32, Option<String>, String) {
    (
        sheet.to_string(),
        row,
        column.map(str::to_string),
        code.to_string(),
    )
}

/// The demand workbook a county bureau would send: two title rows (one merged across the
/// table), a header with a `*` marker and a unit on a second line, an enterprise merged over
/// three grouped rows, numbers stored as text and as numbers, an Excel date, 面议, a bad
/// phone, a bad credit code, a bad date, a row without a title, a numbered title, a blank row
/// and notes under the table; then a sheet of instructions without a header.
pub fn demand_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    {
        let ws = wb.add_worksheet();
        ws.set_name("需求清单").expect("name");
        ws.merge_range(0, 0, 0, 9, "2024年三门峡市企业技术需求汇总表", &plain)
            .expect("merge title");
        ws.write_string(1, 0, "填报单位：三门峡市科学技术局")
            .expect("w");
        ws.write_string(1, 7, "填报日期：2024年5月").expect("w");
        let header = [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "*需求名称",
            "需求内容",
            "所属领域",
            "合作方式",
            "拟投入资金\n（万元）",
            "联系电话",
            "截止日期",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).expect("header");
        }
        // Rows 4-6 (0-based 3-5): one enterprise, merged over its three demands.
        ws.merge_range(3, 1, 5, 1, "灵宝市金源矿业有限公司", &plain)
            .expect("merge enterprise");
        ws.write_number(3, 0, 1).expect("w");
        ws.write_string(3, 2, "91350100M000100Y43").expect("w");
        ws.write_string(3, 3, "高纯氧化铝粉体制备工艺").expect("w");
        ws.write_string(3, 4, "现有工艺纯度不足\n需提升到 4N 级")
            .expect("w");
        ws.write_string(3, 5, "新材料").expect("w");
        ws.write_string(3, 6, "技术转让、合作开发").expect("w");
        ws.write_string(3, 7, "50").expect("w");
        ws.write_string(3, 8, "13800000000").expect("w");
        ws.write_datetime_with_format(
            3,
            9,
            ExcelDateTime::from_ymd(2027, 6, 30).expect("date"),
            &date,
        )
        .expect("w");

        ws.write_number(4, 0, 2).expect("w");
        ws.write_string(4, 3, "尾矿综合利用").expect("w");
        ws.write_string(4, 5, "资源环境").expect("w");
        ws.write_string(4, 6, "委托开发").expect("w");
        ws.write_string(4, 7, "面议").expect("w");
        ws.write_string(4, 8, "12345").expect("w");
        ws.write_string(4, 9, "2026/12/31").expect("w");

        ws.write_number(5, 0, 3).expect("w");
        ws.write_string(5, 2, "91350100M000100Y44").expect("w");
        ws.write_string(5, 3, "选矿废水处理").expect("w");
        ws.write_number(5, 7, 30.0).expect("w");
        ws.write_string(5, 9, "明年").expect("w");

        // Row 7: no title.
        ws.write_number(6, 0, 4).expect("w");
        ws.write_string(6, 1, "三门峡市某某机械有限公司")
            .expect("w");
        ws.write_string(6, 4, "只写了内容").expect("w");
        ws.write_number(6, 7, 10).expect("w");

        // Row 8: numbered title, bad budget.
        ws.write_number(7, 0, 5).expect("w");
        ws.write_string(7, 1, "义马市某化工有限公司").expect("w");
        ws.write_string(7, 3, "12.煤焦油深加工").expect("w");
        ws.write_string(7, 7, "很多").expect("w");

        // Row 9 blank; notes under the table.
        ws.write_string(9, 0, "注：1.金额单位为万元；2.带*为必填项。")
            .expect("w");
        ws.write_string(10, 0, "填表人：王五").expect("w");
        ws.write_string(10, 5, "审核人：赵六").expect("w");
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填表说明").expect("name");
        ws.write_string(0, 0, "填表说明").expect("w");
        ws.write_string(1, 0, "1. 企业名称请填写全称").expect("w");
        ws.write_string(2, 0, "2. 需求名称不超过30字").expect("w");
    }
    wb.save_to_buffer().expect("xlsx")
}

/// A small achievement workbook laid out like an NSFC listing.
pub fn achievement_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "项目批准号",
        "项目类别",
        "项目名称",
        "依托单位",
        "负责人",
        "金额",
        "起止年月",
        "总评",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let rows = [
        [
            "71701001",
            "青年科学基金项目",
            "基于Z-数信息的多属性群决策方法",
            "安徽大学",
            "陶志富",
            "18",
            "2018.01-2020.12",
            "尚未评估",
        ],
        [
            "71701002",
            "青年科学基金项目",
            "服务交互管理与创新机制研究",
            "安徽工程大学",
            "李小东",
            "17",
            "2018.01-2020.12",
            "尚未评估",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).expect("cell");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

/// A workbook whose one sheet repeats a long row `rows` times: small zipped, large unzipped.
pub fn repetitive_workbook(rows: u32) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "需求名称").expect("w");
    ws.write_string(0, 1, "需求单位").expect("w");
    ws.write_string(0, 2, "需求内容").expect("w");
    let filler = "高纯氧化铝粉体制备工艺".repeat(20);
    for r in 1..=rows {
        ws.write_string(r, 0, format!("高纯氧化铝需求{r}"))
            .expect("w");
        ws.write_string(r, 1, "灵宝市金源矿业有限公司").expect("w");
        ws.write_string(r, 2, format!("{filler}{r}")).expect("w");
    }
    wb.save_to_buffer().expect("xlsx")
}

/// Deterministic bytes that are no known format (a tiny LCG; no rand needed).
pub fn garbage(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}
