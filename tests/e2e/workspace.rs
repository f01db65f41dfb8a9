//! The institution's workspace over HTTP: an institution creates, edits (with `If-Match`) and
//! deletes its own achievements, experts and instruments; another institution's record is not
//! found; the index and the ranking follow; the bureau sees who changed what; 我的对接意向
//! lists every expression of interest with its state; cited records must be the institution's.

use duijie_core::{DemandStatus, Field, Role};
use duijie_e2e::{Resp, TestServer, ENTERPRISE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A write with `If-Match`, answered with its status, `ETag` and body.
async fn write_if(
    s: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    version: &str,
    body: Option<Value>,
) -> (Resp, Option<String>) {
    let mut req = s
        .client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token)
        .header("If-Match", format!("\"{version}\""));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_matches('"').to_string());
    let text = resp.text().await.unwrap_or_default();
    (
        Resp {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        },
        etag,
    )
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

const ACHIEVEMENT: &str = "钠离子电池硬碳负极材料";

pub async fn institutions_keep_their_own_records(s: TestServer) {
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let ent = s
        .token("ent", Role::Enterprise, Some("某企业有限公司"))
        .await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    crate::interests::import_achievements(
        &s,
        &[
            ("河南大学", "小麦抗旱品种选育", "王五"),
            ("浙江大学", "茶园病虫害绿色防控", "周一"),
            ("华中科技大学", "工业机器人轨迹规划", "郑一"),
        ],
    )
    .await;

    // Every problem of the form at once, each naming its field.
    let r = s
        .post(
            "/api/v1/achievements",
            Some(&zzu),
            json!({"title": " ", "summary": "", "maturity": "量产", "year": 1800,
                   "field": "不存在的领域"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let fields = r.error_fields();
    for f in ["title", "summary", "maturity", "year", "field"] {
        assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
    }
    // Only institutions create; anonymous callers sign in first.
    let good = json!({"title": ACHIEVEMENT, "summary": "硬碳负极前驱体热解与预钠化工艺，首效高",
                      "keywords": ["钠离子电池", "硬碳"], "field": "新能源与节能", "maturity": "中试",
                      "leader": "张三", "year": 2025});
    let body = Some(good.clone());
    s.assert_guarded(Method::POST, "/api/v1/achievements", &ent, body)
        .await;
    let r = s
        .post("/api/v1/achievements", Some(&zzu), good.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["institution"]["name"], "郑州大学");
    assert_eq!(r.body["version"], 1);
    let ach = r.id();
    // The same title twice is refused.
    let r = s
        .post("/api/v1/achievements", Some(&zzu), good.clone())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);

    // The index finds it at once, and the ranking uses it as evidence.
    let r = s.get("/api/v1/achievements?q=硬碳负极", None).await;
    assert!(ids(&r.body).contains(&ach), "{}", r.body);
    let query = json!({"text": "寻求钠离子电池硬碳负极材料的制备工艺合作"});
    let r = s.post("/api/v1/match", None, query).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let top = &r.body["candidates"][0];
    assert_eq!(top["name"], "郑州大学", "{}", r.body);
    assert!(
        top["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == ach.as_str()),
        "{}",
        r.body
    );

    // Edits hold only for the version read; another institution's record is not found.
    let path = format!("/api/v1/achievements/{ach}");
    let mut edited = good.clone();
    edited["title"] = json!("钠离子电池硬碳负极材料（第二代）");
    edited["summary"] = json!("生物质硬碳负极，低成本，首效九成以上");
    let (r, etag) = write_if(&s, Method::PATCH, &path, &zzu, "1", Some(edited.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(etag.as_deref(), Some("2"));
    assert_eq!(r.body["title"], "钠离子电池硬碳负极材料（第二代）");
    let (r, _) = write_if(&s, Method::PATCH, &path, &zzu, "1", Some(good.clone())).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{:?}", r.body);
    let (r, _) = write_if(&s, Method::PATCH, &path, &hnu, "2", Some(good.clone())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let (r, _) = write_if(&s, Method::DELETE, &path, &hnu, "2", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let (r, _) = write_if(&s, Method::PATCH, &path, &ent, "2", Some(good.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = s.get("/api/v1/achievements?q=生物质", None).await;
    assert!(ids(&r.body).contains(&ach), "{}", r.body);

    // Experts: contact details go in, and stay with the bureau.
    let r = s
        .post(
            "/api/v1/experts",
            Some(&zzu),
            json!({"name": "张三", "title": "教授", "research_areas": ["储能材料"],
                   "bio": "长期从事钠离子电池负极研究", "phone": "13800138000",
                   "email": "zhang@example.edu.cn"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(r.body.get("phone").is_none(), "{}", r.body);
    let exp = r.id();
    let r = s
        .get(&format!("/api/v1/experts/{exp}"), Some(&bureau))
        .await;
    assert_eq!(r.body["phone"], "13800138000", "{}", r.body);
    let r = s.get(&format!("/api/v1/experts/{exp}"), Some(&hnu)).await;
    assert!(r.body.get("phone").is_none(), "{}", r.body);
    // Blank contact fields keep the stored ones; a bad e-mail is named.
    let (r, _) = write_if(
        &s,
        Method::PATCH,
        &format!("/api/v1/experts/{exp}"),
        &zzu,
        "1",
        Some(json!({"name": "张三", "title": "研究员", "email": "不是邮箱"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_fields(), vec!["email".to_string()], "{:?}", r.body);
    let (r, _) = write_if(
        &s,
        Method::PATCH,
        &format!("/api/v1/experts/{exp}"),
        &zzu,
        "1",
        Some(json!({"name": "张三", "title": "研究员"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = s
        .get(&format!("/api/v1/experts/{exp}"), Some(&bureau))
        .await;
    assert_eq!(r.body["title"], "研究员");
    assert_eq!(r.body["email"], "zhang@example.edu.cn", "{}", r.body);

    // Instruments: created as before, edited and deleted through the workspace.
    let body = json!({"name": "X射线衍射仪", "fields": ["新材料"]});
    let r = s.post("/api/v1/instruments", Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let ins = r.id();
    let (r, etag) = write_if(
        &s,
        Method::PATCH,
        &format!("/api/v1/instruments/{ins}"),
        &zzu,
        "1",
        Some(json!({"name": "X射线衍射仪", "model": "D8 Advance", "fields": ["新材料"]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["model"], "D8 Advance");
    assert_eq!(etag.as_deref(), Some("2"));

    // The institution's own lists, plain and searched.
    let r = s.get("/api/v1/my/records?kind=expert", Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(ids(&r.body), vec![exp.clone()]);
    assert_eq!(r.body["items"][0]["kind"], "expert");
    let r = s.get("/api/v1/my/records?q=硬碳", Some(&zzu)).await;
    assert_eq!(ids(&r.body), vec![ach.clone()], "{}", r.body);
    let r = s.get("/api/v1/my/records?q=硬碳", Some(&hnu)).await;
    assert!(ids(&r.body).is_empty(), "{}", r.body);
    let r = s.get("/api/v1/my/records?kind=demand", Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        s.get("/api/v1/my/records", Some(&bureau)).await.status,
        StatusCode::FORBIDDEN
    );

    // Deleting: gone from reads and from the index.
    let (r, _) = write_if(&s, Method::DELETE, &path, &zzu, "2", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(s.get(&path, None).await.status, StatusCode::NOT_FOUND);
    let r = s.get("/api/v1/achievements?q=硬碳负极", None).await;
    assert!(!ids(&r.body).contains(&ach), "{}", r.body);
    let (r, _) = write_if(
        &s,
        Method::DELETE,
        &format!("/api/v1/instruments/{ins}"),
        &zzu,
        "2",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // The bureau sees every change: who, what, which record; never a contact value.
    assert_eq!(
        s.get("/api/v1/record-changes", Some(&zzu)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = s.get("/api/v1/record-changes", Some(&bureau)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.items();
    let seen: Vec<(&str, &str)> = items
        .iter()
        .filter(|e| e["record_ids"][0] == ach.as_str())
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("record_delete", "zzu"),
            ("record_edit", "zzu"),
            ("record_create", "zzu")
        ],
        "{}",
        r.body
    );
    assert!(items
        .iter()
        .any(|e| e["record_kind"] == "expert" && e["record_ids"][0] == exp.as_str()));
    assert!(items
        .iter()
        .any(|e| e["record_kind"] == "instrument" && e["action"] == "record_delete"));
    let all = r.body.to_string();
    assert!(!all.contains("13800138000") && !all.contains("zhang@example"));
}

/// A demand of the enterprise stored directly as published.
async fn published(s: &TestServer, title: &str) -> String {
    let status = DemandStatus::Published;
    crate::records::demand(s, title, Field::NewMaterials, None, status).await
}

pub async fn my_interests_list_every_state_and_citations_stay_own(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let body = json!({"title": "尾矿有价元素回收", "summary": "浮选与浸出联合工艺"});
    let mine = s.post("/api/v1/achievements", Some(&zzu), body).await;
    assert_eq!(mine.status, StatusCode::CREATED, "{:?}", mine.body);
    let mine = mine.id();
    let body = json!({"title": "尾矿制备建材", "summary": "尾矿砂制砖"});
    let theirs = s.post("/api/v1/achievements", Some(&hnu), body).await;
    let theirs = theirs.id();

    let titles = ["尾矿综合利用", "选矿废水处理", "矿山生态修复", "采空区充填"];
    let mut demands = Vec::new();
    let mut interests = Vec::new();
    for t in titles {
        let d = published(&s, t).await;
        let path = format!("/api/v1/demands/{d}/interests");
        if interests.is_empty() {
            // Any institution cites its own records, whatever its rank; never another's.
            let body = json!({"message": "可合作", "achievement_ids": [theirs]});
            let r = s.post(&path, Some(&zzu), body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
            assert!(r.message().contains("不属于本单位"));
        }
        let body = json!({"message": "我校可合作", "achievement_ids": [mine]});
        let r = s.post(&path, Some(&zzu), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["achievement_ids"], json!([mine]));
        interests.push(r.id());
        demands.push(d);
    }
    // The owner accepts the second, declines the third and withdraws the fourth demand.
    let accept = format!("/api/v1/interests/{}/accept", interests[1]);
    let decline = format!("/api/v1/interests/{}/decline", interests[2]);
    let withdraw = format!("/api/v1/demands/{}/withdraw", demands[3]);
    for (path, body) in [
        (accept, json!({})),
        (decline, json!({"reason": "已有合作单位"})),
        (withdraw, json!({"note": "项目暂缓"})),
    ] {
        let r = s.post(&path, Some(&ent), body).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    }

    let r = s.get("/api/v1/my/interests", Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let got: Vec<(String, String, String)> = r
        .items()
        .iter()
        .map(|i| {
            (
                i["demand"]["title"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
                i["state_label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("采空区充填", "demand_withdrawn", "需求已撤回"),
        ("矿山生态修复", "declined", "已谢绝"),
        ("选矿废水处理", "accepted", "已接受"),
        ("尾矿综合利用", "pending", "待回复"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want, "{}", r.body);
    assert_eq!(r.body["items"][1]["decline_reason"], "已有合作单位");
    // Only the institution's own, and only for institutions.
    let r = s.get("/api/v1/my/interests", Some(&hnu)).await;
    assert_eq!(r.body["items"], json!([]));
    s.assert_guarded(Method::GET, "/api/v1/my/interests", &ent, None)
        .await;
}
