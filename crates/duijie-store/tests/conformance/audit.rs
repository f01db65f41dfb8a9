//! The audit log: entries come back newest first with what was appended, filter by action,
//! actor and time, page; a review decision's entry commits with the move or not at all.

use super::{actor, create, ensure_org, S};
use chrono::{Duration, Utc};
use duijie_core::{DemandStatus, OrgKind, Role};
use duijie_store::{AuditAction, AuditActor, AuditFilter, AuditSubject, NewAuditEntry, StoreError};

fn staff(name: &str) -> AuditActor {
    AuditActor {
        id: Some(format!("usr-{name}")),
        name: name.into(),
        role: Some(Role::Bureau),
    }
}

fn entry(who: &str, action: AuditAction, ids: &[&str]) -> NewAuditEntry {
    NewAuditEntry {
        actor: staff(who),
        action,
        subject: AuditSubject::Demand,
        record_ids: ids.iter().map(|s| s.to_string()).collect(),
        summary: format!("{} {} 条", action.label(), ids.len()),
    }
}

fn all() -> AuditFilter {
    AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    }
}

pub async fn audit_entries_list_newest_first_filter_and_page(store: S) {
    let (empty, total) = store.list_audit(&all()).await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(total, 0);

    let before = Utc::now() - Duration::seconds(1);
    store
        .append_audit(&entry("王科员", AuditAction::DemandApprove, &["dem-1"]))
        .await
        .unwrap();
    store
        .append_audit(&entry(
            "李科长",
            AuditAction::ContactBulkRead,
            &["dem-1", "dem-2", "dem-3"],
        ))
        .await
        .unwrap();
    let local = NewAuditEntry {
        actor: AuditActor {
            id: None,
            name: "命令行".into(),
            role: None,
        },
        action: AuditAction::UserAdd,
        subject: AuditSubject::User,
        record_ids: vec!["usr-9".into()],
        summary: "新建账号".into(),
    };
    store.append_audit(&local).await.unwrap();

    let (items, total) = store.list_audit(&all()).await.unwrap();
    assert_eq!(total, 3);
    let actions: Vec<_> = items.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::UserAdd,
            AuditAction::ContactBulkRead,
            AuditAction::DemandApprove
        ]
    );
    assert!(items[0].seq > items[1].seq && items[1].seq > items[2].seq);
    assert_eq!(items[0].actor, local.actor);
    assert_eq!(items[1].actor, staff("李科长"));
    assert_eq!(items[1].subject, AuditSubject::Demand);
    assert_eq!(items[1].record_ids, ["dem-1", "dem-2", "dem-3"]);
    assert_eq!(items[1].summary, "批量读取联系方式 3 条");
    assert!(items[2].at >= before && items[2].at <= Utc::now());

    let by_action = AuditFilter {
        action: Some(AuditAction::DemandApprove),
        ..all()
    };
    let (items, total) = store.list_audit(&by_action).await.unwrap();
    assert_eq!((items.len(), total), (1, 1));
    assert_eq!(items[0].actor.name, "王科员");

    // An actor is found by account name or id.
    for who in ["李科长", "usr-李科长"] {
        let (items, _) = store
            .list_audit(&AuditFilter {
                actor: Some(who.into()),
                ..all()
            })
            .await
            .unwrap();
        assert_eq!(items.len(), 1, "{who}");
        assert_eq!(items[0].action, AuditAction::ContactBulkRead);
    }

    let future = AuditFilter {
        since: Some(Utc::now() + Duration::hours(1)),
        ..all()
    };
    assert_eq!(store.list_audit(&future).await.unwrap().1, 0);
    let past = AuditFilter {
        until: Some(before),
        ..all()
    };
    assert_eq!(store.list_audit(&past).await.unwrap().1, 0);
    let window = AuditFilter {
        since: Some(before),
        until: Some(Utc::now() + Duration::seconds(1)),
        ..all()
    };
    assert_eq!(store.list_audit(&window).await.unwrap().1, 3);

    // Pages of two: the total stays, the second page holds the oldest entry.
    let page = |offset| AuditFilter {
        offset,
        limit: 2,
        ..AuditFilter::default()
    };
    let (first, total) = store.list_audit(&page(0)).await.unwrap();
    assert_eq!((first.len(), total), (2, 3));
    let (second, _) = store.list_audit(&page(2)).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].action, AuditAction::DemandApprove);
}

pub async fn a_review_decision_and_its_audit_entry_commit_together(store: S) {
    let org = ensure_org(&store, "审计测试企业有限公司", OrgKind::Enterprise).await;
    let d = create(&store, &org, "耐高温涂层", DemandStatus::Submitted).await;
    let approve = entry("王科员", AuditAction::DemandApprove, &[&d.id]);
    let moved = store
        .transition_demand_audited(
            &d.id,
            (DemandStatus::Submitted, None),
            DemandStatus::Approved,
            &actor(),
            "",
            &approve,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(moved.status, DemandStatus::Approved);
    let (items, _) = store.list_audit(&all()).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].record_ids, std::slice::from_ref(&d.id));

    // A move that loses its compare-and-set leaves no entry behind.
    let err = store
        .transition_demand_audited(
            &d.id,
            (DemandStatus::Submitted, None),
            DemandStatus::Rejected,
            &actor(),
            "重复",
            &entry("王科员", AuditAction::DemandReject, &[&d.id]),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let (items, total) = store.list_audit(&all()).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(items[0].action, AuditAction::DemandApprove);
}
