//! Issue #18: versions make a write over a newer record fail instead of overwriting it, the
//! status and version checks are part of the UPDATE (an edit cannot land after a review that
//! did not see it), idempotency keys let one of several identical requests in, and the same
//! project is not recorded twice.

use super::{actor, advance, demand_in, ensure_org, S};
use duijie_core::{CommitteeUpdate, DemandStatus, Field, NewCommittee, ProjectPatch, Subtopic};
use duijie_store::{Claim, StoreError, StoredResponse};

/// Runs the futures at once and collects their results.
async fn all<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let mut set = tokio::task::JoinSet::new();
    for f in futures {
        set.spawn(f);
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

const OWNER_EDITABLE: &[DemandStatus] = &[
    DemandStatus::Draft,
    DemandStatus::ChangesRequested,
    DemandStatus::Submitted,
];

pub async fn writes_from_a_stale_version_are_refused(store: S) {
    let d = demand_in(&store, "版本科技有限公司", "版本需求", DemandStatus::Draft).await;
    let v1 = d.version;
    let mut body = d.body.clone();
    body.description = "第一次修改".into();
    let d2 = store
        .update_demand(&d.id, &body, v1, OWNER_EDITABLE, &[])
        .await
        .unwrap();
    assert_eq!(d2.version, v1 + 1);
    body.goals = "基于旧版本的修改".into();
    assert!(matches!(
        store
            .update_demand(&d.id, &body, v1, OWNER_EDITABLE, &[])
            .await,
        Err(StoreError::Stale(_))
    ));
    let kept = store.get_demand(&d.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.body.description.as_str(), kept.body.goals.as_str()),
        ("第一次修改", d.body.goals.as_str())
    );
    // A status change raises the version too; a move from an old version is refused.
    let submitted = store
        .transition_demand(
            &d.id,
            kept.status,
            DemandStatus::Submitted,
            &actor(),
            "",
            Some(kept.version),
        )
        .await
        .unwrap();
    assert_eq!(submitted.version, kept.version + 1);
    assert!(matches!(
        store
            .transition_demand(
                &d.id,
                DemandStatus::Submitted,
                DemandStatus::Approved,
                &actor(),
                "",
                Some(kept.version)
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    // Outside the owner's statuses the edit is a conflict even at the current version.
    let approved = store
        .transition_demand(
            &d.id,
            DemandStatus::Submitted,
            DemandStatus::Approved,
            &actor(),
            "",
            Some(submitted.version),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_demand(&d.id, &body, approved.version, OWNER_EDITABLE, &[])
            .await,
        Err(StoreError::Conflict(_))
    ));

    let c = store
        .create_committee(
            &NewCommittee {
                name: "版本委员会".into(),
                field: Field::NewMaterials,
                size: 3,
                subtopics: vec![Subtopic {
                    term: "氧化铝".into(),
                    demands: 1,
                }],
                members: Vec::new(),
            },
            &actor(),
        )
        .await
        .unwrap();
    let update = |notes: &str, version| CommitteeUpdate {
        notes: Some(notes.into()),
        version,
        ..CommitteeUpdate::default()
    };
    let c2 = store
        .update_committee(&c.id, &update("甲", Some(c.version)))
        .await
        .unwrap();
    assert_eq!(c2.version, c.version + 1);
    assert!(matches!(
        store
            .update_committee(&c.id, &update("乙", Some(c.version)))
            .await,
        Err(StoreError::Stale(_))
    ));
    // Without a version the update applies to the committee as it is now.
    let c3 = store
        .update_committee(&c.id, &update("丙", None))
        .await
        .unwrap();
    assert_eq!((c3.notes.as_str(), c3.version), ("丙", c.version + 2));
}

/// The race of issue #18 item 2: the owner edits a submitted demand while the bureau approves
/// the version it read. Whatever the order, an approved demand carries the reviewed text.
pub async fn an_edit_never_lands_after_the_review(store: S) {
    for round in 0..40 {
        let d = demand_in(
            &store,
            "竞态科技有限公司",
            &format!("竞态需求{round}"),
            DemandStatus::Submitted,
        )
        .await;
        let mut edited = d.body.clone();
        edited.description = "审核时没有看到的内容".into();
        let reviewer = actor();
        let (edit, review) = tokio::join!(
            store.update_demand(&d.id, &edited, d.version, OWNER_EDITABLE, &[]),
            store.transition_demand(
                &d.id,
                DemandStatus::Submitted,
                DemandStatus::Approved,
                &reviewer,
                "",
                Some(d.version)
            ),
        );
        assert!(
            edit.is_ok() != review.is_ok(),
            "round {round}: exactly one of edit and review wins"
        );
        let now = store.get_demand(&d.id).await.unwrap().unwrap();
        if now.status == DemandStatus::Approved {
            assert_eq!(now.body.description, d.body.description, "round {round}");
        }
    }
}

pub async fn an_idempotency_key_lets_one_request_in(store: S) {
    let claim = |key: &'static str, fingerprint: &'static str| {
        let store = store.clone();
        async move {
            store
                .claim_idempotency("usr_a", key, fingerprint, 1_000, (0, 0))
                .await
                .unwrap()
        }
    };
    let claims = all((0..8).map(|_| claim("k1", "f1"))).await;
    assert_eq!(claims.iter().filter(|c| **c == Claim::New).count(), 1);
    assert!(claims
        .iter()
        .all(|c| matches!(c, Claim::New | Claim::Running)));
    assert_eq!(claim("k1", "f2").await, Claim::Mismatch);
    let answer = StoredResponse {
        status: 201,
        content_type: Some("application/json".into()),
        location: None,
        body: r#"{"id":"prj_1"}"#.into(),
    };
    store
        .finish_idempotency("usr_a", "k1", Some(&answer))
        .await
        .unwrap();
    assert_eq!(claim("k1", "f1").await, Claim::Done(answer));
    // Keys are per user; a released key is claimed afresh.
    assert_eq!(
        store
            .claim_idempotency("usr_b", "k1", "f9", 1_000, (0, 0))
            .await
            .unwrap(),
        Claim::New
    );
    assert_eq!(claim("k2", "f1").await, Claim::New);
    store.finish_idempotency("usr_a", "k2", None).await.unwrap();
    assert_eq!(claim("k2", "f3").await, Claim::New);
    // After the keeping time the key is forgotten.
    assert_eq!(
        store
            .claim_idempotency("usr_a", "k1", "f4", 2_000, (1_500, 0))
            .await
            .unwrap(),
        Claim::New
    );
}

pub async fn a_project_is_not_recorded_twice(store: S) {
    let inst = ensure_org(&store, "重复大学", duijie_core::OrgKind::University)
        .await
        .id;
    let d = demand_in(
        &store,
        "重复科技有限公司",
        "重复项目需求",
        DemandStatus::Published,
    )
    .await;
    advance(
        &store,
        &d.id,
        DemandStatus::Published,
        DemandStatus::InDocking,
    )
    .await;
    let new = duijie_core::NewProject {
        demand_id: d.id.clone(),
        institution_id: inst,
        title: "联合攻关".into(),
        amount_wan: 120.0,
        signed_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        key_project: false,
    };
    let attempts = all((0..8).map(|_| {
        let (store, new) = (store.clone(), new.clone());
        async move { store.create_project(&new, &actor(), "").await }
    }))
    .await;
    assert_eq!(attempts.iter().filter(|r| r.is_ok()).count(), 1);
    for r in &attempts {
        if let Err(e) = r {
            assert!(
                matches!(e, StoreError::Conflict(m) if m.contains("联合攻关") && m.contains("重复大学")),
                "{e}"
            );
        }
    }
    // Another amount or day is another contract.
    let other = duijie_core::NewProject {
        amount_wan: 80.0,
        ..new.clone()
    };
    store.create_project(&other, &actor(), "").await.unwrap();
    let p = attempts.into_iter().find_map(Result::ok).unwrap();
    let patch = |notes: &str, version| ProjectPatch {
        notes: Some(notes.into()),
        version,
        ..ProjectPatch::default()
    };
    let p2 = store
        .update_project(&p.id, &patch("甲", Some(p.version)))
        .await
        .unwrap();
    assert_eq!(p2.version, p.version + 1);
    assert!(matches!(
        store
            .update_project(&p.id, &patch("乙", Some(p.version)))
            .await,
        Err(StoreError::Stale(_))
    ));
}
