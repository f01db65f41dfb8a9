//! Review queue, catalogue editions and their exports over HTTP.

use duijie_core::Role;
use duijie_e2e::{texts, TestServer, ENTERPRISE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn body(title: &str, description: &str) -> Value {
    crate::records::complete_demand(title, description, &["合作开发"])
}

const ALUMINA: &str = "我公司生产高纯氧化铝粉体，烧结活性不足、批次稳定性差，需要优化粉体制备与煅烧工艺，提高纯度并控制粒径分布。";

pub async fn review_queue_flags_gaps_and_duplicates(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let ent2 = s.token("ent2", Role::Enterprise, Some("乙公司")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let original = s
        .submitted_demand(&ent, body("高纯氧化铝粉体制备工艺优化", ALUMINA))
        .await;
    let copy = s
        .submitted_demand(
            &ent2,
            body(
                "高纯氧化铝粉体制备工艺优化",
                &ALUMINA.replace("稳定性差", "稳定性较差"),
            ),
        )
        .await;
    let vague = s.submitted_demand(&ent, json!({"title": "求新技术", "description": "需要新技术提升效益", "deadline": "2099-01-01"}))
    .await;
    s.indexed().await;

    s.assert_guarded(Method::GET, "/api/v1/review-queue", &ent, None)
        .await;
    let r = s.get("/api/v1/review-queue", Some(&bureau)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["total"], 3);
    let items = r.items();
    let item = |id: &str| {
        items
            .iter()
            .find(|i| i["demand"]["id"] == id)
            .unwrap()
            .clone()
    };

    let c = item(&copy);
    assert_eq!(c["complete"], true, "{c}");
    assert_eq!(c["duplicates"][0]["id"], original.as_str(), "{c}");
    assert_eq!(c["duplicates"][0]["enterprise"], "甲公司");
    assert!(c["duplicates"][0]["similarity"].as_f64().unwrap() >= 0.6);
    assert_eq!(
        c["duplicates"][0]["reasons"],
        json!(["near_identical_text"])
    );

    let v = item(&vague);
    assert_eq!(v["complete"], false);
    let codes: Vec<&str> = texts(&v["gaps"], "code");
    assert!(
        codes.contains(&"description_too_short") && codes.contains(&"missing_budget"),
        "{codes:?}"
    );
    assert_eq!(v["doubts"][0]["code"], "deadline_far", "{v}");
    assert_eq!(c["doubts"], json!([]), "{c}");
    let note = v["suggested_note"].as_str().unwrap();
    assert!(note.contains("预期目标"));
    // The suggested note is what the reviewer sends back.
    let review_url = format!("/api/v1/demands/{vague}/review");
    let form = json!({"decision": "request_changes", "note": note});
    let r = s.post(&review_url, Some(&bureau), form).await;
    assert_eq!(r.body["status"], "changes_requested");
    assert_eq!(
        s.get("/api/v1/review-queue", Some(&bureau)).await.body["total"],
        2
    );
}

fn sheet(bytes: &[u8]) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name).expect("sheet")
}

