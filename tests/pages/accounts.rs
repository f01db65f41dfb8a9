//! The account pages over HTTP (issue #19): the sign-in form, the registration form and its
//! review by the bureau, the personal page (password, API tokens, sign out everywhere) and the
//! administrator's accounts.

use crate::support::{server, Visitor};
use duijie_core::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_then_approval_then_sign_in_with_a_password() {
    let s = server().await;
    let bureau = s.token("kjj", Role::Bureau, None).await;
    let mut v = Visitor::new(&s.base);

    let p = v.get("/login").await;
    assert!(p.body.contains("name=\"account\"") && p.body.contains("name=\"password\""));
    assert!(
        p.body.contains("href=\"/register\""),
        "the sign-in page offers registration"
    );

    let p = v.get("/register").await;
    assert_eq!(p.status, StatusCode::OK);
    for field in [
        "kind",
        "org_name",
        "credit_code",
        "contact_name",
        "phone",
        "email",
        "password",
    ] {
        assert!(p.body.contains(&format!("name=\"{field}\"")), "{field}");
    }
    // Every problem at once, beside its field, typed values kept (never the password).
    let key = "reg-key-1";
    let form: [(&str, &str); 8] = [
        ("idempotency_key", key),
        ("kind", "enterprise"),
        ("org_name", "丁材料有限公司"),
        ("credit_code", "91350100M000100Y44"),
        ("contact_name", "孙八"),
        ("phone", "1380013"),
        ("email", "sun@ding.cn"),
        ("password", "short"),
    ];
    let p = v.post("/register", &form).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("有 3 处需要修改"), "{}", p.body);
    for id in ["err-credit_code", "err-phone", "err-password"] {
        assert!(p.body.contains(id), "{id}");
    }
    assert!(p.body.contains("校验位") && p.body.contains("11 位"));
    assert!(
        p.body.contains("value=\"丁材料有限公司\"") && p.body.contains("value=\"sun@ding.cn\"")
    );
    assert!(!p.body.contains("value=\"short\""));

    let form = [
        ("idempotency_key", "reg-key-2"),
        ("kind", "enterprise"),
        ("org_name", "丁材料有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("contact_name", "孙八"),
        ("phone", "13800138009"),
        ("email", "sun@ding.cn"),
        ("password", "ding-pass-2026"),
    ];
    let p = v.post("/register", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/login?done=registered");
    let p = v.get("/login?done=registered").await;
    assert!(p.body.contains("注册申请已提交"));

    // Not yet approved: told so on the sign-in page.
    let p = v.sign_in_as("13800138009", "ding-pass-2026").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("等待科技局审核"));

    // The bureau's page lists it with its contact; approving opens the account.
    let mut b = Visitor::signed_in(&s.base, &bureau).await;
    let p = b.get("/review").await;
    assert!(p.body.contains("注册审核"), "in the bureau's navigation");
    let p = b.get("/registrations").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("丁材料有限公司") && p.body.contains("13800138009"));
    let id = p
        .body
        .split("/registrations/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an approve form")
        .to_string();
    let p = b.post(&format!("/registrations/{id}/approve"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = b.get("/registrations?done=approved").await;
    assert!(p.body.contains("已通过") && p.body.contains("没有待审核的申请"));

    let p = v.sign_in_as("13800138009", "ding-pass-2026").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/my/demands");
    let p = v.get("/my/demands").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("丁材料有限公司") && p.body.contains("我的账号"));

    // Anyone else gets no registrations page.
    assert_eq!(v.get("/registrations").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_personal_page_changes_the_password_and_manages_tokens() {
    let s = server().await;
    let token = s.token("inst", Role::Institution, Some("郑州大学")).await;
    let mut v = Visitor::new(&s.base);
    let mut other_device = Visitor::new(&s.base);
    v.sign_in(&token).await;
    other_device.sign_in(&token).await;

    let p = v.get("/account").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("我的账号") && p.body.contains("郑州大学"));
    assert!(
        p.body.contains("初始令牌"),
        "the token of `user add` is listed"
    );

    // A new token is shown once and works on the API.
    let p = v.post("/account/tokens", &[("label", "同步脚本")]).await;
    assert_eq!(p.status, StatusCode::CREATED);
    let new_token = p
        .body
        .split("<code id=\"new-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the token shown")
        .to_string();
    assert_eq!(
        s.get("/api/v1/session", Some(&new_token)).await.status,
        StatusCode::OK
    );
    let p = v.get("/account").await;
    assert!(p.body.contains("同步脚本") && !p.body.contains(&new_token));
    let revoke = p
        .body
        .match_indices("/account/tokens/")
        .map(|(i, _)| &p.body[i..])
        .find(|rest| !rest.starts_with("/account/tokens/\""))
        .and_then(|rest| rest.split('"').next())
        .expect("a revoke form")
        .to_string();
    let p = v.post(&revoke, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let left = s.get("/api/v1/session", Some(&new_token)).await.status;
    let first = s.get("/api/v1/session", Some(&token)).await.status;
    // The first listed token (初始令牌) was revoked: the script's token still works.
    assert_eq!((first, left), (StatusCode::UNAUTHORIZED, StatusCode::OK));

    // Password: mismatch and wrong old password shown beside the fields.
    let fields: [(&str, &str); 3] = [
        ("old_password", &token),
        ("new_password", "zzu-2026-new"),
        ("new_password2", "zzu-2026-neW"),
    ];
    let p = v.post("/account/password", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("err-new_password2") && p.body.contains("不一致"));
    let fields = [
        ("old_password", "nope-1234"),
        ("new_password", "zzu-2026-new"),
        ("new_password2", "zzu-2026-new"),
    ];
    let p = v.post("/account/password", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("原密码不正确"));
    let fields: [(&str, &str); 3] = [
        ("old_password", &token),
        ("new_password", "zzu-2026-new"),
        ("new_password2", "zzu-2026-new"),
    ];
    let p = v.post("/account/password", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/account?done=password");
    assert_eq!(
        v.get("/account").await.status,
        StatusCode::OK,
        "this device stays"
    );
    let p = other_device.get("/account").await;
    assert_eq!(
        p.status,
        StatusCode::SEE_OTHER,
        "the other device is signed out"
    );

    // Sign out everywhere: this device too.
    let p = v.post("/account/sessions/end", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(v.get("/account").await.status, StatusCode::SEE_OTHER);
    let p = v.sign_in_as("inst", "zzu-2026-new").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_creates_disables_and_resets_accounts_on_a_page() {
    let s = server().await;
    let admin = s.token("root", Role::Admin, None).await;
    let bureau = s.token("kjj", Role::Bureau, None).await;
    let mut b = Visitor::signed_in(&s.base, &bureau).await;
    assert_eq!(b.get("/accounts").await.status, StatusCode::FORBIDDEN);

    let mut v = Visitor::signed_in(&s.base, &admin).await;
    let p = v.get("/accounts").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("账号管理") && p.body.contains("kjj"));
    let fields = [
        ("idempotency_key", "acc-1"),
        ("name", ""),
        ("role", "enterprise"),
        ("org", ""),
        ("password", "x"),
    ];
    let p = v.post("/accounts", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    for id in ["err-name", "err-org", "err-password"] {
        assert!(p.body.contains(id), "{id}");
    }
    let fields = [
        ("idempotency_key", "acc-2"),
        ("name", "戊公司"),
        ("role", "enterprise"),
        ("org", "戊公司"),
        ("password", "wu-pass-2026"),
        ("email", "wu@wu.cn"),
    ];
    let p = v.post("/accounts", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut w = Visitor::new(&s.base);
    assert_eq!(
        w.sign_in_as("wu@wu.cn", "wu-pass-2026").await.status,
        StatusCode::SEE_OTHER
    );

    let p = v.get("/accounts").await;
    let row = p
        .body
        .split("<tr>")
        .find(|r| r.contains("戊公司"))
        .expect("row")
        .to_string();
    let status_action = row
        .split("action=\"")
        .map(|a| a.split('"').next().unwrap_or_default())
        .find(|a| a.ends_with("/status"))
        .expect("a disable form")
        .to_string();
    let p = v.post(&status_action, &[("disabled", "1")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get("/my/demands").await.status,
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    let p = w.sign_in_as("wu@wu.cn", "wu-pass-2026").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("已停用"));

    let p = v.post(&status_action, &[("disabled", "0")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let password_action = status_action.replace("/status", "/password");
    let p = v
        .post(&password_action, &[("password", "wu-new-2026")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.sign_in_as("wu@wu.cn", "wu-pass-2026").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.sign_in_as("wu@wu.cn", "wu-new-2026").await.status,
        StatusCode::SEE_OTHER
    );
}
