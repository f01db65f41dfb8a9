//! Committees are saved as drafts and updated in place.

use super::{actor, S};
use duijie_core::{
    CommitteeMember, CommitteeStatus, CommitteeUpdate, Field, NewCommittee, Subtopic,
};
use duijie_store::StoreError;

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
