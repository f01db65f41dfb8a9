//! The OpenAPI 3.1 document of the JSON API, derived by utoipa from the handlers'
//! `#[utoipa::path]` attributes and the types they take and answer (the views, the app's
//! forms and the query structs), and `/api/docs`: a page rendered from that document that
//! needs no network.

use axum::response::Html;
use axum::Json;
use duijie_core::text::escape_html;
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{PathItem, RefOr};
use utoipa::{Modify, OpenApi};

/// The `ETag` of an editable record's answer.
const ETAG: &str = "the record's version, e.g. \"3\"; send it back in If-Match";

/// The media type of downloads (a catalogue export, the audit CSV, an attachment).
const OCTET_STREAM: &str = "application/octet-stream";

/// Who may call the operations of one's own account.
pub(crate) const WHO_SIGNED_IN: &str =
    "Who: signed in (bearer token, or the session cookie with `X-CSRF-Token` on writes).";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "duijie (对接) API",
        description = "Enterprises' technology demands (技术需求), institutions' achievements and experts, \
            matching, review and catalogue editions. Errors: `{\"error\": {\"code\", \"message\"}}`."
    ),
    servers((url = "/")),
    paths(
        super::match_text,
        super::healthz,
        super::demands::search,
        super::demands::create,
        super::demands::get,
        super::demands::edit,
        super::demands::delete,
        super::demands::submit,
        super::demands::withdraw,
        super::demands::reopen,
        super::demands::review,
        super::demands::history,
        super::demands::matches,
        super::demands::mine,
        super::interests::list,
        super::interests::create,
        super::interests::accept,
        super::interests::decline,
        super::messages::list,
        super::messages::post,
        super::messages::demand_files,
        super::messages::upload,
        super::messages::download,
        super::messages::delete,
        super::records::search_achievements,
        super::records::achievement,
        super::records::search_experts,
        super::records::expert,
        super::records::organization,
        super::records::recommended_demands,
        super::workspace::create_achievement,
        super::workspace::edit_achievement,
        super::workspace::delete_achievement,
        super::workspace::create_expert,
        super::workspace::edit_expert,
        super::workspace::delete_expert,
        super::workspace::my_records,
        super::workspace::my_interests,
        super::workspace::record_changes,
        super::workspace::edit_instrument,
        super::workspace::delete_instrument,
        super::imports::list,
        super::imports::upload,
        super::imports::get,
        super::catalogues::review_queue,
        super::catalogues::list,
        super::catalogues::create,
        super::catalogues::get,
        super::catalogues::delete,
        super::catalogues::add_items,
        super::catalogues::remove_item,
        super::catalogues::publish,
        super::catalogues::diff,
        super::catalogues::export,
        super::ledger::list_projects,
        super::ledger::create_project,
        super::ledger::get_project,
        super::ledger::update_project,
        super::ledger::list_secondments,
        super::ledger::create_secondment,
        super::ledger::annual_report,
        super::audit::list,
        super::audit::export,
        super::instruments::search_instruments,
        super::instruments::create_instrument,
        super::instruments::instrument,
        super::trends::trends,
        super::committees::committees,
        super::committees::propose_committee,
        super::committees::committee,
        super::committees::update_committee,
        super::accounts::current,
        super::accounts::me,
        super::accounts::sign_in,
        super::accounts::sign_out,
        super::accounts::sign_out_everywhere,
        super::accounts::update_me,
        super::accounts::change_password,
        super::accounts::my_tokens,
        super::accounts::create_token,
        super::accounts::revoke_token,
        super::accounts::registrations,
        super::accounts::register,
        super::accounts::approve,
        super::accounts::reject,
        super::accounts::users,
        super::accounts::create_user,
        super::accounts::update_user,
        super::accounts::reset_password,
        super::notifications::list,
        super::notifications::read_all,
        super::notifications::read,
        super::notifications::settings,
        super::notifications::set_settings,
        super::notifications::outbox,
        openapi_json,
        docs
    ),
    components(schemas(crate::views::ErrorJson), responses(super::errors::Error)),
    modifiers(&Conventions)
)]
struct ApiDoc;

/// What the attributes do not say themselves: the two ways to authenticate, that an operation
/// takes either unless it says otherwise, and operation ids made from method and path (a
/// handler's name, `get` or `list`, is not unique).
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "API token from `duijie user add` or `POST /api/v1/me/tokens`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::pages::SESSION_COOKIE,
                "the session cookie set by `POST /api/v1/session`; writes carry its csrf_token in `X-CSRF-Token`",
            ))),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                op.operation_id = Some(operation_id(method, path));
                op.security = security(op.security.take());
                let headers = op.responses.responses.values_mut().filter_map(|r| match r {
                    RefOr::T(response) => response.headers.get_mut("ETag"),
                    RefOr::Ref(_) => None,
                });
                for etag in headers {
                    etag.description = Some(ETAG.to_string());
                }
                // A download's bytes are one binary string, not an array of numbers.
                let files = op.responses.responses.values_mut().filter_map(|r| match r {
                    RefOr::T(response) => response.content.get_mut(OCTET_STREAM),
                    RefOr::Ref(_) => None,
                });
                for file in files {
                    file.schema = Some(RefOr::T(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                            .into(),
                    ));
                }
            }
        }
    }
}

