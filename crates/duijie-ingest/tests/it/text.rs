//! CSV and TSV in the encodings they arrive in.

use crate::fixtures::*;
use duijie_core::{CoopMode, ErrorCode, Field, RecordKind};
use duijie_ingest::{IngestError, ReadOptions};

const GBK_DEMANDS: &str = "\
企业技术需求征集表,,,,,
需求名称,需求单位,合作方式,拟投入资金（万元）,联系人,手机
高纯氧化铝粉体制备工艺,灵宝市金源矿业有限公司,技术转让,50,张三,138 0000 0000
\"尾矿综合利用, 含稀土回收\",三门峡某某矿业有限公司,合作开发/委托开发,面议,李四,1380000000x
,,,,,
注：以上需求由企业自行填报
";

#[test]
fn gbk_csv_is_decoded_and_read() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(GBK_DEMANDS);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    let p = read("需求.csv", &bytes);
    assert_eq!(p.kind, RecordKind::Demands);
    assert_eq!((p.rows_total, p.rows_skipped), (2, 0));
    let ds = demands(&p);
    assert_eq!(ds[0].0, 3);
    assert_eq!(ds[0].1.title, "高纯氧化铝粉体制备工艺");
    assert_eq!(ds[0].1.org_name, "灵宝市金源矿业有限公司");
    assert_eq!(ds[0].1.contact.name.as_deref(), Some("张三"));
    assert_eq!(ds[0].1.contact.phone.as_deref(), Some("13800000000"));
    assert_eq!(ds[1].0, 4);
    assert_eq!(ds[1].1.title, "尾矿综合利用, 含稀土回收");
    assert_eq!(
        ds[1].1.modes,
        vec![CoopMode::JointDevelopment, CoopMode::Commissioned]
    );
    assert!(ds[1].1.budget_negotiable);
    assert_eq!(
        problems(&p),
        vec![problem("csv", 4, Some("手机"), "invalid_phone")]
    );
}

#[test]
fn utf8_bom_csv_in_nsfc_layout() {
    let text = "\u{FEFF}index,approveText,title,searchYear,searchFund,searchCode,codeText,fundTypeText,personText,money,approveYear,endYear,organization,keywords\n\
\"1\",\"31570119\",\"1.微生物修复石油污染的厌氧解烃分子机制\",\"2019\",\"面上项目\",\"C0106\",\"C0106\",\"面上项目\",\"王威\",\"62.0\",\"2015\",\"2019\",\"南开大学\",\"嗜热芽孢杆菌NG80-2； 石油烃的厌氧生物降解； 调控机制\"\n\
\"2\",\"31570109\",\"2、银沙槐内生菌共生抗干旱研究\",\"2019\",\"面上项目\",\"C0106\",\"C0106\",\"面上项目\",\"安登第\",\"62.0\",\"2015\",\"2019\",\"\",\"植物-微生物互作\"\n";
    let p = read("C0106.csv", text.as_bytes());
    assert_eq!(p.kind, RecordKind::Achievements);
    assert_eq!((p.rows_total, p.rows_skipped), (2, 1));
    let a = achievements(&p);
    assert_eq!(a.len(), 1);
    let (row, first) = a[0];
    assert_eq!(row, 2);
    assert_eq!(first.title, "微生物修复石油污染的厌氧解烃分子机制");
    assert_eq!(first.org_name, "南开大学");
    assert_eq!(first.leader.as_deref(), Some("王威"));
    assert_eq!(first.year, Some(2015));
    assert_eq!(
        first.keywords,
        vec!["嗜热芽孢杆菌NG80-2", "石油烃的厌氧生物降解", "调控机制"]
    );
    assert_eq!(
        problems(&p),
        vec![problem("csv", 3, Some("organization"), "missing_required")]
    );
}

