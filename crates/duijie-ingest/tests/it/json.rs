//! JSON arrays, wrapped items, JSONL and faculty profiles.

use crate::fixtures::*;
use duijie_core::{ErrorCode, Maturity, RecordKind};
use duijie_ingest::{IngestError, ReadOptions};
use serde_json::json;

#[test]
fn array_of_achievements_with_chinese_keys() {
    let doc = json!([
        {"成果名称": "高效钙钛矿太阳能电池", "完成单位": "郑州大学", "成熟度": "中试阶段",
         "关键词": "钙钛矿；光伏", "负责人": "王某", "所属领域": "新能源", "批准年份": 2021},
        {"成果名称": "", "完成单位": "河南大学"},
        {"成果名称": "智能灌溉控制系统", "完成单位": "河南农业大学", "成熟度": "已批量生产"}
    ]);
    let p = read("成果.json", doc.to_string().as_bytes());
    assert_eq!(p.kind, RecordKind::Achievements);
    assert_eq!((p.rows_total, p.rows_skipped), (3, 1));
    let a = achievements(&p);
    assert_eq!(a.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(a[0].1.maturity, Some(Maturity::Pilot));
    assert_eq!(a[0].1.keywords, vec!["钙钛矿", "光伏"]);
    assert_eq!(a[0].1.year, Some(2021));
    assert_eq!(a[0].1.leader.as_deref(), Some("王某"));
    assert_eq!(a[1].1.maturity, Some(Maturity::Industrial));
    assert!(p.records.iter().all(|r| r.sheet == "json"));
    assert_eq!(
        problems(&p),
        vec![problem("json", 2, Some("成果名称"), "missing_required")]
    );
}

#[test]
fn wrapped_items_with_english_keys() {
    let doc = json!({"items": [
        {"title": "Graphene membranes", "organization": "Zhengzhou University",
         "personText": "Li", "approveYear": "2020", "keywords": ["graphene", "membrane"]}
    ]});
    let p = read("export.json", doc.to_string().as_bytes());
    assert_eq!(p.kind, RecordKind::Achievements);
    let a = achievements(&p);
    assert_eq!(a[0].1.title, "Graphene membranes");
    assert_eq!(a[0].1.keywords, vec!["graphene", "membrane"]);
    assert_eq!(a[0].1.year, Some(2020));
}

#[test]
fn jsonl_demands_with_a_broken_line() {
    let text =
        "{\"需求名称\":\"高纯氧化铝\",\"企业名称\":\"金源矿业有限公司\",\"预算\":\"20万\"}\n\
{\"需求名称\": \"尾矿利用\", \"企业名称\": \"金源矿业有限公司\", \"邮箱\": \"bad\"\n\
{\"需求名称\":\"选矿废水\",\"企业名称\":\"金源矿业有限公司\",\"预算\":\"面议\"}\n";
    let p = read("需求.jsonl", text.as_bytes());
    assert_eq!(p.kind, RecordKind::Demands);
    assert_eq!((p.rows_total, p.rows_skipped), (3, 1));
    let ds = demands(&p);
    assert_eq!(ds.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(ds[0].1.budget_wan, Some(20.0));
    assert!(ds[1].1.budget_negotiable);
    assert_eq!(problems(&p), vec![problem("json", 2, None, "invalid_json")]);
}

#[test]
fn faculty_profiles_become_experts() {
    let doc = json!({
        "source_id": "x_faculty", "source_name": "某大学-教师名录",
        "crawled_at": "2026-03-04T06:50:42+00:00", "item_count": 3,
        "items": [
            {"title": "陈某", "url": "https://example.edu/a", "content": null,
             "extra": {"name": "陈某", "university": "上海交通大学", "department": "计算机科学与工程系",
                       "position": "教授", "academic_titles": [], "research_areas": ["操作系统", "分布式系统"],
                       "keywords": ["OS"], "bio": "从事系统软件研究。", "email": "", "phone": ""}},
            {"title": "曹某", "url": "https://example.edu/b", "content": "研究领域：社会计算\n\n主页正文",
             "extra": {"name": "曹某", "university": "中国科学院", "department": "自动化研究所",
                       "position": "[邮箱已删除]", "academic_titles": ["IEEE FELLOW"], "research_areas": [],
                       "keywords": [], "bio": "", "email": "[邮箱已删除]", "phone": "12"}},
            {"title": "无单位", "url": "https://example.edu/c",
             "extra": {"name": "无单位", "university": ""}}
        ]
    });
    let p = read("latest.json", doc.to_string().as_bytes());
    assert_eq!(p.kind, RecordKind::Experts);
    assert_eq!((p.rows_total, p.rows_skipped), (3, 1));
    let e = experts(&p);
    let (_, chen) = e[0];
    assert_eq!(chen.name, "陈某");
    assert_eq!(chen.org_name, "上海交通大学");
    assert_eq!(chen.department.as_deref(), Some("计算机科学与工程系"));
    assert_eq!(chen.title.as_deref(), Some("教授"));
    assert_eq!(chen.research_areas, vec!["操作系统", "分布式系统"]);
    assert_eq!(chen.keywords, vec!["OS"]);
    assert_eq!(chen.bio, "从事系统软件研究。");
    assert!(chen.contact.is_empty());
    let (_, cao) = e[1];
    // The placeholder is not a position; the academic titles stand in.
    assert_eq!(cao.title.as_deref(), Some("IEEE FELLOW"));
    // No bio: the page text stands in.
    assert_eq!(cao.bio, "研究领域：社会计算\n主页正文");
    assert_eq!(cao.contact.email, None);
    assert_eq!(
        problems(&p),
        vec![
            problem("json", 2, Some("extra.phone"), "invalid_phone"),
            problem("json", 3, Some("extra.university"), "missing_required"),
        ]
    );

    let opts = ReadOptions {
        kind: Some(RecordKind::Demands),
        ..ReadOptions::default()
    };
    let err = read_err("latest.json", doc.to_string().as_bytes(), &opts);
    assert!(matches!(err, IngestError::WrongKind { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[test]
fn json_without_known_keys_has_no_header() {
    let err = read_err(
        "x.json",
        json!([{"foo": 1, "bar": 2}]).to_string().as_bytes(),
        &ReadOptions::default(),
    );
    assert!(matches!(err, IngestError::NoHeader { .. }), "{err}");
}

#[test]
fn broken_json_file_is_corrupt() {
    let err = read_err("x.json", b"[{\"title\": ", &ReadOptions::default());
    assert!(matches!(err, IngestError::Corrupt { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::UnreadableFile);
}

/// A scraped profile is the person's record: an over-long biography is cut to the form's limit
/// and reported, and the expert is kept.
#[test]
fn an_over_long_profile_biography_is_cut_and_reported() {
    let max = duijie_core::validate::MAX_TEXT_CHARS;
    let doc = json!({
        "source_id": "x_faculty", "source_name": "某大学-教师名录", "item_count": 1,
        "items": [
            {"title": "陈某", "url": "https://example.edu/a", "content": null,
             "extra": {"name": "陈某", "university": "上海交通大学", "bio": "研".repeat(max + 5)}}
        ]
    });
    let p = read("faculty.json", doc.to_string().as_bytes());
    let e = experts(&p);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].1.bio.chars().count(), max);
    assert_eq!(
        problems(&p),
        vec![problem("json", 1, Some("extra.bio"), "too_long")]
    );
}
