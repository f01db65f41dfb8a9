//! The ledger (台账) over HTTP: a published demand goes into docking, the bureau records the
//! project and the demand becomes contracted, progress is updated, an expert is seconded, and
//! the annual report counts all of it in JSON, xlsx and HTML.

use crate::catalogues::download;
use crate::interests::{achievement, import_achievements};
use duijie_e2e::{Parties, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The field a 400 names.
fn field(r: &duijie_e2e::Resp) -> &str {
    r.body["error"]["field"].as_str().unwrap_or_default()
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range(name).expect("sheet")
}

fn cell(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

pub async fn ledger_records_projects_and_the_annual_report_counts_them(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    let year = duijie_app::current_year();
    import_achievements(&s, &[("郑州大学", "高纯氧化铝制备技术", "李四")]).await;
    let (_, expert) = achievement(&s, "氧化铝").await;

    // A demand of 灵宝市 written, approved and published.
    let body = json!({"title": "高纯氧化铝粉体制备", "description": "需要优化粉体制备与煅烧工艺",
                      "field": "新材料", "region": "灵宝市"});
    let id = s.approved_demand(&ent, &bureau, body).await;
    s.publish_edition(&bureau, "台账测试目录", &[&id]).await;
    let project = json!({"demand_id": id, "institution": "郑州大学", "title": "高纯氧化铝联合攻关",
                         "amount_wan": 120.5, "signed_on": format!("{year}-03-01"), "key_project": true});

    // Published is not yet docking: the lifecycle says where it may go.
    let r = s
        .post("/api/v1/projects", Some(&bureau), project.clone())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let message = r.message();
    assert!(
        message.contains("对接中") && message.contains("已签约"),
        "{message}"
    );

    // An institution's interest, accepted by the owner: the demand goes into docking.
    let interest = s
        .propose(&zzu, &id, json!({"message": "我校有相关成果"}))
        .await;
    let accept_url = format!("/api/v1/interests/{interest}/accept");
    let r = s.post(&accept_url, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // Only the bureau records projects, and every field is checked by name.
    let body = Some(project.clone());
    s.assert_guarded(Method::POST, "/api/v1/projects", &ent, body)
        .await;
    for (key, value, named) in [
        ("amount_wan", json!(-1), "amount_wan"),
        ("signed_on", json!("三月"), "signed_on"),
        ("institution", json!("org_missing"), "institution"),
        ("demand_id", json!(""), "demand_id"),
    ] {
        let mut bad = project.clone();
        bad[key] = value;
        let r = s.post("/api/v1/projects", Some(&bureau), bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{key}: {:?}", r.body);
        assert_eq!(field(&r), named, "{:?}", r.body);
    }
    // Several problems: all of them in one answer.
    let mut bad = project.clone();
    bad["amount_wan"] = json!(-1);
    bad["signed_on"] = json!("三月");
    bad["title"] = json!("项".repeat(1_000));
    let r = s.post("/api/v1/projects", Some(&bureau), bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["title", "amount_wan", "signed_on"]);
    let mut unknown = project.clone();
    unknown["extra"] = json!(1);
    let r = s.post("/api/v1/projects", Some(&bureau), unknown).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Left blank, the institution is the one whose 揭榜 the enterprise accepted.
    let mut carried = project.clone();
    carried["institution"] = json!(" ");
    let r = s.post("/api/v1/projects", Some(&bureau), carried).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let p = r.body.clone();
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["status"], "signed");
    assert_eq!(p["demand"]["id"], id.as_str());
    assert_eq!(p["enterprise"]["name"], "灵宝金源矿业有限公司");
    assert_eq!(p["institution"]["name"], "郑州大学");
    assert_eq!(p["region"], "灵宝市");
    assert_eq!(p["amount_wan"], 120.5);
    assert_eq!(p["signed_on"], format!("{year}-03-01"));
    assert_eq!(p["key_project"], true);

    // The demand is contracted, and its history says so.
    let r = s.get(&format!("/api/v1/demands/{id}"), None).await;
    assert_eq!(r.body["status"], "contracted");
    let last = s.last_move(&id, &bureau).await;
    assert_eq!(
        (last["from_status"].as_str(), last["to_status"].as_str()),
        (Some("in_docking"), Some("contracted"))
    );

    // Progress: a bad status or milestone is named; a good update keeps the rest.
    let path = format!("/api/v1/projects/{pid}");
    let patch = |b: Value| s.patch(&path, Some(&bureau), b);
    let r = patch(json!({"status": "done"})).await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "status"));
    assert!(r.message().contains("in_progress"));
    let r = patch(json!({"milestones": [{"date": "2026-06-30", "text": "完成小试"}, {"date": "年底", "text": "中试"}]})).await;
    assert_eq!(
        (r.status, field(&r)),
        (StatusCode::BAD_REQUEST, "milestones[1].date")
    );
    let r = patch(json!({"status": "in_progress",
                         "milestones": [{"date": format!("{year}-06-30"), "text": "完成小试", "done": true}]}))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = patch(json!({"notes": "企业追加投入"})).await;
    assert_eq!(r.body["status"], "in_progress");
    assert_eq!(r.body["milestones"][0]["text"], "完成小试");
    assert_eq!(r.body["milestones"][0]["done"], true);
    assert_eq!(r.body["notes"], "企业追加投入");
    let r = s.patch(&path, Some(&ent), json!({"notes": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.get("/api/v1/projects/prj_missing", Some(&bureau))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The ledger filters by year, key flag and region, with names from the demand.
    let list = |q: String| {
        let bureau = bureau.clone();
        let s = &s;
        async move { s.get(&format!("/api/v1/projects{q}"), Some(&bureau)).await }
    };
    let r = list(format!(
        "?year={year}&key=true&region=%E7%81%B5%E5%AE%9D%E5%B8%82"
    ))
    .await;
    assert_eq!(r.items().len(), 1, "{:?}", r.body);
    assert_eq!(r.body["items"][0]["id"], pid.as_str());
    assert_eq!(r.body["items"][0]["demand"]["title"], "高纯氧化铝粉体制备");
    for q in [
        format!("?year={}", year - 1),
        "?key=false".to_string(),
        "?region=%E9%99%95%E5%B7%9E%E5%8C%BA".to_string(),
    ] {
        let r = list(q.clone()).await;
        assert!(r.items().is_empty(), "{q}");
    }
    let r = list("?year=abc".into()).await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "year"));
    let r = list("?key=maybe".into()).await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "key"));
    s.assert_guarded(Method::GET, "/api/v1/projects", &zzu, None)
        .await;

    // A secondment: end before start and unknown experts are named.
    let sec = json!({"expert_id": expert, "host": "灵宝市人民政府", "post": "科技副市长",
                     "start": format!("{year}-02-01")});
    let mut bad = sec.clone();
    bad["end"] = json!(format!("{year}-01-01"));
    let r = s.post("/api/v1/secondments", Some(&bureau), bad).await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "end"));
    let mut bad = sec.clone();
    bad["end"] = json!(format!("{year}-01-01"));
    bad["post"] = json!(" ");
    bad["host"] = json!("");
    let r = s.post("/api/v1/secondments", Some(&bureau), bad).await;
    assert_eq!(r.error_fields(), ["post", "end", "host"]);
    let mut bad = sec.clone();
    bad["expert_id"] = json!("exp_missing");
    let r = s.post("/api/v1/secondments", Some(&bureau), bad).await;
    assert_eq!(
        (r.status, field(&r)),
        (StatusCode::BAD_REQUEST, "expert_id")
    );
    let r = s
        .post("/api/v1/secondments", Some(&bureau), sec.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["expert"]["name"], "李四");
    assert_eq!(r.body["expert"]["institution"], "郑州大学");
    assert_eq!(r.body["host"]["name"], "灵宝市人民政府");
    assert!(r.body["end"].is_null());
    let r = s
        .get(&format!("/api/v1/secondments?year={year}"), Some(&bureau))
        .await;
    assert_eq!(r.items().len(), 1);
    let r = s
        .get(
            &format!("/api/v1/secondments?year={}", year - 1),
            Some(&bureau),
        )
        .await;
    assert!(r.items().is_empty());

    // The annual report counts the demand at every step and the project's value.
    let report = format!("/api/v1/reports/annual?year={year}");
    let r = s.get(&report, Some(&bureau)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let t = &r.body["totals"];
    for (k, v) in [
        ("collected", 1),
        ("published", 1),
        ("docked", 1),
        ("contracted", 1),
        ("projects", 1),
        ("key_projects", 1),
    ] {
        assert_eq!(t[k], v, "{k}: {t}");
    }
    assert_eq!(t["contract_value_wan"], 120.5);
    assert_eq!(r.body["year"], year);
    assert_eq!(r.body["by_region"][0]["name"], "灵宝市");
    assert_eq!(r.body["by_region"][0]["contracted"], 1);
    assert_eq!(r.body["by_field"][0]["name"], "新材料");
    let in_progress = r.body["key_projects"]["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "in_progress")
        .unwrap()
        .clone();
    assert_eq!(in_progress["count"], 1);
    assert_eq!(r.body["secondments"][0]["expert"], "李四");
    let r = s
        .get(
            &format!("/api/v1/reports/annual?year={}", year - 1),
            Some(&bureau),
        )
        .await;
    assert_eq!(r.body["totals"]["collected"], 0);

    let (status, disposition, bytes) =
        download(&s, &format!("{report}&format=xlsx"), Some(&bureau)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.contains(&format!("annual-report-{year}.xlsx")),
        "{disposition}"
    );
    let regions = sheet(&bytes, "按县区");
    assert_eq!(cell(&regions, 0, 0), "县（市、区）");
    assert_eq!(cell(&regions, 1, 0), "灵宝市");
    assert_eq!(cell(&regions, 1, 4), "1", "contracted");
    assert_eq!(cell(&regions, 1, 6), "120.5", "contract value");
    assert_eq!(cell(&sheet(&bytes, "重点项目"), 1, 1), "高纯氧化铝联合攻关");
    assert_eq!(cell(&sheet(&bytes, "科技副职"), 1, 1), "李四");

    let (status, _, bytes) = download(&s, &format!("{report}&format=html"), Some(&bureau)).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(bytes).unwrap();
    assert!(page.contains("<svg") && page.contains("灵宝市") && page.contains("120.5"));

    // Bad values are named with what is allowed; only the bureau reads the report.
    let r = s.get(&format!("{report}&format=pdf"), Some(&bureau)).await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "format"));
    assert!(r.message().contains("json、xlsx、html"));
    let r = s
        .get("/api/v1/reports/annual?year=20x6", Some(&bureau))
        .await;
    assert_eq!((r.status, field(&r)), (StatusCode::BAD_REQUEST, "year"));
    s.assert_guarded(Method::GET, &report, &ent, None).await;
}
