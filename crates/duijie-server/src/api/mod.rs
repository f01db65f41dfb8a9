//! `/healthz` and the JSON API under `/api/v1`.

mod accounts;
mod audit;
mod catalogues;
mod committees;
mod demands;
mod errors;
mod imports;
mod instruments;
mod interests;
mod ledger;
mod lists;
mod messages;
mod notifications;
mod openapi;
mod params;
mod records;
mod trends;
mod workspace;

pub(crate) use messages::{file_response, message_fingerprint};
pub(crate) use openapi::DOCS_CSS;

use crate::error::ApiResult;
use crate::extract::{ApiJson, Auth};
use crate::views::{HealthJson, IndexJson, RankingJson};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use duijie_app::{Caller, MatchRequest, MAX_MESSAGE_FILES};

pub fn routes(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    let upload_limit = state.config.max_upload_bytes;
    // Creating POSTs honour `Idempotency-Key`.
    let once = || axum::middleware::from_fn_with_state(state.clone(), crate::idempotency::layer);
    let api = Router::new()
        .route("/match", post(match_text))
        .route(
            "/demands",
            get(demands::search).post(demands::create.layer(once())),
        )
        .route(
            "/demands/{id}",
            get(demands::get)
                .patch(demands::edit)
                .delete(demands::delete),
        )
        .route("/demands/{id}/submit", post(demands::submit))
        .route("/demands/{id}/withdraw", post(demands::withdraw))
        .route("/demands/{id}/reopen", post(demands::reopen))
        .route("/demands/{id}/review", post(demands::review))
        .route("/demands/{id}/history", get(demands::history))
        .route("/demands/{id}/matches", get(demands::matches))
        .route(
            "/demands/{id}/interests",
            get(interests::list).post(interests::create.layer(once())),
        )
        .route("/interests/{id}/accept", post(interests::accept))
        .route("/interests/{id}/decline", post(interests::decline))
        // Attachments are read chunk by chunk with their own caps; the idempotency layer,
        // which buffers a body, is not on these routes.
        .route(
            "/interests/{id}/messages",
            get(messages::list)
                .post(messages::post)
                .layer(DefaultBodyLimit::max(attachment_body(
                    &state,
                    MAX_MESSAGE_FILES,
                ))),
        )
        .route(
            "/demands/{id}/attachments",
            get(messages::demand_files)
                .post(messages::upload)
                .layer(DefaultBodyLimit::max(attachment_body(&state, 1))),
        )
        .route(
            "/attachments/{id}",
            get(messages::download).delete(messages::delete),
        )
        .route("/my/demands", get(demands::mine))
        .route(
            "/achievements",
            get(records::search_achievements).post(workspace::create_achievement.layer(once())),
        )
        .route(
            "/achievements/{id}",
            get(records::achievement)
                .patch(workspace::edit_achievement)
                .delete(workspace::delete_achievement),
        )
        .route(
            "/experts",
            get(records::search_experts).post(workspace::create_expert.layer(once())),
        )
        .route(
            "/experts/{id}",
            get(records::expert)
                .patch(workspace::edit_expert)
                .delete(workspace::delete_expert),
        )
        .route("/my/records", get(workspace::my_records))
        .route("/my/interests", get(workspace::my_interests))
        .route("/record-changes", get(workspace::record_changes))
        .route("/organizations/{id}", get(records::organization))
        .route(
            "/organizations/{id}/recommended-demands",
            get(records::recommended_demands),
        )
        .route(
            "/imports",
            get(imports::list)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/imports/{id}", get(imports::get))
        .route("/review-queue", get(catalogues::review_queue))
        .route(
            "/catalogues",
            get(catalogues::list).post(catalogues::create.layer(once())),
        )
        .route(
            "/catalogues/{id}",
            get(catalogues::get).delete(catalogues::delete),
        )
        .route("/catalogues/{id}/items", post(catalogues::add_items))
        .route(
            "/catalogues/{id}/items/{demand_id}",
            axum::routing::delete(catalogues::remove_item),
        )
        .route("/catalogues/{id}/publish", post(catalogues::publish))
        .route("/catalogues/{id}/diff", get(catalogues::diff))
        .route("/catalogues/{id}/export", get(catalogues::export))
        .route(
            "/projects",
            get(ledger::list_projects).post(ledger::create_project.layer(once())),
        )
        .route(
            "/projects/{id}",
            get(ledger::get_project).patch(ledger::update_project),
        )
        .route(
            "/secondments",
            get(ledger::list_secondments).post(ledger::create_secondment.layer(once())),
        )
        .route("/reports/annual", get(ledger::annual_report))
        .route("/audit", get(audit::list))
        .route("/audit/export", get(audit::export))
        .route(
            "/instruments",
            get(instruments::search_instruments).post(instruments::create_instrument.layer(once())),
        )
        .route(
            "/instruments/{id}",
            get(instruments::instrument)
                .patch(workspace::edit_instrument)
                .delete(workspace::delete_instrument),
        )
        .route("/stats/trends", get(trends::trends))
        .route(
            "/committees",
            get(committees::committees).post(committees::propose_committee.layer(once())),
        )
        .route(
            "/committees/{id}",
            get(committees::committee).patch(committees::update_committee),
        )
        // --- accounts (issue #19)
        .route(
            "/session",
            get(accounts::current)
                .post(accounts::sign_in)
                .delete(accounts::sign_out),
        )
        .route(
            "/sessions",
            axum::routing::delete(accounts::sign_out_everywhere),
        )
        .route("/me", get(accounts::me).patch(accounts::update_me))
        .route("/me/password", post(accounts::change_password))
        .route(
            "/me/tokens",
            get(accounts::my_tokens).post(accounts::create_token),
        )
        .route(
            "/me/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route(
            "/registrations",
            get(accounts::registrations).post(accounts::register.layer(once())),
        )
        .route("/registrations/{id}/approve", post(accounts::approve))
        .route("/registrations/{id}/reject", post(accounts::reject))
        .route(
            "/users",
            get(accounts::users).post(accounts::create_user.layer(once())),
        )
        .route("/users/{id}", axum::routing::patch(accounts::update_user))
        .route("/users/{id}/password", post(accounts::reset_password))
        // --- notifications
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/read", post(notifications::read))
        .route(
            "/notifications/settings",
            get(notifications::settings).put(notifications::set_settings),
        )
        .route("/notifications/outbox", get(notifications::outbox))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::limit_anonymous,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/docs", get(openapi::docs))
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::deadline_api,
        ))
        // Answers may carry contact details or a signed-in caller's data: never stored by a
        // browser or a shared cache.
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

