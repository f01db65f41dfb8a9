//! xlsx catalogues as people make them.

use crate::fixtures::*;
use chrono::NaiveDate;
use duijie_core::{CoopMode, ErrorCode, Field, RecordKind};
use duijie_ingest::{read_bytes, read_path, IngestError, ReadOptions};
use sha2::{Digest, Sha256};

#[test]
fn demand_workbook_rows_values_and_report() {
    let bytes = demand_workbook();
    let p = read("需求.xlsx", &bytes);
    assert_eq!(p.kind, RecordKind::Demands);
    assert_eq!(p.file, "需求.xlsx");
    assert_eq!(p.sha256, hex::encode(Sha256::digest(&bytes)));
    // Rows 4-8 are the table; titles, the blank row, notes and the second sheet are not rows.
    assert_eq!((p.rows_total, p.rows_skipped), (5, 1));

    let ds = demands(&p);
    assert_eq!(
        ds.iter()
            .map(|(row, d)| (*row, d.title.as_str(), d.org_name.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (4, "高纯氧化铝粉体制备工艺", "灵宝市金源矿业有限公司"),
            // The merged enterprise cell carries over to its grouped rows.
            (5, "尾矿综合利用", "灵宝市金源矿业有限公司"),
            (6, "选矿废水处理", "灵宝市金源矿业有限公司"),
            // The list number is stripped.
            (8, "煤焦油深加工", "义马市某化工有限公司"),
        ]
    );
    assert!(p.records.iter().all(|r| r.sheet == "需求清单"));

    let first = ds[0].1;
    assert_eq!(first.credit_code.as_deref(), Some("91350100M000100Y43"));
    assert_eq!(first.description, "现有工艺纯度不足\n需提升到 4N 级");
    assert_eq!(first.field, Some(Field::NewMaterials));
    assert_eq!(first.field_raw, None);
    assert_eq!(
        first.modes,
        vec![CoopMode::Transfer, CoopMode::JointDevelopment]
    );
    assert_eq!(first.budget_wan, Some(50.0));
    assert!(!first.budget_negotiable);
    assert_eq!(first.contact.phone.as_deref(), Some("13800000000"));
    assert_eq!(first.deadline, NaiveDate::from_ymd_opt(2027, 6, 30));

    let second = ds[1].1;
    assert_eq!(second.field, Some(Field::ResourcesEnvironment));
    assert_eq!(second.field_raw.as_deref(), Some("资源环境"));
    assert_eq!(second.modes, vec![CoopMode::Commissioned]);
    assert_eq!((second.budget_wan, second.budget_negotiable), (None, true));
    assert_eq!(second.contact.phone, None);
    assert_eq!(second.deadline, NaiveDate::from_ymd_opt(2026, 12, 31));

    let third = ds[2].1;
    assert_eq!(
        third.budget_wan,
        Some(30.0),
        "a number cell 30.0 reads as 30"
    );
    assert_eq!(third.credit_code, None);
    assert_eq!(third.deadline, None);

    assert_eq!(ds[3].1.budget_wan, None);

    let budget_col = "拟投入资金 （万元）";
    assert_eq!(
        problems(&p),
        vec![
            problem("需求清单", 5, Some("联系电话"), "invalid_phone"),
            problem(
                "需求清单",
                6,
                Some("统一社会信用代码"),
                "invalid_credit_code"
            ),
            problem("需求清单", 6, Some("截止日期"), "invalid_date"),
            problem("需求清单", 7, Some("*需求名称"), "missing_required"),
            problem("需求清单", 8, Some(budget_col), "invalid_budget"),
        ]
    );
    for e in &p.errors {
        assert!(
            e.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message in Chinese: {}",
            e.message
        );
    }
}

#[test]
fn achievement_workbook_is_detected_and_read() {
    let p = read("nsfc.xlsx", &achievement_workbook());
    assert_eq!(p.kind, RecordKind::Achievements);
    let a = achievements(&p);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].0, 2);
    assert_eq!(a[0].1.org_name, "安徽大学");
    assert_eq!(a[0].1.leader.as_deref(), Some("陶志富"));
    assert_eq!(a[0].1.year, Some(2018));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
}

#[test]
fn explicit_kind_that_does_not_fit_names_the_missing_columns() {
    let opts = ReadOptions {
        kind: Some(RecordKind::Demands),
        ..ReadOptions::default()
    };
    let err = read_err("nsfc.xlsx", &achievement_workbook(), &opts);
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    match &err {
        IngestError::WrongKind { kind, missing, .. } => {
            assert_eq!(*kind, RecordKind::Demands);
            assert_eq!(missing, &vec!["需求单位".to_string()]);
        }
        other => panic!("expected WrongKind, got {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("nsfc.xlsx") && text.contains("需求单位"),
        "{text}"
    );

    // The same file read as what it is works.
    let opts = ReadOptions {
        kind: Some(RecordKind::Achievements),
        ..ReadOptions::default()
    };
    assert!(read_bytes("nsfc.xlsx", &achievement_workbook(), &opts).is_ok());
}

#[test]
fn workbook_named_csv_is_still_a_workbook() {
    let p = read("导出.csv", &achievement_workbook());
    assert_eq!(p.kind, RecordKind::Achievements);
    assert_eq!(p.records.len(), 2);
}

#[test]
fn reads_from_a_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("需求.xlsx");
    std::fs::write(&path, demand_workbook()).expect("write");
    let p = read_path(&path, &ReadOptions::default()).expect("read");
    assert_eq!(p.records.len(), 4);
    assert!(p.file.ends_with("需求.xlsx"));
}

