//! The audit log over HTTP: review decisions, a catalogue's publication, its contact-bearing
//! export and bulk reads of contact details are recorded with actor, action and record ids;
//! only the bureau and administrators read and export it; no contact value is ever in it.

use crate::catalogues::download;
use duijie_core::Role;
use duijie_e2e::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const PHONE: &str = "13912345678";
const EMAIL: &str = "zhao.lianxi@audit-test.cn";
const CONTACT: &str = "赵联系";
/// One more than the bulk threshold, so a list of all of them is a bulk read.
const DEMANDS: usize = duijie_app::BULK_CONTACT_RECORDS + 2;

fn ids_of(entries: &[Value]) -> BTreeSet<String> {
    entries
        .iter()
        .flat_map(|e| e["record_ids"].as_array().cloned().unwrap_or_default())
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect()
}

async fn entries(s: &TestServer, token: &str, query: &str) -> (i64, Vec<Value>) {
    let r = s.get(&format!("/api/v1/audit?{query}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    (r.body["total"].as_i64().unwrap_or(-1), items)
}

pub async fn the_audit_log_records_decisions_exports_and_bulk_reads(s: TestServer) {
    let ent = s
        .token(
            "审计企业账号",
            Role::Enterprise,
            Some("灵宝审计测试有限公司"),
        )
        .await;
    let inst = s
        .token("院所账号", Role::Institution, Some("郑州大学"))
        .await;
    let bureau = s.token("王科员", Role::Bureau, None).await;
    let admin = s.token("管理员甲", Role::Admin, None).await;
    // An account whose name a spreadsheet would run as a formula.
    let formula = s.token("=SUM(1+1)", Role::Bureau, None).await;

    let mut demand_ids = Vec::new();
    for n in 0..DEMANDS {
        let id = s
            .draft_demand(
                &ent,
                json!({
                    "title": format!("耐高温陶瓷涂层第{n}代工艺"),
                    "description": "需要一种耐1200℃的陶瓷涂层工艺，用于窑炉内衬。",
                    "field": "新材料",
                    "contact_name": CONTACT,
                    "contact_phone": PHONE,
                    "contact_email": EMAIL,
                }),
            )
            .await;
        s.submit_demand(&ent, &id).await;
        demand_ids.push(id);
    }
    for id in &demand_ids {
        s.approve_demand(&bureau, id).await;
    }
    let refs: Vec<&str> = demand_ids.iter().map(String::as_str).collect();
    let edition = s
        .publish_edition(&bureau, "2026年第1期审计测试目录", &refs)
        .await;

    // The contact-bearing export, by the administrator; the public one is not recorded.
    let export = |full: bool| format!("/api/v1/catalogues/{edition}/export?format=csv&full={full}");
    let (status, _, csv) = download(&s, &export(true), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&csv).contains(PHONE));
    let (status, _, _) = download(&s, &export(false), Some(&bureau)).await;
    assert_eq!(status, StatusCode::OK);

    // Bulk reads: the institution's search page carries every demand's contacts; a single
    // demand does not count.
    let r = s.get("/api/v1/demands?per_page=50", Some(&inst)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["total"], DEMANDS);
    assert_eq!(r.body["items"][0]["contact_phone"], PHONE);
    let r = s
        .get(&format!("/api/v1/demands/{}", demand_ids[0]), Some(&inst))
        .await;
    assert_eq!(r.body["contact_phone"], PHONE);
    // The owner reading its own demands is not a bulk read of anyone's contacts.
    let r = s.get("/api/v1/my/demands", Some(&ent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // A return by the formula-named account, for the export below.
    let body = json!({"title": "退回测试需求", "description": "需要一种新的工艺以提升产品质量"});
    let returned = s.submitted_demand(&ent, body).await;
    let review_url = format!("/api/v1/demands/{returned}/review");
    let body = json!({"decision": "request_changes", "note": "请补充联系人电话 13700000000"});
    let r = s.post(&review_url, Some(&formula), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let all_ids: BTreeSet<String> = demand_ids.iter().cloned().collect();

    let (total, approvals) = entries(&s, &bureau, "action=demand_approve&per_page=200").await;
    assert_eq!(total, DEMANDS as i64);
    assert_eq!(ids_of(&approvals), all_ids);
    for e in &approvals {
        assert_eq!(e["actor"]["name"], "王科员");
        assert_eq!(e["actor"]["role"], "bureau");
        assert_eq!(e["record_kind"], "demand");
        assert_eq!(e["action_label"], "审核通过");
    }

    let (_, published) = entries(&s, &bureau, "action=catalogue_publish").await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["record_ids"], json!([edition]));
    assert_eq!(published[0]["actor"]["name"], "王科员");

    let (_, exports) = entries(&s, &bureau, "action=catalogue_export_full").await;
    assert_eq!(
        exports.len(),
        1,
        "only the contact-bearing export: {exports:?}"
    );
    assert_eq!(exports[0]["actor"]["name"], "管理员甲");
    assert_eq!(exports[0]["actor"]["role"], "admin");
    assert_eq!(ids_of(&exports), all_ids);

    let (_, reads) = entries(&s, &admin, "action=contact_bulk_read").await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["actor"]["name"], "院所账号");
    assert_eq!(reads[0]["actor"]["role"], "institution");
    assert_eq!(ids_of(&reads), all_ids);

    let (_, returns) = entries(&s, &admin, "actor=%3DSUM(1%2B1)").await;
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0]["action"], "demand_request_changes");
    assert_eq!(returns[0]["record_ids"], json!([returned]));

    let (_, accounts) = entries(&s, &admin, "action=user_add").await;
    assert_eq!(accounts.len(), 5);
    assert!(accounts.iter().all(|e| e["actor"]["role"].is_null()));

    // Newest first, paged.
    let (total, first) = entries(&s, &admin, "per_page=2").await;
    let (_, second) = entries(&s, &admin, "per_page=2&page=2").await;
    assert!(total > 4);
    assert!(first[0]["seq"].as_i64() > first[1]["seq"].as_i64());
    assert!(first[1]["seq"].as_i64() > second[0]["seq"].as_i64());

    // Who may read it.
    for (token, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(&ent), StatusCode::FORBIDDEN),
        (Some(&inst), StatusCode::FORBIDDEN),
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit/export"] {
            let r = s.get(path, token.map(String::as_str)).await;
            assert_eq!(r.status, status, "{path}");
        }
    }
    let r = s
        .get(
            "/api/v1/audit?action=nothing&from=2026-13-01",
            Some(&bureau),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "invalid_input");
    assert_eq!(r.body["error"]["fields"].as_array().map(Vec::len), Some(2));

    // The export: every entry, formulas neutralised, and no contact value anywhere.
    let (status, disposition, csv) = download(&s, "/api/v1/audit/export", Some(&bureau)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}序号,时间,操作人"), "{csv}");
    assert!(csv.contains(",'=SUM(1+1),"), "{csv}");
    assert!(csv.contains("批量读取联系方式"));
    let (_, everything) = entries(&s, &admin, "per_page=200").await;
    let json = serde_json::to_string(&everything).unwrap();
    for text in [&json, &csv] {
        for secret in [PHONE, EMAIL, CONTACT, "13700000000"] {
            assert!(!text.contains(secret), "{secret} in the audit log");
        }
    }
    // The export was recorded too.
    let (_, audit_exports) = entries(&s, &admin, "action=audit_export").await;
    assert_eq!(audit_exports.len(), 1);
    assert_eq!(audit_exports[0]["actor"]["name"], "王科员");

    // The local command line (`duijie export --full`, `duijie user`) is recorded as such.
    s.app
        .export_edition(&edition, duijie_app::ExportFormat::Xlsx, true)
        .await
        .unwrap();
    s.app.reset_token("院所账号").await.unwrap();
    s.app.revoke_user("院所账号").await.unwrap();
    let inst_id = s
        .app
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "院所账号")
        .unwrap()
        .id;
    let (_, local) = entries(&s, &admin, "actor=本机命令行&per_page=3").await;
    let actions: Vec<&str> = local.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["token_revoke", "token_reset", "catalogue_export_full"]
    );
    assert!(local.iter().all(|e| e["actor"]["id"].is_null()));
    assert_eq!(local[0]["record_ids"], json!([inst_id]));
    assert_eq!(ids_of(&local[2..]), all_ids);
}
