//! Accounts: creation with a token shown once, sign-in by token, revocation.

use crate::tokens::{hash_token, new_token};
use crate::{store_err, App, AppResult, Caller};
use duijie_core::{DomainError, ErrorCode, OrgKind, Role, User};
use duijie_store::{AuditAction, AuditSubject, NewAuditEntry};

impl App {
    /// Creates an account; returns it with its token, which is not stored and cannot be shown
    /// again. Enterprise and institution accounts act for an organisation.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        org_name: Option<&str>,
    ) -> AppResult<(User, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(DomainError::invalid("name", "用户名须为 1 到 64 个字符"));
        }
        let org_name = org_name.map(str::trim).filter(|o| !o.is_empty());
        let org_id = match org_name {
            None if role.acts_for_organization() => {
                return Err(DomainError::invalid(
                    "org",
                    "企业和科研机构账号须指定单位 (--org NAME)",
                ))
            }
            Some(org) => {
                let kind = if role == Role::Enterprise {
                    OrgKind::Enterprise
                } else {
                    OrgKind::infer(org, OrgKind::University)
                };
                Some(
                    self.store
                        .ensure_organization(org, kind)
                        .await
                        .map_err(store_err)?
                        .id,
                )
            }
            None => None,
        };
        let token = new_token();
        let user = self
            .store
            .create_user(name, role, org_id.as_deref(), &hash_token(&token))
            .await
            .map_err(store_err)?;
        self.audit_committed(local_entry(
            AuditAction::UserAdd,
            vec![user.id.clone()],
            format!("新建{}账号“{}”", role.label(), user.name),
        ))
        .await;
        Ok((user, token))
    }

    /// The caller a bearer token stands for; no token is anonymous, a wrong one is refused.
    pub async fn authenticate(&self, token: Option<&str>) -> AppResult<Caller> {
        let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Caller::Anonymous);
        };
        match self
            .store
            .user_by_token_hash(&hash_token(token))
            .await
            .map_err(store_err)?
        {
            Some(user) => Ok(Caller::User(user)),
            None => Err(DomainError::new(
                ErrorCode::Unauthenticated,
                "令牌无效或已撤销",
            )),
        }
    }

    pub async fn revoke_user(&self, name: &str) -> AppResult<()> {
        if !self.store.revoke_user(name).await.map_err(store_err)? {
            return Err(DomainError::not_found("用户"));
        }
        self.audit_account(AuditAction::TokenRevoke, name).await;
        Ok(())
    }

    /// Records a change to the account `name` (already made), naming it by id.
    async fn audit_account(&self, action: AuditAction, name: &str) {
        let ids = match self.store.list_users().await {
            Ok(users) => users
                .into_iter()
                .filter(|u| u.name == name)
                .map(|u| u.id)
                .collect(),
            Err(e) => {
                tracing::error!(error = %e, "accounts not read for the audit log");
                Vec::new()
            }
        };
        let summary = format!("{}：账号“{name}”", action.label());
        self.audit_committed(local_entry(action, ids, summary))
            .await;
    }

    pub async fn users(&self) -> AppResult<Vec<User>> {
        self.store.list_users().await.map_err(store_err)
    }
}

impl App {
    /// A new token for an existing account (the old one stops working).
    pub async fn reset_token(&self, name: &str) -> AppResult<String> {
        let token = new_token();
        if self
            .store
            .reset_token(name, &hash_token(&token))
            .await
            .map_err(store_err)?
        {
            self.audit_account(AuditAction::TokenReset, name).await;
            Ok(token)
        } else {
            Err(DomainError::not_found("用户"))
        }
    }
}

/// Accounts are administered with the local command (`duijie user`), which acts without an
/// account of its own.
fn local_entry(action: AuditAction, ids: Vec<String>, summary: String) -> NewAuditEntry {
    crate::audit::entry(&Caller::Anonymous, action, AuditSubject::User, ids, summary)
}
