//! The pages in headless Chromium: every role signs in through the form, an enterprise writes
//! and submits a demand, the bureau approves it and publishes it in a catalogue edition, and
//! anonymous visitors then find it without ever seeing its contact details; and the whole
//! docking journey of issue #19, from self-registration to the e-mail at a real SMTP server.
//!
//! `DUIJIE_SCREENSHOTS=docs/screenshots` also saves screenshots of the main pages there.

use crate::support::{
    caller, demand_form, load_demo, mail_config, published_demand, received_mail, Db, Driver, Smtp,
    TestServer,
};
use duijie_app::MailWorker;
use duijie_core::Role;
use fantoccini::{Client, Locator};
use std::path::PathBuf;
use std::time::Duration;

const TITLE: &str = "氢燃料电池金属双极板涂层耐腐蚀工艺";
const PHONE: &str = "13698765432";
const WIDTH: u32 = 1280;
/// A common phone's CSS width.
const PHONE_WIDTH: u32 = 390;

struct Tab {
    c: Client,
    base: String,
    shots: Option<PathBuf>,
}

impl Tab {
    /// A new Chromium window at desktop width on the server at `base`.
    async fn new(driver: &Driver, base: &str) -> Tab {
        Tab {
            c: driver.browser(WIDTH, 900).await,
            base: base.to_string(),
            shots: std::env::var_os("DUIJIE_SCREENSHOTS").map(PathBuf::from),
        }
    }

    async fn open(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("goto");
        self.check_page().await;
    }

