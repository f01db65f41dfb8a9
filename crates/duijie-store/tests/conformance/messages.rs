//! Conversations and attachments: a message commits with its files, lists come back oldest
//! first without bytes, and the status, size and ownership rules hold inside the transaction.

use super::interests::{interest_in, published};
use super::{ensure_org, S};
use duijie_core::{DemandStatus, NewAttachment, NewMessage, OrgKind};
use duijie_store::{StoreError, WriteRules};

fn file(name: &str, data: &[u8]) -> NewAttachment {
    NewAttachment {
        file_name: name.into(),
        content_type: "application/pdf".into(),
        sha256: "0".repeat(64),
        data: data.to_vec(),
        org_id: None,
        uploaded_by: Some("u1".into()),
    }
}

const OPEN: WriteRules<'static> = WriteRules {
    demand_statuses: &[DemandStatus::Published, DemandStatus::InDocking],
    max_demand_bytes: 100,
};

pub async fn messages_and_attachments_keep_their_rules(store: S) {
    let d = published(&store, "甲科技有限公司", "高纯氧化铝粉体").await;
    let org = ensure_org(&store, "浙江大学", OrgKind::University).await.id;
    let i = interest_in(&store, &d, &org).await;

    // A file of the demand itself: only in the given statuses, within the demand's room.
    let editable = WriteRules {
        demand_statuses: &[DemandStatus::Draft],
        ..OPEN
    };
    let e = store
        .create_attachment(&d, &file("a.pdf", b"%PDF-1"), editable)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let own = store
        .create_attachment(&d, &file("方案.pdf", &[7u8; 60]), OPEN)
        .await
        .unwrap();
    assert_eq!((own.size, own.interest_id.as_deref()), (60, None));
    assert_eq!(
        store.attachment_data(&own.id).await.unwrap(),
        Some(vec![7u8; 60])
    );

    // A message with a new file and the demand's file; the room is the demand's in all.
    let msg = |body: &str, files: Vec<NewAttachment>, ids: Vec<String>| NewMessage {
        interest_id: i.id.clone(),
        org_id: org.clone(),
        sender_id: Some("u2".into()),
        body: body.into(),
        files,
        attachment_ids: ids,
    };
    let e = store
        .create_message(&msg("太大", vec![file("b.pdf", &[1u8; 41])], vec![]), OPEN)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::TooLarge(_)), "{e:?}");
    assert!(
        store.list_messages(&i.id).await.unwrap().is_empty(),
        "nothing half-written"
    );
    let m = store
        .create_message(
            &msg(
                "见附件",
                vec![file("图.png", &[2u8; 40])],
                vec![own.id.clone()],
            ),
            OPEN,
        )
        .await
        .unwrap();
    assert_eq!(m.org_name, "浙江大学");
    assert_eq!(m.attachments.len(), 2);
    store
        .create_message(&msg("第二条", vec![], vec![]), OPEN)
        .await
        .unwrap();
    let all = store.list_messages(&i.id).await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["见附件", "第二条"]
    );
    let posted = store.list_attachments(&d, Some(&i.id)).await.unwrap();
    assert_eq!(posted.len(), 1);
    assert_eq!(store.list_attachments(&d, None).await.unwrap().len(), 1);

    // Another demand's file cannot be pointed to.
    let other = published(&store, "乙科技有限公司", "粉体煅烧").await;
    let theirs = store
        .create_attachment(&other, &file("c.pdf", b"%PDF"), OPEN)
        .await
        .unwrap();
    let e = store
        .create_message(&msg("借用", vec![], vec![theirs.id.clone()]), OPEN)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");

    // Deleting: not a conversation's file, not one a message cites; a free one goes.
    let e = store
        .delete_attachment(&posted[0].id, &[])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)));
    let e = store.delete_attachment(&own.id, &[]).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)));
    store.delete_attachment(&theirs.id, &[]).await.unwrap();
    assert!(store.get_attachment(&theirs.id).await.unwrap().is_none());

    // A declined interest's conversation takes no message.
    store
        .decline_interest(&i.id, "方向不符", &[])
        .await
        .unwrap();
    let e = store
        .create_message(&msg("还在吗", vec![], vec![]), OPEN)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)));
}
