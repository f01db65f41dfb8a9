//! The technology market over HTTP: instruments (listed, indexed, found, shown beside
//! matches without moving a score), trends over public demands, and expert committees.

use duijie_core::{
    AchievementDraft, DemandDraft, DemandStatus, Draft, EntityKind, Field, OrgKind, Role,
};
use duijie_e2e::{Parties, TestServer};
use duijie_store::Actor;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

fn actor() -> Actor {
    Actor {
        id: None,
        name: "e2e".into(),
    }
}

/// Unrelated work of other institutions, so that the test's words are informative.
const BACKGROUND: [(&str, &str, &str); 10] = [
    ("浙江大学", "水稻抗病基因挖掘", "周一"),
    ("浙江大学", "茶园病虫害绿色防控", "周二"),
    ("西安交通大学", "高压直流输电绝缘监测", "吴一"),
    ("西安交通大学", "燃气轮机叶片冷却", "吴二"),
    ("华中科技大学", "工业机器人轨迹规划", "郑一"),
    ("华中科技大学", "激光焊接熔池监测", "郑二"),
    ("中国农业大学", "奶牛精准饲喂系统", "冯一"),
    ("中国农业大学", "果蔬冷链保鲜", "冯二"),
    ("北京理工大学", "无人机集群协同控制", "陈一"),
    ("北京理工大学", "含能材料安全评估", "陈二"),
];

/// Achievements `(institution, title, leader)` and the background; each leader becomes
/// an expert.
async fn import_achievements(s: &TestServer, rows: &[(&str, &str, &str)]) {
    let all: Vec<(&str, &str, &str)> = rows.iter().chain(&BACKGROUND).copied().collect();
    crate::interests::import_achievements(s, &all).await;
}

/// A demand of an enterprise stored directly in `status`.
async fn demand(
    s: &TestServer,
    title: &str,
    field: Field,
    region: Option<&str>,
    status: DemandStatus,
) -> String {
    let org = s
        .app
        .store()
        .ensure_organization("灵宝金源矿业有限公司", OrgKind::Enterprise)
        .await
        .unwrap();
    let draft = DemandDraft {
        org_name: org.name.clone(),
        title: title.into(),
        description: format!("{title}，寻求合作。"),
        field: Some(field),
        region: region.map(str::to_string),
        ..DemandDraft::default()
    };
    s.app
        .store()
        .create_demand(&org.id, &draft, status, &actor())
        .await
        .unwrap()
        .id
}

fn scores(ranking: &Value) -> HashMap<String, f64> {
    ranking["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn candidate<'a>(ranking: &'a Value, name: &str) -> &'a Value {
    ranking["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not ranked: {ranking}"))
}

