//! Accounts (issue #19): password sign-in and server-side sessions, sign-out everywhere, the
//! CSRF token bound to the session, throttling with a lock-out, self-registration and its
//! review, the administrator's account actions, one's own password, contact and tokens.

use duijie_core::Role;
use duijie_e2e::{sign_in_limits, Db, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

/// A valid unified social credit code (check character right).
const CREDIT_CODE: &str = "91350100M000100Y43";

fn fields(r: &duijie_e2e::Resp) -> Vec<String> {
    r.error_fields()
}

pub async fn sessions_sign_in_out_and_everywhere(s: TestServer) {
    let token = s.token("ent", Role::Enterprise, Some("甲公司")).await;

    // Wrong password and unknown account: the same answer.
    let wrong = s.sign_in("ent", "wrong-pass1").await.unwrap_err();
    let unknown = s.sign_in("nobody", "wrong-pass1").await.unwrap_err();
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body, unknown.body,
        "no hint whether the account exists"
    );
    assert_eq!(wrong.body["error"]["message"], "账号或密码不正确");
    let empty = s.sign_in("", "").await.unwrap_err();
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&empty), ["account", "password"]);

    let a = s.sign_in("ent", &token).await.unwrap();
    assert_eq!(a.account["name"], "ent");
    assert_eq!(a.account["role"], "enterprise");
    assert!(
        !a.cookie.contains(&token[3..]),
        "the cookie is not the token"
    );
    assert_eq!(a.csrf.len(), 64);
    let me = s.whoami(&a.cookie).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["account"]["name"], "ent");

    // A write through the session needs its CSRF token: none or another one does not pass.
    let body = Some(json!({"label": "脚本"}));
    for (csrf, status) in [
        (None, StatusCode::FORBIDDEN),
        (Some("0f0f"), StatusCode::FORBIDDEN),
        (Some(a.csrf.as_str()), StatusCode::CREATED),
    ] {
        let tokens = "/api/v1/me/tokens";
        let r = s
            .call_session(Method::POST, tokens, &a.cookie, csrf, body.clone())
            .await;
        assert_eq!(r.status, status, "CSRF token {csrf:?}: {:?}", r.body);
    }

    // Session fixation: signing in with an old cookie gives a new id and ends the old one.
    let b = s
        .sign_in_with_cookie("ent", &token, Some(&a.cookie))
        .await
        .unwrap();
    assert_ne!(a.cookie, b.cookie);
    let r = s.whoami(&a.cookie).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let c = s.sign_in("ent", &token).await.unwrap();

    // Sign out: that session stops at once, on the API and the pages; the others go on.
    let r = s
        .session_call(Method::DELETE, "/api/v1/session", &b, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = s.whoami(&b.cookie).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.message().contains("重新登录"));
    let page = s
        .client
        .get(format!("{}/my/demands", s.base))
        .header("cookie", format!("dj_session={}", b.cookie))
        .send()
        .await
        .unwrap();
    assert!(
        page.url().path().starts_with("/login"),
        "a signed-out cookie opens no page: {}",
        page.url()
    );
    let r = s.whoami(&c.cookie).await;
    assert_eq!(r.status, StatusCode::OK);

    // Sign out everywhere (from the API with a bearer token): every session ends.
    let d = s.sign_in("ent", &token).await.unwrap();
    let r = s.delete("/api/v1/sessions", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["ended"], 2);
    for gone in [&c, &d] {
        let r = s.whoami(&gone.cookie).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // The bearer token stays valid for the API.
    assert_eq!(
        s.get("/api/v1/session", Some(&token)).await.status,
        StatusCode::OK
    );
}

