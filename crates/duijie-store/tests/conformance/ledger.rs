//! The ledger (台账): recording a project contracts its demand in the same transaction,
//! projects filter by year, key flag and region, secondments by the years they are active,
//! and demand timelines come from the history.

use super::{achievement, actor, advance, batch, demand, ensure_org, S};
use chrono::NaiveDate;
use duijie_core::{
    DemandStatus, Draft, EntityKind, Milestone, NewProject, NewSecondment, OrgKind, ProjectPatch,
    ProjectStatus, RecordKind,
};
use duijie_store::{ProjectFilter, Record, StoreError};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A demand of `org` in `region`, moved through the lifecycle to `last`.
async fn demand_at(
    store: &S,
    org: &str,
    title: &str,
    region: &str,
    path: &[DemandStatus],
) -> String {
    let org_id = ensure_org(store, org, OrgKind::Enterprise).await.id;
    let mut draft = demand(org, title);
    draft.region = Some(region.into());
    let d = store
        .create_demand(&org_id, &draft, DemandStatus::Draft, &actor())
        .await
        .unwrap();
    let mut from = DemandStatus::Draft;
    for to in path {
        advance(store, &d.id, from, *to).await;
        from = *to;
    }
    d.id
}

const TO_DOCKING: [DemandStatus; 4] = [
    DemandStatus::Submitted,
    DemandStatus::Approved,
    DemandStatus::Published,
    DemandStatus::InDocking,
];

fn new(demand_id: &str, inst: &str, amount: f64, signed: &str, key: bool) -> NewProject {
    NewProject {
        demand_id: demand_id.into(),
        institution_id: inst.into(),
        title: "高纯氧化铝联合攻关".into(),
        amount_wan: amount,
        signed_on: day(signed),
        key_project: key,
    }
}