#[test]
fn tsv_experts_with_a_bad_email() {
    let text = "姓名\t工作单位\t职称\t研究方向\t电子邮箱\t所属领域\n\
张伟\t浙江大学\t教授\t锂电池正极材料；固态电解质\tzhang@zju.edu.cn\t新能源\n\
李娜\t中国科学院化学研究所\t研究员\tpolymer chemistry、高分子\tli at iccas\t\n\
\t浙江工业大学\t副教授\t\t\t\n";
    let p = read("专家.tsv", text.as_bytes());
    assert_eq!(p.kind, RecordKind::Experts);
    assert_eq!((p.rows_total, p.rows_skipped), (3, 1));
    let e = experts(&p);
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].1.name, "张伟");
    assert_eq!(e[0].1.org_name, "浙江大学");
    assert_eq!(e[0].1.title.as_deref(), Some("教授"));
    assert_eq!(e[0].1.research_areas, vec!["锂电池正极材料", "固态电解质"]);
    assert_eq!(e[0].1.contact.email.as_deref(), Some("zhang@zju.edu.cn"));
    assert_eq!(e[0].1.contact.name, None);
    assert_eq!(e[0].1.field, Some(Field::NewEnergy));
    // Research areas split on list punctuation, not on the space inside a phrase.
    assert_eq!(e[1].1.research_areas, vec!["polymer chemistry", "高分子"]);
    assert_eq!(e[1].1.contact.email, None);
    assert_eq!(
        problems(&p),
        vec![
            problem("csv", 3, Some("电子邮箱"), "invalid_email"),
            problem("csv", 4, Some("姓名"), "missing_required"),
        ]
    );
}

#[test]
fn duplicates_keep_the_last_and_repeated_headers_are_skipped() {
    let text = "需求名称,需求单位,拟投入资金\n\
高纯氧化铝,金源矿业有限公司,10\n\
尾矿利用,金源矿业有限公司,20\n\
需求名称,需求单位,拟投入资金\n\
高纯 氧化铝,金源矿业有限公司 ,30\n";
    let p = read("dup.csv", text.as_bytes());
    assert_eq!((p.rows_total, p.rows_skipped), (2, 0));
    let ds = demands(&p);
    assert_eq!(
        ds.iter()
            .map(|(r, d)| (*r, d.budget_wan))
            .collect::<Vec<_>>(),
        vec![(3, Some(20.0)), (5, Some(30.0))]
    );
    assert_eq!(problems(&p), vec![problem("csv", 2, None, "duplicate_row")]);
}

#[test]
fn text_named_xlsx_is_read_as_text() {
    let p = read(
        "其实是CSV.xlsx",
        "需求名称,需求单位\n高纯氧化铝,金源矿业有限公司\n".as_bytes(),
    );
    assert_eq!(p.records.len(), 1);
}

#[test]
fn unknown_kind_headers_are_an_error_naming_the_columns() {
    let text = "需求名称,拟投入资金,合作方式\n高纯氧化铝,10,技术转让\n";
    let err = read_err("缺列.csv", text.as_bytes(), &ReadOptions::default());
    match &err {
        IngestError::MissingColumns { kind, missing, .. } => {
            assert_eq!(*kind, RecordKind::Demands);
            assert_eq!(missing, &vec!["需求单位".to_string()]);
        }
        other => panic!("expected MissingColumns, got {other}"),
    }
    assert_eq!(err.code(), ErrorCode::UnreadableFile);
}

#[test]
fn row_cap_applies_to_text() {
    let mut text = String::from("需求名称,需求单位\n");
    for i in 0..50 {
        text.push_str(&format!("需求{i},某公司\n"));
    }
    let opts = ReadOptions {
        max_rows: 10,
        ..ReadOptions::default()
    };
    let err = read_err("many.csv", text.as_bytes(), &opts);
    assert_eq!(err.code(), ErrorCode::TooLarge);
}

/// The importer holds to the API's limits: a cell longer than a form accepts skips its row with
/// an error naming the cell; a budget no enterprise could mean is dropped, not imported.
#[test]
fn cells_beyond_the_api_limits_are_refused_with_the_cell_named() {
    let giant = "很".repeat(duijie_core::validate::MAX_TEXT_CHARS + 1);
    let text = format!(
        "需求名称,需求单位,需求内容,拟投入资金（万元）\n\
尾矿综合利用,甲公司,{giant},50\n\
高纯氧化铝,乙公司,粉体烧结活性不足,99999999999\n\
果品冷链,丙公司,保鲜期短,20\n"
    );
    let p = read("需求.csv", text.as_bytes());
    assert_eq!((p.rows_total, p.rows_skipped), (3, 1));
    let ds = demands(&p);
    assert_eq!(
        ds.iter().map(|(_, d)| d.title.as_str()).collect::<Vec<_>>(),
        ["高纯氧化铝", "果品冷链"]
    );
    assert_eq!(
        ds[0].1.budget_wan, None,
        "an implausible budget is not kept"
    );
    assert_eq!(ds[1].1.budget_wan, Some(20.0));
    assert_eq!(
        problems(&p),
        vec![
            problem("csv", 2, Some("需求内容"), "too_long"),
            problem("csv", 3, Some("拟投入资金（万元）"), "invalid_budget"),
        ]
    );
    assert!(
        p.errors[0].message.contains("20001 个字符"),
        "{}",
        p.errors[0].message
    );
}
