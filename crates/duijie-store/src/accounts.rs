//! Accounts in SQL (issue #19, migration `0010_accounts`): password hashes, server-side
//! sessions kept by the hash of their id, several API tokens per account, and
//! self-registrations waiting for the bureau. Hashes are made by the app; no password, session
//! id or token reaches this module in plain text.

use crate::rows::{self, millis};
use crate::sql::{read_all, read_one};
use crate::{Result, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use duijie_core::id::new_id;
use duijie_core::{Role, User};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// An account to create with a password (and no API token).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub role: Role,
    pub org_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
}

/// One API token of an account (the token itself is shown once and never stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

/// Who registers: an enterprise or a research institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationKind {
    Enterprise,
    Institution,
}

impl RegistrationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationKind::Enterprise => "enterprise",
            RegistrationKind::Institution => "institution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistrationKind::Enterprise => "企业",
            RegistrationKind::Institution => "科研机构",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationKind> {
        [RegistrationKind::Enterprise, RegistrationKind::Institution]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The role of the account an approval creates.
    pub fn role(self) -> Role {
        match self {
            RegistrationKind::Enterprise => Role::Enterprise,
            RegistrationKind::Institution => Role::Institution,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Pending,
    Approved,
    Rejected,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Pending => "pending",
            RegistrationStatus::Approved => "approved",
            RegistrationStatus::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistrationStatus::Pending => "待审核",
            RegistrationStatus::Approved => "已通过",
            RegistrationStatus::Rejected => "未通过",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        [
            RegistrationStatus::Pending,
            RegistrationStatus::Approved,
            RegistrationStatus::Rejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A self-registration (contact fields are personal data: shown to the bureau only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registration {
    pub id: String,
    pub kind: RegistrationKind,
    pub org_name: String,
    pub credit_code: Option<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub status: RegistrationStatus,
    /// Why the bureau rejected it.
    pub reason: String,
    /// The account an approval created.
    pub user_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A registration to record, its password already hashed.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub kind: RegistrationKind,
    pub org_name: String,
    pub credit_code: Option<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub password_hash: String,
}

fn registration(row: &AnyRow) -> Result<Registration> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let decided_at: Option<i64> = row.try_get("decided_at")?;
    Ok(Registration {
        kind: RegistrationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("registration kind {kind}")))?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| {
            StoreError::Corrupt(id.clone(), format!("registration status {status}"))
        })?,
        org_name: row.try_get("org_name")?,
        credit_code: row.try_get("credit_code")?,
        contact_name: row.try_get("contact_name")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        reason: row.try_get("reason")?,
        user_id: row.try_get("user_id")?,
        created_at: rows::time(row.try_get("created_at")?),
        decided_at: decided_at.map(rows::time),
        id,
    })
}

fn token(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        created_at: rows::time(row.try_get("created_at")?),
    })
}

/// A unique index said no: the name, e-mail or phone is taken.
fn taken(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("账号名、手机号或电子邮箱已被其他账号使用".to_string())
        }
        _ => StoreError::Database(e),
    }
}

