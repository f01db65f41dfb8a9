//! Expressions of interest (揭榜 / 对接意向), their conversations and stored files.

use super::OrgRef;
use chrono::{DateTime, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// Contact details (personal data): only where the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactInfo)]
pub struct ContactJson {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactJson {
    /// The contact, or `None` when it names nothing.
    pub fn of(c: duijie_core::Contact) -> Option<Self> {
        (!c.is_empty()).then_some(ContactJson {
            name: c.name,
            phone: c.phone,
            email: c.email,
        })
    }
}

/// An expression of interest; `decline_reason` once declined.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Interest)]
pub struct InterestJson {
    pub id: String,
    pub demand_id: String,
    pub institution: OrgRef,
    pub message: String,
    pub expert_ids: Vec<String>,
    pub achievement_ids: Vec<String>,
    pub instrument_ids: Vec<String>,
    #[schema(schema_with = openapi::interest_status)]
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub decline_reason: Option<String>,
    /// The institution's contact person for this 揭榜: absent when the caller may not see it
    /// (the demand's owner sees it once it accepted) or none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact: Option<ContactJson>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<duijie_core::Interest> for InterestJson {
    fn from(i: duijie_core::Interest) -> Self {
        InterestJson {
            id: i.id,
            demand_id: i.demand_id,
            institution: OrgRef::new(i.org_id, i.org_name),
            message: i.message,
            expert_ids: i.expert_ids,
            achievement_ids: i.achievement_ids,
            instrument_ids: i.instrument_ids,
            status: i.status.as_str(),
            decline_reason: i.decline_reason,
            contact: ContactJson::of(i.contact),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// Where an expression of interest stands, as its institution sees it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterestStateJson {
    Pending,
    Accepted,
    Declined,
    DemandWithdrawn,
}

impl From<duijie_app::InterestState> for InterestStateJson {
    fn from(s: duijie_app::InterestState) -> Self {
        use duijie_app::InterestState as S;
        match s {
            S::Pending => InterestStateJson::Pending,
            S::Accepted => InterestStateJson::Accepted,
            S::Declined => InterestStateJson::Declined,
            S::DemandWithdrawn => InterestStateJson::DemandWithdrawn,
        }
    }
}

/// 我的对接意向: one expression of interest with its demand and where it stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MyInterest)]
pub struct MyInterestJson {
    #[serde(flatten)]
    pub interest: InterestJson,
    pub demand: MyInterestDemand,
    pub state: InterestStateJson,
    #[schema(schema_with = openapi::interest_state_label)]
    pub state_label: &'static str,
}

/// The demand an expression of interest answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyInterestDemand {
    pub id: String,
    pub title: String,
    #[schema(schema_with = openapi::demand_status)]
    pub status: &'static str,
}

impl From<duijie_app::OrgInterest> for MyInterestJson {
    fn from(i: duijie_app::OrgInterest) -> Self {
        let state = duijie_app::InterestState::of(&i);
        MyInterestJson {
            demand: MyInterestDemand {
                id: i.interest.demand_id.clone(),
                title: i.demand_title,
                status: i.demand_status.as_str(),
            },
            interest: i.interest.into(),
            state: state.into(),
            state_label: state.label(),
        }
    }
}

/// A stored file's description; `url` downloads it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentJson {
    pub id: String,
    pub file_name: String,
    /// Found by content.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_core::Attachment> for AttachmentJson {
    fn from(a: duijie_core::Attachment) -> Self {
        AttachmentJson {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// One message of a 揭榜's conversation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Message)]
pub struct MessageJson {
    pub id: String,
    pub interest_id: String,
    /// The sender's organisation.
    pub sender: OrgRef,
    pub body: String,
    pub attachments: Vec<AttachmentJson>,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_core::Message> for MessageJson {
    fn from(m: duijie_core::Message) -> Self {
        MessageJson {
            id: m.id,
            interest_id: m.interest_id,
            sender: OrgRef::new(m.org_id, m.org_name),
            body: m.body,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
            created_at: m.created_at,
        }
    }
}

/// A 揭榜's conversation, oldest message first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Conversation)]
pub struct ConversationJson {
    pub items: Vec<MessageJson>,
    pub demand_attachments: Vec<AttachmentJson>,
    pub writable: bool,
    /// Why no one may write any more; null while open.
    pub closed: Option<String>,
    /// The other side's contact once the 揭榜 is accepted (the two sides only); else null.
    pub partner_contact: Option<ContactJson>,
}

impl From<duijie_app::Conversation> for ConversationJson {
    fn from(c: duijie_app::Conversation) -> Self {
        ConversationJson {
            items: c.messages.into_iter().map(Into::into).collect(),
            demand_attachments: c.demand_files.into_iter().map(Into::into).collect(),
            writable: c.writable,
            closed: c.closed,
            partner_contact: c.partner_contact.and_then(ContactJson::of),
        }
    }
}
