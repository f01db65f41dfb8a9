//! Server-rendered pages in Chinese: search, demand details with matches, sign-in with a
//! password, registration, and each role's workspace. Every page reads and writes through `duijie-app` only;
//! forms are protected against cross-site posts; the security headers are the whole
//! router's (`headers.rs`).

mod accounts;
mod audit;
mod catalogues;
mod committees;
mod demands;
mod imports;
mod instruments;
mod interests;
mod ledger;
mod messages;
mod notifications;
mod picker;
mod records;
mod render;
mod search;
mod session;
mod trends;
mod view;
mod workspace;

pub(crate) use render::PageError;
pub(crate) use session::{
    clear_session_cookie, same, session_cookie_of, signed_in_cookies, Session, SESSION_COOKIE,
};

use crate::AppState;
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use duijie_core::{DomainError, ErrorCode};

pub fn routes(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    let upload_limit = state.config.max_upload_bytes;
    // Creating forms carry an idempotency key: sent twice, they make one record.
    let once = || middleware::from_fn_with_state(state.clone(), crate::idempotency::layer);
    let pages = Router::new()
        .route("/", get(search::home))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        // --- accounts (issue #19)
        .route(
            "/register",
            get(accounts::register_form).post(accounts::register.layer(once())),
        )
        .route("/account", get(accounts::me))
        .route("/account/contact", post(accounts::contact))
        .route("/account/password", post(accounts::change_password))
        .route("/account/tokens", post(accounts::create_token))
        .route("/account/tokens/{id}/revoke", post(accounts::revoke_token))
        .route("/account/sessions/end", post(accounts::end_sessions))
        .route("/registrations", get(accounts::registrations))
        .route("/registrations/{id}/approve", post(accounts::approve))
        .route("/registrations/{id}/reject", post(accounts::reject))
        .route(
            "/accounts",
            get(accounts::accounts).post(accounts::create.layer(once())),
        )
        .route("/accounts/{id}/role", post(accounts::role))
        .route("/accounts/{id}/status", post(accounts::status))
        .route("/accounts/{id}/password", post(accounts::reset_password))
        .route("/demands", get(search::demands))
        .route(
            "/demands/new",
            get(demands::new_form).post(demands::create.layer(once())),
        )
        .route("/demands/{id}", get(demands::demand))
        .route(
            "/demands/{id}/edit",
            get(demands::edit_form).post(demands::edit),
        )
        .route("/demands/{id}/submit", post(demands::submit))
        .route(
            "/demands/{id}/withdraw",
            get(demands::withdraw_form).post(demands::withdraw),
        )
        .route("/demands/{id}/reopen", post(demands::reopen))
        .route("/demands/{id}/delete", post(demands::delete))
        .route("/demands/{id}/review", post(demands::review))
        .route(
            "/demands/{id}/interests",
            post(interests::propose.layer(once())),
        )
        .route(
            "/demands/{id}/interests/search",
            post(interests::search_evidence),
        )
        .route("/interests/{id}/accept", post(interests::accept))
        .route("/interests/{id}/decline", post(interests::decline))
        .route("/interests/{id}", get(messages::show))
        .route(
            "/interests/{id}/messages",
            post(messages::post).layer(DefaultBodyLimit::max(crate::api::attachment_body(
                &state,
                duijie_app::MAX_MESSAGE_FILES,
            ))),
        )
        .route(
            "/demands/{id}/attachments",
            post(messages::upload).layer(DefaultBodyLimit::max(crate::api::attachment_body(
                &state, 1,
            ))),
        )
        .route("/attachments/{id}", get(messages::download))
        .route("/attachments/{id}/delete", post(messages::delete))
        .route("/my/demands", get(demands::mine))
        .route("/review", get(demands::queue))
        .route("/recommended", get(demands::recommended))
        .route(
            "/imports",
            get(imports::index)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/imports/{id}", get(imports::report))
        .route(
            "/catalogues",
            get(catalogues::index).post(catalogues::create.layer(once())),
        )
        .route("/catalogues/{id}", get(catalogues::show))
        .route("/catalogues/{id}/items", post(catalogues::add_items))
        .route(
            "/catalogues/{id}/items/{demand_id}/remove",
            post(catalogues::remove_item),
        )
        .route("/catalogues/{id}/delete", post(catalogues::delete))
        .route("/catalogues/{id}/publish", post(catalogues::publish))
        .route("/catalogues/{id}/export", get(catalogues::export))
        .route(
            "/projects",
            get(ledger::projects).post(ledger::create_project.layer(once())),
        )
        .route(
            "/projects/{id}",
            get(ledger::project).post(ledger::update_project),
        )
        .route(
            "/secondments",
            get(ledger::secondments).post(ledger::create_secondment.layer(once())),
        )
        .route("/reports/annual", get(ledger::annual_report))
        .route("/audit", get(audit::index))
        .route("/audit/export", get(audit::export))
        .route("/achievements", get(search::achievements))
        .route("/achievements/{id}", get(records::achievement))
        .route("/experts", get(search::experts))
        .route("/experts/{id}", get(records::expert))
        .route("/organizations/{id}", get(records::organization))
        .route("/instruments", get(search::instruments))
        .route(
            "/instruments/new",
            get(instruments::new_instrument).post(instruments::create_instrument.layer(once())),
        )
        .route("/instruments/{id}", get(instruments::instrument))
        .route("/workspace", get(workspace::index))
        .route(
            "/workspace/{kind}/new",
            get(workspace::new_form).post(workspace::create.layer(once())),
        )
        .route(
            "/workspace/{kind}/{id}/edit",
            get(workspace::edit_form).post(workspace::edit),
        )
        .route("/workspace/{kind}/{id}/delete", post(workspace::delete))
        .route("/my/interests", get(workspace::my_interests))
        .route("/record-changes", get(workspace::record_changes))
        .route("/trends", get(trends::trends))
        .route(
            "/committees",
            get(committees::committees).post(committees::propose.layer(once())),
        )
        .route("/committees/{id}", get(committees::committee))
        .route("/committees/{id}/members", post(committees::members))
        .route("/committees/{id}/status", post(committees::status))
        // --- notifications
        .route("/notifications", get(notifications::index))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/open", post(notifications::open))
        .route(
            "/notifications/settings",
            get(notifications::settings).post(notifications::save_settings),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        // Inside the session layer, which renders the error page with the caller's navigation.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::limits::deadline_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::limits::limit_anonymous_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .layer(middleware::from_fn(private));
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .merge(pages)
        .with_state(state)
}

async fn not_found() -> render::PageError {
    render::PageError(DomainError::new(
        ErrorCode::NotFound,
        "您访问的页面不存在，或已被移除。",
    ))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
}

/// Pages may show contact details: never kept by shared caches.
async fn private(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    resp
}
