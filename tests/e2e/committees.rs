//! Expert committees over HTTP.

use crate::hardening::{patch_if, send};
use crate::records::{demand, import_achievements};
use duijie_core::{DemandStatus, Field, Role};
use duijie_e2e::{texts, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn committees_cover_subtopics_two_per_institution(s: TestServer) {
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    import_achievements(
        &s,
        &[
            ("郑州大学", "高纯氧化铝粉体制备", "李一"),
            ("郑州大学", "氧化铝粉体表面改性", "李二"),
            ("郑州大学", "氧化铝粉体粒度控制", "李三"),
            ("河南大学", "陶瓷基板低温烧结", "王五"),
            ("中南大学", "锂电池正极材料回收", "赵六"),
        ],
    )
    .await;
    for title in [
        "氧化铝粉体提纯",
        "氧化铝粉体团聚控制",
        "陶瓷基板烧结开裂",
        "陶瓷基板翘曲",
        "锂电池正极材料降本",
        "锂电池正极材料回收利用",
    ] {
        demand(
            &s,
            title,
            Field::NewMaterials,
            None,
            DemandStatus::Published,
        )
        .await;
    }
    // A draft in the field adds no sub-topic.
    demand(
        &s,
        "石墨烯导热膜",
        Field::NewMaterials,
        None,
        DemandStatus::Draft,
    )
    .await;
    s.indexed().await;

    let body = json!({"field": "新材料", "size": 5});
    let r = s
        .post("/api/v1/committees", Some(&bureau), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let c = r.body.clone();
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["status"], "draft");
    assert_eq!(c["name"], "新材料专家咨询委员会");
    let subtopics: Vec<&str> = texts(&c["subtopics"], "term");
    for t in ["氧化铝", "陶瓷", "锂电池"] {
        assert!(subtopics.iter().any(|s| s.contains(t)), "{subtopics:?}");
    }
    assert!(!subtopics.iter().any(|s| s.contains("石墨烯")));
    let members = c["members"].as_array().unwrap();
    assert!(members.len() <= 5 && members.len() >= 3, "{members:?}");
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for m in members {
        *per_org.entry(m["org_name"].as_str().unwrap()).or_default() += 1;
        assert!(!m["subtopics"].as_array().unwrap().is_empty(), "{m}");
        assert!(!m["evidence"].as_array().unwrap().is_empty(), "{m}");
        assert!(m["reason"].as_str().unwrap().starts_with("覆盖子议题："));
    }
    // Three relevant experts at 郑州大学, two seats; the other sub-topics are covered.
    assert_eq!(per_org.get("郑州大学"), Some(&2), "{per_org:?}");
    assert_eq!(per_org.get("河南大学"), Some(&1), "{per_org:?}");
    assert_eq!(per_org.get("中南大学"), Some(&1), "{per_org:?}");

    // Who may, and what is checked.
    let r = s.post("/api/v1/committees", None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = s.post("/api/v1/committees", Some(&zzu), body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (bad, field) in [
        (json!({"field": "新材料", "size": 0}), "size"),
        (json!({"field": "新材料", "size": 51}), "size"),
        (json!({"field": "火星科技", "size": 3}), "field"),
    ] {
        let r = s.post("/api/v1/committees", Some(&bureau), bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["field"], field);
    }
    let form = json!({"field": "火星科技", "size": 0, "name": "会".repeat(500)});
    let r = s.post("/api/v1/committees", Some(&bureau), form).await;
    assert_eq!(r.error_fields(), ["field", "size", "name"], "{:?}", r.body);
    let form = json!({"field": "航空航天", "size": 3});
    let r = s.post("/api/v1/committees", Some(&bureau), form).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "no demands in the field");

    let r = s.get("/api/v1/committees", Some(&bureau)).await;
    assert_eq!(r.body["items"][0]["id"], id.as_str());
    let r = s
        .get(&format!("/api/v1/committees/{id}"), Some(&bureau))
        .await;
    assert_eq!(r.body, c);
    let r = s.get(&format!("/api/v1/committees/{id}"), Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The bureau adjusts: the cap holds, unknown and repeated ids are refused.
    let (zz, hn) = (
        s.expert_ids_of("郑州大学").await,
        s.expert_ids_of("河南大学").await,
    );
    assert_eq!(zz.len(), 3);
    let path = format!("/api/v1/committees/{id}");
    let patch = |v: Value| s.call(Method::PATCH, &path, Some(&bureau), Some(v));
    let r = patch(json!({"member_ids": zz})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "member_ids");
    assert!(r.message().contains("郑州大学"));
    let r = patch(json!({"member_ids": [zz[0], "exp_missing"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = patch(json!({"member_ids": [zz[0], zz[0]]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = patch(json!({"status": "published"})).await;
    assert_eq!(r.body["error"]["field"], "status");
    let r = patch(
        json!({"member_ids": [zz[0], hn[0]], "name": "新材料产业咨询组", "notes": "下周确认"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let kept: Vec<&str> = texts(&r.body["members"], "expert_id");
    assert_eq!(kept, vec![zz[0].as_str(), hn[0].as_str()]);
    assert_eq!(r.body["name"], "新材料产业咨询组");
    let r = patch(json!({"status": "confirmed"})).await;
    assert_eq!(r.body["status"], "confirmed");
    let r = patch(json!({"member_ids": [hn[0]]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(json!({"status": "draft", "member_ids": [hn[0]]})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    // The version travels as ETag and If-Match: a change from an older read is refused.
    let read = send(&s, Method::GET, &path, &bureau, None, &[]).await;
    assert_eq!(read.etag(), format!("\"{}\"", read.body["version"]));
    let stale = format!("\"{}\"", read.body["version"].as_i64().unwrap() - 1);
    let notes = json!({"notes": "基于旧版本"});
    let r = patch_if(&s, &path, &bureau, notes, &stale).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{:?}", r.body);
    let notes = json!({"notes": "基于最新版本"});
    let r = patch_if(&s, &path, &bureau, notes, read.etag()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = s
        .patch("/api/v1/committees/com_missing", Some(&bureau), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
