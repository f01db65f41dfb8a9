//! Backend-independent behaviour the store must show on SQLite and PostgreSQL alike.

use duijie_core::{
    AchievementDraft, CatalogueEdition, CatalogueStatus, Contact, Demand, DemandDraft,
    DemandStatus, Draft, EntityKind, ExpertDraft, Field, OrgKind, Organization, RecordKind, Role,
    RowError,
};
use duijie_store::{Actor, DemandFilter, ImportBatch, Record, SqlStore, StoreError};
use std::sync::Arc;

mod accounts;
mod audit;
mod committees;
mod hardening;
mod instruments;
mod interests;
pub use accounts::*;
mod messages;
mod trends;
mod workspace;
pub use audit::*;
pub use hardening::*;
pub use interests::*;
pub use workspace::*;
mod ledger;
pub use committees::*;
pub use instruments::*;
pub use ledger::*;
pub use messages::*;
pub use trends::*;

type S = Arc<SqlStore>;

fn demand(org: &str, title: &str) -> DemandDraft {
    DemandDraft {
        org_name: org.into(),
        title: title.into(),
        description: format!("{title}的详细描述"),
        goals: "指标提升30%".into(),
        field: Some(Field::NewMaterials),
        budget_wan: Some(50.0),
        region: Some("灵宝市".into()),
        contact: Contact {
            name: Some("张三".into()),
            phone: Some("13800000000".into()),
            email: None,
        },
        ..DemandDraft::default()
    }
}

fn achievement(org: &str, title: &str, leader: Option<&str>) -> AchievementDraft {
    AchievementDraft {
        org_name: org.into(),
        title: title.into(),
        summary: "摘要".into(),
        keywords: vec!["锂电池".into()],
        leader: leader.map(str::to_string),
        year: Some(2021),
        ..AchievementDraft::default()
    }
}

fn batch(kind: RecordKind, records: Vec<Draft>) -> ImportBatch {
    ImportBatch {
        file: "目录.xlsx".into(),
        sha256: "ab".repeat(32),
        kind,
        rows_total: records.len() as u32 + 1,
        rows_skipped: 1,
        errors: vec![RowError {
            sheet: "Sheet1".into(),
            row: 9,
            column: Some("需求名称".into()),
            code: "missing_required".into(),
            message: "缺少需求名称".into(),
        }],
        records,
        demand_status: DemandStatus::Published,
        actor_name: "bureau".into(),
    }
}

fn actor() -> Actor {
    Actor {
        id: None,
        name: "测试".into(),
    }
}

/// The organisation `name` of `kind`, created if it is new.
async fn ensure_org(store: &S, name: &str, kind: OrgKind) -> Organization {
    store.ensure_organization(name, kind).await.unwrap()
}

/// A demand of `org` titled `title` (the fixture [`demand`]), stored directly in `status`.
async fn create(store: &S, org: &Organization, title: &str, status: DemandStatus) -> Demand {
    let draft = demand(&org.name, title);
    store
        .create_demand(&org.id, &draft, status, &actor())
        .await
        .unwrap()
}

/// A draft catalogue edition titled `title` that lists `demand_ids`.
async fn draft_catalogue(store: &S, title: &str, demand_ids: &[String]) -> CatalogueEdition {
    let cat = store.create_catalogue(title, None, &actor()).await.unwrap();
    store
        .add_catalogue_items(&cat.id, demand_ids)
        .await
        .unwrap();
    cat
}

/// Moves demand `id` from `from` to `to` as the test actor, without a note or a version.
async fn advance(store: &S, id: &str, from: DemandStatus, to: DemandStatus) -> Demand {
    store
        .transition_demand(id, from, to, &actor(), "", None)
        .await
        .unwrap()
}

pub async fn migrations_run_twice_and_store_is_empty(store: S) {
    store.ping().await.unwrap();
    assert_eq!(store.last_seq().await.unwrap(), 0);
    for kind in [
        EntityKind::Demand,
        EntityKind::Achievement,
        EntityKind::Expert,
    ] {
        assert_eq!(store.count(kind).await.unwrap(), 0);
    }
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());
}

