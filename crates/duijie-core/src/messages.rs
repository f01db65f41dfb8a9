//! Conversations of a 揭榜 (messages between the demand's owner and the institution) and the
//! files of demands and messages. Attachments are described here; their bytes stay with the
//! store.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A stored file's description (never its bytes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub id: String,
    pub demand_id: String,
    /// The conversation it was posted in; `None` for a file of the demand itself.
    pub interest_id: Option<String>,
    /// The uploader's organisation and account.
    pub org_id: Option<String>,
    pub uploaded_by: Option<String>,
    pub file_name: String,
    /// As found by content when it was stored.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A file to store, already checked.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
    pub org_id: Option<String>,
    pub uploaded_by: Option<String>,
}

/// One message of a conversation, with the files it carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub id: String,
    pub interest_id: String,
    /// The sender's organisation.
    pub org_id: String,
    pub org_name: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub created_at: DateTime<Utc>,
}

/// A message to record: its text, new files, and files already stored (of the demand, or of
/// this conversation) it points to.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub interest_id: String,
    pub org_id: String,
    pub sender_id: Option<String>,
    pub body: String,
    pub files: Vec<NewAttachment>,
    pub attachment_ids: Vec<String>,
}
