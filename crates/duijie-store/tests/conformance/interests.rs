//! Expressions of interest (揭榜 / 对接意向): created once per institution, answered once,
//! and accepting moves the demand to in_docking in the same transaction.

use super::{achievement, actor, advance, batch, demand, ensure_org, S};
use duijie_core::{
    DemandStatus, Draft, EntityKind, Interest, InterestStatus, NewInterest, OrgKind, RecordKind,
};
use duijie_store::{Record, StoreError};
use std::collections::HashMap;

/// A demand of `org` moved through the lifecycle to published.
pub(super) async fn published(store: &S, org: &str, title: &str) -> String {
    let org_id = ensure_org(store, org, OrgKind::Enterprise).await.id;
    let d = store
        .create_demand(&org_id, &demand(org, title), DemandStatus::Draft, &actor())
        .await
        .unwrap();
    let mut from = DemandStatus::Draft;
    for to in [
        DemandStatus::Submitted,
        DemandStatus::Approved,
        DemandStatus::Published,
    ] {
        advance(store, &d.id, from, to).await;
        from = to;
    }
    d.id
}

/// The ids of `org`'s achievements and experts.
async fn records_of(store: &S, org_id: &str) -> (Vec<String>, Vec<String>) {
    let mut achievements = Vec::new();
    let mut experts = Vec::new();
    for kind in [EntityKind::Achievement, EntityKind::Expert] {
        for r in store.scan(kind, "", 100).await.unwrap() {
            match r {
                Record::Achievement(a) if a.org_id == org_id => achievements.push(a.id),
                Record::Expert(e) if e.org_id == org_id => experts.push(e.id),
                _ => {}
            }
        }
    }
    (achievements, experts)
}

/// A pending interest of organisation `org_id` in demand `demand_id`, citing nothing.
pub(super) async fn interest_in(store: &S, demand_id: &str, org_id: &str) -> Interest {
    let new = new(demand_id, org_id, &[], &[]);
    store.create_interest(&new, &actor(), &[]).await.unwrap()
}

pub(super) fn new(
    demand_id: &str,
    org_id: &str,
    experts: &[String],
    achievements: &[String],
) -> NewInterest {
    NewInterest {
        demand_id: demand_id.into(),
        org_id: org_id.into(),
        message: "我们在该方向有十年积累，可联合攻关".into(),
        expert_ids: experts.to_vec(),
        achievement_ids: achievements.to_vec(),
        instrument_ids: Vec::new(),
        contact: Default::default(),
    }
}