pub async fn organizations_are_identified_by_normalised_name(store: S) {
    let a = ensure_org(&store, "中国地质大学（武汉）", OrgKind::University).await;
    let b = store
        .ensure_organization("中国地质大学 (武汉)", OrgKind::Enterprise)
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(b.kind, OrgKind::University, "first writer's kind is kept");
    assert_eq!(b.name, "中国地质大学（武汉）");
    let c = ensure_org(&store, "浙江大学", OrgKind::University).await;
    assert_ne!(a.id, c.id);
    let got = store.get_organization(&a.id).await.unwrap().unwrap();
    assert_eq!(got, a);
    assert!(store.get_organization("org_nope").await.unwrap().is_none());
}

pub async fn import_inserts_then_is_idempotent_then_updates(store: S) {
    let records = vec![
        Draft::Demand(demand("灵宝金源矿业有限公司", "高纯氧化铝粉体制备")),
        Draft::Demand(demand("灵宝金源矿业有限公司", "尾矿综合利用")),
        Draft::Demand(demand("三门峡某某科技有限公司", "果品冷链保鲜")),
    ];
    let first = store
        .import(batch(RecordKind::Demands, records.clone()))
        .await
        .unwrap();
    assert_eq!(
        (
            first.rows_imported,
            first.rows_unchanged,
            first.rows_skipped
        ),
        (3, 0, 1)
    );
    assert_eq!(first.errors.len(), 1);
    assert_eq!(store.count(EntityKind::Demand).await.unwrap(), 3);

    let again = store
        .import(batch(RecordKind::Demands, records.clone()))
        .await
        .unwrap();
    assert_eq!((again.rows_imported, again.rows_unchanged), (0, 3));
    assert_eq!(store.count(EntityKind::Demand).await.unwrap(), 3);
    let seq_after_repeat = store.last_seq().await.unwrap();

    // Same enterprise written differently, same title with other spacing: the same record.
    let mut changed = demand("灵宝金源矿业有限公司 ", "高纯 氧化铝粉体制备");
    changed.budget_wan = Some(80.0);
    let third = store
        .import(batch(RecordKind::Demands, vec![Draft::Demand(changed)]))
        .await
        .unwrap();
    assert_eq!((third.rows_imported, third.rows_unchanged), (1, 0));
    assert_eq!(store.count(EntityKind::Demand).await.unwrap(), 3);
    let changes = store.changes_since(seq_after_repeat, 10).await.unwrap();
    assert_eq!(changes.len(), 1);
    let rec = store
        .get_records(EntityKind::Demand, &[changes[0].entity_id.clone()])
        .await
        .unwrap();
    match &rec[..] {
        [Record::Demand(d)] => {
            assert_eq!(d.body.budget_wan, Some(80.0));
            assert_eq!(d.status, DemandStatus::Published);
            assert_eq!(d.body.contact.phone.as_deref(), Some("13800000000"));
        }
        other => panic!("unexpected {other:?}"),
    }

    let imports = store.list_imports(10).await.unwrap();
    assert_eq!(imports.len(), 3);
    let got = store.get_import(&first.id).await.unwrap().unwrap();
    assert_eq!(got, first);
}