pub async fn sign_in_is_throttled_with_a_lock_out() {
    let config = sign_in_limits(3, 8, Duration::from_millis(700));
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(s) = TestServer::start_with(db, config.clone()).await else {
            continue;
        };
        let token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
        // A burst of wrong passwords: the third failure locks the account.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(
                s.sign_in("ent", "wrong-pass1")
                    .await
                    .unwrap_err()
                    .status
                    .as_u16(),
            );
        }
        assert_eq!(statuses, [401, 401, 429, 429, 429, 429], "{db:?}");
        // The right password is refused during the lock-out, with a wait and a Chinese message.
        let locked = s.sign_in("ent", &token).await.unwrap_err();
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.message().contains("分钟后再试"));
        let wait: u64 = locked.body["retry_after"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        // An unknown account locks the same way: nothing tells the two apart.
        let mut unknown = Vec::new();
        for _ in 0..3 {
            unknown.push(
                s.sign_in("ghost", "wrong-pass1")
                    .await
                    .unwrap_err()
                    .status
                    .as_u16(),
            );
        }
        assert_eq!(unknown, [401, 401, 429]);
        // Two more failures make 8 from this address: it is locked for every account.
        let mut third = Vec::new();
        for _ in 0..2 {
            third.push(
                s.sign_in("ghost2", "wrong-pass1")
                    .await
                    .unwrap_err()
                    .status
                    .as_u16(),
            );
        }
        assert_eq!(third, [401, 429]);
        let other = s.token("other", Role::Bureau, None).await;
        let by_address = s.sign_in("other", &other).await.unwrap_err();
        assert_eq!(by_address.status, StatusCode::TOO_MANY_REQUESTS);
        // After the lock-out the right password works again.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let ok = s.sign_in("ent", &token).await;
        assert!(ok.is_ok(), "{db:?}: {:?}", ok.err());
        assert!(s.sign_in("other", &other).await.is_ok());
    }
}

