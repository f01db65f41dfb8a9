//! Instruments go through the change log and are read like other records.

use super::{actor, ensure_org, S};
use duijie_core::{EntityKind, Field, InstrumentDraft, OrgKind};
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
    let org = ensure_org(&store, "郑州大学", OrgKind::University).await;
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