pub async fn import_links_achievements_to_leaders(store: S) {
    let experts = vec![Draft::Expert(ExpertDraft {
        org_name: "浙江大学".into(),
        name: "李四".into(),
        research_areas: vec!["锂电池正极材料".into()],
        contact: Contact {
            email: Some("li@zju.edu.cn".into()),
            ..Contact::default()
        },
        ..ExpertDraft::default()
    })];
    let r = store
        .import(batch(RecordKind::Experts, experts))
        .await
        .unwrap();
    assert_eq!(r.rows_imported, 1);
    let records = vec![
        Draft::Achievement(achievement("浙江大学", "高镍正极材料", Some("李四"))),
        Draft::Achievement(achievement("浙江大学", "固态电解质", Some("王五"))),
        Draft::Achievement(achievement("浙江大学", "电池回收", None)),
    ];
    let r = store
        .import(batch(RecordKind::Achievements, records))
        .await
        .unwrap();
    assert_eq!(r.rows_imported, 3);
    // 王五 was created from the listing; 李四's profile was kept, not overwritten.
    assert_eq!(store.count(EntityKind::Expert).await.unwrap(), 2);
    let all = store.scan(EntityKind::Achievement, "", 10).await.unwrap();
    let mut linked = 0;
    for rec in &all {
        let Record::Achievement(a) = rec else {
            panic!("not an achievement")
        };
        if let Some(eid) = &a.expert_id {
            let e = store.get_expert(eid).await.unwrap().unwrap();
            assert_eq!(Some(e.body.name.clone()), a.body.leader);
            assert_eq!(e.org_id, a.org_id);
            if e.body.name == "李四" {
                assert_eq!(e.body.research_areas, vec!["锂电池正极材料".to_string()]);
                assert_eq!(e.body.contact.email.as_deref(), Some("li@zju.edu.cn"));
            }
            linked += 1;
        }
    }
    assert_eq!(linked, 2);

    // People are found by the start of their name, text or not; the name is data, never a
    // pattern.
    let names = |found: Vec<duijie_core::Expert>| -> Vec<String> {
        found.into_iter().map(|e| e.body.name).collect()
    };
    assert_eq!(
        names(store.experts_named("李", 10).await.unwrap()),
        ["李四"]
    );
    assert_eq!(
        names(store.experts_named("王五", 10).await.unwrap()),
        ["王五"]
    );
    assert!(store.experts_named("%", 10).await.unwrap().is_empty());
    assert!(store.experts_named("_", 10).await.unwrap().is_empty());
    assert!(store.experts_named(" ", 10).await.unwrap().is_empty());
    assert_eq!(store.experts_named("", 10).await.unwrap().len(), 0);
}

pub async fn import_is_all_or_nothing(store: S) {
    let before = store.last_seq().await.unwrap();
    // The second record cannot be stored (no organisation): nothing of the file may land.
    let records = vec![
        Draft::Demand(demand("甲公司", "需求一")),
        Draft::Demand(demand(" ", "需求二")),
    ];
    let result = store.import(batch(RecordKind::Demands, records)).await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(store.count(EntityKind::Demand).await.unwrap(), 0);
    assert_eq!(store.count(EntityKind::Organization).await.unwrap(), 0);
    assert_eq!(store.last_seq().await.unwrap(), before);
    assert!(store.list_imports(10).await.unwrap().is_empty());
}

