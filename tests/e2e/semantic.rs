//! Semantic matching end to end: records get vectors in the background, kept in the database;
//! a demand worded differently from every record finds its partner by meaning only, shown as
//! such; the ratio is a request parameter; `/healthz` shows the vectors' progress.

use duijie_app::{App, AppConfig, Fusion, IndexMode, SemanticConfig};
use duijie_core::Role;
use duijie_core::{AchievementDraft, Draft};
use duijie_e2e::{Db, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Eight institutions' work in unrelated fields; none uses the demand's words (心衰, 病人,
/// 新药, 开发).
fn corpus(heart_summary: &str) -> Vec<Draft> {
    let a = |org: &str, title: &str, summary: &str| {
        Draft::Achievement(AchievementDraft {
            org_name: org.into(),
            title: title.into(),
            summary: summary.into(),
            ..Default::default()
        })
    };
    vec![
        a("甲医科大学", "慢性心力衰竭的药物治疗新靶点", heart_summary),
        a(
            "乙农业大学",
            "盐碱地水稻品种选育",
            "耐盐碱水稻种质资源筛选与高产栽培",
        ),
        a(
            "丙理工大学",
            "钢铁表面缺陷的视觉检测",
            "热轧带钢表面裂纹、划痕的图像识别",
        ),
        a(
            "丁化工研究所",
            "锂电池电解液添加剂",
            "高电压电解液成膜添加剂与循环寿命",
        ),
        a(
            "戊大学",
            "果汁澄清与稳定性控制",
            "果胶酶处理与冷藏条件对浊度的影响",
        ),
        a(
            "己研究院",
            "城市轨道交通调度优化",
            "地铁列车运行图编制与客流组织",
        ),
        a(
            "庚大学",
            "建筑结构抗震设计",
            "钢筋混凝土框架结构的减震与隔震",
        ),
        a(
            "辛大学",
            "土壤重金属污染修复",
            "镉污染农田的钝化剂与植物修复",
        ),
    ]
}

const DEMAND: &str = "心衰病人用的新药开发";

/// Waits until `documents` records have vectors and all of them are in a search graph (the
/// graph is built in the background after the vectors arrive, also once `started` is true).
async fn wait_for_vectors(s: &TestServer, documents: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = s.get("/healthz", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = &r.body["semantic"];
        if v["documents"] == documents
            && v["pending"] == 0
            && v["started"] == true
            && v["graphed"] == documents
        {
            return r.body;
        }
        assert!(
            Instant::now() < deadline,
            "vectors never caught up: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn a_demand_in_other_words_finds_its_partner_by_meaning(db: Db) {
    // Four records make a graph: the eight achievements are searched through one.
    let semantic = SemanticConfig {
        ratio: 0.5,
        fusion: Fusion::Normalised,
        graph_from: 4,
        ..SemanticConfig::default()
    };
    let Some(s) = TestServer::start_semantic(db, semantic).await else {
        return;
    };
    s.store_achievements(corpus("射血分数降低患者的新型强心药物与心肌重构机制"))
        .await;
    s.indexed().await;
    // Written straight to the store: the background embedder finds them in the change log.
    let health = wait_for_vectors(&s, 8).await;
    assert_eq!(health["semantic"]["embedded"], 8, "{health}");
    assert_eq!(health["semantic"]["graphed"], 8, "{health}");

    // Words alone find nothing: the demand shares no word with any record.
    let body = json!({"text": DEMAND, "semantic_ratio": 0});
    let words = s.post("/api/v1/match", None, body).await;
    assert_eq!(words.status, StatusCode::OK, "{}", words.body);
    let names: Vec<&str> = words.body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(!names.contains(&"甲医科大学"), "{}", words.body);

    // With the service's ratio the heart-failure work ranks first, said to be found by meaning
    // (no invented matched words) and not claimed as a strong match.
    let hybrid = s.post("/api/v1/match", None, json!({"text": DEMAND})).await;
    assert_eq!(hybrid.status, StatusCode::OK, "{}", hybrid.body);
    let first = &hybrid.body["candidates"][0];
    assert_eq!(first["name"], "甲医科大学", "{}", hybrid.body);
    assert_eq!(first["tier"], "weak", "{first}");
    assert_eq!(first["evidence"][0]["semantic"], true, "{first}");
    assert_eq!(first["evidence"][0]["matched_terms"], json!([]), "{first}");
    assert!(
        first["reason"].as_str().unwrap().contains("语义相近"),
        "{first}"
    );
    assert_eq!(hybrid.body["coverage"], "none", "{}", hybrid.body);

    // The search box: off by default (no word matches), on with a ratio, where the record
    // found by meaning is marked; the filters still apply to it.
    let q = "/api/v1/achievements?q=%E5%BF%83%E8%A1%B0%E7%97%85%E4%BA%BA%E7%94%A8%E7%9A%84%E6%96%B0%E8%8D%AF%E5%BC%80%E5%8F%91";
    let plain = s.get(q, None).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    assert_eq!(plain.body["total"], 0, "{}", plain.body);
    let meaning = s.get(&format!("{q}&semantic_ratio=0.5"), None).await;
    assert_eq!(meaning.status, StatusCode::OK, "{}", meaning.body);
    let first = &meaning.body["items"][0];
    assert_eq!(
        first["title"], "慢性心力衰竭的药物治疗新靶点",
        "{}",
        meaning.body
    );
    assert_eq!(first["semantic"], true, "{first}");
    let total = meaning.body["total"].as_u64().unwrap();
    assert!((1..=8).contains(&total), "{}", meaning.body);
    let filtered = s
        .get(
            &format!("{q}&semantic_ratio=0.5&field=%E6%96%B0%E6%9D%90%E6%96%99"),
            None,
        )
        .await;
    assert_eq!(filtered.body["total"], 0, "{}", filtered.body);
    let bad = s.get(&format!("{q}&semantic_ratio=x"), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["semantic_ratio"]);

    // The ratio is checked.
    let body = json!({"text": DEMAND, "semantic_ratio": 1.5});
    let bad = s.post("/api/v1/match", None, body).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.body["error"]["field"], "semantic_ratio", "{}", bad.body);

    // Another replica (or a restart) reads the stored vectors instead of computing them.
    let replica = App::open(&AppConfig {
        database_url: s.url.clone(),
        index: IndexMode::Memory,
        semantic: Some(semantic),
    })
    .await
    .unwrap();
    assert_eq!(replica.sync_vectors(|_, _| {}).await.unwrap(), 0);
    let status = replica.vector_status().unwrap();
    assert_eq!((status.documents, status.pending), (8, 0));

    // A record whose text changes gets a new vector, computed once (by the server's embedder
    // here); the replica reads it, and nothing else is computed again.
    s.store_achievements(corpus("射血分数保留的心力衰竭与运动康复"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = s.get("/healthz", None).await;
        if r.body["semantic"]["embedded"] == 9 && r.body["semantic"]["pending"] == 0 {
            assert_eq!(r.body["semantic"]["documents"], 8, "{}", r.body);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the changed text was not embedded: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(replica.sync_vectors(|_, _| {}).await.unwrap(), 0);
    assert_eq!(replica.vector_status().unwrap().documents, 8);

    // A stored demand gets its query vector in the background too (beside its passage), so
    // ranking it embeds nothing while the request waits; deleting it drops both.
    let ent = s
        .token("heart-ent", Role::Enterprise, Some("心衰药业有限公司"))
        .await;
    let body = json!({"title": DEMAND, "description": "寻找合作开发的研究团队"});
    let created = s.post("/api/v1/demands", Some(&ent), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = s.get("/healthz", None).await.body["semantic"].clone();
        // 9 computed before, now the demand's passage and its query.
        if v["queries"] == 1 && v["pending"] == 0 {
            assert_eq!(
                (v["documents"].clone(), v["embedded"].clone()),
                (json!(9), json!(11)),
                "{v}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no query vector for the demand: {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let matches = s
        .get(&format!("/api/v1/demands/{id}/matches"), Some(&ent))
        .await;
    assert_eq!(matches.status, StatusCode::OK, "{}", matches.body);
    assert_eq!(
        matches.body["candidates"][0]["name"], "甲医科大学",
        "{}",
        matches.body
    );
    assert_eq!(replica.sync_vectors(|_, _| {}).await.unwrap(), 0);
    assert_eq!(replica.vector_status().unwrap().queries, 1);
    let demand_url = format!("/api/v1/demands/{id}");
    let gone = s.delete(&demand_url, Some(&ent)).await;
    assert!(gone.status.is_success(), "{}", gone.body);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = s.get("/healthz", None).await.body["semantic"].clone();
        if v["queries"] == 0 && v["documents"] == 8 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the deleted demand's vectors stayed: {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
