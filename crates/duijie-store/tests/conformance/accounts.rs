//! Accounts (migration 0010): password accounts, sessions by hash with expiry, API tokens per
//! account, self-registrations decided once.

use super::{ensure_org, S};
use chrono::{Duration, Utc};
use duijie_core::{OrgKind, Role};
use duijie_store::{NewAccount, NewRegistration, RegistrationKind, RegistrationStatus, StoreError};

fn account(name: &str, email: Option<&str>, phone: Option<&str>) -> NewAccount {
    NewAccount {
        name: name.into(),
        role: Role::Bureau,
        org_id: None,
        email: email.map(str::to_string),
        phone: phone.map(str::to_string),
        password_hash: format!("hash-of-{name}"),
    }
}

pub async fn accounts_sign_in_by_name_email_or_phone_with_sessions_and_tokens(store: S) {
    let a = store
        .create_account(&account("kjj", Some("kjj@example.cn"), Some("13800000001")))
        .await
        .unwrap();
    assert!(!a.revoked);
    // Names, e-mails and phones are each one account's.
    for dup in [
        account("kjj", None, None),
        account("other", Some("kjj@example.cn"), None),
        account("other", None, Some("13800000001")),
    ] {
        assert!(matches!(
            store.create_account(&dup).await,
            Err(StoreError::Conflict(_))
        ));
    }
    for login in ["kjj", "kjj@example.cn", "13800000001"] {
        let (u, hash) = store.user_for_sign_in(login).await.unwrap().unwrap();
        assert_eq!(u.id, a.id);
        assert_eq!(hash.as_deref(), Some("hash-of-kjj"));
    }
    assert!(store.user_for_sign_in("nobody").await.unwrap().is_none());
    // Made with a token only: no password; its token lives in api_tokens.
    let t = store
        .create_user("tok", Role::Admin, None, "th-1")
        .await
        .unwrap();
    assert_eq!(store.password_hash(&t.id).await.unwrap(), None);
    assert_eq!(store.list_api_tokens(&t.id).await.unwrap().len(), 1);
    assert!(store.set_password(&t.id, "h2").await.unwrap());
    assert_eq!(
        store.password_hash(&t.id).await.unwrap().as_deref(),
        Some("h2")
    );
    assert!(!store.set_password("usr_missing", "h").await.unwrap());

    // Sessions: found by hash until expiry, sign-out, or the account is disabled.
    let later = Utc::now() + Duration::hours(1);
    store.create_session("s1", &a.id, later).await.unwrap();
    store.create_session("s2", &a.id, later).await.unwrap();
    store
        .create_session("old", &a.id, Utc::now() - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(store.session_user("s1").await.unwrap().unwrap().id, a.id);
    assert!(
        store.session_user("old").await.unwrap().is_none(),
        "expired"
    );
    assert!(store.delete_session("s1").await.unwrap());
    assert!(!store.delete_session("s1").await.unwrap());
    assert!(store.session_user("s1").await.unwrap().is_none());
    store.create_session("s3", &a.id, later).await.unwrap();
    // The expired one went when s3 was made; s2 goes now.
    assert_eq!(store.delete_sessions(&a.id, Some("s3")).await.unwrap(), 1);
    assert!(store.session_user("s3").await.unwrap().is_some());
    assert!(store.set_user_disabled(&a.id, true).await.unwrap());
    assert!(
        store.session_user("s3").await.unwrap().is_none(),
        "disabling ends sessions"
    );
    assert!(store.get_user(&a.id).await.unwrap().unwrap().revoked);
    assert!(store.set_user_disabled(&a.id, false).await.unwrap());
    assert!(!store.get_user(&a.id).await.unwrap().unwrap().revoked);
    let org = ensure_org(&store, "甲公司", OrgKind::Enterprise).await;
    assert!(store
        .set_user_role(&a.id, Role::Enterprise, Some(&org.id))
        .await
        .unwrap());
    let u = store.get_user(&a.id).await.unwrap().unwrap();
    assert_eq!(
        (u.role, u.org_id.as_deref()),
        (Role::Enterprise, Some(org.id.as_str()))
    );

    // Tokens: several, revoked one by one, only by their account.
    let t1 = store.create_api_token(&a.id, "脚本", "tk-1").await.unwrap();
    store.create_api_token(&a.id, "备份", "tk-2").await.unwrap();
    assert_eq!(
        store.user_by_token_hash("tk-1").await.unwrap().unwrap().id,
        a.id
    );
    assert!(!store.revoke_api_token(&t.id, &t1.id).await.unwrap());
    assert!(store.revoke_api_token(&a.id, &t1.id).await.unwrap());
    assert!(store.user_by_token_hash("tk-1").await.unwrap().is_none());
    let left = store.list_api_tokens(&a.id).await.unwrap();
    assert_eq!(
        left.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
        ["备份"]
    );
    // reset_token revokes the others and adds one.
    assert!(store.reset_token("kjj", "tk-3").await.unwrap());
    assert!(store.user_by_token_hash("tk-2").await.unwrap().is_none());
    assert!(store.user_by_token_hash("tk-3").await.unwrap().is_some());
}

fn registration(phone: &str, email: &str) -> NewRegistration {
    NewRegistration {
        kind: RegistrationKind::Enterprise,
        org_name: "乙公司".into(),
        credit_code: Some("91350100M000100Y43".into()),
        contact_name: "王五".into(),
        phone: phone.into(),
        email: email.into(),
        password_hash: "reg-hash".into(),
    }
}

pub async fn registrations_are_decided_once(store: S) {
    let r = store
        .create_registration(&registration("13900000001", "a@yi.cn"))
        .await
        .unwrap();
    assert_eq!(r.status, RegistrationStatus::Pending);
    let (found, hash) = store
        .registration_for_sign_in("a@yi.cn")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id.as_str(), hash.as_str()),
        (r.id.as_str(), "reg-hash")
    );
    let r2 = store
        .create_registration(&registration("13900000002", "b@yi.cn"))
        .await
        .unwrap();
    let pending = store
        .list_registrations(Some(RegistrationStatus::Pending))
        .await
        .unwrap();
    assert_eq!(
        pending.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        [r.id.clone(), r2.id.clone()]
    );

    let org = ensure_org(&store, "乙公司", OrgKind::Enterprise).await;
    let new = NewAccount {
        name: "乙公司".into(),
        role: Role::Enterprise,
        org_id: Some(org.id.clone()),
        email: Some("a@yi.cn".into()),
        phone: Some("13900000001".into()),
        password_hash: hash,
    };
    let (done, user) = store.approve_registration(&r.id, &new).await.unwrap();
    assert_eq!(done.status, RegistrationStatus::Approved);
    assert_eq!(done.user_id.as_deref(), Some(user.id.as_str()));
    assert!(done.decided_at.is_some());
    assert!(
        store
            .registration_for_sign_in("a@yi.cn")
            .await
            .unwrap()
            .is_none(),
        "approved ones sign in as accounts"
    );
    let (u, h) = store
        .user_for_sign_in("13900000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((u.id, h.as_deref()), (user.id.clone(), Some("reg-hash")));
    // Decided once: a second approval or a rejection is a conflict and makes nothing.
    let again = NewAccount {
        name: "乙公司（2）".into(),
        email: None,
        phone: None,
        ..new
    };
    assert!(matches!(
        store.approve_registration(&r.id, &again).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .user_for_sign_in("乙公司（2）")
            .await
            .unwrap()
            .is_none(),
        "rolled back"
    );
    assert!(matches!(
        store.reject_registration(&r.id, "晚了").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.reject_registration("reg_missing", "无").await,
        Err(StoreError::NotFound(_))
    ));

    let rejected = store.reject_registration(&r2.id, "材料不全").await.unwrap();
    assert_eq!(
        (rejected.status, rejected.reason.as_str()),
        (RegistrationStatus::Rejected, "材料不全")
    );
    let (still, _) = store
        .registration_for_sign_in("13900000002")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        still.status,
        RegistrationStatus::Rejected,
        "a rejected applicant is told why"
    );
    let all = store.list_registrations(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(store.get_registration(&r2.id).await.unwrap().is_some());
}