/// Inserts a password account; its `token_hash` is a placeholder no token hashes to.
async fn insert_account(conn: &mut AnyConnection, new: &NewAccount) -> Result<User> {
    let now = millis(Utc::now());
    let id = new_id("usr");
    sqlx::query(
        "INSERT INTO users (id, name, role, org_id, token_hash, created_at, email, phone, \
         password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.clone())
    .bind(new.name.clone())
    .bind(new.role.as_str())
    .bind(new.org_id.clone())
    .bind(format!("none:{id}"))
    .bind(now)
    .bind(new.email.clone())
    .bind(new.phone.clone())
    .bind(new.password_hash.clone())
    .execute(&mut *conn)
    .await
    .map_err(taken)?;
    Ok(User {
        id,
        name: new.name.clone(),
        role: new.role,
        org_id: new.org_id.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        created_at: rows::time(now),
        revoked: false,
    })
}

/// Adds an API token row.
pub(crate) async fn insert_token(
    conn: &mut AnyConnection,
    user_id: &str,
    label: &str,
    token_hash: &str,
) -> Result<ApiToken> {
    let now = millis(Utc::now());
    let id = new_id("tok");
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.clone())
    .bind(user_id)
    .bind(label)
    .bind(token_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(ApiToken {
        id,
        label: label.to_string(),
        created_at: rows::time(now),
    })
}

impl SqlStore {
    /// Creates an account with a password and no API token; Conflict when its name, e-mail
    /// or phone is taken.
    pub async fn create_account(&self, new: &NewAccount) -> Result<User> {
        let mut conn = self.pool().acquire().await?;
        insert_account(&mut conn, new).await
    }

    pub async fn get_user(&self, id: &str) -> Result<Option<User>> {
        read_one(
            self.pool(),
            "SELECT * FROM users WHERE id = $1",
            id,
            rows::user,
        )
        .await
    }

    /// The account whose e-mail, phone or name is `login` (an e-mail or phone first), with its
    /// password hash (none for accounts made with a token only).
    pub async fn user_for_sign_in(&self, login: &str) -> Result<Option<(User, Option<String>)>> {
        // An e-mail or phone names its account before a name that happens to look like one.
        let row = sqlx::query(
            "SELECT * FROM users WHERE email = $1 OR phone = $1 OR name = $1 \
             ORDER BY CASE WHEN name = $1 THEN 1 ELSE 0 END, created_at LIMIT 1",
        )
        .bind(login)
        .fetch_optional(self.pool())
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::user(&r)?, r.try_get("password_hash")?))),
        }
    }

    /// The account's password hash (none for an account made with a token only).
    pub async fn password_hash(&self, user_id: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get::<Option<String>, _>("password_hash"))
            .transpose()?
            .flatten())
    }

    /// `false` when no such account.
    pub async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// `false` when no such account.
    pub async fn set_user_role(
        &self,
        user_id: &str,
        role: Role,
        org_id: Option<&str>,
    ) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET role = $1, org_id = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(org_id.map(str::to_string))
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Disables an account (ending its sessions in the same transaction) or enables it again;
    /// `false` when no such account.
    pub async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET revoked_at = $1 WHERE id = $2")
            .bind(disabled.then(|| millis(Utc::now())))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }

    /// Records a session by the hash of its id.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let now = millis(Utc::now());
        let mut tx = self.begin().await?;
        // Expired sessions of the account go when it signs in again.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now)
        .bind(millis(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The enabled account of an unexpired session.
    pub async fn session_user(&self, id_hash: &str) -> Result<Option<User>> {
        sqlx::query(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.revoked_at IS NULL",
        )
        .bind(id_hash)
        .bind(millis(Utc::now()))
        .fetch_optional(self.pool())
        .await?
        .map(|r| rows::user(&r))
        .transpose()
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<bool> {
        let r = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Ends every session of the account but `except_hash`; how many ended.
    pub async fn delete_sessions(&self, user_id: &str, except_hash: Option<&str>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(except_hash.unwrap_or_default())
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn create_api_token(
        &self,
        user_id: &str,
        label: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let mut conn = self.pool().acquire().await?;
        insert_token(&mut conn, user_id, label, token_hash).await
    }

    /// The account's tokens that are not revoked, oldest first.
    pub async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, label, created_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(token)
        .collect()
    }

    /// `false` when the account has no such live token.
    pub async fn revoke_api_token(&self, user_id: &str, token_id: &str) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(millis(Utc::now()))
        .bind(token_id)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn create_registration(&self, new: &NewRegistration) -> Result<Registration> {
        let now = millis(Utc::now());
        let id = new_id("reg");
        sqlx::query(
            "INSERT INTO registrations (id, kind, org_name, credit_code, contact_name, phone, \
             email, password_hash, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.clone())
        .bind(new.kind.as_str())
        .bind(new.org_name.clone())
        .bind(new.credit_code.clone())
        .bind(new.contact_name.clone())
        .bind(new.phone.clone())
        .bind(new.email.clone())
        .bind(new.password_hash.clone())
        .bind(RegistrationStatus::Pending.as_str())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(Registration {
            id,
            kind: new.kind,
            org_name: new.org_name.clone(),
            credit_code: new.credit_code.clone(),
            contact_name: new.contact_name.clone(),
            phone: new.phone.clone(),
            email: new.email.clone(),
            status: RegistrationStatus::Pending,
            reason: String::new(),
            user_id: None,
            created_at: rows::time(now),
            decided_at: None,
        })
    }

    pub async fn get_registration(&self, id: &str) -> Result<Option<Registration>> {
        read_one(
            self.pool(),
            "SELECT * FROM registrations WHERE id = $1",
            id,
            registration,
        )
        .await
    }

    /// With a status: oldest first; without: every registration, newest first.
    pub async fn list_registrations(
        &self,
        status: Option<RegistrationStatus>,
    ) -> Result<Vec<Registration>> {
        let (sql, vals) = match status {
            Some(s) => (
                "SELECT * FROM registrations WHERE status = $1 ORDER BY created_at, id",
                vec![s.as_str().into()],
            ),
            None => (
                "SELECT * FROM registrations ORDER BY created_at DESC, id",
                Vec::new(),
            ),
        };
        read_all(self.pool(), sql, vals, registration).await
    }

    /// The newest pending or rejected registration with this phone or e-mail, with its
    /// password hash.
    pub async fn registration_for_sign_in(
        &self,
        login: &str,
    ) -> Result<Option<(Registration, String)>> {
        let row = sqlx::query(
            "SELECT * FROM registrations WHERE (phone = $1 OR email = $1) AND status <> $2 \
             ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(login)
        .bind(RegistrationStatus::Approved.as_str())
        .fetch_optional(self.pool())
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((registration(&r)?, r.try_get("password_hash")?))),
        }
    }

    /// Marks the registration decided if it is still pending; `false` when it is not.
    async fn decide(
        conn: &mut AnyConnection,
        id: &str,
        status: RegistrationStatus,
        reason: &str,
        user_id: Option<&str>,
    ) -> Result<()> {
        let r = sqlx::query(
            "UPDATE registrations SET status = $1, reason = $2, user_id = $3, decided_at = $4 \
             WHERE id = $5 AND status = $6",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(user_id.map(str::to_string))
        .bind(millis(Utc::now()))
        .bind(id)
        .bind(RegistrationStatus::Pending.as_str())
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() == 0 {
            let exists = sqlx::query("SELECT id FROM registrations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
            return Err(if exists {
                StoreError::Conflict("该注册申请已处理过".to_string())
            } else {
                StoreError::NotFound("注册申请不存在".to_string())
            });
        }
        Ok(())
    }

    /// Creates the account and marks the registration approved in one transaction; Conflict
    /// when it was already decided (or the account's e-mail or phone is taken).
    pub async fn approve_registration(
        &self,
        id: &str,
        account: &NewAccount,
    ) -> Result<(Registration, User)> {
        let mut tx = self.begin().await?;
        let user = insert_account(&mut tx, account).await?;
        Self::decide(
            &mut tx,
            id,
            RegistrationStatus::Approved,
            "",
            Some(&user.id),
        )
        .await?;
        tx.commit().await?;
        let reg = self
            .get_registration(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("注册申请不存在".to_string()))?;
        Ok((reg, user))
    }

    /// Conflict when it was already decided.
    pub async fn reject_registration(&self, id: &str, reason: &str) -> Result<Registration> {
        let mut conn = self.pool().acquire().await?;
        Self::decide(&mut conn, id, RegistrationStatus::Rejected, reason, None).await?;
        drop(conn);
        self.get_registration(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("注册申请不存在".to_string()))
    }
}
