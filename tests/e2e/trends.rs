//! Trends over public demands over HTTP.

use crate::records::demand;
use duijie_core::{AchievementDraft, DemandStatus, Draft, Field};
use duijie_e2e::TestServer;
use reqwest::StatusCode;
use serde_json::json;

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
        assert!(r.message().contains(allowed));
    }
}
