//! The technology market: instruments go through the change log and are read like other
//! records; public demands carry their publication time and never include drafts; committees
//! are saved as drafts and updated in place.

use super::{actor, demand, S};
use duijie_core::{
    CommitteeMember, CommitteeStatus, CommitteeUpdate, DemandStatus, EntityKind, Field,
    InstrumentDraft, NewCommittee, OrgKind, Subtopic,
};
use duijie_store::{Record, StoreError};

fn instrument(name: &str) -> InstrumentDraft {
    InstrumentDraft {
        name: name.into(),
        model: "D8 Advance".into(),
        fields: vec![Field::NewMaterials, Field::AdvancedManufacturing],
        description: "粉体物相分析".into(),
        location: "材料楼101".into(),
        booking_terms: "工作日预约，按机时收费".into(),
    }
}

pub async fn instruments_are_logged_and_read_like_records(store: S) {
    let org = store
        .ensure_organization("郑州大学", OrgKind::University)
        .await
        .unwrap();
    let before = store.last_seq().await.unwrap();
    let i = store
        .create_instrument(&org.id, &instrument("X射线衍射仪"), &actor())
        .await
        .unwrap();
    assert!(i.id.starts_with("ins"));
    assert_eq!(i.org_name, "郑州大学");
    assert_eq!(
        i.body.fields,
        vec![Field::NewMaterials, Field::AdvancedManufacturing]
    );
    let changes = store.changes_since(before, 10).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].entity, EntityKind::Instrument);
    assert_eq!(changes[0].entity_id, i.id);

    assert_eq!(store.get_instrument(&i.id).await.unwrap(), Some(i.clone()));
    assert_eq!(store.get_instrument("ins_missing").await.unwrap(), None);
    let second = store
        .create_instrument(&org.id, &instrument("扫描电子显微镜"), &actor())
        .await
        .unwrap();
    assert_eq!(store.count(EntityKind::Instrument).await.unwrap(), 2);
    let got = store
        .get_records(
            EntityKind::Instrument,
            &[i.id.clone(), "ins_missing".into()],
        )
        .await
        .unwrap();
    assert_eq!(got, vec![Record::Instrument(i.clone())]);
    let first_page = store.scan(EntityKind::Instrument, "", 1).await.unwrap();
    assert_eq!(first_page.len(), 1);
    let rest = store
        .scan(EntityKind::Instrument, first_page[0].id(), 10)
        .await
        .unwrap();
    let mut all: Vec<&str> = first_page.iter().chain(&rest).map(Record::id).collect();
    all.sort();
    let mut want = vec![i.id.as_str(), second.id.as_str()];
    want.sort();
    assert_eq!(all, want);

    // An unknown organisation or a blank name is refused without a change-log row.
    let seq = store.last_seq().await.unwrap();
    assert!(matches!(
        store
            .create_instrument("org_missing", &instrument("光谱仪"), &actor())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .create_instrument(&org.id, &instrument("  "), &actor())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.last_seq().await.unwrap(), seq);
}

