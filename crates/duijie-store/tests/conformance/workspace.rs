//! The institution's workspace: own records are written with their change-log row and audit
//! entry in one transaction, guarded by their version, listed per organisation; an
//! organisation's interests come with their demands; record changes are listed for the bureau.

use super::{actor, create, ensure_org, S};
use duijie_core::{
    AchievementDraft, Contact, DemandStatus, EntityKind, ExpertDraft, InstrumentDraft,
    InterestStatus, NewInterest, NewSecondment, OrgKind,
};
use duijie_store::{
    AuditAction, AuditActor, AuditSubject, NewAuditEntry, OwnDraft, Record, StoreError,
};

fn entry(action: AuditAction, subject: AuditSubject) -> NewAuditEntry {
    NewAuditEntry {
        actor: AuditActor {
            id: Some("usr_zzu".into()),
            name: "zzu".into(),
            role: Some(duijie_core::Role::Institution),
        },
        action,
        subject,
        record_ids: Vec::new(),
        summary: "郑州大学新建科技成果".into(),
    }
}

fn achievement(title: &str, leader: Option<&str>) -> OwnDraft {
    OwnDraft::Achievement(AchievementDraft {
        org_name: "郑州大学".into(),
        title: title.into(),
        summary: "粉体制备与煅烧".into(),
        leader: leader.map(str::to_string),
        ..AchievementDraft::default()
    })
}

