//! Writes the seed corpus of every fuzz target to `fuzz/seeds/<target>/`: small catalogues of
//! each kind and encoding, built here rather than kept as opaque files.
//!
//! ```text
//! cargo run -p duijie-fuzz --example write_seeds
//! ```

use duijie_fuzz::PART_SEPARATOR;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds")
}

fn write(target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = fuzz_dir().join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)
}

/// A demand catalogue as a bureau sends it: a merged title, a header, an enterprise merged
/// over two rows, a date and a number.
fn demand_workbook() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 5, "2024年企业技术需求汇总表", &plain)?;
    for (c, h) in [
        "企业名称",
        "需求名称",
        "需求内容",
        "所属领域",
        "拟投入资金（万元）",
        "截止日期",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *h)?;
    }
    ws.merge_range(2, 0, 3, 0, "灵宝市金源矿业有限公司", &plain)?;
    ws.write_string(2, 1, "高纯氧化铝粉体制备工艺")?;
    ws.write_string(2, 2, "现有工艺纯度不足\n需提升到 4N 级")?;
    ws.write_string(2, 3, "新材料")?;
    ws.write_number(2, 4, 50.0)?;
    ws.write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2027, 6, 30)?, &date)?;
    ws.write_string(3, 1, "尾矿综合利用")?;
    ws.write_string(3, 4, "面议")?;
    ws.write_string(5, 0, "注：金额单位为万元。")?;
    wb.save_to_buffer()
}

fn parts(parts: &[&str]) -> Vec<u8> {
    parts
        .join(std::str::from_utf8(PART_SEPARATOR).unwrap_or("\n#part#\n"))
        .into_bytes()
}

const SHEET_SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row><row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2"><v>18.5</v></c><c r="D2" s="1"><v>46568</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>秸秆综合利用</t></is></c><c r="B3" t="str"><f>B2</f><v>河南大学</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c></row><row r="4"><c r="B4" t="s"><v>5</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="B3:B4"/></mergeCells></worksheet>"#;

const SHARED_ACHIEVEMENTS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>成果名称</t></si><si><t>完成单位</t></si><si><t>金额</t></si><si><t>年份</t></si><si><t>高纯氧化铝制备技术</t></si><si><r><t>郑州</t></r><r><rPr><b/></rPr><t>大学</t></r></si></sst>"#;

const SHARED_DEMANDS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>需求名称</t></si><si><t>企业名称</t></si><si><t>拟投入资金（万元）</t></si><si><t>截止日期</t></si><si><t xml:space="preserve"> 煤焦油深加工 </t></si><si><t>义马市某化工有限公司</t></si></sst>"#;

const SHEET_EXPERTS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>工作单位</t></is></c><c r="C1" t="inlineStr"><is><t>职称</t></is></c><c r="D1" t="inlineStr"><is><t>研究方向</t></is></c><c r="E1" t="inlineStr"><is><t>联系电话</t></is></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>李四</t></is></c><c r="B3" t="inlineStr"><is><t>郑州大学</t></is></c><c r="C3" t="inlineStr"><is><t>教授</t></is></c><c r="D3" t="inlineStr"><is><t>粉体材料；煅烧</t></is></c><c r="E3"><v>13800000000</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>王五</t></is></c><c r="B2" t="inlineStr"><is><t>河南大学</t></is></c></row></sheetData></worksheet>"#;

const DEMANDS_CSV: &str = "2024年企业技术需求汇总表,,,\n企业名称,需求名称,需求内容,拟投入资金（万元）,联系电话\n灵宝市金源矿业有限公司,高纯氧化铝粉体制备工艺,\"现有工艺纯度不足\n需提升到 4N 级\",50,13800000000\n,尾矿综合利用,\"含 \"\"引号\"\" 的内容\",面议,12345\n义马市某化工有限公司,12.煤焦油深加工,,很多,\n\n注：金额单位为万元。\n";

const ACHIEVEMENTS_TSV: &str = "项目批准号\t项目名称\t依托单位\t负责人\t金额\t起止年月\n71701001\t基于Z-数信息的多属性群决策方法\t安徽大学\t陶志富\t18\t2018.01-2020.12\n71701002\t\"open quote\t安徽大学\n";

const EXPERTS_CSV: &str = "姓名;工作单位;职称;研究方向;电子邮箱\r\n李四;郑州大学;教授;粉体材料、煅烧;li@example.com\r\n王五;河南大学;;;not-an-email\r\n";

