//! Expressions of interest (揭榜 / 对接意向) over HTTP: institutions propose, the owner
//! declines one and accepts another, and the demand goes into docking with its history.

use duijie_core::{AchievementDraft, Draft, Role};
use duijie_e2e::{Parties, TestServer, ENTERPRISE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Achievements (and so their leaders as experts) of the given institutions.
pub(crate) async fn import_achievements(s: &TestServer, rows: &[(&str, &str, &str)]) {
    let records: Vec<Draft> = rows
        .iter()
        .map(|(org, title, leader)| {
            Draft::Achievement(AchievementDraft {
                org_name: (*org).into(),
                title: (*title).into(),
                summary: "粉体制备与煅烧工艺".into(),
                leader: Some((*leader).into()),
                ..Default::default()
            })
        })
        .collect();
    s.import_achievements(records).await;
}

/// The first achievement found for `q`, with its leader's expert id.
pub(crate) async fn achievement(s: &TestServer, q: &str) -> (String, String) {
    let r = s.get(&format!("/api/v1/achievements?q={q}"), None).await;
    let a = &r.body["items"][0];
    (
        a["id"].as_str().unwrap().to_string(),
        a["expert_id"].as_str().unwrap().to_string(),
    )
}

fn ids(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

pub async fn interests_lead_to_docking(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let other = s.token("ent2", Role::Enterprise, Some("别的公司")).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    import_achievements(
        &s,
        &[
            ("郑州大学", "高纯氧化铝制备技术", "李四"),
            ("河南大学", "纳米粉体煅烧工艺", "王五"),
        ],
    )
    .await;
    let (zzu_ach, zzu_exp) = achievement(&s, "氧化铝").await;
    let (hnu_ach, _) = achievement(&s, "纳米").await;

    // A demand written, reviewed and published through a catalogue edition.
    let body = json!({"title": "高纯氧化铝粉体制备", "description": "需要优化粉体制备与煅烧工艺"});
    let r = s.post("/api/v1/demands", Some(&ent), body).await;
    let id = r.id();
    let interests = format!("/api/v1/demands/{id}/interests");
    let propose = json!({"message": "我校有相关成果，可合作开发"});
    // Not yet public: institutions cannot see it, let alone answer it.
    let r = s.post(&interests, Some(&zzu), propose.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    s.submit_demand(&ent, &id).await;
    s.approve_demand(&bureau, &id).await;
    s.publish_edition(&bureau, "第1期", &[&id]).await;

    // Validation: message required and bounded, ids must be the institution's own.
    let r = s
        .post(&interests, Some(&zzu), json!({"message": "  "}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = json!({"message": "长".repeat(2001)});
    let r = s.post(&interests, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = json!({"message": "可合作", "achievement_ids": [hnu_ach]});
    let r = s.post(&interests, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.message().contains("不属于本单位"));
    let r = s.post(&interests, Some(&ent), propose.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Two institutions propose; a second pending one from the same institution conflicts.
    let r = s
        .post(
            &interests,
            Some(&zzu),
            json!({"message": "我校有相关成果，可合作开发",
                   "expert_ids": [zzu_exp], "achievement_ids": [zzu_ach]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["demand_id"], id.as_str());
    assert_eq!(r.body["institution"]["name"], "郑州大学");
    assert_eq!(r.body["expert_ids"], json!([zzu_exp]));
    assert_eq!(r.body["achievement_ids"], json!([zzu_ach]));
    assert!(r.body["created_at"].is_string());
    let from_zzu = r.id();
    let r = s.post(&interests, Some(&zzu), propose.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let body = json!({"message": "纳米粉体方向", "achievement_ids": [hnu_ach]});
    let r = s.post(&interests, Some(&hnu), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let from_hnu = r.id();

    // Who sees which.
    let r = s.get(&interests, Some(&ent)).await;
    assert_eq!(ids(&r.body), vec![from_zzu.as_str(), from_hnu.as_str()]);
    let r = s.get(&interests, Some(&bureau)).await;
    assert_eq!(ids(&r.body).len(), 2);
    let r = s.get(&interests, Some(&hnu)).await;
    assert_eq!(ids(&r.body), vec![from_hnu.as_str()]);
    s.assert_guarded(Method::GET, &interests, &other, None)
        .await;

    // Only the owner answers; a decline needs a reason.
    let decline = format!("/api/v1/interests/{from_hnu}/decline");
    let r = s
        .post(&decline, Some(&other), json!({"reason": "不合适"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s.post(&decline, Some(&ent), json!({"reason": " "})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.post(&decline, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = json!({"reason": "技术路线与需求不符"});
    let r = s.post(&decline, Some(&ent), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "declined");
    let r = s.get(&interests, Some(&hnu)).await;
    assert_eq!(r.body["items"][0]["status"], "declined");
    assert_eq!(r.body["items"][0]["decline_reason"], "技术路线与需求不符");

    let accept = format!("/api/v1/interests/{from_zzu}/accept");
    assert_eq!(
        s.post(&accept, Some(&zzu), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = s.post(&accept, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "accepted");
    let r = s.post(&accept, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let accept_url = format!("/api/v1/interests/{from_hnu}/accept");
    let r = s.post(&accept_url, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "declined stays declined");

    // The demand is in docking, the history says why, and search follows.
    let r = s.get(&format!("/api/v1/demands/{id}"), None).await;
    assert_eq!(r.body["status"], "in_docking");
    let last = s.last_move(&id, &ent).await;
    assert_eq!(last["from_status"], "published");
    assert_eq!(last["to_status"], "in_docking");
    assert!(
        last["note"].as_str().unwrap().contains("郑州大学"),
        "{last}"
    );
    s.indexed().await;
    let r = s.get("/api/v1/demands?q=氧化铝", None).await;
    assert_eq!(r.body["items"][0]["status"], "in_docking", "{:?}", r.body);

    // A demand in docking takes more partners and stays in docking.
    let r = s
        .post(&interests, Some(&hnu), json!({"message": "再次申请"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let again = r.id();
    let interest_accept = format!("/api/v1/interests/{again}/accept");
    let r = s.post(&interest_accept, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = s.get(&format!("/api/v1/demands/{id}"), None).await;
    assert_eq!(r.body["status"], "in_docking");
    let r = s
        .get(&format!("/api/v1/demands/{id}/history"), Some(&ent))
        .await;
    let docking = r
        .items()
        .iter()
        .filter(|e| e["to_status"] == "in_docking")
        .count();
    assert_eq!(docking, 1);
}

/// Withdrawing is not a dead end: pending 揭榜 are closed with a reason the institution sees,
/// and the owner can reopen the demand as a draft, with both moves in its history.
pub async fn a_withdrawn_demand_closes_pending_interests_and_can_be_reopened(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    let body = json!({"title": "尾矿综合利用", "description": "需要尾矿有价元素回收工艺"});
    let id = s.published_demand(&ent, &bureau, body, "第1期").await;
    let interests = format!("/api/v1/demands/{id}/interests");
    let r = s
        .post(&interests, Some(&zzu), json!({"message": "我校可合作"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let withdraw_url = format!("/api/v1/demands/{id}/withdraw");
    let r = s
        .post(&withdraw_url, Some(&ent), json!({"note": "项目暂缓"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let answered = s.get(&interests, Some(&ent)).await;
    assert_eq!(
        answered.body["items"][0]["status"], "declined",
        "{}",
        answered.body
    );
    assert_eq!(
        answered.body["items"][0]["decline_reason"],
        duijie_app::WITHDRAWN_REASON
    );
    // The institution that responded still reads the demand and what became of its 揭榜;
    // another institution and the public do not find it.
    let r = s.get(&format!("/api/v1/demands/{id}"), Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "withdrawn");
    let mine = s.get(&interests, Some(&zzu)).await;
    assert_eq!(mine.body["items"][0]["status"], "declined", "{}", mine.body);
    let other = s.token("hnu", Role::Institution, Some("河南大学")).await;
    assert_eq!(
        s.get(&format!("/api/v1/demands/{id}"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(&format!("/api/v1/demands/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );

    // Only the owner reopens, and only a withdrawn demand.
    let reopen = format!("/api/v1/demands/{id}/reopen");
    assert_eq!(
        s.post(&reopen, Some(&bureau), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = s.post(&reopen, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(
        s.post(&reopen, Some(&ent), json!({})).await.status,
        StatusCode::CONFLICT
    );
    let history = s
        .get(&format!("/api/v1/demands/{id}/history"), Some(&ent))
        .await;
    let moves: Vec<&str> = history.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["to_status"].as_str()).collect())
        .unwrap_or_default();
    assert!(moves.ends_with(&["withdrawn", "draft"]), "{}", history.body);
}