pub async fn projects_contract_their_demand_and_filter(store: S) {
    let inst = ensure_org(&store, "郑州大学", OrgKind::University).await.id;
    let docking = demand_at(
        &store,
        "甲科技有限公司",
        "氧化铝粉体",
        "灵宝市",
        &TO_DOCKING,
    )
    .await;
    let published = demand_at(
        &store,
        "乙科技有限公司",
        "污泥资源化",
        "陕州区",
        &TO_DOCKING[..3],
    )
    .await;

    // Only in-docking (or already contracted) demands take a project; nothing is written else.
    let seq = store.last_seq().await.unwrap();
    match store
        .create_project(
            &new(&published, &inst, 10.0, "2026-03-01", false),
            &actor(),
            "",
        )
        .await
    {
        Err(StoreError::Conflict(m)) => assert!(m.contains("已发布"), "{m}"),
        other => panic!("{other:?}"),
    }
    match store
        .create_project(
            &new(&docking, "org_missing", 10.0, "2026-03-01", false),
            &actor(),
            "",
        )
        .await
    {
        Err(StoreError::Invalid(m)) => assert!(m.contains("合作单位不存在"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store
            .create_project(
                &new("dem_missing", &inst, 1.0, "2026-03-01", false),
                &actor(),
                ""
            )
            .await,
        // Said in the users' words, without the id: the message reaches them as it is.
        Err(StoreError::NotFound(m)) if m == "需求不存在或已删除"
    ));
    assert_eq!(
        store.last_seq().await.unwrap(),
        seq,
        "failed writes leave no trace"
    );
    assert_eq!(
        store.get_demand(&docking).await.unwrap().unwrap().status,
        DemandStatus::InDocking,
        "all or nothing: the demand did not move"
    );

    let p = store
        .create_project(
            &new(&docking, &inst, 120.5, "2026-03-01", true),
            &actor(),
            "签订合作协议",
        )
        .await
        .unwrap();
    assert_eq!(p.status, ProjectStatus::Signed);
    assert_eq!(p.amount_wan, 120.5);
    assert!(p.key_project);
    assert_eq!(p.signed_on, day("2026-03-01"));
    assert_eq!(
        (p.enterprise_name.as_str(), p.institution_name.as_str()),
        ("甲科技有限公司", "郑州大学")
    );
    assert_eq!(p.region.as_deref(), Some("灵宝市"));
    assert_eq!(p.field.as_deref(), Some("新材料"));
    assert_eq!(p.demand_title, "氧化铝粉体");
    assert!(p.milestones.is_empty() && p.notes.is_empty());
    assert_eq!(store.get_project(&p.id).await.unwrap(), Some(p.clone()));

    // The demand moved with history and a change-log row.
    assert_eq!(
        store.get_demand(&docking).await.unwrap().unwrap().status,
        DemandStatus::Contracted
    );
    let last = store.demand_history(&docking).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.from_status, last.to_status, last.note.as_str()),
        (
            Some(DemandStatus::InDocking),
            DemandStatus::Contracted,
            "签订合作协议"
        )
    );
    let changes = store.changes_since(seq, 10).await.unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.entity == EntityKind::Demand && c.entity_id == docking),
        "{changes:?}"
    );

    // A second project on the contracted demand: it stays contracted, no new history.
    let events = store.demand_history(&docking).await.unwrap().len();
    let second = store
        .create_project(
            &new(&docking, &inst, 30.0, "2025-12-31", false),
            &actor(),
            "",
        )
        .await
        .unwrap();
    assert_eq!(store.demand_history(&docking).await.unwrap().len(), events);

    // Filters: year of signing, key flag, the demand's region.
    let ids = |v: Vec<duijie_core::Project>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
    let all = store
        .list_projects(&ProjectFilter::default())
        .await
        .unwrap();
    assert_eq!(
        ids(all),
        vec![p.id.clone(), second.id.clone()],
        "latest first"
    );
    let filter = |year, key, region: Option<&str>| ProjectFilter {
        year,
        key_project: key,
        region: region.map(str::to_string),
    };
    assert_eq!(
        ids(store
            .list_projects(&filter(Some(2025), None, None))
            .await
            .unwrap()),
        vec![second.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_projects(&filter(None, Some(true), None))
            .await
            .unwrap()),
        vec![p.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_projects(&filter(None, Some(false), Some("灵宝市")))
            .await
            .unwrap()),
        vec![second.id.clone()]
    );
    assert!(store
        .list_projects(&filter(Some(2026), None, Some("陕州区")))
        .await
        .unwrap()
        .is_empty());

    // Updates change only what is given.
    let milestones = vec![
        Milestone {
            date: day("2026-06-30"),
            text: "完成小试".into(),
            done: true,
        },
        Milestone {
            date: day("2026-12-31"),
            text: "中试线投产".into(),
            done: false,
        },
    ];
    let u = store
        .update_project(
            &p.id,
            &ProjectPatch {
                status: Some(ProjectStatus::InProgress),
                milestones: Some(milestones.clone()),
                notes: None,
                version: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(u.status, ProjectStatus::InProgress);
    assert_eq!(u.milestones, milestones);
    let u = store
        .update_project(
            &p.id,
            &ProjectPatch {
                notes: Some("企业追加投入".into()),
                ..ProjectPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (u.status, u.milestones.len(), u.notes.as_str()),
        (ProjectStatus::InProgress, 2, "企业追加投入")
    );
    assert_eq!(store.get_project(&p.id).await.unwrap(), Some(u));
    assert!(matches!(
        store
            .update_project("prj_missing", &ProjectPatch::default())
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.get_project("prj_missing").await.unwrap(), None);
}

pub async fn secondments_are_listed_by_active_year(store: S) {
    store
        .import(batch(
            RecordKind::Achievements,
            vec![Draft::Achievement(achievement(
                "河南农业大学",
                "苹果矮砧栽培",
                Some("王五"),
            ))],
        ))
        .await
        .unwrap();
    let expert = match store.scan(EntityKind::Expert, "", 10).await.unwrap().pop() {
        Some(Record::Expert(e)) => e.id,
        other => panic!("{other:?}"),
    };
    let host = ensure_org(&store, "灵宝市人民政府", OrgKind::Government)
        .await
        .id;
    let new = |start: &str, end: Option<&str>| NewSecondment {
        expert_id: expert.clone(),
        host_org_id: host.clone(),
        post: "科技副县长".into(),
        start_on: day(start),
        end_on: end.map(day),
    };
    // An unknown expert or host is refused, named in the message.
    let unknown_expert = NewSecondment {
        expert_id: "exp_missing".into(),
        ..new("2025-01-01", None)
    };
    let unknown_host = NewSecondment {
        host_org_id: "org_missing".into(),
        ..new("2025-01-01", None)
    };
    for (bad, named) in [
        (unknown_expert, "专家不存在"),
        (unknown_host, "挂职单位不存在"),
    ] {
        match store.create_secondment(&bad, &actor()).await {
            Err(StoreError::Invalid(m)) => assert!(m.contains(named), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    let closed = store
        .create_secondment(&new("2024-03-01", Some("2025-02-28")), &actor())
        .await
        .unwrap();
    assert_eq!(
        (
            closed.expert_name.as_str(),
            closed.home_org_name.as_str(),
            closed.host_org_name.as_str(),
            closed.post.as_str()
        ),
        ("王五", "河南农业大学", "灵宝市人民政府", "科技副县长")
    );
    assert_eq!(closed.end_on, Some(day("2025-02-28")));
    let open = store
        .create_secondment(&new("2026-01-01", None), &actor())
        .await
        .unwrap();
    assert_eq!(open.end_on, None);

    let ids = |y| {
        let store = store.clone();
        async move {
            store
                .list_secondments(y)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(None).await, vec![open.id.clone(), closed.id.clone()]);
    assert_eq!(ids(Some(2024)).await, vec![closed.id.clone()]);
    assert_eq!(ids(Some(2025)).await, vec![closed.id.clone()]);
    assert_eq!(ids(Some(2026)).await, vec![open.id.clone()]);
    assert_eq!(ids(Some(2030)).await, vec![open.id.clone()], "open-ended");
    assert!(ids(Some(2023)).await.is_empty());
}

pub async fn demand_timelines_follow_the_history(store: S) {
    let inst = ensure_org(&store, "郑州大学", OrgKind::University).await.id;
    let contracted = demand_at(&store, "甲科技有限公司", "氧化铝", "灵宝市", &TO_DOCKING).await;
    store
        .create_project(
            &new(&contracted, &inst, 5.0, "2026-01-02", false),
            &actor(),
            "",
        )
        .await
        .unwrap();
    let draft = demand_at(&store, "乙科技有限公司", "草稿", "陕州区", &[]).await;
    let all = store
        .demand_timelines(chrono::Utc::now() + chrono::TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let c = all.iter().find(|t| t.id == contracted).unwrap();
    assert_eq!(c.status, DemandStatus::Contracted);
    assert_eq!(c.region.as_deref(), Some("灵宝市"));
    assert_eq!(c.field.as_deref(), Some("新材料"));
    let (p, d, k) = (
        c.published_at.unwrap(),
        c.docked_at.unwrap(),
        c.contracted_at.unwrap(),
    );
    assert!(c.created_at <= p && p <= d && d <= k);
    let d = all.iter().find(|t| t.id == draft).unwrap();
    assert_eq!(
        (d.published_at, d.docked_at, d.contracted_at),
        (None, None, None)
    );
    let before = store
        .demand_timelines(c.created_at - chrono::TimeDelta::seconds(1))
        .await
        .unwrap();
    assert!(before.is_empty(), "only demands created before the bound");
}