/// An operation's security requirements: a signed-in caller (bearer token or session) where its
/// attribute states none; `security(())`, anyone, marks a public operation, which the document
/// states with no requirement (the document has no global one); any other list as stated, such
/// as `security((), ("bearerAuth" = []), ("session" = []))` for anyone, more when signed in.
fn security(stated: Option<Vec<SecurityRequirement>>) -> Option<Vec<SecurityRequirement>> {
    let anyone = SecurityRequirement::default();
    match stated {
        None => Some(vec![
            SecurityRequirement::new("bearerAuth", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]),
        Some(list) if list == [anyone] => None,
        Some(list) => Some(list),
    }
}

/// The operations of a path with their methods.
fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_string();
    for part in path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "api" && *p != "v1")
    {
        let part: String = part
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        id.push('_');
        id.push_str(part.trim_matches('_'));
    }
    id
}

/// The whole document, derived once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document is plain JSON")
    })
}

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "system",
    summary = "This OpenAPI document",
    description = "Who: anyone.",
    responses((status = 200, description = "this document", body = Object)),
    security(())
)]
pub async fn openapi_json() -> Json<&'static Value> {
    Json(document())
}

#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "system",
    summary = "API documentation page (HTML, works offline)",
    description = "Who: anyone.",
    responses((status = 200, description = "the page", content_type = "text/html", body = String)),
    security(())
)]
pub async fn docs() -> Html<String> {
    Html(docs_page(document()))
}

/// The docs page's stylesheet, inline so the page needs nothing else (the Content-Security-
/// Policy allows it by its hash).
pub const DOCS_CSS: &str = "body{font-family:system-ui,\"Microsoft YaHei\",sans-serif;max-width:1000px;margin:24px auto;padding:0 12px}\
         .op{border:1px solid #ccc;border-radius:6px;margin:10px 0;padding:8px 12px}\
         .m{display:inline-block;min-width:56px;font-weight:bold;text-transform:uppercase}\
         .get{color:#1565c0}.post{color:#2e7d32}.patch{color:#ef6c00}\
         code{background:#f4f4f4;padding:1px 4px}table{border-collapse:collapse}td{padding:2px 8px}";