#[test]
fn uncompressed_size_over_the_cap_is_too_large() {
    let bytes = repetitive_workbook(2_000);
    // Well within the default caps.
    let p = read("big.xlsx", &bytes);
    assert_eq!(p.records.len(), 2_000);
    // Compressed it is small; unzipped it is over a 256 KiB cap.
    assert!(bytes.len() < 256 * 1024, "{}", bytes.len());
    let opts = ReadOptions {
        max_xlsx_uncompressed: 256 * 1024,
        ..ReadOptions::default()
    };
    let err = read_err("big.xlsx", &bytes, &opts);
    assert_eq!(err.code(), ErrorCode::TooLarge);
    assert!(err.to_string().contains("big.xlsx"));
}

#[test]
fn row_cap_applies_to_workbooks() {
    let opts = ReadOptions {
        max_rows: 100,
        ..ReadOptions::default()
    };
    let err = read_err("big.xlsx", &repetitive_workbook(200), &opts);
    assert_eq!(err.code(), ErrorCode::TooLarge);
}

#[test]
fn a_sheet_spanning_the_whole_grid_costs_nothing() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    write_rows(ws, 0, &ONE_DEMAND);
    // The last cell Excel allows: a reader that allocates the declared range would need
    // 17 billion cells.
    ws.write_string(1_048_575, 16_383, "末尾").expect("w");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let p = read("sparse.xlsx", &bytes);
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.rows_total, 1);
}

#[test]
fn hidden_sheets_are_not_read() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    write_rows(ws, 0, &ONE_DEMAND);
    let hidden = wb.add_worksheet();
    hidden.set_name("下拉选项").expect("name");
    write_rows(
        hidden,
        0,
        &[&["需求名称", "需求单位"], &["不该读到", "某公司"]],
    );
    hidden.set_hidden(true);
    let p = read("hidden.xlsx", &wb.save_to_buffer().expect("xlsx"));
    assert_eq!(
        demands(&p)
            .iter()
            .map(|(_, d)| d.title.as_str())
            .collect::<Vec<_>>(),
        vec!["高纯氧化铝"]
    );
}

#[test]
fn a_workbook_without_any_header_is_an_error() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "会议纪要").expect("w");
    ws.write_string(1, 0, "今天讨论了三件事").expect("w");
    let err = read_err(
        "纪要.xlsx",
        &wb.save_to_buffer().expect("xlsx"),
        &ReadOptions::default(),
    );
    assert!(matches!(err, IngestError::NoHeader { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::UnreadableFile);
    assert!(err.to_string().contains("纪要.xlsx"));
}

#[test]
fn several_sheets_of_one_kind_and_one_of_another() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheets: [(&str, &[[&str; 2]]); 3] = [
        (
            "一月",
            &[
                ["需求名称", "需求单位"],
                ["高纯氧化铝", "金源矿业有限公司"],
                ["尾矿利用", "金源矿业有限公司"],
            ],
        ),
        (
            "二月",
            &[
                ["技术需求名称", "企业名称"],
                ["高纯 氧化铝", "金源矿业有限公司"],
            ],
        ),
        ("专家", &[["专家姓名", "工作单位"], ["张伟", "浙江大学"]]),
    ];
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        let rows: Vec<&[&str]> = rows.iter().map(|r| &r[..]).collect();
        write_rows(ws, 0, &rows);
    }
    let p = read("多表.xlsx", &wb.save_to_buffer().expect("xlsx"));
    assert_eq!(p.kind, RecordKind::Demands);
    assert_eq!(
        p.records
            .iter()
            .map(|r| (r.sheet.as_str(), r.row))
            .collect::<Vec<_>>(),
        vec![("一月", 3), ("二月", 2)]
    );
    // The same demand on both sheets: the later one is kept, the earlier reported.
    assert_eq!(
        problems(&p),
        vec![problem("一月", 2, None, "duplicate_row")]
    );
    assert_eq!((p.rows_total, p.rows_skipped), (2, 0));
}

/// A county named by the sheet or by the title row is the region of rows without their own
/// (the annual report then counts them under that county, not 未填写地区).
#[test]
fn a_county_in_the_sheet_name_or_title_row_is_the_region() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("渑池县").expect("name");
    write_rows(ws, 0, &ONE_DEMAND);
    let titled = wb.add_worksheet();
    titled
        .write_string(0, 0, "2026年三门峡市陕州区企业技术需求目录")
        .expect("w");
    write_rows(
        titled,
        1,
        &[
            &["需求名称", "需求单位", "所在地区"],
            &["苹果冷链保鲜", "果业有限公司"],
            &["黄金尾矿综合利用", "矿业有限公司", "灵宝市"],
        ],
    );
    let p = read("县区需求.xlsx", &wb.save_to_buffer().expect("xlsx"));
    let regions: Vec<(String, Option<String>)> = demands(&p)
        .into_iter()
        .map(|(_, d)| (d.title.clone(), d.region.clone()))
        .collect();
    assert_eq!(
        regions,
        vec![
            ("高纯氧化铝".to_string(), Some("渑池县".to_string())),
            ("苹果冷链保鲜".to_string(), Some("陕州区".to_string())),
            ("黄金尾矿综合利用".to_string(), Some("灵宝市".to_string())),
        ]
    );
}

#[test]
fn a_workbook_holding_more_cell_text_than_allowed_is_too_large() {
    let book = achievement_workbook();
    let fits = read("nsfc.xlsx", &book);
    assert!(!fits.records.is_empty());
    let opts = ReadOptions {
        max_cell_text: 64,
        ..ReadOptions::default()
    };
    let err = read_err("nsfc.xlsx", &book, &opts);
    assert_eq!(err.code(), ErrorCode::TooLarge);
    let text = err.to_string();
    assert!(
        text.contains("nsfc.xlsx") && text.contains("单元格文字总量"),
        "{text}"
    );
}
