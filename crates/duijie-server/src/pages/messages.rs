//! A 揭榜's conversation page (`/interests/{id}`), messages with files, and the files of a
//! demand (upload, download, delete). Forms with files are `multipart/form-data` carrying
//! the CSRF token as a field; bodies are read chunk by chunk with the attachment caps.

use super::demands::{demand_page, Sent};
use super::render::{by_field, datetime, render, see_other, PageError, PageResult};
use super::session::{ById, Form, Session, CSRF_FIELD};
use crate::error::status_of;
use crate::AppState;
use axum::extract::Multipart;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use duijie_app::{Action, Caller, Conversation, MessageForm, MAX_MESSAGE_FILES};
use duijie_core::{Attachment, Contact, Demand, DomainError, InterestStatus};
use minijinja::{context, Value};

/// A size as people read it.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} 字节"),
    }
}

/// What pages show of a file: its name, type, size and where to get it.
pub fn file_view(a: &Attachment, caller: &Caller, deletable: bool) -> Value {
    let mine = caller
        .user()
        .is_some_and(|u| a.uploaded_by.as_deref() == Some(u.id.as_str()));
    context! {
        id => a.id,
        name => a.file_name,
        kind => a.content_type.split(';').next().unwrap_or_default(),
        size => size_text(a.size),
        at => datetime(a.created_at),
        deletable => deletable && mine && a.interest_id.is_none(),
    }
}

fn contact_view(c: &Contact) -> Option<Value> {
    (!c.is_empty()).then(|| context! { name => c.name, phone => c.phone, email => c.email })
}

/// The demand page's section of files: the list, and the upload form where the caller may add.
pub async fn demand_section(s: &AppState, caller: &Caller, d: &Demand) -> Value {
    let files = match s.app.demand_attachments(caller, &d.id).await {
        Ok(files) => files,
        Err(e) => {
            tracing::warn!(code = e.code.as_str(), "attachments for demand page failed");
            Vec::new()
        }
    };
    let editable = caller.may(Action::EditAnyDemand)
        || (caller.can_attach_to_demand(d) && d.status.is_editable_by_owner());
    let items: Vec<Value> = files
        .iter()
        .map(|a| file_view(a, caller, editable))
        .collect();
    context! {
        items,
        upload => editable,
        max_mb => s.config.attachments.per_file / (1024 * 1024),
    }
}

async fn conversation_page(
    s: &AppState,
    session: &Session,
    id: &str,
    failed: Option<DomainError>,
    body: &str,
) -> PageResult {
    let status = failed
        .as_ref()
        .map_or(StatusCode::OK, |e| status_of(e.code));
    let errors = failed.map(|e| by_field(&e, "body")).unwrap_or_default();
    let caller = &session.caller;
    let c: Conversation = s.app.conversation(caller, id).await?;
    let messages: Vec<Value> = c
        .messages
        .iter()
        .map(|m| {
            context! {
                org => m.org_name,
                mine => caller.org_id() == Some(m.org_id.as_str()),
                body => m.body,
                at => datetime(m.created_at),
                files => m.attachments.iter().map(|a| file_view(a, caller, false)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let demand_files: Vec<Value> = c
        .demand_files
        .iter()
        .map(|a| file_view(a, caller, false))
        .collect();
    let (label, class) = match c.interest.status {
        InterestStatus::Pending => ("待答复", "warn"),
        InterestStatus::Accepted => ("已接受", "ok"),
        InterestStatus::Declined => ("未接受", "gray"),
    };
    let ctx = context! {
        title => format!("对话 · {}", c.demand.body.title),
        i => context! {
            id => c.interest.id,
            org_name => c.interest.org_name,
            message => c.interest.message,
            label,
            class,
            at => datetime(c.interest.created_at),
            accepted => c.interest.status == InterestStatus::Accepted,
            contact => contact_view(&c.interest.contact),
        },
        d => context! {
            id => c.demand.id,
            title => c.demand.body.title,
            enterprise => c.demand.org_name,
            contact => contact_view(&c.demand.body.contact),
        },
        partner => c.partner_contact.as_ref().and_then(contact_view),
        messages,
        demand_files,
        writable => c.writable,
        closed => c.closed,
        overseer => c.overseer,
        max_files => MAX_MESSAGE_FILES,
        max_mb => s.config.attachments.per_file / (1024 * 1024),
        errors,
        body,
    };
    Ok(render(session, "conversation.html", "demands", status, ctx))
}

/// `GET /interests/{id}`: the conversation of a 揭榜.
pub async fn show(ById { s, session, id }: ById) -> PageResult {
    conversation_page(&s, &session, &id, None, "").await
}

/// `POST /interests/{id}/messages` (multipart): one side writes, with files. The form carries
/// an idempotency key: sent twice, it posts one message.
pub async fn post(
    ById { s, session, id }: ById,
    headers: HeaderMap,
    form: Multipart,
) -> PageResult {
    s.app.writable_conversation(&session.caller, &id).await?;
    let limits = s.config.attachments;
    let parts = match crate::uploads::read(form, limits, MAX_MESSAGE_FILES).await {
        Ok(p) => p,
        Err(e) => return conversation_page(&s, &session, &id, Some(e), "").await,
    };
    session.check_csrf(parts.get(CSRF_FIELD))?;
    let message = MessageForm {
        body: parts.get("body").unwrap_or_default().to_string(),
        attachment_ids: parts.all("attachment_ids"),
    };
    let path = format!("/interests/{id}/messages");
    let key = crate::idempotency::key_from(&headers, parts.get(crate::idempotency::FIELD));
    let fingerprint = crate::api::message_fingerprint(&path, &message, &parts.files);
    let caller = session.caller.clone();
    let run = || async {
        let result = match s
            .app
            .post_message(&session.caller, &id, &message, parts.files, limits)
            .await
        {
            Ok(_) => Ok(see_other(&format!("/interests/{id}#latest"))),
            Err(e) if e.field.is_some() => {
                conversation_page(&s, &session, &id, Some(e), &message.body).await
            }
            Err(e) => Err(e.into()),
        };
        result.into_response()
    };
    Ok(match key {
        None => run().await,
        Some((key, source)) => {
            crate::idempotency::once(&s, &caller, &key, source, &fingerprint, run).await
        }
    })
}

/// `POST /demands/{id}/attachments` (multipart): the owner or the bureau adds a file.
pub async fn upload(ById { s, session, id }: ById, form: Multipart) -> PageResult {
    s.app.attachable_demand(&session.caller, &id).await?;
    let limits = s.config.attachments;
    let result = match crate::uploads::read(form, limits, 1).await {
        Ok(mut parts) => {
            session.check_csrf(parts.get(CSRF_FIELD))?;
            match parts.files.pop() {
                Some(upload) => {
                    s.app
                        .upload_demand_attachment(&session.caller, &id, upload, limits)
                        .await
                }
                None => Err(DomainError::invalid("file", "请选择要上传的文件")),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/demands/{id}#attachments"))),
        Err(e) if e.field.is_some() => {
            demand_page(&s, &session, &id, Sent::failed("file", e, "")).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `GET /attachments/{id}`: the file, as a download.
pub async fn download(ById { s, session, id }: ById) -> PageResult {
    let (a, bytes) = s.app.attachment(&session.caller, &id).await?;
    Ok(crate::api::file_response(&a, bytes))
}

/// `POST /attachments/{id}/delete`: the uploader removes a file of a demand.
pub async fn delete(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let a = s.app.delete_attachment(&session.caller, &id).await?;
    Ok(see_other(&format!("/demands/{}#attachments", a.demand_id)))
}