pub async fn registration_is_approved_or_rejected_by_the_bureau(s: TestServer) {
    let bureau = s.token("kjj", Role::Bureau, None).await;
    let ent = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    // Every problem at once, each naming its field.
    let r = s
        .post(
            "/api/v1/registrations",
            None,
            json!({"kind": "enterprise", "org_name": "", "credit_code": "91350100M000100Y44",
                   "contact_name": "", "phone": "123", "email": "not-mail", "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&r),
        [
            "org_name",
            "credit_code",
            "contact_name",
            "email",
            "phone",
            "password"
        ]
    );
    assert!(r.body["error"]["fields"][1]["message"]
        .as_str()
        .unwrap()
        .contains("统一社会信用代码"));

    let form = json!({"kind": "enterprise", "org_name": "乙科技有限公司", "credit_code": CREDIT_CODE,
        "contact_name": "王五", "phone": "13800138001", "email": "wang@yi.cn", "password": "yi-pass-2026"});
    let r = s.post("/api/v1/registrations", None, form.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    let reg = r.id();
    // The same phone again: refused while the first waits.
    let again = s.post("/api/v1/registrations", None, form).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&again), ["email", "phone"]);

    // Pending: told so (only with the right password).
    let pending = s.sign_in("13800138001", "yi-pass-2026").await.unwrap_err();
    assert_eq!(pending.status, StatusCode::FORBIDDEN);
    assert!(pending.message().contains("等待科技局审核"));
    let wrong = s.sign_in("13800138001", "yi-pass-2027").await.unwrap_err();
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // The bureau's list; nobody else's.
    s.assert_guarded(Method::GET, "/api/v1/registrations", &ent, None)
        .await;
    let list = s
        .get("/api/v1/registrations?status=pending", Some(&bureau))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"][0]["id"], reg);
    assert_eq!(list.body["items"][0]["credit_code"], CREDIT_CODE);
    assert!(
        list.body.to_string().find("password").is_none(),
        "no hash is shown"
    );

    let approve_url = format!("/api/v1/registrations/{reg}/approve");
    let r = s.post(&approve_url, Some(&bureau), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["registration"]["status"], "approved");
    assert_eq!(r.body["account"]["role"], "enterprise");
    let again = s.post(&approve_url, Some(&bureau), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // Signs in with phone or e-mail; acts for the new organisation.
    let by_phone = s.sign_in("138 0013 8001", "yi-pass-2026").await.unwrap();
    assert_eq!(by_phone.account["name"], "乙科技有限公司");
    let by_mail = s.sign_in("Wang@Yi.cn", "yi-pass-2026").await.unwrap();
    let org = by_mail.account["organization_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = s.get(&format!("/api/v1/organizations/{org}"), None).await;
    assert_eq!(o.body["name"], "乙科技有限公司");

    // Joining an existing organisation of that name.
    let r = s
        .post(
            "/api/v1/registrations",
            None,
            json!({"kind": "enterprise", "org_name": "甲公司", "credit_code": CREDIT_CODE,
                   "contact_name": "赵六", "phone": "13800138002", "email": "zhao@jia.cn",
                   "password": "jia-pass-2026"}),
        )
        .await;
    let jia = r.id();
    let approve_url = format!("/api/v1/registrations/{jia}/approve");
    let r = s.post(&approve_url, Some(&bureau), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let existing =
        s.get("/api/v1/session", Some(&ent)).await.body["account"]["organization_id"].clone();
    assert_eq!(r.body["account"]["organization_id"], existing);
    assert_eq!(
        r.body["account"]["name"], "甲公司",
        "named after its organisation"
    );

    // An institution (no credit code needed), rejected with a reason shown at sign-in.
    let r = s
        .post(
            "/api/v1/registrations",
            None,
            json!({"kind": "institution", "org_name": "某某研究院", "contact_name": "钱七",
                   "phone": "13800138003", "email": "qian@yjy.cn", "password": "yjy-pass-2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let inst = r.id();
    let reject_url = format!("/api/v1/registrations/{inst}/reject");
    let r = s
        .post(&reject_url, Some(&bureau), json!({"reason": " "}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "reason");
    let body = json!({"reason": "单位信息无法核实"});
    let r = s.post(&reject_url, Some(&bureau), body).await;
    assert_eq!(r.status, StatusCode::OK);
    let refused = s.sign_in("qian@yjy.cn", "yjy-pass-2026").await.unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.message().contains("单位信息无法核实"));

    // Both decisions are in the audit log, without contact values.
    for action in ["registration_approve", "registration_reject"] {
        let log = s
            .get(&format!("/api/v1/audit?action={action}"), Some(&bureau))
            .await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(
            log.body["total"].as_i64().unwrap() >= 1,
            "{action}: {:?}",
            log.body
        );
        let text = log.body.to_string();
        assert!(!text.contains("13800138") && !text.contains("@"), "{text}");
    }
}

pub async fn admins_manage_accounts(s: TestServer) {
    let admin = s.token("root", Role::Admin, None).await;
    let bureau = s.token("kjj", Role::Bureau, None).await;
    s.assert_guarded(Method::GET, "/api/v1/users", &bureau, None)
        .await;

    let body = json!({"name": "", "role": "boss", "password": "abc", "email": "x"});
    let r = s.post("/api/v1/users", Some(&admin), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&r), ["name", "role", "email", "password"]);
    let r = s
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"name": "丙公司账号", "role": "enterprise", "org": "丙公司",
                   "phone": "13900139000", "password": "bing-pass-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.id();
    let list = s.get("/api/v1/users", Some(&admin)).await;
    assert!(list.items().iter().any(|u| u["id"] == id));
    let session = s.sign_in("13900139000", "bing-pass-1").await.unwrap();

    // Disable: the session stops at once and sign-in is refused, with the reason.
    let user_url = format!("/api/v1/users/{id}");
    let r = s
        .patch(&user_url, Some(&admin), json!({"disabled": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["disabled"], true);
    let r = s.whoami(&session.cookie).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let refused = s.sign_in("13900139000", "bing-pass-1").await.unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.message().contains("停用"));
    let r = s
        .patch(&user_url, Some(&admin), json!({"disabled": false}))
        .await;
    assert_eq!(r.body["disabled"], false);
    let session = s.sign_in("13900139000", "bing-pass-1").await.unwrap();

    // Reset the password: the old one fails, the new one works, sessions ended.
    let password_url = format!("/api/v1/users/{id}/password");
    let r = s
        .post(&password_url, Some(&admin), json!({"password": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "password");
    let body = json!({"password": "bing-new-2"});
    let r = s.post(&password_url, Some(&admin), body).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = s.whoami(&session.cookie).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(s.sign_in("13900139000", "bing-pass-1").await.is_err());
    assert!(s.sign_in("13900139000", "bing-new-2").await.is_ok());

    // Change a role; not one's own.
    let r = s
        .patch(&user_url, Some(&admin), json!({"role": "bureau"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["role"], "bureau");
    let me = s.get("/api/v1/session", Some(&admin)).await.body["account"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user_url = format!("/api/v1/users/{me}");
    let r = s
        .patch(&user_url, Some(&admin), json!({"disabled": true}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Each action is in the audit log.
    for action in [
        "user_add",
        "user_disable",
        "user_enable",
        "password_reset",
        "role_change",
    ] {
        let log = s
            .get(&format!("/api/v1/audit?action={action}"), Some(&admin))
            .await;
        assert!(log.body["total"].as_i64().unwrap() >= 1, "{action}");
        assert!(!log.body.to_string().contains("13900139000"));
    }
}

pub async fn own_password_contact_and_tokens(s: TestServer) {
    let token = s.token("inst", Role::Institution, Some("郑州大学")).await;
    let other = s.token("other", Role::Institution, Some("河南大学")).await;
    let here = s.sign_in("inst", &token).await.unwrap();
    let elsewhere = s.sign_in("inst", &token).await.unwrap();

    // Password: the old one is required; the other sessions end, this one stays.
    let password = "/api/v1/me/password";
    let change = json!({"old_password": "wrong-1", "new_password": "short"});
    let r = s
        .session_call(Method::POST, password, &here, Some(change))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&r), ["new_password", "old_password"]);
    let change = json!({"old_password": token, "new_password": "zzu-new-2026"});
    let r = s
        .session_call(Method::POST, password, &here, Some(change))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let still = s.whoami(&here.cookie).await;
    assert_eq!(still.status, StatusCode::OK);
    let gone = s.whoami(&elsewhere.cookie).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    assert!(s.sign_in("inst", &token).await.is_err());
    assert!(s.sign_in("inst", "zzu-new-2026").await.is_ok());

    // Contact: e-mail and phone become sign-in names; one account each.
    let body = json!({"email": "li@zzu.edu.cn", "phone": "13700137000"});
    let r = s.patch("/api/v1/me", Some(&token), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["account"]["email"], "li@zzu.edu.cn");
    assert!(s.sign_in("li@zzu.edu.cn", "zzu-new-2026").await.is_ok());
    let body = json!({"email": "LI@zzu.edu.cn", "phone": "12"});
    let r = s.patch("/api/v1/me", Some(&other), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&r), ["phone"]);
    let email = json!({"email": "LI@zzu.edu.cn"});
    let r = s.patch("/api/v1/me", Some(&other), email).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "email");

    // Tokens: several, each shown once, revocable; the first (from `user add`) is listed.
    let list = s.get("/api/v1/me/tokens", Some(&token)).await;
    assert_eq!(list.items().len(), 1);
    assert_eq!(list.body["items"][0]["label"], "初始令牌");
    let label = json!({"label": "同步脚本"});
    let r = s.post("/api/v1/me/tokens", Some(&token), label).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let second = r.body["token"].as_str().unwrap().to_string();
    let second_id = r.id();
    assert_eq!(
        s.get("/api/v1/session", Some(&second)).await.status,
        StatusCode::OK
    );
    let list = s.get("/api/v1/me/tokens", Some(&second)).await;
    assert_eq!(list.items().len(), 2);
    assert!(
        !list.body.to_string().contains(&second),
        "a token is shown once"
    );
    // Another account cannot revoke it.
    let token_url = format!("/api/v1/me/tokens/{second_id}");
    let r = s.delete(&token_url, Some(&other)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s.delete(&token_url, Some(&token)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v1/session", Some(&second)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v1/session", Some(&token)).await.status,
        StatusCode::OK
    );
}
