//! Catalogue uploads (bureau) and their reports.

use super::errors;
use super::Call;
use super::{created, Created};
use crate::error::{ApiError, ApiResult};
use crate::views::{ImportReportJson, Items};
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{Action, ImportRequest};
use duijie_core::{DomainError, ErrorCode, RecordKind};

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::TooLarge, "上传文件过大")
    } else {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("上传内容无法读取: {}", e.body_text()),
        )
    }
}

/// `multipart/form-data` with `file` and an optional `kind`.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    summary = "Import a catalogue file (multipart: `file`, optional `kind`)",
    description = "Who: bureau/admin.",
    responses(
        (status = 201, description = "success", body = ImportReportJson),
        (status = 400, response = errors::Error),
        (status = 401, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 413, response = errors::Error)
    )
)]
pub async fn upload(
    Call(s, caller): Call,
    mut form: Multipart,
) -> ApiResult<Created<ImportReportJson>> {
    // Refuse before reading a possibly large body.
    caller.require(Action::ImportCatalogue)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut kind = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((name, bytes.to_vec()));
            }
            Some("kind") => {
                let text = field.text().await.map_err(multipart_error)?;
                let text = text.trim().to_string();
                if !text.is_empty() {
                    kind = Some(RecordKind::parse(&text).ok_or_else(|| {
                        DomainError::invalid(
                            "kind",
                            format!("kind 须为 demands、achievements 或 experts，而不是“{text}”"),
                        )
                    })?);
                }
            }
            _ => {}
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| DomainError::invalid("file", "请上传文件（表单字段 file）"))?;
    let request = ImportRequest {
        file_name,
        bytes,
        kind,
    };
    created(s.app.import_file(&caller, request).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/imports",
    tag = "imports",
    summary = "Past imports with their reports",
    description = "Who: bureau/admin.",
    responses(
        (status = 200, description = "success", body = Items<ImportReportJson>),
        errors::Restricted
    )
)]
pub async fn list(Call(s, caller): Call) -> ApiResult<Json<Items<ImportReportJson>>> {
    Ok(Json(Items::of(s.app.imports(&caller).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "imports",
    summary = "One import report",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "import id")),
    responses(
        (status = 200, description = "success", body = ImportReportJson),
        errors::RestrictedRecord
    )
)]
pub async fn get(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportReportJson>> {
    Ok(Json(s.app.import_report(&caller, &id).await?.into()))
}