pub async fn instruments_are_found_and_shown_beside_matches(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    import_achievements(
        &s,
        &[
            ("郑州大学", "高纯氧化铝粉体制备技术", "李四"),
            ("河南大学", "氧化铝陶瓷烧结工艺", "王五"),
        ],
    )
    .await;
    let demand_id = demand(
        &s,
        "氧化铝粉体物相分析与制备",
        Field::NewMaterials,
        None,
        DemandStatus::Published,
    )
    .await;
    s.indexed().await;
    let text = json!({"text": "氧化铝粉体物相分析与制备", "limit": 10});
    let before = s.post("/api/v1/match", None, text.clone()).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    assert!(candidate(&before.body, "郑州大学")["instruments"]
        .as_array()
        .unwrap()
        .is_empty());

    let body = json!({"name": "X射线衍射仪", "model": "D8 Advance", "fields": ["新材料", "先进制造与自动化"],
        "description": "用于氧化铝粉体的物相分析和晶粒尺寸测定", "location": "材料楼101",
        "booking_terms": "工作日预约，校外单位按机时收费"});
    let r = s
        .post("/api/v1/instruments", Some(&zzu), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["institution"]["name"], "郑州大学");
    assert_eq!(r.body["fields"], json!(["新材料", "先进制造与自动化"]));
    let xrd = r.body["id"].as_str().unwrap().to_string();

    // Who may list, and what is checked.
    let r = s.post("/api/v1/instruments", None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = s
        .post("/api/v1/instruments", Some(&ent), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&zzu),
            json!({"name": "光谱仪", "fields": ["火星科技"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "fields");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("火星科技") && message.contains("新材料"),
        "{message}"
    );
    let r = s
        .post("/api/v1/instruments", Some(&zzu), json!({"name": " "}))
        .await;
    assert_eq!(r.body["error"]["field"], "name");
    // Every problem of the form in one answer.
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&zzu),
            json!({"name": "", "fields": ["火星科技"], "model": "型".repeat(500)}),
        )
        .await;
    let fields = r.error_fields();
    assert_eq!(fields, ["name", "fields", "model"], "{}", r.body);
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&bureau),
            json!({"name": "电镜"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "organization");
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&bureau),
            json!({"name": "场发射扫描电子显微镜", "fields": ["电子信息"], "organization": "河南大学",
                "description": "材料表面形貌观察"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["institution"]["name"], "河南大学");

    // Found by search once indexed, with highlights and facets.
    s.indexed().await;
    let r = s.get("/api/v1/instruments?q=衍射", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], xrd.as_str());
    assert!(r.body["items"][0]["title_html"]
        .as_str()
        .unwrap()
        .contains("<em>"));
    let r = s.get("/api/v1/instruments", None).await;
    assert_eq!(r.body["total"], 2);
    let facets = r.body["facets"]["field"].as_array().unwrap();
    for (value, count) in [("新材料", 1), ("先进制造与自动化", 1), ("电子信息", 1)] {
        assert!(
            facets
                .iter()
                .any(|f| f["value"] == value && f["count"] == count),
            "{facets:?}"
        );
    }
    let r = s
        .get("/api/v1/instruments?field=先进制造与自动化", None)
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], xrd.as_str());
    let r = s.get("/api/v1/instruments?field=火星科技", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.get("/api/v1/instruments?per_page=0", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.get(&format!("/api/v1/instruments/{xrd}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["booking_terms"], "工作日预约，校外单位按机时收费");
    let r = s.get("/api/v1/instruments/ins_missing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Beside the ranking: the institution's relevant instrument; no score moved.
    let after = s.post("/api/v1/match", None, text).await;
    assert_eq!(scores(&before.body), scores(&after.body));
    let zz = candidate(&after.body, "郑州大学");
    assert_eq!(zz["instruments"][0]["id"], xrd.as_str());
    assert_eq!(zz["instruments"][0]["kind"], "instrument");
    assert!(!zz["instruments"][0]["matched_terms"]
        .as_array()
        .unwrap()
        .is_empty());
    // 河南大学's microscope shares no word with the demand.
    assert!(candidate(&after.body, "河南大学")["instruments"]
        .as_array()
        .unwrap()
        .is_empty());
    let r = s
        .get(&format!("/api/v1/demands/{demand_id}/matches"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        candidate(&r.body, "郑州大学")["instruments"][0]["id"],
        xrd.as_str()
    );
    // Expert rankings carry no instruments.
    let r = s
        .post(
            "/api/v1/match",
            None,
            json!({"text": "氧化铝粉体物相分析", "kind": "expert"}),
        )
        .await;
    for c in r.body["candidates"].as_array().unwrap() {
        assert!(c["instruments"].as_array().unwrap().is_empty());
    }
}

pub async fn trends_count_public_demands_and_find_rising_terms(s: TestServer) {
    let achievements: Vec<Draft> = [
        (2021, "氧化铝粉体"),
        (2021, "陶瓷烧结"),
        (2023, "锂电池回收"),
    ]
    .iter()
    .map(|(year, title)| {
        Draft::Achievement(AchievementDraft {
            org_name: "郑州大学".into(),
            title: (*title).into(),
            year: Some(*year),
            ..Default::default()
        })
    })
    .collect();
    s.import_achievements(achievements).await;
    for title in [
        "高纯氧化铝粉体制备",
        "氧化铝陶瓷基板烧结",
        "氧化铝载体孔结构调控",
    ] {
        demand(
            &s,
            title,
            Field::NewMaterials,
            Some("灵宝市"),
            DemandStatus::Published,
        )
        .await;
    }
    demand(
        &s,
        "工业相机视觉检测",
        Field::ElectronicInformation,
        None,
        DemandStatus::InDocking,
    )
    .await;
    // Never counted: a draft, a submitted and a rejected demand.
    for (title, status) in [
        ("石墨烯导热膜", DemandStatus::Draft),
        ("石墨烯散热涂层", DemandStatus::Submitted),
        ("石墨烯电极浆料", DemandStatus::Rejected),
    ] {
        demand(&s, title, Field::NewMaterials, None, status).await;
    }
    let r = s
        .get("/api/v1/stats/trends?by=field&period=year", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let t = &r.body;
    assert_eq!(t["by"], "field");
    assert_eq!(t["period"], "year");
    assert_eq!(t["periods"].as_array().unwrap().len(), 1);
    assert_eq!(t["totals"], json!([4]));
    let series = t["series"].as_array().unwrap();
    assert_eq!(series[0]["key"], "新材料");
    assert_eq!(series[0]["counts"], json!([3]));
    assert_eq!(series[1]["key"], "电子信息");
    assert_eq!(series[1]["total"], 1);
    assert_eq!(
        t["achievements_by_year"],
        json!([{"year": 2021, "count": 2}, {"year": 2023, "count": 1}])
    );
    let rising = t["rising_terms"].as_array().unwrap();
    let top = &rising[0];
    assert_eq!(top["term"], "氧化铝", "{rising:?}");
    assert_eq!(top["latest_count"], 3);
    assert_eq!(top["previous_count"], 0);
    assert_eq!(top["latest_share"], 0.75);
    for term in rising {
        let w = term["term"].as_str().unwrap();
        assert!(!w.contains("石墨烯"), "non-public demand leaked: {w}");
        assert!(
            !["需求", "合作", "寻求", "技术"].contains(&w),
            "boilerplate: {w}"
        );
    }

    let r = s
        .get("/api/v1/stats/trends?by=region&period=month", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let series = r.body["series"].as_array().unwrap();
    assert_eq!(series[0]["key"], "灵宝市");
    assert_eq!(series[0]["total"], 3);
    assert_eq!(series[1]["key"], "未注明");
    assert!(r.body["periods"][0].as_str().unwrap().contains('-'));
    // Defaults: by field, per quarter.
    let r = s.get("/api/v1/stats/trends", None).await;
    assert_eq!(r.body["period"], "quarter");
    assert!(r.body["latest_period"].as_str().unwrap().contains("-Q"));

    for (query, field, allowed) in [
        ("by=county", "by", "region"),
        ("period=week", "period", "quarter"),
    ] {
        let r = s.get(&format!("/api/v1/stats/trends?{query}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.body["error"]["field"], field);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(allowed));
    }
}

pub async fn committees_cover_subtopics_two_per_institution(s: TestServer) {
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    import_achievements(
        &s,
        &[
            ("郑州大学", "高纯氧化铝粉体制备", "李一"),
            ("郑州大学", "氧化铝粉体表面改性", "李二"),
            ("郑州大学", "氧化铝粉体粒度控制", "李三"),
            ("河南大学", "陶瓷基板低温烧结", "王五"),
            ("中南大学", "锂电池正极材料回收", "赵六"),
        ],
    )
    .await;
    for title in [
        "氧化铝粉体提纯",
        "氧化铝粉体团聚控制",
        "陶瓷基板烧结开裂",
        "陶瓷基板翘曲",
        "锂电池正极材料降本",
        "锂电池正极材料回收利用",
    ] {
        demand(
            &s,
            title,
            Field::NewMaterials,
            None,
            DemandStatus::Published,
        )
        .await;
    }
    // A draft in the field adds no sub-topic.
    demand(
        &s,
        "石墨烯导热膜",
        Field::NewMaterials,
        None,
        DemandStatus::Draft,
    )
    .await;
    s.indexed().await;

    let body = json!({"field": "新材料", "size": 5});
    let r = s
        .post("/api/v1/committees", Some(&bureau), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let c = r.body.clone();
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["status"], "draft");
    assert_eq!(c["name"], "新材料专家咨询委员会");
    let subtopics: Vec<&str> = c["subtopics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    for t in ["氧化铝", "陶瓷", "锂电池"] {
        assert!(subtopics.iter().any(|s| s.contains(t)), "{subtopics:?}");
    }
    assert!(!subtopics.iter().any(|s| s.contains("石墨烯")));
    let members = c["members"].as_array().unwrap();
    assert!(members.len() <= 5 && members.len() >= 3, "{members:?}");
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for m in members {
        *per_org.entry(m["org_name"].as_str().unwrap()).or_default() += 1;
        assert!(!m["subtopics"].as_array().unwrap().is_empty(), "{m}");
        assert!(!m["evidence"].as_array().unwrap().is_empty(), "{m}");
        assert!(m["reason"].as_str().unwrap().starts_with("覆盖子议题："));
    }
    // Three relevant experts at 郑州大学, two seats; the other sub-topics are covered.
    assert_eq!(per_org.get("郑州大学"), Some(&2), "{per_org:?}");
    assert_eq!(per_org.get("河南大学"), Some(&1), "{per_org:?}");
    assert_eq!(per_org.get("中南大学"), Some(&1), "{per_org:?}");

    // Who may, and what is checked.
    let r = s.post("/api/v1/committees", None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = s.post("/api/v1/committees", Some(&zzu), body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (bad, field) in [
        (json!({"field": "新材料", "size": 0}), "size"),
        (json!({"field": "新材料", "size": 51}), "size"),
        (json!({"field": "火星科技", "size": 3}), "field"),
    ] {
        let r = s.post("/api/v1/committees", Some(&bureau), bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["field"], field);
    }
    let r = s
        .post(
            "/api/v1/committees",
            Some(&bureau),
            json!({"field": "火星科技", "size": 0, "name": "会".repeat(500)}),
        )
        .await;
    assert_eq!(r.error_fields(), ["field", "size", "name"], "{:?}", r.body);
    let r = s
        .post(
            "/api/v1/committees",
            Some(&bureau),
            json!({"field": "航空航天", "size": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "no demands in the field");

    let r = s.get("/api/v1/committees", Some(&bureau)).await;
    assert_eq!(r.body["items"][0]["id"], id.as_str());
    let r = s
        .get(&format!("/api/v1/committees/{id}"), Some(&bureau))
        .await;
    assert_eq!(r.body, c);
    let r = s.get(&format!("/api/v1/committees/{id}"), Some(&zzu)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The bureau adjusts: the cap holds, unknown and repeated ids are refused.
    let (zz, hn) = (
        s.expert_ids_of("郑州大学").await,
        s.expert_ids_of("河南大学").await,
    );
    assert_eq!(zz.len(), 3);
    let path = format!("/api/v1/committees/{id}");
    let patch = |v: Value| s.call(Method::PATCH, &path, Some(&bureau), Some(v));
    let r = patch(json!({"member_ids": zz})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "member_ids");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("郑州大学"));
    let r = patch(json!({"member_ids": [zz[0], "exp_missing"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = patch(json!({"member_ids": [zz[0], zz[0]]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = patch(json!({"status": "published"})).await;
    assert_eq!(r.body["error"]["field"], "status");
    let r = patch(
        json!({"member_ids": [zz[0], hn[0]], "name": "新材料产业咨询组", "notes": "下周确认"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let kept: Vec<&str> = r.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["expert_id"].as_str().unwrap())
        .collect();
    assert_eq!(kept, vec![zz[0].as_str(), hn[0].as_str()]);
    assert_eq!(r.body["name"], "新材料产业咨询组");
    let r = patch(json!({"status": "confirmed"})).await;
    assert_eq!(r.body["status"], "confirmed");
    let r = patch(json!({"member_ids": [hn[0]]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(json!({"status": "draft", "member_ids": [hn[0]]})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    // The version travels as ETag and If-Match: a change from an older read is refused.
    let read = crate::hardening::send(&s, Method::GET, &path, &bureau, None, &[]).await;
    assert_eq!(read.etag(), format!("\"{}\"", read.body["version"]));
    let stale = format!("\"{}\"", read.body["version"].as_i64().unwrap() - 1);
    let r = crate::hardening::send(
        &s,
        Method::PATCH,
        &path,
        &bureau,
        Some(json!({"notes": "基于旧版本"})),
        &[("if-match", &stale)],
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{:?}", r.body);
    let r = crate::hardening::send(
        &s,
        Method::PATCH,
        &path,
        &bureau,
        Some(json!({"notes": "基于最新版本"})),
        &[("if-match", read.etag())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = s
        .call(
            Method::PATCH,
            "/api/v1/committees/com_missing",
            Some(&bureau),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// NSFC-style leaders are experts with nothing to match on: they stay out of the index and of
/// every statistic, and are still ranked as experts through the projects they lead; every
/// candidate carries its tier and the ranking its coverage.
pub async fn leaders_without_text_stay_out_of_the_index(s: TestServer) {
    import_achievements(&s, &[("郑州大学", "高纯氧化铝粉体制备技术", "李四")]).await;
    s.indexed().await;
    assert_eq!(s.app.index().num_docs_in(EntityKind::Expert), 0);
    assert_eq!(
        s.app.index().num_docs_in(EntityKind::Achievement),
        BACKGROUND.len() as u64 + 1
    );
    let r = s
        .post(
            "/api/v1/match",
            None,
            json!({"text": "高纯氧化铝粉体制备", "kind": "expert", "limit": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let top = &r.body["candidates"][0];
    assert_eq!(top["name"], "李四", "{}", r.body);
    assert_eq!(top["institution"], "郑州大学");
    assert_eq!(top["tier"], "strong", "{}", r.body);
    assert_eq!(r.body["coverage"], "good");
}
