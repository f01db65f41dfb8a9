//! The conversation of a 揭榜 (对话): the demand's owner and the institution write to each
//! other in plain text, with files; the bureau reads along. Anyone else is told the 揭榜 does
//! not exist. Once the 揭榜 is declined, or its demand leaves the market (withdrawn, closed),
//! the conversation stays readable and takes no new messages. Accepting a 揭榜 opens both
//! sides' contact details to each other.

use crate::attachments::{check_upload, AttachmentLimits, Upload};
use crate::demands::redact;
use crate::{found_or, store_err, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::validate::MAX_TEXT_CHARS;
use duijie_core::{
    Attachment, Contact, Demand, DemandStatus, DomainError, ErrorCode, Interest, InterestStatus,
    Message, NewMessage,
};
use duijie_store::WriteRules;
use serde::Deserialize;

/// Files one message may carry.
pub const MAX_MESSAGE_FILES: usize = 5;

/// `{"body": "...", "attachment_ids": [...]}`: the text and files already stored (the
/// demand's own, or earlier ones of this conversation) to point to.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MessageInput))]
#[serde(deny_unknown_fields)]
pub struct MessageForm {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 5))]
    pub attachment_ids: Vec<String>,
}

/// A conversation as its reader may see it.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Its contact person only where the reader may see it.
    pub interest: Interest,
    /// Contact details removed where the reader may not see them.
    pub demand: Demand,
    pub messages: Vec<Message>,
    /// The demand's own files (both sides may point to them).
    pub demand_files: Vec<Attachment>,
    /// The reader may write now.
    pub writable: bool,
    /// Why nobody may write any more, when so.
    pub closed: Option<String>,
    /// The reader is the bureau (reads without being a party).
    pub overseer: bool,
    /// The other side's contact, once the 揭榜 is accepted (for the two sides).
    pub partner_contact: Option<Contact>,
}

/// Why a conversation takes no new messages, if it does not.
fn closed_reason(i: &Interest, d: &Demand) -> Option<String> {
    if i.status == InterestStatus::Declined {
        return Some("需求单位未接受该揭榜，对话已结束，仅供查阅。".into());
    }
    if !d.status.takes_messages() {
        return Some(format!(
            "需求当前为“{}”，对话已结束，仅供查阅。",
            d.status.label()
        ));
    }
    None
}

impl App {
    /// The interest and its demand if the caller may read the conversation; not found
    /// otherwise (its existence is not revealed).
    pub(crate) async fn readable_conversation(
        &self,
        caller: &Caller,
        interest_id: &str,
    ) -> AppResult<(Interest, Demand)> {
        let missing = || DomainError::not_found("对接意向");
        if caller.user().is_none() {
            return Err(missing());
        }
        let i = found_or(self.store.get_interest(interest_id).await, missing)?;
        let d = found_or(self.store.get_demand(&i.demand_id).await, missing)?;
        if !caller.can_read_conversation(&d, &i) {
            return Err(missing());
        }
        Ok((i, d))
    }

    /// A 揭榜's conversation, oldest message first.
    pub async fn conversation(
        &self,
        caller: &Caller,
        interest_id: &str,
    ) -> AppResult<Conversation> {
        let (mut i, d) = self.readable_conversation(caller, interest_id).await?;
        let messages = self.store.list_messages(&i.id).await.map_err(store_err)?;
        let demand_files = self
            .store
            .list_attachments(&d.id, None)
            .await
            .map_err(store_err)?;
        let closed = closed_reason(&i, &d);
        let party = caller.can_write_conversation(&d, &i);
        let partner_contact = match (party, i.status) {
            (true, InterestStatus::Accepted) if caller.owns(&d) => Some(i.contact.clone()),
            (true, InterestStatus::Accepted) => Some(d.body.contact.clone()),
            _ => None,
        };
        if !caller.can_see_interest_contact(&d, &i) {
            i.contact = Contact::default();
        }
        Ok(Conversation {
            writable: party && closed.is_none(),
            overseer: !party,
            closed,
            partner_contact,
            demand: redact(caller, d),
            interest: i,
            messages,
            demand_files,
        })
    }

    /// One side of the 揭榜 writes: text (plain, at most [`MAX_TEXT_CHARS`] characters) and
    /// files, new ones in `uploads` and stored ones by id.
    pub async fn post_message(
        &self,
        caller: &Caller,
        interest_id: &str,
        form: &MessageForm,
        uploads: Vec<Upload>,
        limits: AttachmentLimits,
    ) -> AppResult<Message> {
        let (i, _) = self.writable_conversation(caller, interest_id).await?;
        let mut errs = FieldErrors::default();
        let body = errs
            .check(crate::demands::text(
                "body",
                "消息内容",
                &form.body,
                MAX_TEXT_CHARS,
            ))
            .unwrap_or_default();
        let mut ids: Vec<String> = Vec::new();
        for id in &form.attachment_ids {
            let id = id.trim();
            if !id.is_empty() && !ids.iter().any(|o| o == id) {
                ids.push(id.to_string());
            }
        }
        if uploads.len() + ids.len() > MAX_MESSAGE_FILES {
            errs.add(DomainError::invalid(
                "file",
                format!("一条消息最多带 {MAX_MESSAGE_FILES} 个附件"),
            ));
        }
        if body.is_empty() && uploads.is_empty() && ids.is_empty() && !errs.has("body") {
            errs.add(DomainError::invalid("body", "请填写消息内容或添加附件"));
        }
        let mut files = Vec::with_capacity(uploads.len());
        for u in uploads {
            match check_upload(u, limits, caller).await {
                Ok(f) => files.push(f),
                Err(e) if e.code == ErrorCode::TooLarge => return Err(e),
                Err(e) => errs.add(e),
            }
        }
        errs.finish()?;
        let user = caller.user().ok_or_else(crate::access::forbidden)?;
        let org_id = user.org_id.clone().ok_or_else(crate::access::forbidden)?;
        let new = NewMessage {
            interest_id: i.id,
            org_id,
            sender_id: Some(user.id.clone()),
            body,
            files,
            attachment_ids: ids,
        };
        self.store
            .create_message(
                &new,
                WriteRules {
                    demand_statuses: &DemandStatus::all_where(DemandStatus::takes_messages),
                    max_demand_bytes: i64::try_from(limits.per_demand).unwrap_or(i64::MAX),
                },
            )
            .await
            .map_err(store_err)
    }

    /// Refuses, before a body is read, a caller who may not write in the conversation now.
    pub async fn writable_conversation(
        &self,
        caller: &Caller,
        interest_id: &str,
    ) -> AppResult<(Interest, Demand)> {
        let (i, d) = self.readable_conversation(caller, interest_id).await?;
        if !caller.can_write_conversation(&d, &i) {
            return Err(DomainError::new(
                ErrorCode::Forbidden,
                "科技局可以查阅对话，但不能代替双方发送消息",
            ));
        }
        if let Some(why) = closed_reason(&i, &d) {
            return Err(DomainError::new(ErrorCode::Conflict, why));
        }
        Ok((i, d))
    }
}
