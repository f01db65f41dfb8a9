//! The bureau's catalogue upload and the import reports (rows that could not be read).

use super::render::{datetime, ok_page, render, see_other, PageError, PageResult};
use super::session::{ById, Session, CSRF_FIELD};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use duijie_app::{Action, ImportRequest};
use duijie_core::{DomainError, ErrorCode, ImportReport, RecordKind};
use minijinja::{context, Value};
use std::collections::BTreeMap;

fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Demands => "技术需求",
        RecordKind::Achievements => "科技成果",
        RecordKind::Experts => "专家",
    }
}

fn report_view(r: &ImportReport) -> Value {
    context! {
        id => r.id,
        file => r.file,
        kind_label => kind_label(r.kind),
        rows_total => r.rows_total,
        rows_imported => r.rows_imported,
        rows_unchanged => r.rows_unchanged,
        rows_skipped => r.rows_skipped,
        created_text => datetime(r.created_at),
        sha_short => r.sha256.chars().take(16).collect::<String>(),
        errors => r.errors,
    }
}

async fn upload_page(s: &AppState, session: &Session, error: Option<DomainError>) -> PageResult {
    let imports: Vec<Value> = s
        .app
        .imports(&session.caller)
        .await?
        .iter()
        .map(report_view)
        .collect();
    let mut errors = BTreeMap::new();
    let mut general = None;
    let status = match error {
        None => StatusCode::OK,
        Some(e) => {
            match e.field {
                Some(f) => {
                    errors.insert(f, e.message);
                }
                None => general = Some(e.message),
            }
            crate::error::status_of(e.code)
        }
    };
    let ctx = context! { title => "目录导入", imports, errors, error => general };
    Ok(render(session, "imports.html", "imports", status, ctx))
}

pub async fn index(State(s): State<AppState>, session: Session) -> PageResult {
    session.caller.require(Action::ImportCatalogue)?;
    upload_page(&s, &session, None).await
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> PageError {
    PageError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        DomainError::new(ErrorCode::TooLarge, "上传文件过大")
    } else {
        DomainError::new(
            ErrorCode::InvalidInput,
            format!("上传内容无法读取: {}", e.body_text()),
        )
    })
}

pub async fn upload(
    State(s): State<AppState>,
    session: Session,
    mut form: Multipart,
) -> PageResult {
    // Refuse before reading a possibly large body.
    session.caller.require(Action::ImportCatalogue)?;
    let mut csrf = None;
    let mut file = None;
    let mut kind = String::new();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some(CSRF_FIELD) => csrf = Some(field.text().await.map_err(multipart_error)?),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if !(name.is_empty() && bytes.is_empty()) {
                    file = Some((name, bytes.to_vec()));
                }
            }
            Some("kind") => kind = field.text().await.map_err(multipart_error)?,
            _ => {}
        }
    }
    session.check_csrf(csrf.as_deref())?;
    let kind = match kind.trim() {
        "" => None,
        k => match RecordKind::parse(k) {
            Some(k) => Some(k),
            None => {
                let e = DomainError::invalid("kind", "请选择目录类型，或选“自动识别”");
                return upload_page(&s, &session, Some(e)).await;
            }
        },
    };
    let Some((file_name, bytes)) = file else {
        let e = DomainError::invalid("file", "请选择要上传的目录文件");
        return upload_page(&s, &session, Some(e)).await;
    };
    let request = ImportRequest {
        file_name: if file_name.is_empty() {
            "upload".into()
        } else {
            file_name
        },
        bytes,
        kind,
    };
    match s.app.import_file(&session.caller, request).await {
        Ok(report) => Ok(see_other(&format!("/imports/{}?done=imported", report.id))),
        Err(e) if matches!(e.code, ErrorCode::InvalidInput | ErrorCode::UnreadableFile) => {
            upload_page(&s, &session, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn report(ById { s, session, id }: ById) -> PageResult {
    let r = s.app.import_report(&session.caller, &id).await?;
    let ctx = context! { title => "导入报告", r => report_view(&r) };
    ok_page(&session, "import_report.html", "imports", ctx)
}
