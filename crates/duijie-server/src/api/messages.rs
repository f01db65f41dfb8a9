//! A 揭榜's conversation (`/interests/{id}/messages`) and attachments of demands and messages
//! (`/demands/{id}/attachments`, `/attachments/{id}`).

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::views::{AttachmentJson, ConversationJson, Items, MessageJson};
use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_app::{MessageForm, MAX_MESSAGE_FILES};
use duijie_core::{DomainError, ErrorCode};

#[utoipa::path(
    get,
    path = "/api/v1/interests/{id}/messages",
    tag = "messages",
    summary = "A 揭榜's conversation, oldest first, with the other side's contact once accepted",
    description = "Who: the demand's owner, that institution, bureau/admin (read only); others get 404.",
    params(("id" = String, Path, description = "interest id")),
    responses(
        (status = 200, description = "success", body = ConversationJson),
        errors::CallerRecord
    )
)]
pub async fn list(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationJson>> {
    Ok(Json(s.app.conversation(&caller, &id).await?.into()))
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The fingerprint of a message request under an idempotency key: its text, the files it
/// points to, and each file's name and bytes.
pub(crate) fn message_fingerprint(
    path: &str,
    form: &MessageForm,
    uploads: &[duijie_app::Upload],
) -> String {
    let mut parts: Vec<&[u8]> = vec![form.body.as_bytes()];
    parts.extend(form.attachment_ids.iter().map(|a| a.as_bytes()));
    for u in uploads {
        parts.push(u.file_name.as_bytes());
        parts.push(&u.bytes);
    }
    crate::idempotency::fingerprint_of(path, &parts)
}

/// JSON `{"body", "attachment_ids"}`, or `multipart/form-data` with `body`, repeated
/// `attachment_ids` and up to five `file` fields. Honours `Idempotency-Key` (the body is read
/// with the attachment caps first, then the key is claimed).
#[utoipa::path(
    post,
    path = "/api/v1/interests/{id}/messages",
    tag = "messages",
    summary = "Write in a 揭榜's conversation (JSON, or multipart: `body`, `attachment_ids`, up to 5 `file`)",
    description = "Who: the demand's owner and that institution, while the 揭榜 is not declined and the demand is published, in docking or contracted.",
    params(("id" = String, Path, description = "interest id"), IdempotencyKey),
    request_body = MessageForm,
    responses(
        (status = 201, description = "success", body = MessageJson),
        (status = 400, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 404, response = errors::Error),
        (status = 409, response = errors::Error),
        (status = 413, response = errors::Error)
    )
)]
pub async fn post(
    Call(s, caller): Call,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    // Refuse before reading a possibly large body.
    s.app.writable_conversation(&caller, &id).await?;
    let limits = s.config.attachments;
    let headers = req.headers().clone();
    let path = req.uri().path().to_string();
    let (form, uploads) = if is_multipart(&req) {
        let multipart = Multipart::from_request(req, &s)
            .await
            .map_err(|_| DomainError::new(ErrorCode::InvalidInput, "上传内容无法读取"))?;
        let parts = crate::uploads::read(multipart, limits, MAX_MESSAGE_FILES).await?;
        let form = MessageForm {
            body: parts.get("body").unwrap_or_default().to_string(),
            attachment_ids: parts.all("attachment_ids"),
        };
        (form, parts.files)
    } else {
        let ApiJson(form) = ApiJson::<MessageForm>::from_request(req, &s).await?;
        (form, Vec::new())
    };
    let key = crate::idempotency::key_from(&headers, None);
    let fingerprint = message_fingerprint(&path, &form, &uploads);
    let run = || async {
        match s
            .app
            .post_message(&caller, &id, &form, uploads, limits)
            .await
        {
            Ok(m) => (StatusCode::CREATED, Json(MessageJson::from(m))).into_response(),
            Err(e) => crate::error::ApiError(e).into_response(),
        }
    };
    Ok(match key {
        None => run().await,
        Some((key, source)) => {
            crate::idempotency::once(&s, &caller, &key, source, &fingerprint, run).await
        }
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/demands/{id}/attachments",
    tag = "messages",
    summary = "The demand's own files",
    description = "Who: whoever may see the demand.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = Items<AttachmentJson>),
        errors::RecordQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn demand_files(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<AttachmentJson>>> {
    Ok(Json(Items::of(
        s.app.demand_attachments(&caller, &id).await?,
    )))
}

/// `multipart/form-data` with one `file`.
#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/attachments",
    tag = "messages",
    summary = "Attach a file to a demand (multipart: one `file`; PDF, images, office files or UTF-8 text, checked by content)",
    description = "Who: owner (while the demand is editable), bureau/admin.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 201, description = "success", body = AttachmentJson),
        (status = 400, response = errors::Error),
        (status = 401, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 404, response = errors::Error),
        (status = 409, response = errors::Error),
        (status = 413, response = errors::Error)
    )
)]
pub async fn upload(
    Call(s, caller): Call,
    Path(id): Path<String>,
    form: Multipart,
) -> ApiResult<Created<AttachmentJson>> {
    s.app.attachable_demand(&caller, &id).await?;
    let limits = s.config.attachments;
    let mut parts = crate::uploads::read(form, limits, 1).await?;
    let upload = parts
        .files
        .pop()
        .ok_or_else(|| DomainError::invalid("file", "请选择要上传的文件（表单字段 file）"))?;
    created(
        s.app
            .upload_demand_attachment(&caller, &id, upload, limits)
            .await?,
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    tag = "messages",
    summary = "Download a file (Content-Disposition: attachment, nosniff)",
    description = "Who: whoever may see its demand or conversation; others get 404.",
    params(("id" = String, Path, description = "attachment id")),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>),
        errors::PublicRecord
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn download(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Response> {
    let (a, bytes) = s.app.attachment(&caller, &id).await?;
    Ok(file_response(&a, bytes))
}

/// A stored file as a download: never shown inline, never sniffed into another type.
pub(crate) fn file_response(a: &duijie_core::Attachment, bytes: Vec<u8>) -> Response {
    use axum::http::header::{CONTENT_DISPOSITION, X_CONTENT_TYPE_OPTIONS};
    use axum::http::HeaderValue;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&crate::uploads::content_disposition(&a.file_name)) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    resp
}

#[utoipa::path(
    delete,
    path = "/api/v1/attachments/{id}",
    tag = "messages",
    summary = "Delete a file of a demand",
    description = "Who: its uploader, while the demand is editable (bureau/admin: any time); files of messages stay.",
    params(("id" = String, Path, description = "attachment id")),
    responses(
        (status = 204, description = "done"),
        (status = 403, response = errors::Error),
        (status = 404, response = errors::Error),
        (status = 409, response = errors::Error)
    )
)]
pub async fn delete(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_attachment(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