/// The largest body of a form with `files` attachments: the files at their cap and room for
/// the text fields and multipart framing.
pub(crate) fn attachment_body(state: &AppState, files: usize) -> usize {
    let per_file = usize::try_from(state.config.attachments.per_file).unwrap_or(usize::MAX);
    per_file.saturating_mul(files).saturating_add(512 * 1024)
}

/// Ready for traffic once the index has caught up after start and while it trails the change
/// log by at most `max_index_lag` sequence numbers; 503 otherwise, so a load balancer sends
/// searches elsewhere while this replica's index is stuck or far behind. `semantic` shows how
/// far the vectors are (`null` when semantic matching is off); words work without them.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    summary = "Readiness: 200 while the search index trails the change log by at most max_index_lag changes, else 503 with the same body",
    description = "Who: anyone.",
    responses(
        (status = 200, description = "success", body = HealthJson),
        (status = 503, description = "not ready: the same report", body = HealthJson)
    ),
    security(())
)]
async fn healthz(State(s): State<AppState>) -> (StatusCode, Json<HealthJson>) {
    let index = s.app.index_status().await;
    let readiness = index.readiness(s.config.max_index_lag);
    let code = match readiness {
        duijie_app::Readiness::Ok => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    (
        code,
        Json(HealthJson {
            status: readiness.as_str(),
            index: IndexJson::new(&index, s.config.max_index_lag),
            // The dense part catches up in the background: progress only, never unhealthy.
            semantic: s.app.vector_status().map(Into::into),
        }),
    )
}

async fn not_found() -> crate::ApiError {
    crate::ApiError::new(duijie_core::ErrorCode::NotFound, "没有这个接口")
}

#[utoipa::path(
    post,
    path = "/api/v1/match",
    tag = "matching",
    summary = "Rank research partners for an ad hoc demand text",
    description = "Who: anyone.",
    request_body = MatchRequest,
    responses(
        (status = 200, description = "success", body = RankingJson),
        (status = 400, response = errors::Error),
        (status = 429, response = errors::Error)
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
async fn match_text(
    State(s): State<AppState>,
    Auth(_caller): Auth,
    ApiJson(req): ApiJson<MatchRequest>,
) -> ApiResult<Json<RankingJson>> {
    Ok(Json(s.app.match_text(&req).await?.into()))
}

/// The state and the authenticated caller, which nearly every operation starts from: one
/// extractor for the two (the caller as [`Auth`] reads it).
pub(crate) struct Call(pub AppState, pub Caller);

impl FromRequestParts<AppState> for Call {
    type Rejection = crate::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Auth(caller) = Auth::from_request_parts(parts, state).await?;
        Ok(Call(state.clone(), caller))
    }
}

/// The answer of a creating request: 201 with the new record's view.
pub(crate) type Created<T> = (StatusCode, Json<T>);

/// `record` as the 201 answer of its view.
fn created<T, R: Into<T>>(record: R) -> ApiResult<Created<T>> {
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// An export as a download (pages use it too); its file name is ASCII by construction.
pub(crate) fn download(out: duijie_app::CatalogueExport) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::http::HeaderValue;
    let mut resp = out.bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(out.content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", out.file_name)) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    resp
}