/// A self-contained page listing every operation of `doc`.
fn docs_page(doc: &Value) -> String {
    let e = |v: &Value| escape_html(v.as_str().unwrap_or_default());
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", e(&doc["info"]["title"])));
    out.push_str(&format!("<style>{DOCS_CSS}</style>\n</head>\n<body>\n"));
    out.push_str(&format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        e(&doc["info"]["title"]),
        e(&doc["info"]["description"])
    ));
    out.push_str("<p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a></p>\n");
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            out.push_str(&format!(
                "<div class=\"op\" id=\"{}\"><span class=\"m {m}\">{m}</span> <code>{}</code>\
                 <p><b>{}</b><br>{}</p>",
                e(&op["operationId"]),
                escape_html(path),
                e(&op["summary"]),
                e(&op["description"]),
                m = escape_html(method),
            ));
            if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
                out.push_str("<table>");
                for p in params {
                    out.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        e(&p["name"]),
                        e(&p["in"]),
                        e(&p["description"])
                    ));
                }
                out.push_str("</table>");
            }
            if let Some(body) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                out.push_str(&format!(
                    "<p>Body: <code>{}</code></p>",
                    escape_html(body.trim_start_matches("#/components/schemas/"))
                ));
            }
            let statuses: Vec<String> = op["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            out.push_str(&format!(
                "<p>Responses: {}</p></div>\n",
                escape_html(&statuses.join(", "))
            ));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `(METHOD, full path)` the router in `api/mod.rs` registers under `/api` and
    /// `/healthz`, read from its source so a new route cannot skip the document.
    fn registered_routes() -> BTreeSet<(String, String)> {
        let src = include_str!("mod.rs");
        let mut out = BTreeSet::new();
        for (at, _) in src.match_indices(".route(") {
            let rest = &src[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { continue };
            let Some(close) = rest[open + 1..].find('"') else {
                continue;
            };
            let path = &rest[open + 1..open + 1 + close];
            // The arguments of this `.route(...)` call.
            let mut depth = 1;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &rest[..end];
            let full = if path.starts_with("/api/") || path == "/healthz" {
                path.to_string()
            } else {
                format!("/api/v1{path}")
            };
            for method in ["get", "post", "patch", "put", "delete"] {
                let called = args.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0 || !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if called {
                    out.insert((method.to_string(), full.clone()));
                }
            }
        }
        out
    }

    fn documented_routes() -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, item) in document()["paths"].as_object().into_iter().flatten() {
            for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
                out.insert((method.clone(), path.clone()));
            }
        }
        out
    }

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let registered = registered_routes();
        assert!(registered.len() > 25, "{registered:?}");
        let documented = documented_routes();
        let undocumented: Vec<_> = registered.difference(&documented).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the OpenAPI document: {undocumented:?}"
        );
        let phantom: Vec<_> = documented.difference(&registered).collect();
        assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
    }

    #[test]
    fn every_operation_has_an_error_body_and_references_resolve() {
        let doc = document();
        let text = doc.to_string();
        for kind in ["schemas", "responses"] {
            let prefix = format!("#/components/{kind}/");
            for (at, _) in text.match_indices(&prefix) {
                let name: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(|c| *c != '"')
                    .collect();
                assert!(
                    doc["components"][kind].get(&name).is_some(),
                    "dangling $ref {prefix}{name}"
                );
            }
        }
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                assert!(op["summary"].is_string(), "{method} {path}");
                if path.starts_with("/api/v1") {
                    let errors = op["responses"].as_object().map_or(0, |r| {
                        r.values()
                            .filter(|v| v["$ref"] == "#/components/responses/Error")
                            .count()
                    });
                    assert!(errors > 0, "{method} {path} lists no error response");
                }
            }
        }
    }

    #[test]
    fn docs_page_lists_every_operation_and_needs_no_network() {
        let page = docs_page(document());
        assert!(page.contains("/api/v1/catalogues/{id}/export"));
        assert!(
            !page.contains("http://") && !page.contains("https://") && !page.contains("<script")
        );
        assert_eq!(
            page.matches("class=\"op\"").count(),
            documented_routes().len()
        );
    }

    /// The limits the document states are literals in `#[schema(...)]` (utoipa takes no
    /// constants there): each must equal the constant the app enforces.
    #[test]
    fn documented_limits_are_the_ones_the_app_enforces() {
        use duijie_app::*;
        use duijie_core::validate::MAX_TEXT_CHARS;
        let limits: [(&str, &str, &str, usize); 21] = [
            ("AchievementInput", "keywords", "maxItems", MAX_RECORD_TERMS),
            ("ExpertInput", "keywords", "maxItems", MAX_RECORD_TERMS),
            (
                "ExpertInput",
                "research_areas",
                "maxItems",
                MAX_RECORD_TERMS,
            ),
            (
                "CatalogueItemsInput",
                "demand_ids",
                "maxItems",
                MAX_ITEMS_PER_REQUEST,
            ),
            (
                "CommitteeInput",
                "size",
                "maximum",
                MAX_COMMITTEE_SIZE as usize,
            ),
            (
                "CommitteePatch",
                "member_ids",
                "maxItems",
                MAX_COMMITTEE_SIZE as usize,
            ),
            (
                "InstrumentInput",
                "fields",
                "maxItems",
                MAX_INSTRUMENT_FIELDS,
            ),
            ("InterestInput", "message", "maxLength", MAX_INTEREST_TEXT),
            ("InterestInput", "expert_ids", "maxItems", MAX_INTEREST_REFS),
            (
                "InterestInput",
                "achievement_ids",
                "maxItems",
                MAX_INTEREST_REFS,
            ),
            (
                "InterestInput",
                "instrument_ids",
                "maxItems",
                MAX_INTEREST_REFS,
            ),
            ("DeclineInput", "reason", "maxLength", MAX_INTEREST_TEXT),
            ("MatchRequest", "limit", "default", DEFAULT_MATCH_LIMIT),
            ("MatchRequest", "limit", "maximum", MAX_MATCH_LIMIT),
            ("MessageInput", "body", "maxLength", MAX_TEXT_CHARS),
            (
                "MessageInput",
                "attachment_ids",
                "maxItems",
                MAX_MESSAGE_FILES,
            ),
            ("MilestoneForm", "text", "maxLength", MAX_LEDGER_LINE),
            ("ProjectInput", "title", "maxLength", MAX_LEDGER_LINE),
            ("ProjectUpdate", "milestones", "maxItems", MAX_MILESTONES),
            ("ProjectUpdate", "notes", "maxLength", MAX_LEDGER_NOTES),
            ("SecondmentInput", "post", "maxLength", MAX_LEDGER_LINE),
        ];
        let schemas = &document()["components"]["schemas"];
        for (schema, property, keyword, limit) in limits {
            let stated = &schemas[schema]["properties"][property][keyword];
            assert_eq!(
                stated.as_u64(),
                u64::try_from(limit).ok(),
                "{schema}.{property} {keyword}"
            );
        }
    }

    #[test]
    fn document_snapshot() {
        insta::assert_json_snapshot!("openapi", document());
    }
}