fn cell(range: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

pub(crate) async fn download(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = s.client.get(format!("{}{path}", s.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let disposition = resp
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, disposition, resp.bytes().await.unwrap().to_vec())
}

pub async fn catalogue_editions_publish_freeze_diff_and_export(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let inst = s.token("inst", Role::Institution, Some("郑州大学")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let a = s
        .approved_demand(&ent, &bureau, body("高纯氧化铝粉体制备", ALUMINA))
        .await;
    let b = s
        .approved_demand(
            &ent,
            &bureau,
            body(
                "尾矿综合利用",
                "金矿尾矿堆存量大，需要尾矿中有价金属回收与建材化利用技术，降低环境风险。",
            ),
        )
        .await;
    let pending = s
        .submitted_demand(
            &ent,
            body(
                "果品冷链保鲜",
                "苹果贮藏期短、损耗大，需要气调冷链保鲜技术，延长货架期并降低损耗。",
            ),
        )
        .await;

    let r = s
        .post("/api/v1/catalogues", Some(&ent), json!({"title": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let form = json!({"title": " ", "period": "期".repeat(60)});
    let r = s.post("/api/v1/catalogues", Some(&bureau), form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_fields(), ["title", "period"], "{:?}", r.body);
    let form = json!({"title": "2026年第3期企业技术需求目录", "period": "2026Q3"});
    let r = s.post("/api/v1/catalogues", Some(&bureau), form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "draft");
    let first = r.id();
    assert_eq!(
        s.get("/api/v1/catalogues", None).await.body["items"],
        json!([])
    );
    assert_eq!(
        s.get(&format!("/api/v1/catalogues/{first}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let items = format!("/api/v1/catalogues/{first}/items");
    let r = s
        .post(&items, Some(&bureau), json!({"demand_ids": [a, pending]}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let msg = r.message();
    // Named by its title and status in Chinese, with no internal id.
    assert!(
        msg.contains("果品冷链保鲜") && msg.contains("待审核") && !msg.contains(&pending),
        "{msg}"
    );
    let r = s
        .post(&items, Some(&bureau), json!({"demand_ids": []}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s
        .post(&items, Some(&bureau), json!({"demand_ids": [a, b]}))
        .await;
    assert_eq!(r.body["item_count"], 2, "{:?}", r.body);

    let publish_url = format!("/api/v1/catalogues/{first}/publish");
    let r = s.post(&publish_url, Some(&bureau), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "published");
    let r = s.get(&format!("/api/v1/demands/{a}"), None).await;
    assert_eq!(r.body["status"], "published");
    let h = s
        .get(&format!("/api/v1/demands/{a}/history"), Some(&ent))
        .await;
    assert_eq!(h.items().last().unwrap()["to_status"], "published");
    s.indexed().await;
    assert_eq!(s.get("/api/v1/demands?q=尾矿", None).await.body["total"], 1);

    let public = s.get(&format!("/api/v1/catalogues/{first}"), None).await;
    assert_eq!(public.items().len(), 2);
    assert!(!public.body.to_string().contains("13800000000"));
    let for_inst = s
        .get(&format!("/api/v1/catalogues/{first}"), Some(&inst))
        .await;
    assert_eq!(for_inst.body["items"][0]["contact_phone"], "13800000000");

    // Later edits never change a published edition.
    let demand_url = format!("/api/v1/demands/{a}");
    let r = s
        .patch(&demand_url, Some(&bureau), json!({"goals": "纯度99.999%"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let again = s.get(&format!("/api/v1/catalogues/{first}"), None).await;
    assert_eq!(again.body["items"], public.body["items"]);

    // A second edition: a (changed) again, b withdrawn, a new one with hostile text.
    let withdraw_url = format!("/api/v1/demands/{b}/withdraw");
    let r = s
        .post(&withdraw_url, Some(&ent), json!({"note": "已解决"}))
        .await;
    assert_eq!(r.body["status"], "withdrawn", "{:?}", r.body);
    let c = s
        .approved_demand(
            &ent,
            &bureau,
            body(
                "<script>alert(1)</script>冷库节能",
                "冷库能耗高，需要制冷系统节能改造与智能控温技术，降低单位能耗百分之二十。",
            ),
        )
        .await;
    let second = s
        .publish_edition(&bureau, "2026年第4期企业技术需求目录", &[&c, &a])
        .await;
    assert_eq!(s.get("/api/v1/catalogues", None).await.items().len(), 2);

    let diff_url = format!("/api/v1/catalogues/{second}/diff?from={first}");
    let d = s.get(&diff_url, None).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    assert_eq!(d.body["added"][0]["id"], c.as_str());
    assert_eq!(d.body["changed"][0]["id"], a.as_str());
    assert_eq!(d.body["changed"][0]["fields"], json!(["goals"]));
    assert_eq!(d.body["removed"][0]["id"], b.as_str());
    assert_eq!(d.body["removed"][0]["status_now"], "withdrawn");
    assert_eq!(
        s.get(&format!("/api/v1/catalogues/{second}/diff"), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // Exports.
    let export = |q: &str| format!("/api/v1/catalogues/{second}/export?{q}");
    let (status, disposition, bytes) = download(&s, &export("format=xlsx"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''2026"),
        "{disposition}"
    );
    assert!(disposition.ends_with(".xlsx"), "{disposition}");
    // The public file says so in its name (公开版), so it never overwrites the contact one.
    assert!(
        disposition.contains("%E5%85%AC%E5%BC%80%E7%89%88"),
        "{disposition}"
    );
    let range = sheet(&bytes);
    assert_eq!(cell(&range, 0, 0), "2026年第4期企业技术需求目录");
    let header: Vec<String> = (0..13).map(|col| cell(&range, 2, col)).collect();
    assert_eq!(header[0], "序号");
    assert_eq!(header[9], "截止日期");
    assert!(
        header[10..].iter().all(String::is_empty),
        "no contact columns: {header:?}"
    );
    assert_eq!(cell(&range, 3, 2), "灵宝金源矿业有限公司");
    assert_eq!(cell(&range, 4, 4), "新材料");
    assert!(!format!("{range:?}").contains("13800000000"));

    let (status, _, csv) = download(&s, &export("format=csv"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let (_, _, html) = download(&s, &export("format=html"), None).await;
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("lang=\"zh-CN\"")
            && html.contains("&lt;script&gt;")
            && !html.contains("<script>")
    );
    let (_, _, json_bytes) = download(&s, &export("format=json"), None).await;
    let exported: Value = serde_json::from_slice(&json_bytes).unwrap();
    assert_eq!(exported["items"].as_array().unwrap().len(), 2);

    assert_eq!(
        download(&s, &export("format=csv&full=true"), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        download(&s, &export("format=csv&full=true"), Some(&inst))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, full_disposition, full) =
        download(&s, &export("format=xlsx&full=true"), Some(&bureau)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        full_disposition.contains("-contacts.xlsx") && full_disposition != disposition,
        "{full_disposition}"
    );
    let range = sheet(&full);
    assert_eq!(cell(&range, 2, 11), "联系电话");
    assert_eq!(cell(&range, 3, 11), "13800000000");
    assert_eq!(
        download(&s, &export("format=pdf"), None).await.0,
        StatusCode::BAD_REQUEST
    );

    let items_url = format!("/api/v1/catalogues/{second}/items");
    let r = s
        .post(&items_url, Some(&bureau), json!({"demand_ids": [b]}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a published edition is frozen"
    );
}
