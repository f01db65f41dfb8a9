//! The pages over plain HTTP: status, language, headers, cookies, CSRF, escaping, redaction.

use crate::support::{
    caller, demand_form, published_demand, server, submitted_demand, TestServer, Visitor,
};
use duijie_app::Caller;
use duijie_core::{Demand, Role};
use reqwest::StatusCode;

const PHONE: &str = "13912345678";

/// Where the review, catalogue and return walks start: 甲公司 has submitted a demand of each
/// title, and the bureau is there to see them.
struct Submitted {
    s: TestServer,
    ent: Caller,
    ent_token: String,
    bureau: Caller,
    bureau_token: String,
    demands: Vec<Demand>,
}

async fn submitted(titles: &[&str]) -> Submitted {
    let s = server().await;
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let bureau_token = s.token("bureau", Role::Bureau, None).await;
    let ent = caller(&s.app, &ent_token).await;
    let bureau = caller(&s.app, &bureau_token).await;
    let mut demands = Vec::new();
    for title in titles {
        demands.push(submitted_demand(&s.app, &ent, &demand_form(title, PHONE)).await);
    }
    Submitted {
        s,
        ent,
        ent_token,
        bureau,
        bureau_token,
        demands,
    }
}

impl Submitted {
    /// A visitor signed in with `token`.
    async fn visitor(&self, token: &str) -> Visitor {
        let mut v = Visitor::new(&self.s.base);
        v.sign_in(token).await;
        v
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_chinese_and_carry_security_headers() {
    let s = server().await;
    let mut v = Visitor::new(&s.base);
    for path in [
        "/",
        "/demands",
        "/achievements",
        "/experts",
        "/catalogues",
        "/login",
    ] {
        let p = v.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(p.body.contains("<html lang=\"zh-CN\">"), "{path}");
        let h = |name: &str| {
            p.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            h("content-security-policy").contains("default-src 'self'"),
            "{path}"
        );
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h("x-frame-options"), "DENY");
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert!(!h("referrer-policy").is_empty());
    }
    let p = v.get("/").await;
    assert!(p.body.contains("技术需求") && p.body.contains("搜索"));
    assert!(p.body.contains("登录"));

    let p = v.get("/no/such/page").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("页面不存在"));
    assert!(p.body.contains("lang=\"zh-CN\""));

