//! Accounts of the local command (`duijie user`): made with an API token, listed, given a new
//! token, revoked; and the account a bearer token belongs to. Passwords, sessions and
//! self-registration are in `accounts.rs`.

use crate::accounts::insert_token;
use crate::rows::{self, millis};
use crate::{Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{Role, User};
use sqlx::Row;

impl SqlStore {
    /// Creates an account with its first API token; Conflict when the name is taken.
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        org_id: Option<&str>,
        token_hash: &str,
    ) -> Result<User> {
        let now = millis(Utc::now());
        let id = new_id("usr");
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, name, role, org_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
        )
        .bind(id.clone())
        .bind(name)
        .bind(role.as_str())
        .bind(org_id.map(str::to_string))
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("用户名“{name}”已存在")));
        }
        insert_token(&mut tx, &id, "初始令牌", token_hash).await?;
        tx.commit().await?;
        Ok(User {
            id,
            name: name.to_string(),
            role,
            org_id: org_id.map(str::to_string),
            email: None,
            phone: None,
            created_at: rows::time(now),
            revoked: false,
        })
    }

    /// Sets how the account is reached; `false` when no such account.
    pub async fn set_user_contact(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE id = $3")
            .bind(email.map(str::to_string))
            .bind(phone.map(str::to_string))
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The active account a live API token belongs to.
    pub async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        sqlx::query(
            "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?
        .map(|r| rows::user(&r))
        .transpose()
    }

    /// Every account, oldest first.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT * FROM users ORDER BY created_at, id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(rows::user)
            .collect()
    }

    /// Gives the account a new token, revoking its others (and lifts a revocation); `false`
    /// when no such account.
    pub async fn reset_token(&self, name: &str, token_hash: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some(id) = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<String, _>("id"))
            .transpose()?
        else {
            return Ok(false);
        };
        sqlx::query("UPDATE users SET token_hash = $1, revoked_at = NULL WHERE id = $2")
            .bind(token_hash)
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        // The account's other tokens stop working.
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(Utc::now()))
        .bind(id.clone())
        .execute(&mut *tx)
        .await?;
        insert_token(&mut tx, &id, "初始令牌", token_hash).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables the account (its tokens and sessions stop working; `reset_token` enables it
    /// again); `false` when no such active account.
    pub async fn revoke_user(&self, name: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r =
            sqlx::query("UPDATE users SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
                .bind(millis(Utc::now()))
                .bind(name)
                .execute(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }
}
