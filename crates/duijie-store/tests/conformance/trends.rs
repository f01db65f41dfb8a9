//! Public demands carry their publication time and never include drafts.

use super::{actor, advance, create, ensure_org, S};
use duijie_core::{DemandStatus, OrgKind};

pub async fn public_demands_are_published_ones_with_publication_time(store: S) {
    let org = ensure_org(&store, "灵宝金源矿业有限公司", OrgKind::Enterprise).await;
    let draft = create(&store, &org, "草稿需求", DemandStatus::Draft).await;
    let imported = create(&store, &org, "目录需求", DemandStatus::Published).await;
    let reviewed = create(&store, &org, "审核需求", DemandStatus::Draft).await;
    let mut from = DemandStatus::Draft;
    for to in [
        DemandStatus::Submitted,
        DemandStatus::Approved,
        DemandStatus::Published,
        DemandStatus::InDocking,
    ] {
        advance(&store, &reviewed.id, from, to).await;
        from = to;
    }
    let rejected = create(&store, &org, "驳回需求", DemandStatus::Submitted).await;
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
