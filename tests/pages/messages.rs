//! The conversation of a 揭榜 and attachments through the pages: the owner attaches a file
//! to its draft (multipart with the CSRF token), the institution proposes with a contact
//! person and writes with a file, the text is shown escaped, contacts appear only after
//! acceptance, another institution is told the conversation does not exist.

use crate::support::{caller, demand_form, publish, Db, TestServer, Visitor};
use duijie_app::ReviewDecision;
use duijie_core::Role;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn with_file(v: &Visitor, fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> Form {
    let mut form = Form::new().text("csrf", v.cookie("dj_csrf").unwrap_or_default().to_string());
    for (k, val) in fields {
        form = form.text(k.to_string(), val.to_string());
    }
    form.part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    )
}

/// The id after `prefix` in the first link that starts with it.
fn link_id(body: &str, prefix: &str) -> Option<String> {
    let at = body.find(prefix)? + prefix.len();
    Some(
        body[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_and_attachments_through_pages() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let bureau = caller(&s.app, &s.token("bureau", Role::Bureau, None).await).await;
    let zju_token = s.token("zju", Role::Institution, Some("浙江大学")).await;
    let zzu_token = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let ent = caller(&s.app, &ent_token).await;
    let d = s
        .app
        .create_demand(
            &ent,
            &demand_form("高纯氧化铝粉体烧结活性提升", "13912345678"),
        )
        .await
        .expect("create");
    let page = format!("/demands/{}", d.id);

    // The owner attaches a file to its draft; a page without the token is refused.
    let mut owner = Visitor::signed_in(&s.base, &ent_token).await;
    let p = owner.get(&page).await;
    assert!(
        p.body.contains("enctype=\"multipart/form-data\""),
        "upload form shown"
    );
    let form = Form::new().part("file", Part::bytes(b"%PDF-1.4".to_vec()).file_name("a.pdf"));
    let p = owner
        .post_multipart(&format!("{page}/attachments"), form)
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let fake = with_file(&owner, &[], "报价.pdf", b"<html><body>hi</body></html>");
    let p = owner
        .post_multipart(&format!("{page}/attachments"), fake)
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("报价.pdf"), "the refusal names the file");
    let real = with_file(&owner, &[], "技术要求.pdf", b"%PDF-1.4\n%x\n");
    let p = owner
        .post_multipart(&format!("{page}/attachments"), real)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = owner.get(&page).await;
    assert!(p.body.contains("技术要求.pdf") && p.body.contains("12 字节"));

    s.app.submit_demand(&ent, &d.id).await.expect("submit");
    s.app
        .review_demand(&bureau, &d.id, ReviewDecision::Approve, "", None)
        .await
        .expect("approve");
    publish(&s.app, &bureau, &d.id).await;

    // The institution proposes with a contact person; the owner does not see it yet.
    let mut zju = Visitor::signed_in(&s.base, &zju_token).await;
    let p = zju.get(&page).await;
    assert!(
        p.body.contains("name=\"contact_phone\""),
        "contact asked for"
    );
    let interests = format!("{page}/interests");
    let fields = [
        ("message", "我校团队长期从事氧化铝粉体煅烧研究"),
        ("contact_name", "李老师"),
        ("contact_phone", "13700137000"),
        ("contact_email", "li@zju.edu.cn"),
    ];
    let p = zju.post(&interests, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = owner.get(&page).await;
    assert!(
        !p.body.contains("13700137000"),
        "contact hidden before acceptance"
    );
    let interest = link_id(&p.body, "/interests/").expect("conversation link");
    let conv = format!("/interests/{interest}");

    // The institution writes with a picture; the text is shown escaped.
    let form = with_file(&zju, &[("body", "<b>方案</b>见附图")], "工艺图.png", PNG);
    let p = zju.post_multipart(&format!("{conv}/messages"), form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = owner.get(&conv).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("&lt;b&gt;方案&lt;") && !p.body.contains("<b>方案"));
    assert!(p.body.contains("工艺图.png") && p.body.contains("image&#x2f;png"));
    assert!(
        p.body.contains("接受揭榜后"),
        "contacts promised after acceptance"
    );
    let file = link_id(&p.body, "/attachments/").expect("file link");
    let got = owner.get(&format!("/attachments/{file}")).await;
    assert_eq!(got.status, StatusCode::OK);

    // Another institution: no conversation, no file.
    let mut zzu = Visitor::signed_in(&s.base, &zzu_token).await;
    assert_eq!(zzu.get(&conv).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        zzu.get(&format!("/attachments/{file}")).await.status,
        StatusCode::NOT_FOUND
    );

    // After acceptance each side sees the other's contact.
    let p = owner
        .post(&format!("/interests/{interest}/accept"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = owner.get(&conv).await;
    assert!(p.body.contains("13700137000") && p.body.contains("李老师"));
    let p = zju.get(&conv).await;
    assert!(
        p.body.contains("13912345678"),
        "the demand's contact for the institution"
    );
}
