//! 揭榜 through the pages: institutions propose from the demand page, citing their matched
//! evidence; the owner sees the count on "my demands", declines with a reason the
//! institution reads, and accepts into docking.

use crate::support::{
    caller, demand_form, import_achievements, published_demand, Db, TestServer, Visitor,
};
use duijie_core::Role;
use reqwest::StatusCode;

const ACHIEVEMENTS: &str = "成果名称,完成单位,负责人,关键词\n\
高纯氧化铝粉体低温煅烧与烧结活性调控技术,浙江大学,李四,氧化铝；煅烧；烧结活性\n\
氧化铝陶瓷粉体粒径分布控制方法,郑州大学,王五,氧化铝；粒径分布\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn institutions_propose_and_the_owner_answers_through_pages() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let other_ent_token = s.token("ent2", Role::Enterprise, Some("乙公司")).await;
    let bureau = caller(&s.app, &s.token("bureau", Role::Bureau, None).await).await;
    let zju_token = s.token("zju", Role::Institution, Some("浙江大学")).await;
    let zzu_token = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    import_achievements(&s.app, ACHIEVEMENTS).await;
    let ent = caller(&s.app, &ent_token).await;
    let draft = demand_form("高纯氧化铝粉体烧结活性提升", "13912345678");
    let id = published_demand(&s.app, &ent, &bureau, &draft).await;
    let page = format!("/demands/{id}");

    // Anonymous visitors see neither the form nor anyone's proposals.
    let mut anon = Visitor::new(&s.base);
    let p = anon.get(&page).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("对接意向（揭榜）"));

    // The institution sees the form with its own matched achievement offered as a citation.
    let mut zju = Visitor::signed_in(&s.base, &zju_token).await;
    let p = zju.get(&page).await;
    assert!(p.body.contains("提交对接意向"), "form shown");
    // Each candidate says how sure the match is (a calibrated tier), never a relative 100 %.
    assert!(p.body.contains("class=\"tier tier-"), "match tier shown");
    assert!(!p.body.contains("相对匹配度"));
    // Offered: the page has a checkbox with its id.
    let cited = p.input("achievement_ids");
    assert!(p.body.contains("高纯氧化铝粉体低温煅烧"));

    // An empty proposal is refused next to the field, in Chinese.
    let p = zju
        .post(&format!("{page}/interests"), &[("message", "  ")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("请填写对接意向说明"), "{}", p.body);

    let interests = format!("{page}/interests");
    let fields: [(&str, &str); 2] = [
        ("message", "我校团队长期从事氧化铝粉体煅烧研究"),
        ("achievement_ids", &cited),
    ];
    let p = zju.post(&interests, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), format!("{page}#interests"));
    let p = zju.get(&page).await;
    assert!(p.body.contains("我校团队长期从事氧化铝粉体煅烧研究"));
    assert!(p.body.contains("待答复"));
    assert!(
        !p.body.contains("提交对接意向"),
        "no second proposal while one is open"
    );
    let at = p.body.find("我校团队长期从事").expect("message shown");
    let proposal: String = p.body[at..].chars().take(300).collect();
    assert!(
        proposal.contains("高纯氧化铝粉体低温煅烧"),
        "the cited achievement is listed under the proposal: {proposal}"
    );

    // Another institution proposes too, and sees only its own proposal.
    let mut zzu = Visitor::signed_in(&s.base, &zzu_token).await;
    let interests = format!("{page}/interests");
    let fields = [("message", "可提供粒径分布控制方案")];
    let p = zzu.post(&interests, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = zzu.get(&page).await;
    assert!(p.body.contains("可提供粒径分布控制方案"));
    assert!(
        !p.body.contains("我校团队长期从事"),
        "others' proposals hidden"
    );

    // The owner sees the count on "my demands" and both proposals with answer buttons.
    let mut owner = Visitor::signed_in(&s.base, &ent_token).await;
    let p = owner.get("/my/demands").await;
    assert!(p.body.contains("2 条待答复"), "{}", p.body);
    let p = owner.get(&page).await;
    assert!(p.body.contains("我校团队长期从事") && p.body.contains("可提供粒径分布控制方案"));
    let accept_ids: Vec<String> = p
        .body
        .match_indices("action=\"/interests/")
        .map(|(at, _)| {
            p.body[at + 19..]
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(accept_ids.len() >= 2, "answer forms for both proposals");
    let zzu_interest = {
        let at = p.body.find("郑州大学").expect("zzu listed");
        let rest = &p.body[at..];
        let at = rest.find("action=\"/interests/").expect("zzu form");
        rest[at + 19..]
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let zju_interest = accept_ids
        .iter()
        .find(|i| **i != zzu_interest)
        .expect("zju interest")
        .clone();

    // Another enterprise cannot answer.
    let mut stranger = Visitor::signed_in(&s.base, &other_ent_token).await;
    let p = stranger
        .post(&format!("/interests/{zju_interest}/accept"), &[])
        .await;
    assert!(
        matches!(p.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        p.status
    );

    // Declining needs a reason; the institution then reads it.
    let decline = format!("/interests/{zzu_interest}/decline");
    let fields: [(&str, &str); 2] = [("demand", &id), ("reason", "")];
    let p = owner.post(&decline, &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("请填写不接受的原因"), "{}", p.body);
    let decline = format!("/interests/{zzu_interest}/decline");
    let fields: [(&str, &str); 2] = [("demand", &id), ("reason", "已有合作单位")];
    let p = owner.post(&decline, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = zzu.get(&page).await;
    assert!(p.body.contains("未接受原因：已有合作单位"), "{}", p.body);
    assert!(
        p.body.contains("提交对接意向"),
        "a declined institution may propose again"
    );

    // Accepting puts the demand into docking.
    let p = owner
        .post(&format!("/interests/{zju_interest}/accept"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = owner.get(&page).await;
    assert!(p.body.contains("已接受"));
    assert!(p.body.contains("对接中"), "demand in docking");
    let p = owner.get("/my/demands").await;
    assert!(p.body.contains("无待答复"));
}
