//! Accounts: the signed-in account, API tokens and self-registrations.

use chrono::{DateTime, Utc};
use duijie_core::User;
use serde::Serialize;
use utoipa::ToSchema;

/// An account as its owner and the administrator see it (e-mail and phone are personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountJson {
    pub id: String,
    pub name: String,
    /// `enterprise`, `institution`, `bureau` or `admin`.
    pub role: &'static str,
    pub role_label: &'static str,
    pub organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for AccountJson {
    fn from(u: User) -> Self {
        AccountJson {
            id: u.id,
            name: u.name,
            role: u.role.as_str(),
            role_label: u.role.label(),
            organization_id: u.org_id,
            email: u.email,
            phone: u.phone,
            disabled: u.revoked,
            created_at: u.created_at,
        }
    }
}

/// `{"account": ...}`: the signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountAnswer {
    pub account: AccountJson,
}

impl From<User> for AccountAnswer {
    fn from(u: User) -> Self {
        AccountAnswer { account: u.into() }
    }
}

/// A new session: the account and the CSRF token cookie-authenticated writes carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedInJson {
    pub account: AccountJson,
    pub csrf_token: String,
}

/// How many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedJson {
    pub ended: u64,
}

/// An API token of an account (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub id: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_app::ApiToken> for TokenJson {
    fn from(t: duijie_app::ApiToken) -> Self {
        TokenJson {
            id: t.id,
            label: t.label,
            created_at: t.created_at,
        }
    }
}

/// A new API token: the token is in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenJson {
    #[serde(flatten)]
    pub record: TokenJson,
    pub token: String,
}

/// A registration as the bureau sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationJson {
    pub id: String,
    /// `enterprise` or `institution`.
    pub kind: &'static str,
    pub org_name: String,
    pub credit_code: Option<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    /// `pending`, `approved` or `rejected`.
    pub status: &'static str,
    /// Why the bureau rejected it.
    pub reason: String,
    /// The account an approval created.
    pub user_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<duijie_app::Registration> for RegistrationJson {
    fn from(r: duijie_app::Registration) -> Self {
        RegistrationJson {
            id: r.id,
            kind: r.kind.as_str(),
            org_name: r.org_name,
            credit_code: r.credit_code,
            contact_name: r.contact_name,
            phone: r.phone,
            email: r.email,
            status: r.status.as_str(),
            reason: r.reason,
            user_id: r.user_id,
            created_at: r.created_at,
            decided_at: r.decided_at,
        }
    }
}

/// A self-registration received: pending until the bureau decides.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationReceipt {
    pub id: String,
    pub status: &'static str,
    pub message: &'static str,
}

/// A registration decided; `account` is the account an approval made.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    pub registration: RegistrationJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub account: Option<AccountJson>,
}