const DEMANDS_JSON: &str = r#"[{"需求名称":"高纯氧化铝粉体制备","企业名称":"灵宝市金源矿业有限公司","拟投入资金（万元）":50,"截止日期":"2027-06-30T00:00:00","关键词":["氧化铝","粉体"]},{"需求名称":"","企业名称":null},3,{"需求名称":"尾矿综合利用","企业名称":"灵宝市金源矿业有限公司","合作方式":{"nested":true}}]"#;

const ACHIEVEMENTS_ITEMS: &str = r#"{"total":2,"items":[{"title":"玉米秸秆综合利用","org":"河南农业大学","leader":"赵六","keywords":"秸秆；生物炭","year":2021},{"成果名称":"纳米粉体煅烧工艺","完成单位":"河南大学","年份":1e3}]}"#;

const EXPERTS_JSONL: &str = "{\"姓名\":\"李四\",\"工作单位\":\"郑州大学\",\"研究方向\":\"粉体材料\"}\n\n{\"姓名\":\"王五\",\"工作单位\":\"河南大学\"}\nnot json\n[1,2]\n";

const FACULTY: &str = r#"{"items":[{"title":"陈某 - 上海交通大学","content":"陈某，教授，博士生导师。研究方向：机器学习。","extra":{"name":"陈某","university":"上海交通大学","department":"计算机科学与工程系","position":"教授","research_areas":["机器学习","数据挖掘"],"keywords":"深度学习；图神经网络","email":"[邮箱已删除]","phone":"021-12345678"}},{"extra":{"name":"曹某","university":"中国科学院","academic_titles":["研究员"],"research_areas":"智能控制，机器人"}},{"extra":{"name":"无单位","university":""}}]}"#;

const QUERIES: &[&str] = &[
    "高纯氧化铝",
    "纳米 粉体 煅烧工艺\n新材料\n郑州市\n技术开发\norg-1",
    "需要优化粉体制备与煅烧工艺。关键词：氧化铝；粉体。目标是降低杂质。",
    "李四",
    "\"title:AI\" AND (body:* OR -x) [a TO z] ~2 ^3 \\",
    "的的的 了 和与及",
    "Deep learning 图像识别 CNN",
    "  \t\u{3000}。，！？ ",
    "秸秆秸秆秸秆秸秆秸秆秸秆秸秆秸秆秸秆秸秆秸秆秸秆",
    "🙂 ＡＢＣ　ｘｙｚ 𠀀𠀁 é",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    write(
        "ingest_xlsx",
        "demands-rust-xlsxwriter.xlsx",
        &demand_workbook()?,
    )?;
    write(
        "ingest_xlsx",
        "achievements-shared-strings.parts",
        &parts(&[SHEET_SHARED, SHARED_ACHIEVEMENTS]),
    )?;
    write(
        "ingest_xlsx",
        "demands-shared-strings.parts",
        &parts(&[SHEET_SHARED, SHARED_DEMANDS]),
    )?;
    write(
        "ingest_xlsx",
        "experts-inline.parts",
        &parts(&[SHEET_EXPERTS]),
    )?;

    write("ingest_csv", "demands-utf8.csv", DEMANDS_CSV.as_bytes())?;
    let (gbk, _, _) = encoding_rs::GBK.encode(DEMANDS_CSV);
    write("ingest_csv", "demands-gbk.csv", &gbk)?;
    write(
        "ingest_csv",
        "achievements.tsv",
        ACHIEVEMENTS_TSV.as_bytes(),
    )?;
    write(
        "ingest_csv",
        "experts-semicolon.csv",
        EXPERTS_CSV.as_bytes(),
    )?;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(EXPERTS_CSV.as_bytes());
    write("ingest_csv", "experts-bom.csv", &bom)?;

    write("ingest_json", "demands-array.json", DEMANDS_JSON.as_bytes())?;
    write(
        "ingest_json",
        "achievements-items.json",
        ACHIEVEMENTS_ITEMS.as_bytes(),
    )?;
    write("ingest_json", "experts.jsonl", EXPERTS_JSONL.as_bytes())?;
    write("ingest_json", "faculty-profiles.json", FACULTY.as_bytes())?;

    for (i, q) in QUERIES.iter().enumerate() {
        write("query", &format!("query-{i:02}.txt"), q.as_bytes())?;
    }
    println!("seeds written to {}", fuzz_dir().display());
    Ok(())
}
