//! The docking loop through the pages, as its people walk it: an enterprise registers itself,
//! the bureau approves it, the enterprise signs in with its password and posts a demand, an
//! institution answers it with a 揭榜, the enterprise finds the notification, the two write to
//! each other, the enterprise accepts and sees the institution's contact, and the notification
//! e-mail reaches a real SMTP server (aiosmtpd on a loopback port).

use crate::support::{caller, mail_config, publish, received_mail, Db, Smtp, TestServer, Visitor};
use duijie_app::{MailWorker, ReviewDecision};
use duijie_core::Role;
use reqwest::multipart::Form;
use reqwest::StatusCode;

const PHONE: &str = "13800138077";
const EMAIL: &str = "wu@wuxin-materials.cn";
const PASSWORD: &str = "wuxin-pass-2026";
const TITLE: &str = "高镍三元正极材料循环寿命提升";

/// The id after `prefix` in the first place the page names it.
fn id_after(body: &str, prefix: &str) -> String {
    let at = body
        .find(prefix)
        .map(|i| i + prefix.len())
        .unwrap_or_else(|| panic!("no {prefix} on the page"));
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_post_answer_notify_talk_accept_and_mail() {
    if !Smtp::available() {
        return;
    }
    let mail_dir = tempfile::tempdir().expect("maildir");
    // A Maildir the server creates itself.
    let smtp = Smtp::start(Smtp::free_port(), &mail_dir.path().join("mail")).await;
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let bureau_token = s.token("bureau", Role::Bureau, None).await;
    let zju_token = s.token("zju", Role::Institution, Some("浙江大学")).await;

    // 1. The enterprise registers itself.
    let mut ent = Visitor::new(&s.base);
    ent.get("/register").await;
    let fields: [(&str, &str); 8] = [
        ("idempotency_key", "journey-register"),
        ("kind", "enterprise"),
        ("org_name", "吴鑫新材料有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("contact_name", "吴经理"),
        ("phone", PHONE),
        ("email", EMAIL),
        ("password", PASSWORD),
    ];
    let p = ent.post("/register", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // 2. The bureau approves it on its page.
    let mut bureau = Visitor::signed_in(&s.base, &bureau_token).await;
    let p = bureau.get("/registrations").await;
    assert!(p.body.contains("吴鑫新材料有限公司"));
    let reg = id_after(&p.body, "/registrations/");
    let p = bureau
        .post(&format!("/registrations/{reg}/approve"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    // 3. The enterprise signs in with its phone and password and posts a demand.
    let p = ent.sign_in_as(PHONE, PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    ent.get("/demands/new").await;
    let p = ent
        .post(
            "/demands/new",
            &[
                ("idempotency_key", "journey-demand"),
                ("title", TITLE),
                (
                    "description",
                    "我公司量产高镍三元正极材料，循环寿命不足，需要改进包覆与掺杂工艺，提升高温循环稳定性。",
                ),
                ("goals", "45℃下1000次循环容量保持率≥85%"),
                ("field", "新材料"),
                ("modes", "合作开发"),
                ("budget_wan", "80"),
                ("region", "灵宝市"),
                ("contact_name", "吴经理"),
                ("contact_phone", PHONE),
                ("contact_email", EMAIL),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let demand = id_after(p.location(), "/demands/");
    let page = format!("/demands/{demand}");
    let p = ent.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The bureau's review and catalogue have page tests of their own.
    let curator = caller(&s.app, &bureau_token).await;
    s.app
        .review_demand(&curator, &demand, ReviewDecision::Approve, "", None)
        .await
        .expect("approve");
    publish(&s.app, &curator, &demand).await;

    // 4. An institution answers with a 揭榜 and a contact person.
    let mut zju = Visitor::signed_in(&s.base, &zju_token).await;
    let interests = format!("{page}/interests");
    let fields = [
        ("idempotency_key", "journey-interest"),
        ("message", "我校团队长期研究高镍正极的表面包覆与体相掺杂"),
        ("contact_name", "李老师"),
        ("contact_phone", "13700137000"),
        ("contact_email", "li@zju.edu.cn"),
    ];
    let p = zju.post(&interests, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // 5. The enterprise sees the notification in its header and inbox.
    let p = ent.get("/my/demands").await;
    assert!(p.body.contains("条未读"), "unread count in the header");
    let p = ent.get("/notifications").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("浙江大学") && p.body.contains(TITLE));

    // 6. The two sides talk; the contact stays hidden until acceptance.
    let p = ent.get(&page).await;
    assert!(!p.body.contains("13700137000"));
    let interest = id_after(&p.body, "/interests/");
    let conv = format!("/interests/{interest}");
    let form = Form::new()
        .text(
            "csrf",
            ent.cookie("dj_csrf").unwrap_or_default().to_string(),
        )
        .text("body", "请问贵校能否先做小试验证？");
    let p = ent.post_multipart(&format!("{conv}/messages"), form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = zju.get(&conv).await;
    assert!(p.body.contains("请问贵校能否先做小试验证"));

    // 7. The enterprise accepts; each side now sees the other's contact.
    let p = ent
        .post(&format!("/interests/{interest}/accept"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = ent.get(&conv).await;
    assert!(p.body.contains("13700137000") && p.body.contains("李老师"));
    let p = zju.get(&conv).await;
    assert!(p.body.contains(PHONE));

    // 8. The mail worker delivers the enterprise's notifications to its address.
    let mut worker = MailWorker::new(s.app.clone(), mail_config(smtp.port)).expect("worker");
    let round = worker.round().await.expect("mail round");
    let (outbox, _) = s.app.store().outbox(None, 10).await.expect("outbox");
    assert!(round.sent >= 1, "{round:?} {outbox:?}");
    assert!(
        received_mail(&smtp, |m| m.contains(EMAIL)).await.is_some(),
        "a mail to the enterprise reached the SMTP server"
    );
}