pub async fn demand_lifecycle_records_history(store: S) {
    let org = ensure_org(&store, "甲科技有限公司", OrgKind::Enterprise).await;
    let d = create(&store, &org, "耐盐碱作物育种", DemandStatus::Draft).await;
    assert_eq!(d.status, DemandStatus::Draft);
    assert_eq!(d.org_name, "甲科技有限公司");
    let d = advance(&store, &d.id, DemandStatus::Draft, DemandStatus::Submitted).await;
    let d = store
        .transition_demand(
            &d.id,
            DemandStatus::Submitted,
            DemandStatus::ChangesRequested,
            &Actor {
                id: Some("usr_1".into()),
                name: "科技局".into(),
            },
            "请补充预期目标",
            None,
        )
        .await
        .unwrap();
    assert_eq!(d.status, DemandStatus::ChangesRequested);
    let mut body = d.body.clone();
    body.goals = "亩产提高10%".into();
    let d2 = store
        .update_demand(&d.id, &body, d.version, &[], &[])
        .await
        .unwrap();
    assert_eq!(d2.body.goals, "亩产提高10%");
    assert_eq!(d2.status, DemandStatus::ChangesRequested);
    let h = store.demand_history(&d.id).await.unwrap();
    let steps: Vec<_> = h.iter().map(|e| (e.from_status, e.to_status)).collect();
    assert_eq!(
        steps,
        vec![
            (None, DemandStatus::Draft),
            (Some(DemandStatus::Draft), DemandStatus::Submitted),
            (
                Some(DemandStatus::Submitted),
                DemandStatus::ChangesRequested
            ),
        ]
    );
    assert_eq!(h[2].note, "请补充预期目标");
    assert_eq!(h[2].actor_name, "科技局");
    assert!(matches!(
        store.update_demand("dem_missing", &body, 1, &[], &[]).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn transition_is_compare_and_set(store: S) {
    let org = ensure_org(&store, "乙公司", OrgKind::Enterprise).await;
    let d = create(&store, &org, "废水处理", DemandStatus::Submitted).await;
    advance(
        &store,
        &d.id,
        DemandStatus::Submitted,
        DemandStatus::Approved,
    )
    .await;
    let lost = store
        .transition_demand(
            &d.id,
            DemandStatus::Submitted,
            DemandStatus::Rejected,
            &actor(),
            "",
            None,
        )
        .await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let now = store.get_demand(&d.id).await.unwrap().unwrap();
    assert_eq!(now.status, DemandStatus::Approved);
    assert_eq!(store.demand_history(&d.id).await.unwrap().len(), 2);
}

pub async fn duplicate_demand_title_conflicts(store: S) {
    let org = ensure_org(&store, "丙公司", OrgKind::Enterprise).await;
    create(&store, &org, "智能分拣", DemandStatus::Draft).await;
    let again = store
        .create_demand(
            &org.id,
            &demand("丙公司", "智能 分拣"),
            DemandStatus::Draft,
            &actor(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.count(EntityKind::Demand).await.unwrap(), 1);
}

pub async fn change_log_is_strictly_increasing_and_complete(store: S) {
    let recs: Vec<Draft> = (0..450)
        .map(|i| Draft::Achievement(achievement("某大学", &format!("成果{i}"), None)))
        .collect();
    store
        .import(batch(RecordKind::Achievements, recs))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut last = 0;
    loop {
        let page = store.changes_since(last, 100).await.unwrap();
        if page.is_empty() {
            break;
        }
        for c in &page {
            assert!(c.seq > last, "{} after {last}", c.seq);
            last = c.seq;
            seen.push(c.entity_id.clone());
        }
    }
    assert_eq!(seen.len(), 450);
    assert_eq!(store.last_seq().await.unwrap(), last);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 450);
}

pub async fn concurrent_writers_keep_the_log_in_commit_order(store: S) {
    let org = ensure_org(&store, "丁公司", OrgKind::Enterprise).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        let org_id = org.id.clone();
        tasks.push(tokio::spawn(async move {
            store
                .create_demand(
                    &org_id,
                    &demand("丁公司", &format!("需求{i}")),
                    DemandStatus::Draft,
                    &actor(),
                )
                .await
                .map(|d| d.id)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap());
    }
    let changes = store.changes_since(0, 1000).await.unwrap();
    let mut logged: Vec<String> = changes.iter().map(|c| c.entity_id.clone()).collect();
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    logged.sort();
    ids.sort();
    assert_eq!(logged, ids);
}

pub async fn scan_and_get_records_page_through_everything(store: S) {
    let recs: Vec<Draft> = (0..25)
        .map(|i| Draft::Achievement(achievement("戊大学", &format!("成果{i}"), Some("赵六"))))
        .collect();
    store
        .import(batch(RecordKind::Achievements, recs))
        .await
        .unwrap();
    let mut after = String::new();
    let mut all = Vec::new();
    loop {
        let page = store
            .scan(EntityKind::Achievement, &after, 7)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.id().to_string();
        all.extend(page);
    }
    assert_eq!(all.len(), 25);
    let ids: Vec<String> = all.iter().take(3).map(|r| r.id().to_string()).collect();
    let mut want = ids.clone();
    want.push("ach_missing".into());
    let got = store
        .get_records(EntityKind::Achievement, &want)
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
    let experts = store.scan(EntityKind::Expert, "", 10).await.unwrap();
    assert_eq!(experts.len(), 1);
    let Record::Expert(e) = &experts[0] else {
        panic!("not an expert")
    };
    let counts = store.organization_counts(&e.org_id).await.unwrap();
    assert_eq!(
        (counts.achievements, counts.experts, counts.demands),
        (25, 1, 0)
    );
}

pub async fn users_are_found_by_token_hash_and_revoked(store: S) {
    let org = ensure_org(&store, "己公司", OrgKind::Enterprise).await;
    let u = store
        .create_user("ent1", Role::Enterprise, Some(&org.id), "hash-1")
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_user("ent1", Role::Bureau, None, "hash-2")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let found = store.user_by_token_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(found.id, u.id);
    assert_eq!(found.role, Role::Enterprise);
    assert_eq!(found.org_id.as_deref(), Some(org.id.as_str()));
    assert_eq!((found.email, found.phone), (None, None));
    assert!(store
        .set_user_contact(&u.id, Some("ent1@example.com"), Some("0571-1234"))
        .await
        .unwrap());
    assert!(!store
        .set_user_contact("usr_missing", Some("x@example.com"), None)
        .await
        .unwrap());
    let found = store.user_by_token_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(found.email.as_deref(), Some("ent1@example.com"));
    assert_eq!(found.phone.as_deref(), Some("0571-1234"));
    assert!(store.user_by_token_hash("hash-x").await.unwrap().is_none());
    assert!(store.revoke_user("ent1").await.unwrap());
    assert!(!store.revoke_user("ent1").await.unwrap());
    assert!(store.user_by_token_hash("hash-1").await.unwrap().is_none());
    let users = store.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert!(users[0].revoked);
    assert!(store.reset_token("ent1", "hash-3").await.unwrap());
    assert!(!store.reset_token("nobody", "hash-4").await.unwrap());
    assert!(store.user_by_token_hash("hash-1").await.unwrap().is_none());
    assert_eq!(
        store
            .user_by_token_hash("hash-3")
            .await
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
}

pub async fn list_demands_filters_and_pages(store: S) {
    let a = ensure_org(&store, "庚公司", OrgKind::Enterprise).await;
    let b = ensure_org(&store, "辛公司", OrgKind::Enterprise).await;
    for i in 0..5 {
        create(&store, &a, &format!("甲{i}"), DemandStatus::Submitted).await;
    }
    create(&store, &b, "乙", DemandStatus::Draft).await;
    let (page, total) = store
        .list_demands(&DemandFilter {
            org_id: Some(a.id.clone()),
            statuses: None,
            offset: 2,
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(page.len(), 2);
    let (drafts, total) = store
        .list_demands(&DemandFilter {
            statuses: Some(vec![DemandStatus::Draft]),
            limit: 10,
            ..DemandFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(drafts[0].org_id, b.id);
}

/// A demand of `org` created directly in `status`, moved there through the lifecycle.
async fn demand_in(store: &S, org: &str, title: &str, status: DemandStatus) -> Demand {
    let o = ensure_org(store, org, OrgKind::Enterprise).await;
    let mut d = create(store, &o, title, DemandStatus::Draft).await;
    let path: &[DemandStatus] = match status {
        DemandStatus::Draft => &[],
        DemandStatus::Submitted => &[DemandStatus::Submitted],
        DemandStatus::Approved => &[DemandStatus::Submitted, DemandStatus::Approved],
        DemandStatus::Published => &[
            DemandStatus::Submitted,
            DemandStatus::Approved,
            DemandStatus::Published,
        ],
        other => panic!("no path to {other:?} in this helper"),
    };
    for to in path {
        d = advance(store, &d.id, d.status, *to).await;
    }
    d
}

pub async fn catalogue_publish_freezes_snapshots_and_moves_demands(store: S) {
    let a = demand_in(&store, "甲公司", "高纯氧化铝粉体", DemandStatus::Approved).await;
    let b = demand_in(&store, "乙公司", "果品冷链保鲜", DemandStatus::Published).await;
    let c = demand_in(&store, "丙公司", "尾矿综合利用", DemandStatus::Submitted).await;
    let bureau = Actor {
        id: Some("usr_b".into()),
        name: "科技局".into(),
    };
    let cat = store
        .create_catalogue("2026年第4期企业技术需求目录", Some("2026Q4"), &bureau)
        .await
        .unwrap();
    assert_eq!(cat.status, CatalogueStatus::Draft);
    assert_eq!((cat.item_count, cat.created_by.as_str()), (0, "科技局"));
    assert_eq!(cat.period.as_deref(), Some("2026Q4"));

    // A submitted or unknown demand is refused by name, and nothing is added.
    let err = store
        .add_catalogue_items(&cat.id, &[a.id.clone(), c.id.clone()])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("尾矿综合利用") && m.contains("待审核")),
        "{err}"
    );
    let err = store
        .add_catalogue_items(&cat.id, &["dem_nope".to_string()])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(m) if m.contains("需求不存在")),
        "{err}"
    );
    assert_eq!(store.catalogue_items(&cat.id).await.unwrap().len(), 0);

    let cat = store
        .add_catalogue_items(&cat.id, &[a.id.clone(), b.id.clone(), a.id.clone()])
        .await
        .unwrap();
    assert_eq!(cat.item_count, 2);
    let cat = store
        .add_catalogue_items(&cat.id, std::slice::from_ref(&b.id))
        .await
        .unwrap();
    assert_eq!(cat.item_count, 2, "adding twice keeps one item");
    assert!(store.list_catalogues(false).await.unwrap().is_empty());
    assert_eq!(store.list_catalogues(true).await.unwrap().len(), 1);

    let seq_before = store.last_seq().await.unwrap();
    let published = store
        .publish_catalogue(&cat.id, &bureau, &[])
        .await
        .unwrap();
    assert_eq!(published.status, CatalogueStatus::Published);
    assert!(published.published_at.is_some());
    let a_now = store.get_demand(&a.id).await.unwrap().unwrap();
    assert_eq!(a_now.status, DemandStatus::Published);
    let last = store.demand_history(&a.id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.from_status, last.to_status, last.actor_name.as_str()),
        (
            Some(DemandStatus::Approved),
            DemandStatus::Published,
            "科技局"
        )
    );
    assert!(last.note.contains("2026年第4期"));
    let logged: Vec<String> = store
        .changes_since(seq_before, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.entity_id)
        .collect();
    assert_eq!(
        logged,
        vec![a.id.clone()],
        "the index follows the published demand"
    );

    // The edition keeps what was published, contact included, whatever happens later.
    let items = store.catalogue_items(&cat.id).await.unwrap();
    let ids: Vec<&str> = items.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [a.id.as_str(), b.id.as_str()]);
    assert_eq!(items[0].status, DemandStatus::Published);
    assert_eq!(items[0].body.contact.phone.as_deref(), Some("13800000000"));
    assert_eq!(items[0].body.title, "高纯氧化铝粉体");
    let mut edited = a_now.body.clone();
    edited.title = "高纯氧化铝粉体（修订）".into();
    edited.contact.phone = Some("13900000000".into());
    store
        .update_demand(&a.id, &edited, a_now.version, &[], &[])
        .await
        .unwrap();
    let again = store.catalogue_items(&cat.id).await.unwrap();
    assert_eq!(again, items);

    assert!(matches!(
        store
            .add_catalogue_items(&cat.id, std::slice::from_ref(&a.id))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.publish_catalogue(&cat.id, &bureau, &[]).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.list_catalogues(false).await.unwrap(),
        vec![published.clone()]
    );
    assert_eq!(store.get_catalogue(&cat.id).await.unwrap(), Some(published));
    assert!(store.get_catalogue("cat_nope").await.unwrap().is_none());
    assert!(matches!(
        store.publish_catalogue("cat_nope", &bureau, &[]).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn catalogue_publish_is_all_or_nothing(store: S) {
    let a = demand_in(&store, "甲公司", "高纯氧化铝粉体", DemandStatus::Approved).await;
    let b = demand_in(&store, "乙公司", "果品冷链保鲜", DemandStatus::Approved).await;
    let empty = store
        .create_catalogue("空目录", None, &actor())
        .await
        .unwrap();
    assert!(matches!(
        store.publish_catalogue(&empty.id, &actor(), &[]).await,
        Err(StoreError::Invalid(_))
    ));
    let cat = draft_catalogue(&store, "第1期", &[a.id.clone(), b.id.clone()]).await;
    // Withdrawn after being listed: publishing must fail and change nothing.
    advance(
        &store,
        &b.id,
        DemandStatus::Approved,
        DemandStatus::Withdrawn,
    )
    .await;
    let seq = store.last_seq().await.unwrap();
    let err = store
        .publish_catalogue(&cat.id, &actor(), &[])
        .await
        .unwrap_err();
    // The message names the demand by its title and says what to do, with no internal id.
    assert!(
        matches!(&err, StoreError::Conflict(m)
            if m.contains("果品冷链保鲜") && m.contains("移出") && !m.contains(&b.id)),
        "{err}"
    );
    assert_eq!(
        store.get_demand(&a.id).await.unwrap().unwrap().status,
        DemandStatus::Approved
    );
    assert_eq!(store.last_seq().await.unwrap(), seq);
    let still = store.get_catalogue(&cat.id).await.unwrap().unwrap();
    assert_eq!(still.status, CatalogueStatus::Draft);
    assert!(still.published_at.is_none());
    assert_eq!(store.demand_history(&a.id).await.unwrap().len(), 3);

    // One action unblocks it: take the withdrawn demand out, then publish.
    let left = store
        .remove_catalogue_items(&cat.id, &[b.id.clone(), "dem_not_there".into()])
        .await
        .unwrap();
    assert_eq!(left.item_count, 1);
    let published = store
        .publish_catalogue(&cat.id, &actor(), &[])
        .await
        .unwrap();
    assert_eq!(published.status, CatalogueStatus::Published);
    // A published edition is frozen: nothing comes out, and it is not deleted.
    assert!(matches!(
        store
            .remove_catalogue_items(&cat.id, std::slice::from_ref(&a.id))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.delete_catalogue(&cat.id).await,
        Err(StoreError::Conflict(_))
    ));
    // A draft is deleted with its items; its demands are untouched.
    store.delete_catalogue(&empty.id).await.unwrap();
    assert!(store.get_catalogue(&empty.id).await.unwrap().is_none());
    let draft = draft_catalogue(&store, "第2期", std::slice::from_ref(&a.id)).await;
    store.delete_catalogue(&draft.id).await.unwrap();
    assert!(store.get_catalogue(&draft.id).await.unwrap().is_none());
    assert_eq!(
        store.get_demand(&a.id).await.unwrap().unwrap().status,
        DemandStatus::Published
    );
}

/// A draft is deleted with its history and leaves the change log a delete; a demand that
/// went further, or that anything refers to, stays.
pub async fn only_untouched_drafts_are_deleted(store: S) {
    let draft = demand_in(&store, "甲公司", "草稿需求", DemandStatus::Draft).await;
    let approved = demand_in(&store, "甲公司", "已审核需求", DemandStatus::Approved).await;
    let before = store.last_seq().await.unwrap();
    store.delete_demand(&draft.id).await.unwrap();
    assert!(store.get_demand(&draft.id).await.unwrap().is_none());
    let changes = store.changes_since(before, 10).await.unwrap();
    assert!(changes.iter().any(|c| c.entity_id == draft.id && !c.exists));
    assert!(matches!(
        store.delete_demand(&approved.id).await,
        Err(StoreError::Conflict(_))
    ));
    // Listed in an edition, withdrawn, reopened as a draft: still referred to, so it stays.
    draft_catalogue(&store, "第1期", std::slice::from_ref(&approved.id)).await;
    for (from, to) in [
        (DemandStatus::Approved, DemandStatus::Withdrawn),
        (DemandStatus::Withdrawn, DemandStatus::Draft),
    ] {
        advance(&store, &approved.id, from, to).await;
    }
    assert!(matches!(
        store.delete_demand(&approved.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.get_demand(&approved.id).await.unwrap().is_some());
}

pub async fn vectors_are_kept_once_per_text_hash(store: S) {
    let a = [1u8; 32];
    let b = [2u8; 32];
    let first: Vec<i8> = (0..384).map(|i| (i % 255 - 127) as i8).collect();
    store
        .put_vectors(&[(a, first.clone()), (b, vec![-127, 0, 127])], 1)
        .await
        .unwrap();
    // A second writer of the same text (another replica) keeps the first vector.
    store.put_vectors(&[(a, vec![5; 384])], 2).await.unwrap();
    store.put_vectors(&[], 3).await.unwrap();
    let mut got = store.vectors(&[a, [9u8; 32], b]).await.unwrap();
    got.sort();
    assert_eq!(got, vec![(a, first), (b, vec![-127, 0, 127])]);
    // Lookups of more keys than one statement carries.
    let many: Vec<[u8; 32]> = (0..1200u32)
        .map(|i| {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            k[31] = 7;
            k
        })
        .collect();
    let items: Vec<_> = many.iter().map(|k| (*k, vec![k[0] as i8])).collect();
    store.put_vectors(&items, 4).await.unwrap();
    assert_eq!(store.vectors(&many).await.unwrap().len(), 1200);
}