pub async fn own_records_are_versioned_logged_and_audited(store: S) {
    let org = ensure_org(&store, "郑州大学", OrgKind::University).await;
    let other = ensure_org(&store, "河南大学", OrgKind::University).await;
    let create = entry(AuditAction::RecordCreate, AuditSubject::Achievement);
    let expert = store
        .create_own_record(
            &org.id,
            &OwnDraft::Expert(ExpertDraft {
                org_name: "郑州大学".into(),
                name: "李四".into(),
                contact: Contact {
                    name: None,
                    phone: Some("13800138000".into()),
                    email: None,
                },
                ..ExpertDraft::default()
            }),
            &entry(AuditAction::RecordCreate, AuditSubject::Expert),
        )
        .await
        .unwrap();
    let before = store.last_seq().await.unwrap();
    let a = store
        .create_own_record(
            &org.id,
            &achievement("高纯氧化铝制备", Some("李四")),
            &create,
        )
        .await
        .unwrap();
    let Record::Achievement(ach) = &a else {
        panic!("an achievement: {a:?}")
    };
    assert_eq!(ach.version, 1);
    assert_eq!(ach.org_name, "郑州大学");
    assert_eq!(ach.expert_id.as_deref(), Some(expert.id()), "leader linked");
    let log = store.changes_since(before, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].entity, log[0].entity_id.as_str(), log[0].exists),
        (EntityKind::Achievement, a.id(), true)
    );
    // The same title in the same organisation conflicts; in another it does not.
    assert!(matches!(
        store
            .create_own_record(&org.id, &achievement("高纯氧化铝制备", None), &create)
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .create_own_record(&other.id, &achievement("高纯氧化铝制备", None), &create)
        .await
        .unwrap();

    // Edits hold for the version read; a stale one changes nothing.
    let edit = entry(AuditAction::RecordEdit, AuditSubject::Achievement);
    let e = store
        .update_own_record(
            a.id(),
            &achievement("高纯氧化铝粉体制备", None),
            Some(1),
            &edit,
        )
        .await
        .unwrap();
    let Record::Achievement(edited) = &e else {
        panic!("an achievement")
    };
    assert_eq!(
        (edited.version, edited.body.title.as_str()),
        (2, "高纯氧化铝粉体制备")
    );
    assert!(edited.expert_id.is_none());
    assert!(matches!(
        store
            .update_own_record(a.id(), &achievement("又一次", None), Some(1), &edit)
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .update_own_record("ach_missing", &achievement("无", None), None, &edit)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let now = store.get_achievement(a.id()).await.unwrap().unwrap();
    assert_eq!(now.body.title, "高纯氧化铝粉体制备");

    // Instruments: versioned too.
    let ins = store
        .create_own_record(
            &org.id,
            &OwnDraft::Instrument(InstrumentDraft {
                name: "X射线衍射仪".into(),
                ..InstrumentDraft::default()
            }),
            &entry(AuditAction::RecordCreate, AuditSubject::Instrument),
        )
        .await
        .unwrap();
    let ins2 = store
        .update_own_record(
            ins.id(),
            &OwnDraft::Instrument(InstrumentDraft {
                name: "X射线衍射仪".into(),
                model: "D8".into(),
                ..InstrumentDraft::default()
            }),
            None,
            &entry(AuditAction::RecordEdit, AuditSubject::Instrument),
        )
        .await
        .unwrap();
    let Record::Instrument(i) = ins2 else {
        panic!("an instrument")
    };
    assert_eq!((i.version, i.body.model.as_str()), (2, "D8"));

    // The organisation's own lists.
    let (own, total) = store
        .org_records(&org.id, EntityKind::Achievement, 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(own[0].id(), a.id());
    let (experts, _) = store
        .org_records(&org.id, EntityKind::Expert, 0, 10)
        .await
        .unwrap();
    assert_eq!(experts.len(), 1);

    // An expert with a secondment stays; deleting one unlinks its achievements.
    let b = store
        .create_own_record(&org.id, &achievement("氧化铝陶瓷", Some("李四")), &create)
        .await
        .unwrap();
    let host = ensure_org(&store, "灵宝市科技局", OrgKind::Government).await;
    let seconded = store
        .create_own_record(
            &org.id,
            &OwnDraft::Expert(ExpertDraft {
                org_name: "郑州大学".into(),
                name: "王五".into(),
                ..ExpertDraft::default()
            }),
            &entry(AuditAction::RecordCreate, AuditSubject::Expert),
        )
        .await
        .unwrap();
    store
        .create_secondment(
            &NewSecondment {
                expert_id: seconded.id().to_string(),
                host_org_id: host.id.clone(),
                post: "科技副县长".into(),
                start_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                end_on: None,
            },
            &actor(),
        )
        .await
        .unwrap();
    let delete = entry(AuditAction::RecordDelete, AuditSubject::Expert);
    assert!(matches!(
        store
            .delete_own_record(EntityKind::Expert, seconded.id(), None, &delete)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let before = store.last_seq().await.unwrap();
    store
        .delete_own_record(EntityKind::Expert, expert.id(), Some(1), &delete)
        .await
        .unwrap();
    assert!(store.get_expert(expert.id()).await.unwrap().is_none());
    let led = store.get_achievement(b.id()).await.unwrap().unwrap();
    assert!(led.expert_id.is_none(), "unlinked");
    let log = store.changes_since(before, 10).await.unwrap();
    let logged: Vec<(EntityKind, &str, bool)> = log
        .iter()
        .map(|c| (c.entity, c.entity_id.as_str(), c.exists))
        .collect();
    assert!(logged.contains(&(EntityKind::Expert, expert.id(), false)));
    assert!(logged.contains(&(EntityKind::Achievement, b.id(), true)));
    // A stale delete changes nothing.
    assert!(matches!(
        store
            .delete_own_record(EntityKind::Achievement, a.id(), Some(1), &delete)
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(store.get_achievement(a.id()).await.unwrap().is_some());

    // The bureau's list: record changes only, newest first, each naming its record.
    let (changes, total) = store.record_changes(0, 100).await.unwrap();
    assert_eq!(total, i64::try_from(changes.len()).unwrap());
    assert_eq!(changes[0].action, AuditAction::RecordDelete);
    assert_eq!(changes[0].record_ids, vec![expert.id().to_string()]);
    assert!(changes
        .iter()
        .any(|c| c.action == AuditAction::RecordEdit && c.record_ids == vec![a.id().to_string()]));
    assert!(changes.windows(2).all(|w| w[0].seq > w[1].seq));
    let (page, _) = store.record_changes(1, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].seq, changes[1].seq);
}

pub async fn an_organisations_interests_come_with_their_demands(store: S) {
    let ent = ensure_org(&store, "灵宝金源矿业有限公司", OrgKind::Enterprise).await;
    let zzu = ensure_org(&store, "郑州大学", OrgKind::University).await;
    let mut made = Vec::new();
    for title in ["尾矿综合利用", "选矿废水处理"] {
        let d = create(&store, &ent, title, DemandStatus::Published).await;
        let i = store
            .create_interest(
                &NewInterest {
                    demand_id: d.id.clone(),
                    org_id: zzu.id.clone(),
                    message: "可合作".into(),
                    expert_ids: Vec::new(),
                    achievement_ids: Vec::new(),
                    instrument_ids: Vec::new(),
                    contact: Default::default(),
                },
                &actor(),
                &[],
            )
            .await
            .unwrap();
        made.push((d, i));
    }
    store
        .decline_interest(&made[0].1.id, "已有合作单位", &[])
        .await
        .unwrap();
    let list = store.org_interests(&zzu.id).await.unwrap();
    let got: Vec<(&str, InterestStatus, DemandStatus)> = list
        .iter()
        .map(|i| (i.demand_title.as_str(), i.interest.status, i.demand_status))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "选矿废水处理",
                InterestStatus::Pending,
                DemandStatus::Published
            ),
            (
                "尾矿综合利用",
                InterestStatus::Declined,
                DemandStatus::Published
            ),
        ]
    );
    assert!(store.org_interests(&ent.id).await.unwrap().is_empty());
}