    let css = v.get("/static/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/css"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_an_httponly_cookie_and_shows_the_role() {
    let s = server().await;
    let token = s
        .token("ent", Role::Enterprise, Some("灵宝市华鑫机械制造有限公司"))
        .await;
    let mut v = Visitor::new(&s.base);

    let p = v.get("/my/demands").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/login?next=%2Fmy%2Fdemands");
    let csrf = p
        .set_cookie("dj_csrf")
        .expect("csrf cookie on the first visit");
    assert!(csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"));
    let p = v.get("/login").await;
    assert!(
        p.set_cookie("dj_csrf").is_none(),
        "the token stays for the session"
    );
    assert!(p.body.contains("name=\"next\" value=\"\""));

    let form = [
        ("account", "ent"),
        ("password", "wrong-pass1"),
        ("next", ""),
    ];
    let p = v.post("/login", &form).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("账号或密码不正确"));
    assert!(
        p.body.contains("value=\"ent\""),
        "the account name stays typed"
    );
    let p = v
        .post("/login", &[("account", ""), ("password", ""), ("next", "")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("请填写手机号或电子邮箱") && p.body.contains("请填写密码"));
    let form = [
        ("account", "x\r\nSet-Cookie: a=b"),
        ("password", "x1"),
        ("next", ""),
    ];
    let p = v.post("/login", &form).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);

    let form: [(&str, &str); 3] = [
        ("account", "ent"),
        ("password", &token),
        ("next", "//evil.example/"),
    ];
    let p = v.post("/login", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/my/demands", "only local paths are followed");
    let session = p.set_cookie("dj_session").expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(!p.body.contains(&token));
    assert!(
        !session.contains(&token),
        "the cookie holds a session id, not the token"
    );

    let p = v.get("/my/demands").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("我的需求") && p.body.contains("发布需求"));
    assert!(p.body.contains("企业"), "role label");
    assert!(
        p.body.contains("href=\"/account\"")
            && p.body.contains("我的账号")
            && p.body.contains("退出"),
        "the header names who is signed in, with 我的账号 and 退出"
    );
    assert!(
        !p.body.contains("审核队列"),
        "no bureau navigation for an enterprise"
    );

    let p = v.get("/review").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("无权"));

    let old_session = v.cookie("dj_session").unwrap().to_string();
    let p = v.post("/logout", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(v.cookie("dj_session").is_none());
    let p = v.get("/my/demands").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // The signed-out cookie, sent again, opens nothing: pages and API alike.
    let mut replay = Visitor::new(&s.base);
    replay.set_cookie("dj_session", &old_session);
    let p = replay.get("/my/demands").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location().starts_with("/login"));
    let r = s
        .call_session(
            reqwest::Method::GET,
            "/api/v1/session",
            &old_session,
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_without_the_csrf_token_are_refused() {
    let s = server().await;
    let token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let mut v = Visitor::signed_in(&s.base, &token).await;
    let fields = [("title", "一个需求"), ("description", "需求描述")];

    let p = v.post_raw("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("表单已失效"));
    let entries = [
        ("csrf", "00ff"),
        ("title", "一个需求"),
        ("description", "需求描述"),
    ];
    let p = v.post_raw("/demands/new", &entries).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = v.post_raw("/logout", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        v.cookie("dj_session").is_some(),
        "a forged logout does nothing"
    );

    // A visitor without the CSRF cookie (another site's form) is refused even with a token.
    let mut stranger = Visitor::new(&s.base);
    let entries: [(&str, &str); 3] = [("csrf", "abc"), ("account", "ent"), ("password", &token)];
    let p = stranger.post_raw("/login", &entries).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // A CSRF cookie planted by another site (with its own value in the form) does not pass
    // for a signed-in visitor: the token is the session's.
    let real = v.cookie("dj_csrf").unwrap().to_string();
    v.set_cookie("dj_csrf", "planted0123");
    let entries = [
        ("csrf", "planted0123"),
        ("title", "一个需求"),
        ("description", "需求描述"),
    ];
    let p = v.post_raw("/demands/new", &entries).await;
    assert_eq!(
        p.status,
        StatusCode::FORBIDDEN,
        "a planted csrf cookie is refused"
    );
    v.set_cookie("dj_csrf", &real);

    let p = v.post("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location().starts_with("/demands/dem_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demand_form_shows_chinese_errors_next_to_the_field() {
    let s = server().await;
    let token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let mut v = Visitor::signed_in(&s.base, &token).await;

    let p = v.get("/demands/new").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("需求名称") && p.body.contains("合作方式"));

    let fields = [
        ("title", "高纯氧化铝"),
        ("description", "工艺优化"),
        ("contact_phone", "12345"),
    ];
    let p = v.post("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("id=\"err-contact_phone\""),
        "error next to the phone field"
    );
    assert!(p.body.contains("联系电话格式不正确"));
    assert!(p.body.contains("value=\"高纯氧化铝\""), "typed values kept");

    let fields = [("title", ""), ("description", "工艺优化")];
    let p = v.post("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("id=\"err-title\"") && p.body.contains("需求名称不能为空"));

    // Every problem of the form at once, each beside its field, in Chinese only.
    let fields = [
        ("title", ""),
        ("description", "乙"),
        ("budget_wan", "很多"),
        ("contact_phone", "12345"),
        ("contact_email", "no-at-sign"),
    ];
    let p = v.post("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    for field in ["title", "budget_wan", "contact_phone", "contact_email"] {
        assert!(
            p.body.contains(&format!("id=\"err-{field}\"")),
            "{field} has its error beside it"
        );
    }
    assert!(p.body.contains("有 4 处需要修改"), "the banner counts them");
    for english in ["is required", "invalid", "too long", "not found"] {
        assert!(
            !p.body.contains(english),
            "English tail {english:?} on the page"
        );
    }

    let fields: [(&str, &str); 8] = [
        ("title", "高纯氧化铝粉体制备工艺优化"),
        ("description", "烧结活性不足，需要优化煅烧工艺"),
        ("field", "新材料"),
        ("modes", "合作开发"),
        ("modes", "技术转让"),
        ("budget_wan", "50"),
        ("keywords", "氧化铝、煅烧"),
        ("contact_phone", PHONE),
    ];
    let p = v.post("/demands/new", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let detail = p.location().to_string();
    let p = v.get(&detail).await;
    assert!(p.body.contains("草稿") && p.body.contains("提交审核"));
    assert!(p.body.contains("技术转让") && p.body.contains("50 万元"));
    assert!(p.body.contains(PHONE), "the owner sees the contact");

    let id = detail
        .trim_start_matches("/demands/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let p = v.post(&format!("/demands/{id}/submit"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("待审核"));
    let p = v.get("/my/demands").await;
    assert!(p.body.contains("高纯氧化铝粉体制备工艺优化") && p.body.contains("待审核"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_never_see_contact_details_and_titles_are_escaped() {
    let s = server().await;
    let ent = caller(
        &s.app,
        &s.token("ent", Role::Enterprise, Some("甲公司")).await,
    )
    .await;
    let bureau = caller(&s.app, &s.token("bureau", Role::Bureau, None).await).await;
    let inst_token = s.token("inst", Role::Institution, Some("浙江大学")).await;
    let title = "<script>alert(1)</script>氧化铝烧结";
    let id = published_demand(&s.app, &ent, &bureau, &demand_form(title, PHONE)).await;

    let mut anon = Visitor::new(&s.base);
    for path in [
        format!("/demands/{id}"),
        "/demands".to_string(),
        "/demands?q=%E6%B0%A7%E5%8C%96%E9%93%9D".to_string(),
        "/".to_string(),
    ] {
        let p = anon.get(&path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(
            !p.body.contains(PHONE),
            "{path} shows the phone to anonymous visitors"
        );
        assert!(!p.body.contains("zhangsan@example.cn"), "{path}");
        assert!(
            !p.body.contains("<script>"),
            "{path} lets the title through unescaped"
        );
        assert!(
            p.body.contains("&lt;script&gt;"),
            "{path} should show the escaped title"
        );
    }
    let p = anon.get("/?q=script").await;
    assert!(!p.body.contains("<script>") && !p.body.contains(PHONE));
    let p = anon.get(&format!("/demands/{id}")).await;
    assert!(p.body.contains("联系方式仅向有权限的用户展示"));
    let p = anon.get("/demands?q=%E6%B0%A7%E5%8C%96%E9%93%9D").await;
    assert!(
        p.body.contains("<em>"),
        "highlighted snippet rendered as HTML"
    );

    let mut inst = Visitor::signed_in(&s.base, &inst_token).await;
    let p = inst.get(&format!("/demands/{id}")).await;
    assert!(
        p.body.contains(PHONE),
        "a signed-in institution sees the contact"
    );
    let p = inst.get("/recommended").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("推荐需求"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_with_the_suggested_return_note_untouched_sends_no_note() {
    // No deadline: the queue fills the note box with what a return would ask for.
    let w = submitted(&["高纯氧化铝粉体煅烧工艺"]).await;
    let (s, ent, d) = (&w.s, &w.ent, &w.demands[0]);
    let mut v = w.visitor(&w.bureau_token).await;
    let p = v.get("/review").await;
    let suggested = p
        .body
        .split("name=\"suggested\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the suggestion travels with the form")
        .to_string();
    assert!(suggested.contains("截止日期"), "{suggested}");
    let fields: [(&str, &str); 3] = [
        ("decision", "approve"),
        ("note", &suggested),
        ("suggested", &suggested),
    ];
    let p = v.post(&format!("/demands/{}/review", d.id), &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let history = s.app.demand_history(ent, &d.id).await.expect("history");
    assert!(
        history.iter().all(|e| e.note.is_empty()),
        "an approval carries no return note: {history:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_reviews_imports_and_publishes_through_pages() {
    let w = submitted(&["锂电池正极材料回收"]).await;
    let (s, d) = (&w.s, &w.demands[0]);
    let mut v = w.visitor(&w.bureau_token).await;
    let p = v.get("/review").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("锂电池正极材料回收"));

    let form = [("decision", "reject"), ("note", "")];
    let p = v.post(&format!("/demands/{}/review", d.id), &form).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("请写明原因"));
    let form = [("decision", "approve"), ("note", "")];
    let p = v.post(&format!("/demands/{}/review", d.id), &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("审核通过"));
    assert!(
        !p.body.contains("锂电池正极材料回收"),
        "the queue is empty again"
    );

    let form = [
        ("title", "2026年第4期企业技术需求目录"),
        ("period", "2026Q4"),
    ];
    let p = v.post("/catalogues", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let edition = p.location().to_string();
    let p = v.get(&edition).await;
    assert!(
        p.body.contains("锂电池正极材料回收"),
        "approved demand offered"
    );
    let p = v
        .post(&format!("{edition}/items"), &[("demand_ids", &d.id)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.post(&format!("{edition}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    s.indexed().await;

    let mut anon = Visitor::new(&s.base);
    let p = anon.get(&edition).await;
    assert!(p.body.contains("已发布") && p.body.contains("锂电池正极材料回收"));
    assert!(!p.body.contains(PHONE));
    let p = anon.get(&format!("{edition}/export?format=csv")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("锂电池正极材料回收") && !p.body.contains(PHONE));
    let p = anon
        .get(&format!("{edition}/export?format=csv&full=true"))
        .await;
    assert_eq!(
        p.status,
        StatusCode::SEE_OTHER,
        "full export needs the bureau: sign in"
    );
    let p = anon.get("/demands").await;
    assert!(p.body.contains("锂电池正极材料回收"));

    let csv = "需求名称,需求单位,需求内容,联系电话\n\
               果品冷链物流路径优化,三门峡果香园农业科技有限公司,苹果冷链运输损耗高,13800000002\n\
               ,三门峡果香园农业科技有限公司,缺少名称,13800000003\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", v.cookie("dj_csrf").unwrap_or_default().to_string())
        .text("kind", "demands")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("需求目录.csv"),
        );
    let p = v.post_multipart("/imports", form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("导入报告") && p.body.contains("id=\"row-errors\""));
    assert!(p.body.contains("需求目录.csv"));

    let no_csrf = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("x.csv"),
    );
    let p = v.post_multipart("/imports", no_csrf).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

/// A demand the bureau returned carries the bureau's note, line breaks kept, as a banner on
/// the demand page and on the edit form the owner fixes it in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_demand_shows_the_bureau_note_on_the_page_and_the_form() {
    let w = submitted(&["高纯氧化铝粉体烧结"]).await;
    let (s, d) = (&w.s, &w.demands[0]);
    s.app
        .review_demand(
            &w.bureau,
            &d.id,
            duijie_app::ReviewDecision::RequestChanges,
            "请补充量化指标\n并说明现有工艺",
            None,
        )
        .await
        .expect("return");

    let mut v = w.visitor(&w.ent_token).await;
    for page in [
        format!("/demands/{}", d.id),
        format!("/demands/{}/edit", d.id),
    ] {
        let p = v.get(&page).await;
        assert_eq!(p.status, StatusCode::OK, "{page}");
        let banner = p
            .body
            .split("class=\"notice review-note\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no review banner on {page}"));
        assert!(banner.contains("科技局审核意见"), "{page}");
        assert!(
            banner.contains("请补充量化指标\n并说明现有工艺"),
            "the note with its line break on {page}"
        );
    }
    // Others never see it.
    let anon = Visitor::new(&s.base)
        .get(&format!("/demands/{}", d.id))
        .await;
    assert!(!anon.body.contains("review-note"));
}

/// A draft edition never gets stuck: nothing is pre-ticked when adding, a demand withdrawn
/// after it was listed is named by title when publishing fails and is taken out with one
/// button, and a draft can be deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_catalogue_can_drop_items_publish_and_be_deleted() {
    let w = submitted(&["锂电池正极材料回收", "果品冷链保鲜"]).await;
    let (s, ent) = (&w.s, &w.ent);
    let mut ids = Vec::new();
    for d in &w.demands {
        s.app
            .review_demand(
                &w.bureau,
                &d.id,
                duijie_app::ReviewDecision::Approve,
                "",
                None,
            )
            .await
            .expect("approve");
        ids.push(d.id.clone());
    }
    let mut v = w.visitor(&w.bureau_token).await;
    let p = v.post("/catalogues", &[("title", "第5期目录")]).await;
    let edition = p.location().to_string();
    let p = v.get(&edition).await;
    assert!(p.body.contains("果品冷链保鲜"), "approved demands offered");
    assert!(
        !p.body.contains("checked"),
        "nothing is pre-ticked when adding"
    );
    let items = format!("{edition}/items");
    let form: [(&str, &str); 2] = [("demand_ids", &ids[0]), ("demand_ids", &ids[1])];
    let p = v.post(&items, &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    s.app
        .withdraw_demand(ent, &ids[1], "")
        .await
        .expect("withdraw");

    let p = v.post(&format!("{edition}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        p.body.contains("果品冷链保鲜") && p.body.contains("移出本期目录"),
        "the failure names the demand and what to do"
    );
    let p = v
        .post(&format!("{edition}/items/{}/remove", ids[1]), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.post(&format!("{edition}/publish"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    let p = v.post("/catalogues", &[("title", "第6期目录")]).await;
    let draft = p.location().to_string();
    let p = v.post(&format!("{draft}/delete"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(v.get(&draft).await.status, StatusCode::NOT_FOUND);
    // A published edition is not deleted.
    let p = v.post(&format!("{edition}/delete"), &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
}

/// 撤回 asks first (what happens, and the way back), then the owner can reopen the demand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_asks_first_and_a_withdrawn_demand_can_be_reopened() {
    let s = server().await;
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let ent = caller(&s.app, &ent_token).await;
    let d = s
        .app
        .create_demand(&ent, &demand_form("高纯氧化铝粉体烧结", PHONE))
        .await
        .expect("create");
    let mut v = Visitor::signed_in(&s.base, &ent_token).await;
    let page = format!("/demands/{}", d.id);
    let p = v.get(&page).await;
    assert!(
        p.body.contains(&format!("href=\"{page}/withdraw\"")),
        "撤回 leads to a confirmation, not straight to the action"
    );
    let p = v.get(&format!("{page}/withdraw")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("确认撤回") && p.body.contains("重新打开"));
    let p = v
        .post(&format!("{page}/withdraw"), &[("note", "暂缓")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(&page).await;
    assert!(p.body.contains("已撤回") && p.body.contains("重新打开"));
    let p = v.post(&format!("{page}/reopen"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("重新打开为草稿") && p.body.contains("提交审核"));
    // It was never published or answered: the draft can go.
    assert!(p.body.contains(&format!("action=\"{page}/delete\"")));
    let p = v.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("草稿已删除"));
    assert_eq!(v.get(&page).await.status, StatusCode::NOT_FOUND);
}

/// Evidence leads somewhere: an achievement links to its institution and its leader, the
/// leader's page lists what they lead, and the institution's page gathers its records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn achievements_experts_and_institutions_link_to_each_other() {
    use duijie_core::{AchievementDraft, Draft};
    let s = server().await;
    let records = [
        ("高纯氧化铝粉体制备", "李一"),
        ("氧化铝陶瓷烧结工艺", "李一"),
    ]
    .iter()
    .map(|(title, leader)| {
        Draft::Achievement(AchievementDraft {
            org_name: "郑州大学".into(),
            title: (*title).into(),
            leader: Some((*leader).into()),
            ..Default::default()
        })
    })
    .collect();
    s.import_achievements(records).await;
    s.indexed().await;
    let found = s
        .app
        .search_achievements(&duijie_app::SearchParams {
            q: Some("高纯氧化铝粉体制备".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    let a = &found.items[0].record;
    let expert = a
        .expert_id
        .clone()
        .expect("leader linked to an expert record");

    let mut v = Visitor::new(&s.base);
    let p = v.get(&format!("/achievements/{}", a.id)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body
            .contains(&format!("href=\"/organizations/{}\"", a.org_id)),
        "{}",
        &p.body[p.body.find("基本信息").unwrap_or(0)..]
    );
    assert!(p.body.contains(&format!("href=\"/experts/{expert}\"")));

    let p = v.get(&format!("/experts/{expert}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("负责的项目与成果"));
    assert!(p.body.contains("高纯氧化铝粉体制备") && p.body.contains("氧化铝陶瓷烧结工艺"));

    let p = v.get(&format!("/organizations/{}", a.org_id)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("郑州大学") && p.body.contains("氧化铝陶瓷烧结工艺"));
    assert!(p.body.contains("可共享的科研仪器"));
    assert_eq!(
        v.get("/organizations/org_nope").await.status,
        StatusCode::NOT_FOUND
    );
}