pub async fn public_demands_are_published_ones_with_publication_time(store: S) {
    let org = store
        .ensure_organization("灵宝金源矿业有限公司", OrgKind::Enterprise)
        .await
        .unwrap();
    let draft = store
        .create_demand(
            &org.id,
            &demand("灵宝金源矿业有限公司", "草稿需求"),
            DemandStatus::Draft,
            &actor(),
        )
        .await
        .unwrap();
    let imported = store
        .create_demand(
            &org.id,
            &demand("灵宝金源矿业有限公司", "目录需求"),
            DemandStatus::Published,
            &actor(),
        )
        .await
        .unwrap();
    let reviewed = store
        .create_demand(
            &org.id,
            &demand("灵宝金源矿业有限公司", "审核需求"),
            DemandStatus::Draft,
            &actor(),
        )
        .await
        .unwrap();
    let mut from = DemandStatus::Draft;
    for to in [
        DemandStatus::Submitted,
        DemandStatus::Approved,
        DemandStatus::Published,
        DemandStatus::InDocking,
    ] {
        store
            .transition_demand(&reviewed.id, from, to, &actor(), "", None)
            .await
            .unwrap();
        from = to;
    }
    let rejected = store
        .create_demand(
            &org.id,
            &demand("灵宝金源矿业有限公司", "驳回需求"),
            DemandStatus::Submitted,
            &actor(),
        )
        .await
        .unwrap();
    store
        .transition_demand(
            &rejected.id,
            DemandStatus::Submitted,
            DemandStatus::Rejected,
            &actor(),
            "不符合",
            None,
        )
        .await
        .unwrap();
    let public = store.public_demands().await.unwrap();
    let ids: Vec<&str> = public.iter().map(|p| p.demand.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&imported.id.as_str()));
    assert!(ids.contains(&reviewed.id.as_str()));
    assert!(!ids.contains(&draft.id.as_str()) && !ids.contains(&rejected.id.as_str()));
    // Without a publication in its history a demand counts from its creation.
    let p = public.iter().find(|p| p.demand.id == imported.id).unwrap();
    assert_eq!(p.published_at, imported.created_at);
    let history = store.demand_history(&reviewed.id).await.unwrap();
    let published_at = history
        .iter()
        .find(|e| e.to_status == DemandStatus::Published)
        .unwrap()
        .at;
    let p = public.iter().find(|p| p.demand.id == reviewed.id).unwrap();
    assert_eq!(p.published_at, published_at);
    assert_eq!(p.demand.status, DemandStatus::InDocking);
}

fn member(expert: &str, org: &str) -> CommitteeMember {
    CommitteeMember {
        expert_id: expert.into(),
        name: format!("专家{expert}"),
        org_id: org.into(),
        org_name: "郑州大学".into(),
        subtopics: vec!["氧化铝".into()],
        evidence: Vec::new(),
        reason: "覆盖子议题：氧化铝".into(),
    }
}

pub async fn committees_are_saved_listed_and_updated(store: S) {
    let new = NewCommittee {
        name: "新材料专家咨询委员会".into(),
        field: Field::NewMaterials,
        size: 3,
        subtopics: vec![Subtopic {
            term: "氧化铝".into(),
            demands: 4,
        }],
        members: vec![member("exp_a", "org_1")],
    };
    let c = store.create_committee(&new, &actor()).await.unwrap();
    assert!(c.id.starts_with("com"));
    assert_eq!(c.status, CommitteeStatus::Draft);
    assert_eq!(c.field, Field::NewMaterials);
    assert_eq!((c.size, c.notes.as_str()), (3, ""));
    assert_eq!(c.subtopics, new.subtopics);
    assert_eq!(c.members, new.members);
    assert_eq!(c.created_by, "测试");
    let second = store
        .create_committee(
            &NewCommittee {
                name: "第二个".into(),
                ..new.clone()
            },
            &actor(),
        )
        .await
        .unwrap();
    let list = store.list_committees().await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|x| x.id == second.id));

    let updated = store
        .update_committee(
            &c.id,
            &CommitteeUpdate {
                notes: Some("请联系各单位确认".into()),
                status: Some(CommitteeStatus::Confirmed),
                members: Some(vec![member("exp_b", "org_2"), member("exp_c", "org_2")]),
                ..CommitteeUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "新材料专家咨询委员会");
    assert_eq!(updated.notes, "请联系各单位确认");
    assert_eq!(updated.status, CommitteeStatus::Confirmed);
    assert_eq!(updated.members.len(), 2);
    assert_eq!(store.get_committee(&c.id).await.unwrap(), Some(updated));
    assert_eq!(store.get_committee("com_missing").await.unwrap(), None);
    assert!(matches!(
        store
            .update_committee("com_missing", &CommitteeUpdate::default())
            .await,
        Err(StoreError::NotFound(_))
    ));
}
