//! A 揭榜's conversation and attachments over HTTP: who reads and writes a conversation,
//! escaping, contact details exchanged only on acceptance, files checked by content, served
//! with safe headers only to those who may see them, and the size caps.

use duijie_core::Role;
use duijie_e2e::{Db, Parties, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

/// A published demand of `ent` (with a contact), with a PDF attached while it was a draft.
async fn published_demand(s: &TestServer, ent: &str, bureau: &str) -> (String, Value) {
    let id = s
        .draft_demand(
            ent,
            json!({
                "title": "高纯氧化铝粉体制备",
                "description": "需要优化粉体制备与煅烧工艺",
                "contact_name": "张工",
                "contact_phone": "13800138000",
                "contact_email": "zhang@example.com",
            }),
        )
        .await;
    let pdf = upload(
        s,
        &format!("/api/v1/demands/{id}/attachments"),
        ent,
        "技术方案.pdf",
        b"%PDF-1.4\n%test\n",
    )
    .await;
    assert_eq!(pdf.status, StatusCode::CREATED, "{:?}", pdf.body);
    s.submit_demand(ent, &id).await;
    s.approve_demand(bureau, &id).await;
    s.publish_edition(bureau, "第1期", &[&id]).await;
    (id, pdf.body)
}

async fn send(
    s: &TestServer,
    req: reqwest::RequestBuilder,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap_or_default().to_vec();
    let _ = s;
    (status, headers, bytes)
}

/// A multipart POST of one `file` (and optional text fields).
async fn upload(
    s: &TestServer,
    path: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> duijie_e2e::Resp {
    upload_with(s, path, token, &[], &[(name, bytes)]).await
}

async fn upload_with(
    s: &TestServer,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> duijie_e2e::Resp {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                // What the client claims is never believed.
                .mime_str("application/pdf")
                .unwrap(),
        );
    }
    let (status, _, body) = send(
        s,
        s.client
            .post(format!("{}{path}", s.base))
            .bearer_auth(token)
            .multipart(form),
    )
    .await;
    duijie_e2e::Resp {
        status,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }
}

async fn download(
    s: &TestServer,
    id: &str,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = s.client.get(format!("{}/api/v1/attachments/{id}", s.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    send(s, req).await
}

fn message(r: &duijie_e2e::Resp) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub async fn conversations_are_private_escaped_and_exchange_contacts_on_accept(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let (demand, pdf) = published_demand(&s, &ent, &bureau).await;
    let pdf_id = pdf["id"].as_str().unwrap();

    // The demand's file: anyone who may see the published demand downloads it, safely.
    let (status, headers, bytes) = download(&s, pdf_id, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"%PDF-1.4\n%test\n");
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cd = headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E6%8A%80%E6%9C%AF%E6%96%B9%E6%A1%88.pdf"),
        "{cd}"
    );
    let r = s
        .get(&format!("/api/v1/demands/{demand}/attachments"), None)
        .await;
    assert_eq!(r.body["items"][0]["file_name"], "技术方案.pdf");
    assert_eq!(r.body["items"][0]["size"], 15);
    // Published: the owner may no longer add or delete files.
    let r = upload(
        &s,
        &format!("/api/v1/demands/{demand}/attachments"),
        &ent,
        "b.pdf",
        b"%PDF-1.4",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let attachment_url = format!("/api/v1/attachments/{pdf_id}");
    let r = s.delete(&attachment_url, Some(&ent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);

    // Two institutions propose; the contact given with a 揭榜 is checked field by field.
    let interests = format!("/api/v1/demands/{demand}/interests");
    let body = json!({"message": "可合作", "contact_phone": "12", "contact_email": "nope"});
    let r = s.post(&interests, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_fields(), ["contact_phone", "contact_email"]);
    let r = s
        .post(
            &interests,
            Some(&zzu),
            json!({"message": "我校有相关成果", "contact_name": "李老师",
                   "contact_phone": "13900139000", "contact_email": "li@zzu.edu.cn"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let zzu_i = r.id();
    assert_eq!(
        r.body["contact"]["name"], "李老师",
        "the institution sees its own"
    );
    let r = s
        .post(&interests, Some(&hnu), json!({"message": "我们也可以"}))
        .await;
    let hnu_i = r.id();

    // Before acceptance the owner does not see the institution's contact.
    let r = s.get(&interests, Some(&ent)).await;
    assert!(r.body["items"][0].get("contact").is_none(), "{:?}", r.body);
    let r = s.get(&interests, Some(&bureau)).await;
    assert_eq!(r.body["items"][0]["contact"]["phone"], "13900139000");

    // Who reads the conversation: its two sides and the bureau; others get 404.
    let conv = format!("/api/v1/interests/{zzu_i}/messages");
    let body = json!({"body": "<script>alert(1)</script> 您好"});
    let r = s.post(&conv, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["sender"]["name"], "郑州大学");
    let r = s
        .post(&conv, Some(&ent), json!({"body": "欢迎，请介绍团队"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    for (who, token) in [("owner", &ent), ("institution", &zzu), ("bureau", &bureau)] {
        let r = s.get(&conv, Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{who}");
        let items = r.items();
        assert_eq!(items.len(), 2, "{who}");
        assert_eq!(
            items[0]["body"], "<script>alert(1)</script> 您好",
            "newest last"
        );
        assert_eq!(items[1]["sender"]["name"], "灵宝金源矿业有限公司");
        assert!(
            r.body["partner_contact"].is_null(),
            "{who}: not accepted yet"
        );
    }
    for token in [Some(hnu.as_str()), None] {
        assert_eq!(s.get(&conv, token).await.status, StatusCode::NOT_FOUND);
        let r = s.post(&conv, token, json!({"body": "插话"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = s
        .get("/api/v1/interests/int_nope/messages", Some(&ent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The bureau reads along but does not write as a party.
    let r = s
        .post(&conv, Some(&bureau), json!({"body": "科技局"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Plain text, capped; empty refused.
    let r = s.post(&conv, Some(&zzu), json!({"body": "  "})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_fields(), ["body"]);
    let r = s
        .post(&conv, Some(&zzu), json!({"body": "长".repeat(20_001)}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The page shows the text escaped.
    let (status, _, html) = send(
        &s,
        s.client
            .get(format!("{}/interests/{zzu_i}", s.base))
            .header("cookie", s.page_cookie(&ent).await),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "escaped");
    assert!(!html.contains("<script>alert(1)"));
    let (status, _, _) = send(
        &s,
        s.client
            .get(format!("{}/interests/{zzu_i}", s.base))
            .header("cookie", s.page_cookie(&hnu).await),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A message with files: a PNG and a demand file by id; the type is read from the bytes.
    let r = upload_with(
        &s,
        &conv,
        &zzu,
        &[("body", "附图纸"), ("attachment_ids", pdf_id)],
        &[("图纸 v2.png", PNG)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let files = r.body["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let png = files
        .iter()
        .find(|f| f["file_name"] == "图纸 v2.png")
        .expect("png");
    assert_eq!(png["content_type"], "image/png");
    let png_id = png["id"].as_str().unwrap();
    let (status, headers, bytes) = download(&s, png_id, Some(&ent)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''%E5%9B%BE%E7%BA%B8%20v2.png"));
    assert_eq!(download(&s, png_id, Some(&bureau)).await.0, StatusCode::OK);
    assert_eq!(
        download(&s, png_id, Some(&hnu)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&s, png_id, None).await.0, StatusCode::NOT_FOUND);
    // A message file is part of the record: not deleted.
    let attachment_url = format!("/api/v1/attachments/{png_id}");
    let r = s.delete(&attachment_url, Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A ".pdf" that is really HTML, and an executable, are refused by content, by name.
    let r = upload_with(
        &s,
        &conv,
        &zzu,
        &[("body", "见附件")],
        &[("报价单.pdf", b"<html><script>alert(1)</script></html>")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(message(&r).contains("报价单.pdf"), "{:?}", r.body);
    assert!(message(&r).contains("网页"), "{:?}", r.body);
    let r = upload_with(
        &s,
        &conv,
        &zzu,
        &[],
        &[("setup.pdf", b"MZ\x90\0\x03\0\0\0\x04\0")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(message(&r).contains("setup.pdf"));
    // A real PNG named .pdf: the content and the name disagree.
    let r = upload_with(&s, &conv, &zzu, &[], &[("照片.pdf", PNG)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(message(&r).contains("与扩展名“.pdf”不符"), "{:?}", r.body);

    // Acceptance opens both sides' contacts to each other.
    let accept_url = format!("/api/v1/interests/{zzu_i}/accept");
    let r = s.post(&accept_url, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s.get(&interests, Some(&ent)).await;
    let zzu_item = r
        .items()
        .iter()
        .find(|i| i["id"] == zzu_i.as_str())
        .unwrap()
        .clone();
    assert_eq!(zzu_item["contact"]["email"], "li@zzu.edu.cn");
    let hnu_item = r
        .items()
        .iter()
        .find(|i| i["id"] == hnu_i.as_str())
        .unwrap()
        .clone();
    assert!(hnu_item.get("contact").is_none());
    let r = s.get(&conv, Some(&ent)).await;
    assert_eq!(r.body["partner_contact"]["phone"], "13900139000");
    let r = s.get(&conv, Some(&zzu)).await;
    assert_eq!(r.body["partner_contact"]["name"], "张工");
    assert_eq!(r.body["partner_contact"]["phone"], "13800138000");
    assert!(s.get(&conv, Some(&bureau)).await.body["partner_contact"].is_null());

    // A declined 揭榜's conversation stays readable and takes no new message.
    let hnu_conv = format!("/api/v1/interests/{hnu_i}/messages");
    let r = s
        .post(&hnu_conv, Some(&hnu), json!({"body": "补充材料"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let decline_url = format!("/api/v1/interests/{hnu_i}/decline");
    s.post(&decline_url, Some(&ent), json!({"reason": "方向不符"}))
        .await;
    let r = s
        .post(&hnu_conv, Some(&hnu), json!({"body": "再说一句"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = s.get(&hnu_conv, Some(&hnu)).await;
    assert_eq!(r.body["writable"], false);
    assert!(r.body["closed"].as_str().unwrap().contains("仅供查阅"));
    assert_eq!(r.items().len(), 1);
}

/// The per-file cap while the body streams, and the per-demand cap, with small limits.
async fn caps_are_enforced(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some("某某公司")).await;
    let body = json!({"title": "附件上限", "description": "测试附件上限"});
    let r = s.post("/api/v1/demands", Some(&ent), body).await;
    let id = r.id();
    let path = format!("/api/v1/demands/{id}/attachments");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(70 * 1024, b'x');
    let r = upload(&s, &path, &ent, "大文件.pdf", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert!(message(&r).contains("大文件.pdf"), "{:?}", r.body);
    big.truncate(60 * 1024);
    for n in 0..2 {
        let r = upload(&s, &path, &ent, &format!("第{n}份.pdf"), &big).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = upload(&s, &path, &ent, "第3份.pdf", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert!(message(&r).contains("附件总量"));
    // A text file is fine; deleting one's own file while the demand is a draft frees room.
    let list = s.get(&path, Some(&ent)).await;
    let first = list.body["items"][0]["id"].as_str().unwrap().to_string();
    let attachment_url = format!("/api/v1/attachments/{first}");
    let r = s.delete(&attachment_url, Some(&ent)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = upload(&s, &path, &ent, "说明.txt", "纯文本说明\n".as_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["content_type"], "text/plain; charset=utf-8");
}

fn small_limits() -> duijie_server::ServerConfig {
    duijie_server::ServerConfig {
        attachments: duijie_app::AttachmentLimits {
            per_file: 64 * 1024,
            per_demand: 150 * 1024,
        },
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_caps_sqlite() {
    let s = TestServer::start_with(Db::Sqlite, small_limits())
        .await
        .unwrap();
    caps_are_enforced(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_caps_postgres() {
    let Some(s) = TestServer::start_with(Db::Postgres, small_limits()).await else {
        return;
    };
    caps_are_enforced(s).await;
}