pub async fn interests_are_checked_answered_once_and_move_the_demand(store: S) {
    let d = published(&store, "甲科技有限公司", "高纯氧化铝粉体").await;
    store
        .import(batch(
            RecordKind::Achievements,
            vec![
                Draft::Achievement(achievement("浙江大学", "氧化铝制备", Some("李四"))),
                Draft::Achievement(achievement("清华大学", "粉体煅烧", None)),
            ],
        ))
        .await
        .unwrap();
    let zju = ensure_org(&store, "浙江大学", OrgKind::University).await.id;
    let thu = ensure_org(&store, "清华大学", OrgKind::University).await.id;
    let (zju_ach, zju_exp) = records_of(&store, &zju).await;
    let (thu_ach, _) = records_of(&store, &thu).await;
    assert_eq!((zju_ach.len(), zju_exp.len(), thu_ach.len()), (1, 1, 1));

    // Someone else's achievement, or one that does not exist, is named in the error.
    match store
        .create_interest(&new(&d, &zju, &[], &thu_ach), &actor(), &[])
        .await
    {
        Err(StoreError::Invalid(m)) => assert!(m.contains("成果不属于本单位"), "{m}"),
        other => panic!("{other:?}"),
    }
    match store
        .create_interest(&new(&d, &zju, &["exp_missing".into()], &[]), &actor(), &[])
        .await
    {
        Err(StoreError::Invalid(m)) => assert!(m.contains("专家不存在"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Only public demands take interests.
    let org_id = ensure_org(&store, "甲科技有限公司", OrgKind::Enterprise)
        .await
        .id;
    let draft = store
        .create_demand(
            &org_id,
            &demand("甲科技有限公司", "草稿需求"),
            DemandStatus::Draft,
            &actor(),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_interest(&new(&draft.id, &zju, &[], &[]), &actor(), &[])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.list_interests(&d, None).await.unwrap().is_empty());

    let first = store
        .create_interest(&new(&d, &zju, &zju_exp, &zju_ach), &actor(), &[])
        .await
        .unwrap();
    assert_eq!(first.status, InterestStatus::Pending);
    assert_eq!(first.org_name, "浙江大学");
    assert_eq!(first.expert_ids, zju_exp);
    assert_eq!(first.achievement_ids, zju_ach);
    assert_eq!(
        store.get_interest(&first.id).await.unwrap(),
        Some(first.clone())
    );
    // One pending interest per institution and demand.
    assert!(matches!(
        store
            .create_interest(&new(&d, &zju, &[], &[]), &actor(), &[])
            .await,
        Err(StoreError::Conflict(_))
    ));
    let second = store
        .create_interest(&new(&d, &thu, &[], &thu_ach), &actor(), &[])
        .await
        .unwrap();
    let all = store.list_interests(&d, None).await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        vec![first.id.as_str(), second.id.as_str()]
    );
    assert_eq!(
        store.list_interests(&d, Some(&thu)).await.unwrap(),
        vec![second.clone()]
    );
    let pending = |ids: Vec<String>| {
        let store = &store;
        async move { store.pending_interest_counts(&ids).await.unwrap() }
    };
    assert_eq!(
        pending(vec![d.clone(), draft.id.clone(), "dem_missing".into()]).await,
        HashMap::from([(d.clone(), 2)])
    );
    assert!(pending(Vec::new()).await.is_empty());

    // Declined once, with the reason kept; then the institution may try again.
    let declined = store
        .decline_interest(&first.id, "方向不符", &[])
        .await
        .unwrap();
    assert_eq!(declined.status, InterestStatus::Declined);
    assert_eq!(declined.decline_reason.as_deref(), Some("方向不符"));
    assert_eq!(
        pending(vec![d.clone()]).await,
        HashMap::from([(d.clone(), 1)])
    );
    assert!(matches!(
        store.decline_interest(&first.id, "再次", &[]).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.accept_interest(&first.id, &actor(), "", &[]).await,
        Err(StoreError::Conflict(_))
    ));
    let again = interest_in(&store, &d, &zju).await;

    // Accepting moves the demand to in_docking with history and a change-log row.
    let seq = store.last_seq().await.unwrap();
    let (accepted, demand_now) = store
        .accept_interest(&second.id, &actor(), "接受清华大学的对接意向", &[])
        .await
        .unwrap();
    assert_eq!(accepted.status, InterestStatus::Accepted);
    assert_eq!(demand_now.status, DemandStatus::InDocking);
    let changes = store.changes_since(seq, 10).await.unwrap();
    assert!(changes.iter().any(|c| c.entity_id == d), "{changes:?}");
    let history = store.demand_history(&d).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.from_status, last.to_status, last.note.as_str()),
        (
            Some(DemandStatus::Published),
            DemandStatus::InDocking,
            "接受清华大学的对接意向"
        )
    );
    // A second partner: the demand stays in docking, no new history.
    let (accepted, demand_now) = store
        .accept_interest(&again.id, &actor(), "", &[])
        .await
        .unwrap();
    assert_eq!(accepted.status, InterestStatus::Accepted);
    assert_eq!(demand_now.status, DemandStatus::InDocking);
    assert_eq!(store.demand_history(&d).await.unwrap().len(), history.len());
    assert!(matches!(
        store
            .accept_interest("int_missing", &actor(), "", &[])
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn accepting_is_all_or_nothing(store: S) {
    let d = published(&store, "乙科技有限公司", "污泥资源化").await;
    let inst = ensure_org(&store, "郑州大学", OrgKind::University).await.id;
    let i = interest_in(&store, &d, &inst).await;
    advance(&store, &d, DemandStatus::Published, DemandStatus::Withdrawn).await;
    let seq = store.last_seq().await.unwrap();
    let history = store.demand_history(&d).await.unwrap().len();
    assert!(matches!(
        store.accept_interest(&i.id, &actor(), "", &[]).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.get_interest(&i.id).await.unwrap().unwrap().status,
        InterestStatus::Pending
    );
    assert_eq!(store.last_seq().await.unwrap(), seq);
    assert_eq!(store.demand_history(&d).await.unwrap().len(), history);
    assert_eq!(
        store.get_demand(&d).await.unwrap().unwrap().status,
        DemandStatus::Withdrawn
    );
}