    /// Every page is Chinese and complete.
    async fn check_page(&self) {
        let html = self.c.find(Locator::Css("html")).await.expect("html");
        assert_eq!(
            html.attr("lang").await.expect("lang").as_deref(),
            Some("zh-CN")
        );
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("footer"))
            .await
            .expect("page rendered in full");
    }

    async fn path(&self) -> String {
        let url = self.c.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    async fn source(&self) -> String {
        self.c.source().await.expect("source")
    }

    /// Clicks a link or button and waits for the page it leads to.
    async fn click(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.expect("html");
        self.pick(css).await;
        for _ in 0..200 {
            if old.attr("lang").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.check_page().await;
    }

    /// Clicks what stays on the page (a checkbox, an option).
    async fn pick(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self
            .c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Signs in as the account of a test token (its password is the token).
    async fn sign_in(&self, token: &str) {
        let account = duijie_e2e::account_of(token).expect("a test token's account");
        self.sign_in_as(&account, token).await;
    }

    async fn sign_in_as(&self, account: &str, password: &str) {
        self.open("/login").await;
        self.fill("#account", account).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
    }

    async fn sign_out(&self) {
        self.click("form[action='/logout'] button").await;
        assert!(
            self.source().await.contains("class=\"login\""),
            "signed out"
        );
    }

    /// Checks that the page fits a phone's width (nothing wider than the screen but what
    /// scrolls inside its own frame), and saves it at desktop and phone width when
    /// screenshots are asked for.
    async fn shot(&self, name: &str) {
        self.c
            .set_window_size(PHONE_WIDTH, 900)
            .await
            .expect("resize");
        tokio::time::sleep(Duration::from_millis(150)).await;
        let overflow = self
            .c
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        assert!(
            overflow <= 1,
            "{name}: {overflow} px wider than a {PHONE_WIDTH} px phone"
        );
        if let Some(dir) = &self.shots {
            std::fs::create_dir_all(dir).expect("screenshot dir");
            for (width, suffix) in [(WIDTH, ""), (PHONE_WIDTH, "-phone")] {
                self.c.set_window_size(width, 900).await.expect("resize");
                let height = self
                    .c
                    .execute("return document.documentElement.scrollHeight;", vec![])
                    .await
                    .ok()
                    .and_then(|v| v.as_u64())
                    .unwrap_or(900)
                    .clamp(700, 2600) as u32;
                self.c
                    .set_window_size(width, height + 120)
                    .await
                    .expect("resize");
                tokio::time::sleep(Duration::from_millis(150)).await;
                let png = self.c.screenshot().await.expect("screenshot");
                std::fs::write(dir.join(format!("{name}{suffix}.png")), png)
                    .expect("write screenshot");
            }
        }
        self.c.set_window_size(WIDTH, 900).await.expect("resize");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_works_through_the_pages_in_a_browser() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let s = TestServer::start(Db::Sqlite).await.expect("server");
    load_demo(&s.app).await;
    let enterprise = s
        .token(
            "demo-enterprise",
            Role::Enterprise,
            Some("灵宝市华鑫机械制造有限公司"),
        )
        .await;
    let institution = s
        .token("demo-institution", Role::Institution, Some("清华大学"))
        .await;
    let bureau = s.token("demo-bureau", Role::Bureau, None).await;
    let tab = Tab::new(&driver, &s.base).await;

    // Anonymous: search and browse.
    tab.open("/").await;
    assert!(tab
        .source()
        .await
        .contains("让企业技术难题找到对的科研团队"));
    tab.shot("home").await;
    tab.fill("input[name=q]", "供应链 库存").await;
    tab.click("form[role=search] button").await;
    assert!(tab.source().await.contains("<em>"), "highlighted results");
    tab.shot("home-search").await;
    tab.open("/demands").await;
    tab.shot("demands").await;
    tab.click(".facets a[href*='field=']").await;
    assert!(tab.path().await.contains("field="));
    tab.open("/achievements?q=%E5%86%B3%E7%AD%96").await;
    tab.shot("achievements").await;
    tab.open("/demands?q=%E4%BE%9B%E5%BA%94%E9%93%BE").await;
    tab.click(".result h3 a").await;
    let demo_demand = tab.path().await;
    let page = tab.source().await;
    assert!(page.contains("匹配推荐"));
    assert!(
        !page.contains("13800000001"),
        "anonymous visitors never see contact details"
    );
    assert!(page.contains("联系方式仅向有权限的用户展示"));
    tab.shot("demand-detail").await;

    // Enterprise: write a demand, fix what the form refuses, submit it.
    tab.sign_in(&enterprise).await;
    assert_eq!(tab.path().await, "/my/demands");
    assert!(tab.source().await.contains("我的需求"));
    tab.open("/demands/new").await;
    tab.fill("#title", TITLE).await;
    tab.fill(
        "#description",
        "公司生产质子交换膜燃料电池金属双极板，现有涂层在酸性湿热环境下腐蚀电流偏高，寿命不足，需要改进涂层材料与沉积工艺。",
    )
    .await;
    tab.fill("#goals", "腐蚀电流密度低于1μA/cm²，接触电阻低于10mΩ·cm²")
        .await;
    tab.pick("#field option[value='新能源与节能']").await;
    tab.pick("input[name=modes][value='合作开发']").await;
    tab.fill("#budget_wan", "120").await;
    tab.fill("#region", "灵宝市").await;
    tab.fill("#contact_name", "刘工").await;
    tab.fill("#contact_phone", "12345").await;
    tab.click("form.form button[type=submit]").await;
    let page = tab.source().await;
    assert!(
        page.contains("联系电话格式不正确"),
        "validation message in Chinese"
    );
    tab.c
        .find(Locator::Css("#err-contact_phone"))
        .await
        .expect("message next to the field");
    tab.shot("demand-form").await;
    tab.fill("#contact_phone", PHONE).await;
    tab.click("form.form button[type=submit]").await;
    let created = tab.path().await;
    assert!(created.starts_with("/demands/dem_"), "{created}");
    let detail = created.split('?').next().unwrap_or_default().to_string();
    let id = detail.trim_start_matches("/demands/").to_string();
    assert!(tab.source().await.contains("草稿"));
    tab.click("form[action$='/submit'] button").await;
    assert!(tab.source().await.contains("待审核"));
    tab.open("/my/demands").await;
    tab.shot("my-demands").await;
    tab.sign_out().await;

    // Bureau: approve from the queue, compile and publish an edition, import a file.
    tab.sign_in(&bureau).await;
    assert_eq!(tab.path().await, "/review");
    assert!(tab.source().await.contains(TITLE));
    tab.shot("review-queue").await;
    tab.click(&format!(
        "form[action='/demands/{id}/review'] button[value=approve]"
    ))
    .await;
    assert!(tab.source().await.contains("审核通过"));
    tab.open("/catalogues").await;
    tab.fill("#title", "2026年第4期企业技术需求目录").await;
    tab.fill("#period", "2026Q4").await;
    tab.click("form[action='/catalogues'] button").await;
    assert!(
        tab.source().await.contains(TITLE),
        "approved demand offered for the edition"
    );
    // Nothing is pre-ticked: the officer chooses what goes into the edition.
    tab.pick("form[action$='/items'] input[name='demand_ids']")
        .await;
    tab.click("form[action$='/items'] button").await;
    tab.click("form[action$='/publish'] button").await;
    assert!(tab.source().await.contains("已发布"));
    tab.shot("catalogue").await;
    let upload = std::env::temp_dir().join(format!("duijie-import-{}.csv", std::process::id()));
    std::fs::write(
        &upload,
        "2026年第5期企业技术需求（补充）\n需求名称,需求单位,需求内容,所属领域,联系电话\n\
         果品冷链仓储温湿度智能监控,三门峡果香园农业科技有限公司,冷库温湿度靠人工巡检，需要低成本的监控与预警系统,现代农业,13800000009\n\
         ,三门峡果香园农业科技有限公司,缺少需求名称的一行,现代农业,13800000010\n",
    )
    .expect("upload file");
    tab.open("/imports").await;
    tab.c
        .find(Locator::Css("#file"))
        .await
        .expect("file input")
        .send_keys(&upload.to_string_lossy())
        .await
        .expect("choose file");
    tab.click("form[action='/imports'] button").await;
    let _ = std::fs::remove_file(&upload);
    assert!(
        tab.source().await.contains("row-errors"),
        "report with row errors"
    );
    tab.shot("import-report").await;
    tab.sign_out().await;
    s.indexed().await;

    // Anonymous again: the published demand is public, its contact details are not.
    tab.open("/demands?q=%E5%8F%8C%E6%9E%81%E6%9D%BF").await;
    assert!(tab.source().await.contains(&id), "published demand found");
    tab.open(&detail).await;
    let page = tab.source().await;
    assert!(page.contains(TITLE));
    assert!(
        !page.contains(PHONE),
        "anonymous visitors never see contact details"
    );
    assert!(!page.contains("刘工"));

    // Institution: recommendations, and the contact details of a published demand.
    tab.sign_in(&institution).await;
    assert_eq!(tab.path().await, "/recommended");
    tab.shot("recommended").await;
    tab.open(&detail).await;
    assert!(
        tab.source().await.contains(PHONE),
        "institutions see contact details"
    );
    // ... and express interest (揭榜) from the demand page.
    tab.fill("#message", "我校材料学院可承担粉体煅烧工艺优化")
        .await;
    tab.click("#interests form.form button#propose").await;
    let page = tab.source().await;
    assert!(page.contains("我校材料学院可承担粉体煅烧工艺优化") && page.contains("待答复"));
    tab.shot("interest").await;
    tab.open(&demo_demand).await;
    tab.sign_out().await;

    // The owner accepts; the bureau records the project and reads the ledger and the report.
    let interests_url = format!("/api/v1/demands/{id}/interests");
    let listed = s.get(&interests_url, Some(&enterprise)).await;
    let interest = listed.body["items"][0]["id"]
        .as_str()
        .expect("interest listed")
        .to_string();
    let accept_url = format!("/api/v1/interests/{interest}/accept");
    let accepted = s
        .post(&accept_url, Some(&enterprise), serde_json::json!({}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let project = s
        .post(
            "/api/v1/projects",
            Some(&bureau),
            serde_json::json!({"demand_id": id, "institution": "清华大学", "amount_wan": 120,
                               "signed_on": "2026-11-20", "key_project": true}),
        )
        .await;
    assert_eq!(project.status, 201, "{}", project.body);
    tab.sign_in(&bureau).await;
    tab.open("/projects").await;
    assert!(tab.source().await.contains(TITLE), "project in the ledger");
    tab.shot("ledger").await;
    tab.open("/reports/annual?year=2026").await;
    assert!(tab.source().await.contains("<svg"), "report charts");
    tab.shot("annual-report").await;
    tab.open("/committees").await;
    tab.shot("committees").await;
    tab.open("/audit").await;
    assert!(
        tab.source().await.contains("审核通过"),
        "the approval is in the audit log"
    );
    tab.shot("audit").await;
    tab.sign_out().await;
    tab.open("/instruments").await;
    tab.shot("instruments").await;
    tab.open("/trends").await;
    tab.shot("trends").await;

    tab.c.close().await.expect("close browser");
}

/// The pages of accounts, notifications, conversations and the institution's workspace, in
/// Chromium: each fits a phone's width (checked by `shot`) and is saved when screenshots are
/// asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_inbox_conversation_and_workspace_pages_in_a_browser() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let s = TestServer::start(Db::Sqlite).await.expect("server");
    let enterprise = s
        .token(
            "docking-enterprise",
            Role::Enterprise,
            Some("灵宝市华鑫机械制造有限公司"),
        )
        .await;
    let institution = s
        .token("docking-institution", Role::Institution, Some("清华大学"))
        .await;
    let bureau = s.token("docking-bureau", Role::Bureau, None).await;
    let admin = s.token("docking-admin", Role::Admin, None).await;
    let ent = caller(&s.app, &enterprise).await;
    let form = demand_form(TITLE, PHONE);
    let demand = published_demand(&s.app, &ent, &caller(&s.app, &bureau).await, &form).await;
    let interest = s
        .app
        .express_interest(
            &caller(&s.app, &institution).await,
            &demand,
            &duijie_app::InterestForm {
                message: "我校团队长期研究金属双极板表面涂层".into(),
                expert_ids: Vec::new(),
                achievement_ids: Vec::new(),
                instrument_ids: Vec::new(),
                contact_name: Some("李老师".into()),
                contact_phone: Some("13700137000".into()),
                contact_email: Some("li@tsinghua.edu.cn".into()),
            },
        )
        .await
        .expect("揭榜");
    let tab = Tab::new(&driver, &s.base).await;

    tab.open("/register").await;
    assert!(tab.source().await.contains("统一社会信用代码"));
    tab.shot("register").await;

    tab.sign_in(&enterprise).await;
    assert!(tab.source().await.contains("条未读"), "unread count");
    tab.open("/notifications").await;
    assert!(tab.source().await.contains("清华大学"));
    tab.shot("notifications").await;
    tab.open(&format!("/interests/{}", interest.id)).await;
    tab.fill("textarea[name=body]", "请问能否先做小试验证？")
        .await;
    tab.click("form[action$='/messages'] button[type=submit]")
        .await;
    assert!(tab.source().await.contains("请问能否先做小试验证"));
    tab.shot("conversation").await;
    tab.open("/account").await;
    tab.shot("account").await;
    tab.sign_out().await;

    tab.sign_in(&institution).await;
    tab.open("/my/interests").await;
    assert!(tab.source().await.contains(TITLE));
    tab.shot("my-interests").await;
    tab.open("/workspace").await;
    tab.shot("workspace").await;
    tab.sign_out().await;

    tab.sign_in(&bureau).await;
    tab.open("/registrations").await;
    tab.shot("registrations").await;
    tab.open("/record-changes").await;
    tab.shot("record-changes").await;
    tab.sign_out().await;

    tab.sign_in(&admin).await;
    tab.open("/accounts").await;
    assert!(tab.source().await.contains("docking-enterprise"));
    tab.shot("accounts").await;
}

/// The unread count in the header (0 when it shows none).
async fn unread_count(tab: &Tab) -> u32 {
    match tab.c.find(Locator::Css("header .bell .count")).await {
        Ok(count) => {
            let text = count.text().await.expect("count");
            text.parse()
                .unwrap_or_else(|_| panic!("unread count {text:?}"))
        }
        Err(_) => 0,
    }
}

/// The docking journey of issue #19 in Chromium, through the forms alone: an enterprise
/// registers itself, the bureau approves the registration, the enterprise signs in with its
/// password and posts a demand, the bureau approves and publishes it, an institution answers
/// with a 揭榜 and a contact person, the enterprise finds the notification (header and inbox),
/// the two sides write to each other, the enterprise accepts, both see each other's contact,
/// and the notification e-mail reaches a real SMTP server through the mail worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docking_journey_in_a_browser() {
    const ORG: &str = "吴鑫新材料有限公司";
    const ENT_PHONE: &str = "13800138077";
    const ENT_EMAIL: &str = "wu@wuxin-materials.cn";
    const PASSWORD: &str = "wuxin-pass-2026";
    const DEMAND: &str = "高镍三元正极材料循环寿命提升";
    const ZJU_PHONE: &str = "13700137000";
    let Some(driver) = Driver::start().await else {
        return;
    };
    if !Smtp::available() {
        return;
    }
    let mail_dir = tempfile::tempdir().expect("maildir");
    let smtp = Smtp::start(Smtp::free_port(), &mail_dir.path().join("mail")).await;
    let s = TestServer::start(Db::Sqlite).await.expect("server");
    // The worker `serve` starts when duijie.toml has [mail].
    let mailer = MailWorker::new(s.app.clone(), mail_config(smtp.port))
        .expect("mail worker")
        .spawn();
    let bureau = s.token("journey-bureau", Role::Bureau, None).await;
    let zju = s
        .token("journey-zju", Role::Institution, Some("浙江大学"))
        .await;
    // The enterprise's window stays signed in; the other one is the bureau's, then the
    // institution's.
    let ent = Tab::new(&driver, &s.base).await;
    let desk = Tab::new(&driver, &s.base).await;

    // 1. The enterprise registers itself; it cannot sign in before the bureau approves.
    ent.open("/register").await;
    ent.pick("input[name=kind][value=enterprise]").await;
    ent.fill("#org_name", ORG).await;
    ent.fill("#credit_code", "91350100M000100Y43").await;
    ent.fill("#contact_name", "吴经理").await;
    ent.fill("#phone", ENT_PHONE).await;
    ent.fill("#email", ENT_EMAIL).await;
    ent.fill("#password", PASSWORD).await;
    ent.click("form[action='/register'] button[type=submit]")
        .await;
    assert_eq!(ent.path().await, "/login?done=registered");
    assert!(ent.source().await.contains("注册申请已提交"));
    ent.sign_in_as(ENT_PHONE, PASSWORD).await;
    assert!(
        ent.source().await.contains("注册申请正在等待科技局审核"),
        "a pending registration cannot sign in"
    );
    ent.shot("journey-pending").await;

    // 2. The bureau approves it on its page.
    desk.sign_in(&bureau).await;
    desk.open("/registrations").await;
    assert!(desk.source().await.contains(ORG));
    desk.click("form[action$='/approve'] button").await;
    let page = desk.source().await;
    assert!(page.contains("已通过注册申请"), "approved");
    assert!(page.contains("没有待审核的申请"), "nothing left pending");
    desk.shot("journey-registration-approved").await;

    // 3. The enterprise signs in with its phone and password and posts a demand.
    ent.sign_in_as(ENT_PHONE, PASSWORD).await;
    assert_eq!(ent.path().await, "/my/demands");
    assert!(
        ent.source().await.contains(ORG),
        "signed in as its organisation"
    );
    ent.open("/demands/new").await;
    ent.fill("#title", DEMAND).await;
    ent.fill(
        "#description",
        "我公司量产高镍三元正极材料，循环寿命不足，需要改进包覆与掺杂工艺，提升高温循环稳定性。",
    )
    .await;
    ent.fill("#goals", "45℃下1000次循环容量保持率≥85%").await;
    ent.pick("#field option[value='新材料']").await;
    ent.pick("input[name=modes][value='合作开发']").await;
    ent.fill("#budget_wan", "80").await;
    ent.fill("#region", "灵宝市").await;
    ent.fill("#contact_name", "吴经理").await;
    ent.fill("#contact_phone", ENT_PHONE).await;
    ent.fill("#contact_email", ENT_EMAIL).await;
    ent.click("form.form button[type=submit]").await;
    let created = ent.path().await;
    let detail = created.split('?').next().unwrap_or_default().to_string();
    let id = detail
        .strip_prefix("/demands/")
        .unwrap_or_else(|| panic!("not a demand page: {created}"))
        .to_string();
    ent.click("form[action$='/submit'] button").await;
    assert!(ent.source().await.contains("待审核"));

    // 4. The bureau approves it in the review queue and publishes it in an edition.
    desk.open("/review").await;
    desk.click(&format!(
        "form[action='/demands/{id}/review'] button[value=approve]"
    ))
    .await;
    assert!(desk.source().await.contains("审核通过"));
    desk.open("/catalogues").await;
    desk.fill("#title", "2026年第5期企业技术需求目录").await;
    desk.click("form[action='/catalogues'] button").await;
    desk.pick(&format!(
        "form[action$='/items'] input[name='demand_ids'][value='{id}']"
    ))
    .await;
    desk.click("form[action$='/items'] button").await;
    desk.click("form[action$='/publish'] button").await;
    let page = desk.source().await;
    assert!(page.contains("已发布") && page.contains(DEMAND));
    desk.sign_out().await;
    s.indexed().await;

    // 5. An institution signs in and answers with a 揭榜 and a contact person.
    desk.sign_in(&zju).await;
    desk.open(&detail).await;
    desk.fill("#message", "我校团队长期研究高镍正极的表面包覆与体相掺杂")
        .await;
    desk.fill("#contact_name", "李老师").await;
    desk.fill("#contact_phone", ZJU_PHONE).await;
    desk.fill("#contact_email", "li@zju.edu.cn").await;
    desk.click("#propose").await;
    let page = desk.source().await;
    assert!(page.contains("我校团队长期研究高镍正极") && page.contains("待答复"));

    // 6. The enterprise sees the unread count in its header and the notice in its inbox,
    // and opens the conversation from it (the institution's contact still hidden).
    ent.open("/my/demands").await;
    let unread = unread_count(&ent).await;
    assert!(unread >= 1, "an unread count in the header");
    ent.click("header .bell").await;
    assert_eq!(ent.path().await, "/notifications");
    let page = ent.source().await;
    assert!(page.contains("【未读】") && page.contains("浙江大学 对您的需求表达了对接意向"));
    ent.shot("journey-inbox").await;
    ent.click(".notes li.unread:first-child button.linkbtn")
        .await;
    assert_eq!(
        unread_count(&ent).await,
        unread - 1,
        "opening marks it read"
    );
    ent.click("#interests a[href^='/interests/']").await;
    let conversation = ent.path().await;
    assert!(conversation.starts_with("/interests/"), "{conversation}");
    assert!(
        !ent.source().await.contains(ZJU_PHONE),
        "no contact before 接受"
    );

    // 7. It writes to the institution.
    ent.fill("#body", "请问贵校能否先做小试验证？").await;
    ent.click("form[action$='/messages'] button[type=submit]")
        .await;
    assert!(ent.source().await.contains("请问贵校能否先做小试验证"));

    // 8. The institution answers.
    desk.open(&conversation).await;
    assert!(desk.source().await.contains("请问贵校能否先做小试验证"));
    desk.fill("#body", "可以，两周内给出小试方案。").await;
    desk.click("form[action$='/messages'] button[type=submit]")
        .await;
    assert!(desk.source().await.contains("两周内给出小试方案"));

    // 9. The enterprise reads the answer and accepts; each side sees the other's contact.
    ent.open(&conversation).await;
    assert!(ent.source().await.contains("两周内给出小试方案"));
    ent.open(&detail).await;
    ent.click("#interests form[action$='/accept'] button").await;
    ent.open(&conversation).await;
    let page = ent.source().await;
    assert!(page.contains("揭榜已接受") && page.contains("李老师") && page.contains(ZJU_PHONE));
    ent.shot("journey-conversation").await;
    desk.open(&conversation).await;
    let page = desk.source().await;
    assert!(page.contains("揭榜已接受") && page.contains(ENT_PHONE));
    assert!(unread_count(&desk).await >= 1, "the institution has news");
    desk.open("/notifications").await;
    assert!(
        desk.source()
            .await
            .contains(&format!("您对《{DEMAND}》的揭榜已被接受")),
        "the institution is told of the acceptance"
    );
    desk.shot("journey-conversation-institution").await;

    // 10. The notification e-mail has reached the SMTP server.
    let notice = received_mail(&smtp, |m| {
        Smtp::header(m, "To").is_some_and(|to| to.contains(ENT_EMAIL)) && {
            let text = Smtp::plain_text(m);
            text.contains("浙江大学 对您的需求表达了对接意向")
                && text.contains(&format!("https://duijie.test/demands/{id}"))
        }
    })
    .await;
    mailer.abort();
    assert!(
        notice.is_some(),
        "the 揭榜 notice reached the enterprise's mailbox: {:?}",
        smtp.messages()
    );

    ent.c.close().await.expect("close browser");
    desk.c.close().await.expect("close browser");
}
