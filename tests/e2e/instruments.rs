//! Instruments over HTTP: listed, indexed, found, shown beside matches without moving a score.

use crate::records::{demand, import_achievements};
use duijie_core::{DemandStatus, Field};
use duijie_e2e::{Parties, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

fn scores(ranking: &Value) -> HashMap<String, f64> {
    ranking["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn candidate<'a>(ranking: &'a Value, name: &str) -> &'a Value {
    ranking["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not ranked: {ranking}"))
}

/// Alumina work of two institutions `(institution, title, leader)`.
const ALUMINA_WORK: [(&str, &str, &str); 2] = [
    ("郑州大学", "高纯氧化铝粉体制备技术", "李四"),
    ("河南大学", "氧化铝陶瓷烧结工艺", "王五"),
];

pub async fn instruments_are_found_and_shown_beside_matches(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    import_achievements(&s, &ALUMINA_WORK).await;
    let demand_id = demand(
        &s,
        "氧化铝粉体物相分析与制备",
        Field::NewMaterials,
        None,
        DemandStatus::Published,
    )
    .await;
    s.indexed().await;
    let text = json!({"text": "氧化铝粉体物相分析与制备", "limit": 10});
    let before = s.post("/api/v1/match", None, text.clone()).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    assert!(candidate(&before.body, "郑州大学")["instruments"]
        .as_array()
        .unwrap()
        .is_empty());

    let body = json!({"name": "X射线衍射仪", "model": "D8 Advance", "fields": ["新材料", "先进制造与自动化"],
        "description": "用于氧化铝粉体的物相分析和晶粒尺寸测定", "location": "材料楼101",
        "booking_terms": "工作日预约，校外单位按机时收费"});
    let r = s
        .post("/api/v1/instruments", Some(&zzu), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["institution"]["name"], "郑州大学");
    assert_eq!(r.body["fields"], json!(["新材料", "先进制造与自动化"]));
    let xrd = r.id();

    // Who may list, and what is checked.
    let r = s.post("/api/v1/instruments", None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = s
        .post("/api/v1/instruments", Some(&ent), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let payload = json!({"name": "光谱仪", "fields": ["火星科技"]});
    let r = s.post("/api/v1/instruments", Some(&zzu), payload).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "fields");
    let message = r.message();
    assert!(
        message.contains("火星科技") && message.contains("新材料"),
        "{message}"
    );
    let r = s
        .post("/api/v1/instruments", Some(&zzu), json!({"name": " "}))
        .await;
    assert_eq!(r.body["error"]["field"], "name");
    // Every problem of the form in one answer.
    let payload = json!({"name": "", "fields": ["火星科技"], "model": "型".repeat(500)});
    let r = s.post("/api/v1/instruments", Some(&zzu), payload).await;
    let fields = r.error_fields();
    assert_eq!(fields, ["name", "fields", "model"], "{}", r.body);
    let payload = json!({"name": "电镜"});
    let r = s.post("/api/v1/instruments", Some(&bureau), payload).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "organization");
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&bureau),
            json!({"name": "场发射扫描电子显微镜", "fields": ["电子信息"], "organization": "河南大学",
                "description": "材料表面形貌观察"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["institution"]["name"], "河南大学");

    // Found by search once indexed, with highlights and facets.
    s.indexed().await;
    let r = s.get("/api/v1/instruments?q=衍射", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], xrd.as_str());
    assert!(r.body["items"][0]["title_html"]
        .as_str()
        .unwrap()
        .contains("<em>"));
    let r = s.get("/api/v1/instruments", None).await;
    assert_eq!(r.body["total"], 2);
    let facets = r.body["facets"]["field"].as_array().unwrap();
    for (value, count) in [("新材料", 1), ("先进制造与自动化", 1), ("电子信息", 1)] {
        assert!(
            facets
                .iter()
                .any(|f| f["value"] == value && f["count"] == count),
            "{facets:?}"
        );
    }
    let r = s
        .get("/api/v1/instruments?field=先进制造与自动化", None)
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], xrd.as_str());
    let r = s.get("/api/v1/instruments?field=火星科技", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.get("/api/v1/instruments?per_page=0", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.get(&format!("/api/v1/instruments/{xrd}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["booking_terms"], "工作日预约，校外单位按机时收费");
    let r = s.get("/api/v1/instruments/ins_missing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Beside the ranking: the institution's relevant instrument; no score moved.
    let after = s.post("/api/v1/match", None, text).await;
    assert_eq!(scores(&before.body), scores(&after.body));
    let zz = candidate(&after.body, "郑州大学");
    assert_eq!(zz["instruments"][0]["id"], xrd.as_str());
    assert_eq!(zz["instruments"][0]["kind"], "instrument");
    assert!(!zz["instruments"][0]["matched_terms"]
        .as_array()
        .unwrap()
        .is_empty());
    // 河南大学's microscope shares no word with the demand.
    assert!(candidate(&after.body, "河南大学")["instruments"]
        .as_array()
        .unwrap()
        .is_empty());
    let r = s
        .get(&format!("/api/v1/demands/{demand_id}/matches"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        candidate(&r.body, "郑州大学")["instruments"][0]["id"],
        xrd.as_str()
    );
    // Expert rankings carry no instruments.
    let payload = json!({"text": "氧化铝粉体物相分析", "kind": "expert"});
    let r = s.post("/api/v1/match", None, payload).await;
    for c in r.body["candidates"].as_array().unwrap() {
        assert!(c["instruments"].as_array().unwrap().is_empty());
    }
}
