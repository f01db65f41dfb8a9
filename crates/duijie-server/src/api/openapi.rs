//! The OpenAPI 3 document of the JSON API, built by hand from the same names the handlers
//! use, and `/api/docs`: a page rendered from that document that needs no network.

use axum::response::Html;
use axum::Json;
use duijie_core::text::escape_html;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn path_id(what: &str) -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
           "description": format!("{what} id")})
}

fn query(name: &str, ty: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": {"type": ty},
           "description": description})
}

fn required_query(name: &str, ty: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": true, "schema": {"type": ty},
           "description": description})
}

fn search_params() -> Vec<Value> {
    vec![
        query(
            "q",
            "string",
            "free text (analysed into words, never parsed as syntax)",
        ),
        query("field", "string", "技术领域 label, e.g. 新材料"),
        query("region", "string", "region, e.g. 灵宝市"),
        query("mode", "string", "cooperation mode, e.g. 合作开发"),
        query(
            "semantic_ratio",
            "number",
            "0 (default: words only) to 1: with text and relevance order, up to 10 records that say the same in other words join the results, marked semantic: true",
        ),
        query(
            "status",
            "string",
            "demand status (bureau sees every status)",
        ),
        query(
            "sort",
            "string",
            "relevance (default), newest; for demands also deadline (soonest first, 长期 last) and budget (largest first, 面议 last)",
        ),
        query("budget_min", "number", "demands: budget at least this many 万元 (面议 excluded)"),
        query("budget_max", "number", "demands: budget at most this many 万元 (面议 excluded)"),
        query("deadline_from", "string", "demands: deadline on or after this date, YYYY-MM-DD (长期 included)"),
        query("deadline_to", "string", "demands: deadline on or before this date, YYYY-MM-DD (长期 excluded)"),
        query("page", "integer", "1-based page"),
        query("per_page", "integer", "1 to 100, default 20"),
    ]
}

/// The audit log's filters, with paging for the JSON list.
fn audit_params(paged: bool) -> Vec<Value> {
    let mut params = vec![
        query(
            "action",
            "string",
            "one action, e.g. demand_approve, catalogue_export_full, contact_bulk_read",
        ),
        query("actor", "string", "an account's name or id"),
        query(
            "from",
            "string",
            "from this day on, YYYY-MM-DD (China time)",
        ),
        query(
            "to",
            "string",
            "up to and including this day, YYYY-MM-DD (China time)",
        ),
    ];
    if paged {
        params.push(query("page", "integer", "1-based page"));
        params.push(query("per_page", "integer", "1 to 200, default 50"));
    }
    params
}

/// Error statuses an operation may answer with, each with the shared error body.
fn errors(codes: &[u16]) -> Map<String, Value> {
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({"$ref": "#/components/responses/Error"}),
            )
        })
        .collect()
}

struct Op {
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    who: &'static str,
    params: Vec<Value>,
    body: Option<Value>,
    status: u16,
    response: Value,
    errors: &'static [u16],
}

impl Op {
    fn to_json(&self) -> Value {
        let mut responses = errors(self.errors);
        responses.insert(
            self.status.to_string(),
            json!({"description": "success", "content": {"application/json": {"schema": self.response}}}),
        );
        let mut op = json!({
            "tags": [self.tag],
            "summary": self.summary,
            "description": format!("Who: {}.", self.who),
            "operationId": operation_id(self.method, self.path),
            "parameters": self.params,
            "responses": responses,
        });
        if let Some(body) = &self.body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body}}});
        }
        op
    }
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

const READ: &[u16] = &[400, 401, 404];
const WRITE: &[u16] = &[400, 401, 403, 404, 409];

#[allow(clippy::too_many_lines)]
fn operations() -> Vec<Op> {
    let page_of = |item: &str| {
        json!({"allOf": [schema("PageMeta"), {"type": "object", "properties": {
            "items": {"type": "array", "items": {"allOf": [schema(item), schema("Highlight")]}}}}]})
    };
    let items_of = |item: &str| {
        json!({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": schema(item)}}})
    };
    vec![
        Op { method: "get", path: "/healthz", tag: "system", summary: "Readiness: 200 while the search index trails the change log by at most max_index_lag changes, else 503 with the same body",
             who: "anyone", params: vec![], body: None, status: 200, response: schema("Health"), errors: &[503] },
        Op { method: "get", path: "/api/openapi.json", tag: "system", summary: "This OpenAPI document",
             who: "anyone", params: vec![], body: None, status: 200, response: json!({"type": "object"}), errors: &[] },
        Op { method: "get", path: "/api/docs", tag: "system", summary: "API documentation page (HTML, works offline)",
             who: "anyone", params: vec![], body: None, status: 200, response: json!({"type": "string"}), errors: &[] },
        Op { method: "post", path: "/api/v1/match", tag: "matching", summary: "Rank research partners for an ad hoc demand text",
             who: "anyone", params: vec![], body: Some(schema("MatchRequest")), status: 200, response: schema("Ranking"), errors: &[400, 429] },
        Op { method: "get", path: "/api/v1/demands", tag: "demands", summary: "Search demands with facets and highlights",
             who: "anyone (published); bureau (every status)", params: search_params(), body: None, status: 200,
             response: page_of("Demand"), errors: &[400, 401] },
        Op { method: "post", path: "/api/v1/demands", tag: "demands", summary: "Create a demand (as a draft)",
             who: "enterprise (for itself), bureau/admin (with `enterprise`)", params: vec![], body: Some(schema("DemandInput")),
             status: 201, response: schema("Demand"), errors: WRITE },
        Op { method: "get", path: "/api/v1/demands/{id}", tag: "demands", summary: "One demand",
             who: "anyone (published); owner and bureau (any status)", params: vec![path_id("demand")], body: None,
             status: 200, response: schema("Demand"), errors: READ },
        Op { method: "patch", path: "/api/v1/demands/{id}", tag: "demands", summary: "Edit a demand (absent fields unchanged)",
             who: "owner (draft, submitted, changes requested), bureau/admin", params: vec![path_id("demand")],
             body: Some(schema("DemandInput")), status: 200, response: schema("Demand"), errors: WRITE },
        Op { method: "post", path: "/api/v1/demands/{id}/submit", tag: "demands", summary: "Submit for review",
             who: "owner", params: vec![path_id("demand")], body: None, status: 200, response: schema("Demand"), errors: WRITE },
        Op { method: "post", path: "/api/v1/demands/{id}/withdraw", tag: "demands", summary: "Withdraw (optional body with a note)",
             who: "owner", params: vec![path_id("demand")], body: Some(schema("NoteBody")), status: 200,
             response: schema("Demand"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/demands/{id}", tag: "demands",
             summary: "Delete a draft nobody else has seen (never catalogued, no interest, no project)", who: "owner",
             params: vec![path_id("demand")], body: None, status: 200,
             response: json!({"type": "object", "required": ["id", "deleted"], "properties": {"id": string(), "deleted": {"type": "boolean"}}}),
             errors: WRITE },
        Op { method: "post", path: "/api/v1/demands/{id}/reopen", tag: "demands", summary: "Reopen a withdrawn demand as a draft",
             who: "owner", params: vec![path_id("demand")], body: None, status: 200, response: schema("Demand"), errors: WRITE },
        Op { method: "post", path: "/api/v1/demands/{id}/review", tag: "demands", summary: "Approve, reject or send back a submitted demand",
             who: "bureau/admin", params: vec![path_id("demand")], body: Some(schema("ReviewBody")), status: 200,
             response: schema("Demand"), errors: WRITE },
        Op { method: "get", path: "/api/v1/demands/{id}/history", tag: "demands", summary: "Every status change with who, when and why",
             who: "owner, bureau/admin", params: vec![path_id("demand")], body: None, status: 200,
             response: items_of("DemandEvent"), errors: &[401, 403, 404] },
        Op { method: "get", path: "/api/v1/demands/{id}/matches", tag: "matching", summary: "Rank research partners for a stored demand",
             who: "whoever may see the demand", params: vec![path_id("demand"),
                query("kind", "string", "institution (default) or expert"), query("limit", "integer", "1 to 50"),
                query("semantic_ratio", "number", "0 (words only) to 1 (meaning only); the service's setting when absent")],
             body: None, status: 200, response: schema("Ranking"), errors: READ },
        Op { method: "post", path: "/api/v1/demands/{id}/interests", tag: "interests",
             summary: "Express interest in a published or in-docking demand (揭榜 / 对接意向)",
             who: "institution (naming only its own experts and achievements)", params: vec![path_id("demand")],
             body: Some(schema("InterestInput")), status: 201, response: schema("Interest"), errors: WRITE },
        Op { method: "get", path: "/api/v1/demands/{id}/interests", tag: "interests", summary: "Expressions of interest in a demand",
             who: "owner, bureau/admin (all); institution (its own)", params: vec![path_id("demand")], body: None, status: 200,
             response: items_of("Interest"), errors: &[401, 403, 404] },
        Op { method: "post", path: "/api/v1/interests/{id}/accept", tag: "interests",
             summary: "Accept an interest; a published demand goes into docking (several partners allowed)",
             who: "the demand's owner", params: vec![path_id("interest")], body: None, status: 200,
             response: schema("Interest"), errors: WRITE },
        Op { method: "post", path: "/api/v1/interests/{id}/decline", tag: "interests", summary: "Decline an interest with a reason",
             who: "the demand's owner", params: vec![path_id("interest")], body: Some(schema("DeclineInput")), status: 200,
             response: schema("Interest"), errors: WRITE },
        Op { method: "get", path: "/api/v1/interests/{id}/messages", tag: "messages",
             summary: "A 揭榜's conversation, oldest first, with the other side's contact once accepted",
             who: "the demand's owner, that institution, bureau/admin (read only); others get 404", params: vec![path_id("interest")],
             body: None, status: 200, response: schema("Conversation"), errors: &[401, 404] },
        Op { method: "post", path: "/api/v1/interests/{id}/messages", tag: "messages",
             summary: "Write in a 揭榜's conversation (JSON, or multipart: `body`, `attachment_ids`, up to 5 `file`)",
             who: "the demand's owner and that institution, while the 揭榜 is not declined and the demand is published, in docking or contracted",
             params: vec![path_id("interest")], body: Some(schema("MessageInput")), status: 201,
             response: schema("Message"), errors: &[400, 403, 404, 409, 413] },
        Op { method: "get", path: "/api/v1/demands/{id}/attachments", tag: "messages", summary: "The demand's own files",
             who: "whoever may see the demand", params: vec![path_id("demand")], body: None, status: 200,
             response: items_of("Attachment"), errors: READ },
        Op { method: "post", path: "/api/v1/demands/{id}/attachments", tag: "messages",
             summary: "Attach a file to a demand (multipart: one `file`; PDF, images, office files or UTF-8 text, checked by content)",
             who: "owner (while the demand is editable), bureau/admin", params: vec![path_id("demand")], body: None, status: 201,
             response: schema("Attachment"), errors: &[400, 401, 403, 404, 409, 413] },
        Op { method: "get", path: "/api/v1/attachments/{id}", tag: "messages",
             summary: "Download a file (Content-Disposition: attachment, nosniff)",
             who: "whoever may see its demand or conversation; others get 404", params: vec![path_id("attachment")], body: None,
             status: 200, response: json!({"type": "string", "format": "binary"}), errors: &[404] },
        Op { method: "delete", path: "/api/v1/attachments/{id}", tag: "messages", summary: "Delete a file of a demand",
             who: "its uploader, while the demand is editable (bureau/admin: any time); files of messages stay",
             params: vec![path_id("attachment")], body: None, status: 204, response: json!({}), errors: &[403, 404, 409] },
        Op { method: "get", path: "/api/v1/my/demands", tag: "demands", summary: "The caller's demands (enterprise) or all by status (bureau), from the database",
             who: "enterprise, bureau/admin", params: vec![query("status", "string", "demand status"),
                query("page", "integer", "1-based page"), query("per_page", "integer", "1 to 100")],
             body: None, status: 200, response: schema("DemandList"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/review-queue", tag: "curation", summary: "Submitted demands with completeness gaps and likely duplicates",
             who: "bureau/admin", params: vec![query("page", "integer", "1-based page"), query("per_page", "integer", "1 to 100")],
             body: None, status: 200, response: schema("ReviewQueue"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/achievements", tag: "records", summary: "Search achievements (科技成果)",
             who: "anyone", params: search_params(), body: None, status: 200, response: page_of("Achievement"), errors: &[400] },
        Op { method: "get", path: "/api/v1/achievements/{id}", tag: "records", summary: "One achievement",
             who: "anyone", params: vec![path_id("achievement")], body: None, status: 200, response: schema("Achievement"), errors: &[404] },
        Op { method: "get", path: "/api/v1/experts", tag: "records", summary: "Search experts (contact details for the bureau only)",
             who: "anyone", params: search_params(), body: None, status: 200, response: page_of("Expert"), errors: &[400, 401] },
        Op { method: "get", path: "/api/v1/experts/{id}", tag: "records", summary: "One expert",
             who: "anyone", params: vec![path_id("expert")], body: None, status: 200, response: schema("Expert"), errors: &[401, 404] },
        Op { method: "post", path: "/api/v1/achievements", tag: "workspace", summary: "Record an achievement of the caller's institution; indexed and used by the ranking at once, recorded for the bureau",
             who: "institution (its own)", params: vec![], body: Some(schema("AchievementInput")), status: 201,
             response: schema("Achievement"), errors: WRITE },
        Op { method: "patch", path: "/api/v1/achievements/{id}", tag: "workspace", summary: "Replace an achievement's text",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("achievement")],
             body: Some(schema("AchievementInput")), status: 200, response: schema("Achievement"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/achievements/{id}", tag: "workspace", summary: "Delete an achievement (leaves the index at once)",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("achievement")],
             body: None, status: 200, response: schema("Deleted"), errors: WRITE },
        Op { method: "post", path: "/api/v1/experts", tag: "workspace", summary: "Record an expert of the caller's institution (contact details are kept for the bureau only)",
             who: "institution (its own)", params: vec![], body: Some(schema("ExpertInput")), status: 201,
             response: schema("Expert"), errors: WRITE },
        Op { method: "patch", path: "/api/v1/experts/{id}", tag: "workspace", summary: "Replace an expert's profile; blank contact fields keep the stored ones",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("expert")],
             body: Some(schema("ExpertInput")), status: 200, response: schema("Expert"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/experts/{id}", tag: "workspace", summary: "Delete an expert (its achievements stay, unlinked; an expert with a secondment is 409)",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("expert")],
             body: None, status: 200, response: schema("Deleted"), errors: WRITE },
        Op { method: "get", path: "/api/v1/my/records", tag: "workspace", summary: "The caller's institution's own achievements, experts or instruments, latest change first, or those the search finds among them",
             who: "institution", params: vec![query("kind", "string", "achievement (default), expert or instrument"),
                query("q", "string", "search words"), query("page", "integer", "1-based page")],
             body: None, status: 200, response: schema("OwnRecordPage"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/my/interests", tag: "workspace", summary: "我的对接意向: every expression of interest of the caller's institution with its demand and state, newest first",
             who: "institution", params: vec![], body: None, status: 200, response: items_of("MyInterest"), errors: &[401, 403] },
        Op { method: "get", path: "/api/v1/record-changes", tag: "workspace", summary: "Achievements, experts and instruments created, edited or deleted (who, when, which record), newest first; audit-log entries",
             who: "bureau/admin", params: vec![query("page", "integer", "1-based page of 50")], body: None, status: 200,
             response: schema("AuditPage"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/organizations/{id}", tag: "records", summary: "An organisation's profile with counts",
             who: "anyone", params: vec![path_id("organization")], body: None, status: 200, response: schema("Organization"), errors: &[404] },
        Op { method: "get", path: "/api/v1/organizations/{id}/recommended-demands", tag: "matching",
             summary: "Published demands ranked for an institution", who: "that institution, bureau/admin",
             params: vec![path_id("organization"), query("limit", "integer", "1 to 50")], body: None, status: 200,
             response: items_of("DemandMatch"), errors: &[401, 403, 404] },
        Op { method: "post", path: "/api/v1/imports", tag: "imports", summary: "Import a catalogue file (multipart: `file`, optional `kind`)",
             who: "bureau/admin", params: vec![], body: None, status: 201, response: schema("ImportReport"), errors: &[400, 401, 403, 413] },
        Op { method: "get", path: "/api/v1/imports", tag: "imports", summary: "Past imports with their reports",
             who: "bureau/admin", params: vec![], body: None, status: 200, response: items_of("ImportReport"), errors: &[401, 403] },
        Op { method: "get", path: "/api/v1/imports/{id}", tag: "imports", summary: "One import report",
             who: "bureau/admin", params: vec![path_id("import")], body: None, status: 200, response: schema("ImportReport"), errors: &[401, 403, 404] },
        Op { method: "post", path: "/api/v1/catalogues", tag: "catalogues", summary: "Start a draft catalogue edition",
             who: "bureau/admin", params: vec![], body: Some(schema("CatalogueInput")), status: 201, response: schema("Catalogue"), errors: WRITE },
        Op { method: "get", path: "/api/v1/catalogues", tag: "catalogues", summary: "Catalogue editions, newest first",
             who: "anyone (published); bureau/admin (drafts too)", params: vec![], body: None, status: 200,
             response: items_of("Catalogue"), errors: &[401] },
        Op { method: "get", path: "/api/v1/catalogues/{id}", tag: "catalogues", summary: "An edition with its items (frozen once published)",
             who: "anyone (published); bureau/admin (drafts)", params: vec![path_id("catalogue")], body: None, status: 200,
             response: schema("CatalogueDetail"), errors: READ },
        Op { method: "post", path: "/api/v1/catalogues/{id}/items", tag: "catalogues", summary: "Add approved or published demands to a draft edition",
             who: "bureau/admin", params: vec![path_id("catalogue")], body: Some(schema("CatalogueItemsInput")), status: 200,
             response: schema("Catalogue"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/catalogues/{id}/items/{demand_id}", tag: "catalogues",
             summary: "Take a demand out of a draft edition (one withdrawn since it was listed, say)", who: "bureau/admin",
             params: vec![path_id("catalogue"), json!({"name": "demand_id", "in": "path", "required": true,
                 "schema": {"type": "string"}, "description": "demand id"})],
             body: None, status: 200, response: schema("Catalogue"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/catalogues/{id}", tag: "catalogues",
             summary: "Delete a draft edition (its demands are untouched); published editions stay", who: "bureau/admin",
             params: vec![path_id("catalogue")], body: None, status: 200,
             response: json!({"type": "object", "required": ["id", "deleted"], "properties": {"id": string(), "deleted": {"type": "boolean"}}}),
             errors: WRITE },
        Op { method: "post", path: "/api/v1/catalogues/{id}/publish", tag: "catalogues",
             summary: "Publish a draft edition: its demands become published and its items are frozen", who: "bureau/admin",
             params: vec![path_id("catalogue")], body: None, status: 200, response: schema("Catalogue"), errors: WRITE },
        Op { method: "get", path: "/api/v1/catalogues/{id}/diff", tag: "catalogues", summary: "New, changed and removed demands since an earlier edition",
             who: "anyone (published editions)", params: vec![path_id("catalogue"), required_query("from", "string", "the earlier edition's id")],
             body: None, status: 200, response: schema("CatalogueDiff"), errors: READ },
        Op { method: "get", path: "/api/v1/catalogues/{id}/export", tag: "catalogues",
             summary: "Export an edition as xlsx, csv (UTF-8 with BOM), json or printable html",
             who: "anyone (published; no contact details); bureau/admin with full=true (contact columns)",
             params: vec![path_id("catalogue"), required_query("format", "string", "xlsx, csv, json or html"),
                query("full", "boolean", "include contact columns (bureau/admin only)")],
             body: None, status: 200, response: json!({"type": "string", "format": "binary"}), errors: &[400, 401, 403, 404] },
        Op { method: "post", path: "/api/v1/projects", tag: "ledger",
             summary: "Record a cooperation project (合作项目) on a demand in docking; the demand becomes contracted",
             who: "bureau/admin", params: vec![], body: Some(schema("ProjectInput")), status: 201,
             response: schema("Project"), errors: WRITE },
        Op { method: "get", path: "/api/v1/projects", tag: "ledger", summary: "The project ledger (台账), latest signed first",
             who: "bureau/admin", params: vec![query("year", "integer", "signed in this year, e.g. 2026"),
                query("key", "boolean", "true: key projects (重点项目) only; false: the others"),
                query("region", "string", "the demand's county or district, e.g. 灵宝市")],
             body: None, status: 200, response: items_of("Project"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/projects/{id}", tag: "ledger", summary: "One project",
             who: "bureau/admin", params: vec![path_id("project")], body: None, status: 200,
             response: schema("Project"), errors: &[401, 403, 404] },
        Op { method: "patch", path: "/api/v1/projects/{id}", tag: "ledger",
             summary: "Update a project's status, milestones (the list is replaced) or notes",
             who: "bureau/admin", params: vec![path_id("project")], body: Some(schema("ProjectUpdate")), status: 200,
             response: schema("Project"), errors: &[400, 401, 403, 404] },
        Op { method: "post", path: "/api/v1/secondments", tag: "ledger",
             summary: "Record an expert's secondment (科技副职 / 挂职) to a host organisation",
             who: "bureau/admin", params: vec![], body: Some(schema("SecondmentInput")), status: 201,
             response: schema("Secondment"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/secondments", tag: "ledger", summary: "Secondments, latest start first",
             who: "bureau/admin", params: vec![query("year", "integer", "only those active at some time of this year")],
             body: None, status: 200, response: items_of("Secondment"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/reports/annual", tag: "ledger",
             summary: "Annual report per county/district and field (JSON; xlsx with one sheet per table; printable html with SVG charts)",
             who: "bureau/admin", params: vec![query("year", "integer", "the year, 2000 to 2100; the current year by default"),
                query("format", "string", "json (default), xlsx or html")],
             body: None, status: 200, response: schema("AnnualReport"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/audit", tag: "audit",
             summary: "The audit log (审计日志), newest first: review decisions, withdrawals, publications, contact-bearing exports, bulk reads of contact details, account administration; ids and counts only, never contact values",
             who: "bureau/admin", params: audit_params(true), body: None, status: 200,
             response: schema("AuditPage"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/audit/export", tag: "audit",
             summary: "The entries matching the filters as CSV (UTF-8 with BOM, newest first, at most 50,000); the export is itself recorded",
             who: "bureau/admin", params: audit_params(false), body: None, status: 200,
             response: json!({"type": "string", "format": "binary"}), errors: &[400, 401, 403] },
        Op { method: "post", path: "/api/v1/instruments", tag: "market", summary: "List a shared research instrument (科研仪器共享)",
             who: "institution (its own), bureau/admin (with `organization`)", params: vec![], body: Some(schema("InstrumentInput")),
             status: 201, response: schema("Instrument"), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/instruments", tag: "market", summary: "Search shared instruments with facets and highlights",
             who: "anyone", params: search_params(), body: None, status: 200, response: page_of("Instrument"), errors: &[400] },
        Op { method: "get", path: "/api/v1/instruments/{id}", tag: "market", summary: "One instrument",
             who: "anyone", params: vec![path_id("instrument")], body: None, status: 200, response: schema("Instrument"), errors: &[404] },
        Op { method: "patch", path: "/api/v1/instruments/{id}", tag: "workspace", summary: "Replace an instrument's description",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("instrument")],
             body: Some(schema("InstrumentInput")), status: 200, response: schema("Instrument"), errors: WRITE },
        Op { method: "delete", path: "/api/v1/instruments/{id}", tag: "workspace", summary: "Delete an instrument",
             who: "its institution, bureau/admin (another institution's record is 404)", params: vec![path_id("instrument")],
             body: None, status: 200, response: schema("Deleted"), errors: WRITE },
        Op { method: "get", path: "/api/v1/stats/trends", tag: "market",
             summary: "Published demands per period and field or region, and rising terms (科技动态)", who: "anyone (public data only)",
             params: vec![query("by", "string", "field (default) or region"), query("period", "string", "quarter (default), month or year")],
             body: None, status: 200, response: schema("Trends"), errors: &[400] },
        Op { method: "post", path: "/api/v1/committees", tag: "market",
             summary: "Propose an expert committee (专家咨询委员会) covering the field's sub-topics, at most two per institution",
             who: "bureau/admin", params: vec![], body: Some(schema("CommitteeInput")), status: 201, response: schema("Committee"), errors: WRITE },
        Op { method: "get", path: "/api/v1/committees", tag: "market", summary: "Committees, newest first",
             who: "bureau/admin", params: vec![], body: None, status: 200, response: items_of("Committee"), errors: &[401, 403] },
        Op { method: "get", path: "/api/v1/committees/{id}", tag: "market", summary: "One committee with its members and why",
             who: "bureau/admin", params: vec![path_id("committee")], body: None, status: 200, response: schema("Committee"), errors: &[401, 403, 404] },
        Op { method: "patch", path: "/api/v1/committees/{id}", tag: "market",
             summary: "Rename, annotate, replace the members (at most two per institution) or confirm a committee",
             who: "bureau/admin", params: vec![path_id("committee")], body: Some(schema("CommitteePatch")), status: 200,
             response: schema("Committee"), errors: WRITE },
        Op { method: "get", path: "/api/v1/notifications", tag: "notifications",
             summary: "The caller's notifications (通知), newest first, with the unread count",
             who: "any signed-in account (its own)", params: vec![query("unread", "boolean", "true: unread ones only"),
                query("page", "integer", "1-based page of 30")],
             body: None, status: 200, response: schema("NotificationPage"), errors: &[400, 401] },
        Op { method: "post", path: "/api/v1/notifications/{id}/read", tag: "notifications",
             summary: "Mark one of the caller's notifications read", who: "any signed-in account (its own; others' are 404)",
             params: vec![path_id("notification")], body: None, status: 204,
             response: json!({"type": "null"}), errors: &[401, 404] },
        Op { method: "post", path: "/api/v1/notifications/read-all", tag: "notifications",
             summary: "Mark every notification of the caller read", who: "any signed-in account",
             params: vec![], body: None, status: 200,
             response: object(&["marked"], json!({"marked": {"type": "integer"}})), errors: &[401] },
        Op { method: "get", path: "/api/v1/notifications/settings", tag: "notifications",
             summary: "How the caller hears of each kind: immediate (an e-mail at once), digest (one e-mail a day) or off (inbox only)",
             who: "any signed-in account", params: vec![], body: None, status: 200,
             response: schema("NotificationSettings"), errors: &[401] },
        Op { method: "put", path: "/api/v1/notifications/settings", tag: "notifications",
             summary: "Set the delivery of some kinds (`{kind: immediate|digest|off}`); kinds not given keep theirs; every wrong entry is named in error.fields",
             who: "any signed-in account", params: vec![], body: Some(json!({"type": "object", "additionalProperties": schema("Delivery")})),
             status: 200, response: schema("NotificationSettings"), errors: &[400, 401] },
        Op { method: "get", path: "/api/v1/notifications/outbox", tag: "notifications",
             summary: "The e-mail outbox: counts per status and the latest rows (account, subject, attempts, last error; never an address or a body)",
             who: "bureau/admin", params: vec![query("failed", "boolean", "true: failed mails only")], body: None, status: 200,
             response: schema("Outbox"), errors: &[400, 401, 403] },
    ]
}

fn string() -> Value {
    json!({"type": "string"})
}

/// The `version` of an editable record.
fn version() -> Value {
    json!({"type": "integer", "description": "raised by every write; the record's ETag is this number in quotes, sent back in If-Match"})
}

fn nullable(ty: &str) -> Value {
    json!({"type": [ty, "null"]})
}

fn object(required: &[&str], props: Value) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

fn components() -> Value {
    let demand_fields = json!({
        "title": string(), "description": string(), "goals": string(),
        "field": {"type": ["string", "null"], "description": "技术领域 label, e.g. 新材料"},
        "modes": {"type": "array", "items": string(), "description": "合作方式, e.g. 合作开发"},
        "keywords": {"type": "array", "items": string()},
        "budget_wan": nullable("number"), "budget_negotiable": {"type": "boolean", "description": "面议"},
        "region": nullable("string"), "deadline": {"type": ["string", "null"], "format": "date"},
        "contact_name": string(), "contact_phone": string(), "contact_email": string(),
    });
    let mut demand = demand_fields.clone();
    for (k, v) in [
        ("id", string()),
        ("status", schema("DemandStatus")),
        ("field_raw", string()),
        ("enterprise", schema("OrgRef")),
        ("version", version()),
        (
            "created_at",
            json!({"type": "string", "format": "date-time"}),
        ),
        (
            "updated_at",
            json!({"type": "string", "format": "date-time"}),
        ),
    ] {
        demand[k] = v;
    }
    let mut input = demand_fields;
    input["enterprise"] = json!({"type": "string", "description": "需求单位 (bureau entering a demand for an enterprise)"});
    let catalogue = object(
        &[
            "id",
            "title",
            "status",
            "item_count",
            "created_by",
            "created_at",
        ],
        json!({"id": string(), "title": string(), "period": nullable("string"),
               "status": {"type": "string", "enum": ["draft", "published"]},
               "item_count": {"type": "integer"}, "created_by": string(),
               "created_at": {"type": "string", "format": "date-time"},
               "published_at": {"type": ["string", "null"], "format": "date-time"}}),
    );
    let diff_entry = object(
        &["id", "title", "enterprise"],
        json!({"id": string(), "title": string(), "enterprise": string(),
               "status_now": schema("DemandStatus")}),
    );
    let schemas: Map<String, Value> = [
        ("Error", json!(object(&["error"], json!({"error": object(&["code", "message"], json!({
                "code": {"type": "string", "enum": ["invalid_input", "unauthenticated", "forbidden", "not_found",
                    "conflict", "precondition_failed", "too_large", "rate_limited", "unreadable_file", "not_implemented", "internal", "unavailable"]},
                "message": string(),
                "field": {"type": "string", "description": "the request field concerned"},
                "fields": {"type": "array", "description": "every field's problem when a form has several",
                    "items": object(&["field", "message"], json!({"field": string(), "message": string()}))}}))})))),
        ("Health", json!(object(&["status", "index"], json!({
                "status": {"type": "string", "enum": ["ok", "starting", "behind", "database_unavailable"],
                    "description": "ok (200); starting: first catch-up not finished, behind: more than max_behind changes not yet searchable, database_unavailable: the change log's head could not be read (503)"},
                "index": object(&["applied_seq", "head_seq", "behind", "max_behind", "caught_up", "documents"], json!({
                    "applied_seq": {"type": "integer", "description": "last change-log sequence the index has committed"},
                    "head_seq": {"type": ["integer", "null"], "description": "last sequence of the change log; null when the database did not answer"},
                    "behind": {"type": ["integer", "null"], "minimum": 0, "description": "head_seq - applied_seq"},
                    "max_behind": {"type": "integer", "description": "the configured max_index_lag"},
                    "caught_up": {"type": "boolean", "description": "started and nothing left to apply"},
                    "documents": {"type": "integer"}})),
                "semantic": {"type": ["object", "null"], "description": "the semantic vectors' progress (null when semantic matching is off); they catch up in the background and never make the service unready",
                    "properties": {"documents": {"type": "integer", "description": "records with a vector"},
                        "queries": {"type": "integer", "description": "stored demands whose query vector is ready (ranking them embeds nothing)"},
                        "pending": {"type": "integer", "description": "texts waiting for their vector (records, and stored demands' queries)"},
                        "embedded": {"type": "integer", "description": "vectors this process computed since it started"},
                        "graphed": {"type": "integer", "description": "records searched through an approximate graph (kinds of [semantic] graph_from records or more, 5,000 by default); the others are scanned exactly"},
                        "started": {"type": "boolean", "description": "stored vectors loaded and the records caught up with once"}}}})))),
        ("DemandStatus", json!({"type": "string", "enum": ["draft", "submitted", "changes_requested", "approved", "published",
                "rejected", "withdrawn", "in_docking", "contracted", "closed"]})),
        ("OrgRef", json!(object(&["id", "name"], json!({"id": string(), "name": string()})))),
        ("DemandInput", json!({"type": "object", "properties": input, "additionalProperties": false})),
        ("Demand", json!({"type": "object", "required": ["id", "status", "title", "description", "enterprise"], "properties": demand,
                "description": "contact_* are absent for callers who may not see them"})),
        ("DemandList", json!({"allOf": [schema("PageMeta"), {"type": "object", "properties": {"items": {"type": "array", "items": schema("Demand")}}}]})),
        ("PageMeta", json!(object(&["total", "page", "per_page"], json!({"total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "facets": {"type": "object", "properties": {
                    "field": {"type": "array", "items": schema("FacetCount")}, "region": {"type": "array", "items": schema("FacetCount")}}}})))),
        ("FacetCount", json!(object(&["value", "count"], json!({"value": string(), "count": {"type": "integer"}})))),
        ("Highlight", json!(object(&["title_html", "snippet_html"], json!({"title_html": string(), "snippet_html": string(),
                "semantic": {"type": "boolean", "description": "found by meaning only (语义相近, semantic_ratio > 0): none of the query's words is in it; absent otherwise"}})))),
        ("NoteBody", json!({"type": "object", "properties": {"note": string()}, "additionalProperties": false})),
        ("ReviewBody", json!({"type": "object", "required": ["decision"], "additionalProperties": false, "properties": {
                "decision": {"type": "string", "enum": ["approve", "reject", "request_changes"]},
                "note": {"type": "string", "description": "required unless approving"}}})),
        ("DemandEvent", json!(object(&["from_status", "to_status", "actor_id", "actor_name", "note", "at"], json!({
                "from_status": {"anyOf": [schema("DemandStatus"), {"type": "null"}], "description": "null for the demand's creation"},
                "to_status": schema("DemandStatus"), "actor_id": nullable("string"), "actor_name": string(), "note": string(),
                "at": {"type": "string", "format": "date-time"}})))),
        ("InterestInput", json!({"type": "object", "required": ["message"], "additionalProperties": false, "properties": {
                "message": {"type": "string", "maxLength": duijie_app::MAX_INTEREST_TEXT, "description": "the proposal"},
                "expert_ids": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_INTEREST_REFS},
                "achievement_ids": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_INTEREST_REFS},
                "instrument_ids": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_INTEREST_REFS},
                "contact_name": string(), "contact_phone": string(), "contact_email": string()}})),
        ("ContactInfo", json!({"type": "object", "properties": {"name": nullable("string"), "phone": nullable("string"),
                "email": nullable("string")}})),
        ("MessageInput", json!({"type": "object", "additionalProperties": false, "properties": {
                "body": {"type": "string", "maxLength": duijie_core::validate::MAX_TEXT_CHARS, "description": "plain text"},
                "attachment_ids": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_MESSAGE_FILES,
                    "description": "files of the demand or of this conversation"}}})),
        ("Attachment", json!(object(&["id", "file_name", "content_type", "size", "sha256", "url", "created_at"],
                json!({"id": string(), "file_name": string(), "content_type": {"type": "string", "description": "found by content"},
                    "size": {"type": "integer"}, "sha256": string(), "url": string(),
                    "created_at": {"type": "string", "format": "date-time"}})))),
        ("Message", json!(object(&["id", "interest_id", "sender", "body", "attachments", "created_at"],
                json!({"id": string(), "interest_id": string(), "sender": schema("OrgRef"), "body": string(),
                    "attachments": {"type": "array", "items": schema("Attachment")},
                    "created_at": {"type": "string", "format": "date-time"}})))),
        ("Conversation", json!(object(&["items", "demand_attachments", "writable", "closed", "partner_contact"], json!({
                "items": {"type": "array", "items": schema("Message")},
                "demand_attachments": {"type": "array", "items": schema("Attachment")},
                "writable": {"type": "boolean"},
                "closed": {"type": ["string", "null"], "description": "why no one may write any more (declined, demand withdrawn or closed); null while open"},
                "partner_contact": {"anyOf": [schema("ContactInfo"), {"type": "null"}], "description": "the other side's contact, once the 揭榜 is accepted (the two sides only); null otherwise"}})))),
        ("DeclineInput", json!({"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
                "reason": {"type": "string", "maxLength": duijie_app::MAX_INTEREST_TEXT}}})),
        ("Interest", json!(object(&["id", "demand_id", "institution", "message", "expert_ids", "achievement_ids", "instrument_ids", "status", "created_at"],
                json!({"id": string(), "demand_id": string(), "institution": schema("OrgRef"), "message": string(),
                    "expert_ids": {"type": "array", "items": string()}, "achievement_ids": {"type": "array", "items": string()},
                    "instrument_ids": {"type": "array", "items": string()},
                    "status": {"type": "string", "enum": ["pending", "accepted", "declined"]},
                    "decline_reason": {"type": "string", "description": "present once declined"},
                    "contact": {"allOf": [schema("ContactInfo")], "description": "the institution's contact: for it and the bureau, for the owner once accepted"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"}})))),
        ("MatchRequest", json!({"type": "object", "required": ["text"], "properties": {"text": string(),
                "kind": {"type": "string", "enum": ["institution", "expert"], "default": "institution"},
                "limit": {"type": "integer", "default": 10}, "field": string(), "region": string(),
                "semantic_ratio": {"type": "number", "minimum": 0, "maximum": 1,
                    "description": "share of semantic (meaning) evidence: 0 words only, 1 meaning only; the service's setting when absent"}}})),
        ("Ranking", json!(object(&["kind", "took_ms", "coverage", "candidates"], json!({"kind": string(), "took_ms": {"type": "number"},
                "coverage": {"type": "string", "enum": ["good", "partial", "none"],
                    "description": "the best candidate's tier: none when no candidate reaches partial (no good partner in the corpus)"},
                "candidates": {"type": "array", "items": object(&["rank", "id", "name", "score", "strength", "tier", "reason", "evidence"], json!({
                    "rank": {"type": "integer"}, "id": string(), "name": string(), "institution": string(),
                    "score": {"type": "number"},
                    "strength": {"type": "number", "description": "matched share (0-1) of the demand's core words, by weight x IDF, in the best document"},
                    "tier": {"type": "string", "enum": ["strong", "partial", "weak"], "description": "强相关 / 部分相关 / 弱相关, calibrated on the judged demand set"},
                    "reason": string(),
                    "evidence": {"type": "array", "items": schema("Evidence")},
                    "instruments": {"type": "array", "items": schema("Evidence"),
                        "description": "the institution's shared instruments relevant to the demand (institution rankings); not part of the score"}}))}})))),
        ("Evidence", json!(object(&["kind", "id", "title", "score", "matched_terms"], json!({
                "kind": {"type": "string", "enum": ["achievement", "expert", "instrument"]}, "id": string(), "title": string(),
                "score": {"type": "number"}, "matched_terms": {"type": "array", "items": string()},
                "semantic": {"type": "boolean", "description": "found by meaning only (语义相近): no word of the demand is in it, matched_terms is empty; absent otherwise"}})))),
        ("DemandMatch", json!(object(&["rank", "id", "title", "enterprise", "score", "matched_terms"], json!({
                "rank": {"type": "integer"}, "id": string(), "title": string(), "enterprise": {"type": "string", "description": "需求单位"},
                "score": {"type": "number"}, "matched_terms": {"type": "array", "items": string()}})))),
        ("Achievement", json!(object(&["id", "title", "institution", "created_at"], json!({"id": string(), "title": string(), "summary": string(),
                "keywords": {"type": "array", "items": string()}, "field": nullable("string"),
                "field_raw": {"type": "string", "description": "the field as the source wrote it, when it was mapped onto the taxonomy; absent otherwise"},
                "maturity": nullable("string"),
                "leader": nullable("string"), "expert_id": nullable("string"), "year": nullable("integer"),
                "region": nullable("string"), "institution": schema("OrgRef"), "version": version(),
                "created_at": {"type": "string", "format": "date-time"}})))),
        ("Expert", json!(object(&["id", "name", "institution"], json!({"id": string(), "name": string(), "title": nullable("string"),
                "department": nullable("string"), "research_areas": {"type": "array", "items": string()},
                "keywords": {"type": "array", "items": string()}, "bio": string(), "field": nullable("string"),
                "institution": schema("OrgRef"), "version": version(), "phone": string(), "email": string()})))),
        ("AchievementInput", json!({"type": "object", "required": ["title", "summary"], "additionalProperties": false, "properties": {
                "title": string(), "summary": {"type": "string", "description": "成果简介"},
                "keywords": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_RECORD_TERMS},
                "field": {"type": ["string", "null"], "description": "技术领域 label, e.g. 新材料"},
                "maturity": {"type": ["string", "null"], "enum": ["研发", "小试", "中试", "产业化", null]},
                "leader": {"type": ["string", "null"], "description": "负责人: links to the institution's expert of that name"},
                "year": {"type": ["integer", "string", "null"], "description": "完成年份"}, "region": nullable("string")}})),
        ("ExpertInput", json!({"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
                "name": string(), "title": {"type": ["string", "null"], "description": "职称"},
                "department": {"type": ["string", "null"], "description": "院系"},
                "research_areas": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_RECORD_TERMS},
                "keywords": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_RECORD_TERMS},
                "bio": string(), "field": nullable("string"),
                "phone": {"type": ["string", "null"], "description": "shown to the bureau only; blank keeps the stored one"},
                "email": {"type": ["string", "null"], "description": "shown to the bureau only; blank keeps the stored one"}}})),
        ("Deleted", json!(object(&["id", "deleted"], json!({"id": string(), "deleted": {"type": "boolean"}})))),
        ("OwnRecordPage", json!(object(&["total", "page", "per_page", "items"], json!({"total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "items": {"type": "array", "items": {"allOf": [
                    {"oneOf": [schema("Achievement"), schema("Expert"), schema("Instrument")]},
                    object(&["kind"], json!({"kind": {"type": "string", "enum": ["achievement", "expert", "instrument"]}}))]}}})))),
        ("MyInterest", json!({"allOf": [schema("Interest"), object(&["demand", "state", "state_label"], json!({
                "demand": object(&["id", "title", "status"], json!({"id": string(), "title": string(), "status": schema("DemandStatus")})),
                "state": {"type": "string", "enum": ["pending", "accepted", "declined", "demand_withdrawn"]},
                "state_label": {"type": "string", "enum": ["待回复", "已接受", "已谢绝", "需求已撤回"]}}))]})),
        ("Organization", json!(object(&["id", "name", "kind", "counts"], json!({"id": string(), "name": string(), "kind": string(),
                "region": nullable("string"), "counts": object(&["demands", "achievements", "experts"], json!({
                    "demands": {"type": "integer"}, "achievements": {"type": "integer"}, "experts": {"type": "integer"}}))})))),
        ("ImportReport", json!(object(&["id", "file", "sha256", "kind", "rows_total", "rows_imported", "rows_unchanged", "rows_skipped", "errors", "created_at"],
                json!({"id": string(), "file": string(), "sha256": string(), "kind": string(),
                    "rows_total": {"type": "integer"}, "rows_imported": {"type": "integer"},
                    "rows_unchanged": {"type": "integer"}, "rows_skipped": {"type": "integer"},
                    "errors": {"type": "array", "items": object(&["sheet", "row", "code", "message"], json!({
                        "sheet": string(), "row": {"type": "integer"}, "column": nullable("string"),
                        "code": string(), "message": string()}))},
                    "created_at": {"type": "string", "format": "date-time"}})))),
        ("ReviewQueue", json!({"allOf": [schema("PageMeta"), {"type": "object", "properties": {
                "items": {"type": "array", "items": schema("ReviewItem")}}}]})),
        ("ReviewItem", json!(object(&["demand", "complete", "gaps", "doubts", "duplicates"], json!({"demand": schema("Demand"),
                "complete": {"type": "boolean"},
                "gaps": {"type": "array", "items": object(&["field", "code", "message"], json!({
                    "field": string(), "code": string(), "message": string()}))},
                "doubts": {"type": "array", "description": "values to check before approving",
                    "items": object(&["field", "code", "message"], json!({
                    "field": string(), "code": {"type": "string", "enum": ["deadline_passed", "deadline_far", "budget_unusual", "title_too_short"]},
                    "message": string()}))},
                "suggested_note": {"type": ["string", "null"], "description": "the gaps as a note for request_changes"},
                "duplicates": {"type": "array", "items": object(&["id", "title", "enterprise", "status", "similarity", "reasons"], json!({
                    "id": string(), "title": string(), "enterprise": string(), "status": schema("DemandStatus"),
                    "similarity": {"type": "number"},
                    "reasons": {"type": "array", "items": {"type": "string", "enum": ["near_identical_text", "same_enterprise"]}}}))}})))),
        ("CatalogueInput", json!({"type": "object", "required": ["title"], "additionalProperties": false, "properties": {
                "title": {"type": "string", "example": "2026年第4期企业技术需求目录"}, "period": nullable("string")}})),
        ("CatalogueItemsInput", json!({"type": "object", "required": ["demand_ids"], "additionalProperties": false, "properties": {
                "demand_ids": {"type": "array", "items": string(), "minItems": 1, "maxItems": duijie_app::MAX_ITEMS_PER_REQUEST}}})),
        ("InstrumentInput", json!({"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
                "name": string(), "model": string(),
                "fields": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_INSTRUMENT_FIELDS, "description": "技术领域 labels, e.g. 新材料"},
                "description": string(), "location": string(), "booking_terms": {"type": "string", "description": "开放共享 / 预约条款"},
                "organization": {"type": "string", "description": "the owning institution (bureau/admin only)"}}})),
        ("Instrument", json!(object(&["id", "name", "fields", "institution"], json!({"id": string(), "name": string(), "model": string(),
                "fields": {"type": "array", "items": string()}, "description": string(), "location": string(),
                "booking_terms": string(), "institution": schema("OrgRef"), "version": version(),
                "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}})))),
        ("Trends", json!(object(&["by", "period", "periods", "totals", "series", "rising_terms"], json!({
                "by": {"type": "string", "enum": ["field", "region"]}, "period": {"type": "string", "enum": ["month", "quarter", "year"]},
                "periods": {"type": "array", "items": string(), "description": "oldest first: 2026-03, 2026-Q1 or 2026"},
                "totals": {"type": "array", "items": {"type": "integer"}},
                "series": {"type": "array", "items": object(&["key", "counts", "total"], json!({"key": string(),
                    "counts": {"type": "array", "items": {"type": "integer"}}, "total": {"type": "integer"}}))},
                "latest_period": nullable("string"),
                "rising_terms": {"type": "array", "items": object(&["term", "latest_count", "previous_count", "rise"], json!({
                    "term": string(), "latest_count": {"type": "integer"}, "previous_count": {"type": "integer"},
                    "latest_share": {"type": "number"}, "previous_share": {"type": "number"}, "rise": {"type": "number"}}))},
                "achievements_by_year": {"type": "array", "items": object(&["year", "count"], json!({
                    "year": {"type": "integer"}, "count": {"type": "integer"}}))}})))),
        ("CommitteeInput", json!({"type": "object", "required": ["field", "size"], "additionalProperties": false, "properties": {
                "field": {"type": "string", "description": "技术领域 label"},
                "size": {"type": "integer", "minimum": 1, "maximum": duijie_app::MAX_COMMITTEE_SIZE}, "name": string()}})),
        ("CommitteePatch", json!({"type": "object", "additionalProperties": false, "properties": {
                "name": string(), "notes": string(), "status": {"type": "string", "enum": ["draft", "confirmed"]},
                "member_ids": {"type": "array", "items": string(), "maxItems": duijie_app::MAX_COMMITTEE_SIZE,
                    "description": "expert ids replacing the members; at most two per institution; only while draft"}}})),
        ("Committee", json!(object(&["id", "name", "field", "size", "status", "subtopics", "members"], json!({
                "id": string(), "name": string(), "field": string(), "size": {"type": "integer"},
                "status": {"type": "string", "enum": ["draft", "confirmed"]}, "notes": string(),
                "subtopics": {"type": "array", "items": object(&["term", "demands"], json!({"term": string(), "demands": {"type": "integer"}}))},
                "members": {"type": "array", "items": object(&["expert_id", "name", "org_id", "org_name", "subtopics", "evidence", "reason"], json!({
                    "expert_id": string(), "name": string(), "org_id": string(), "org_name": string(),
                    "subtopics": {"type": "array", "items": string()},
                    "evidence": {"type": "array", "items": object(&["kind", "id", "title"], json!({"kind": string(), "id": string(), "title": string()}))},
                    "reason": string()}))},
                "version": version(),
                "created_by": string(), "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}})))),
        ("Catalogue", json!(catalogue)),
        ("CatalogueDetail", json!({"allOf": [schema("Catalogue"), {"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "items": schema("Demand")}}}]})),
        ("DiffEntry", json!(diff_entry)),
        ("CatalogueDiff", json!(object(&["from", "to", "added", "changed", "removed"], json!({
                "from": schema("Catalogue"), "to": schema("Catalogue"),
                "added": {"type": "array", "items": schema("DiffEntry")},
                "changed": {"type": "array", "items": {"allOf": [schema("DiffEntry"), object(&["fields"], json!({
                    "fields": {"type": "array", "items": string()}}))]}},
                "removed": {"type": "array", "items": schema("DiffEntry")}})))),
        ("Milestone", json!({"type": "object", "required": ["date", "text"], "additionalProperties": false, "properties": {
                "date": {"type": "string", "format": "date"}, "text": {"type": "string", "maxLength": duijie_app::MAX_LEDGER_LINE},
                "done": {"type": "boolean", "default": false}}})),
        ("ProjectInput", json!({"type": "object", "required": ["demand_id", "institution", "amount_wan", "signed_on"],
                "additionalProperties": false, "properties": {
                "demand_id": {"type": "string", "description": "a demand in docking (or already contracted)"},
                "institution": {"type": "string", "description": "organisation id, or a name (created when new)"},
                "title": {"type": "string", "maxLength": duijie_app::MAX_LEDGER_LINE, "description": "the demand's title when empty"},
                "amount_wan": {"type": "number", "minimum": 0, "description": "合同金额, 万元"},
                "signed_on": {"type": "string", "format": "date"}, "key_project": {"type": "boolean", "default": false}}})),
        ("ProjectUpdate", json!({"type": "object", "additionalProperties": false, "properties": {
                "status": schema("ProjectStatus"),
                "milestones": {"type": "array", "items": schema("Milestone"), "maxItems": duijie_app::MAX_MILESTONES},
                "notes": {"type": "string", "maxLength": duijie_app::MAX_LEDGER_NOTES}}})),
        ("ProjectStatus", json!({"type": "string", "enum": duijie_core::ProjectStatus::ALL.map(|s| s.as_str())})),
        ("Project", json!(object(&["id", "title", "demand", "enterprise", "institution", "amount_wan", "signed_on", "key_project", "status", "milestones", "notes"],
                json!({"id": string(), "title": string(), "demand": object(&["id", "title"], json!({"id": string(), "title": string()})),
                    "enterprise": schema("OrgRef"), "institution": schema("OrgRef"), "region": nullable("string"), "field": nullable("string"),
                    "amount_wan": {"type": "number"}, "signed_on": {"type": "string", "format": "date"}, "key_project": {"type": "boolean"},
                    "status": schema("ProjectStatus"), "status_label": string(), "milestones": {"type": "array", "items": schema("Milestone")},
                    "notes": string(), "version": version(), "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"}})))),
        ("SecondmentInput", json!({"type": "object", "required": ["expert_id", "host", "post", "start"], "additionalProperties": false, "properties": {
                "expert_id": string(), "host": {"type": "string", "description": "host organisation id, or a name (created when new)"},
                "post": {"type": "string", "maxLength": duijie_app::MAX_LEDGER_LINE, "description": "挂职职务, e.g. 科技副县长"},
                "start": {"type": "string", "format": "date"}, "end": {"type": ["string", "null"], "format": "date", "description": "not before start"}}})),
        ("Secondment", json!(object(&["id", "expert", "host", "post", "start"], json!({"id": string(),
                "expert": object(&["id", "name", "institution"], json!({"id": string(), "name": string(), "institution": string()})),
                "host": schema("OrgRef"), "post": string(), "start": {"type": "string", "format": "date"},
                "end": {"type": ["string", "null"], "format": "date"}, "created_at": {"type": "string", "format": "date-time"}})))),
        ("AuditEntry", json!(object(&["seq", "at", "actor", "action", "action_label", "record_kind", "record_ids", "summary"], json!({
                "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                "actor": object(&["name", "role_label"], json!({"id": nullable("string"), "name": string(),
                    "role": {"type": ["string", "null"], "description": "null for the local command line"}, "role_label": string()})),
                "action": {"type": "string", "enum": duijie_app::AuditAction::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>()},
                "action_label": string(),
                "record_kind": {"type": "string", "enum": duijie_app::AuditSubject::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()},
                "record_ids": {"type": "array", "items": string()},
                "summary": {"type": "string", "description": "titles and counts; never contact details"}})))),
        ("NotificationKind", json!({"type": "string", "enum": duijie_core::NotificationKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()})),
        ("Delivery", json!({"type": "string", "enum": ["immediate", "digest", "off"]})),
        ("Notification", json!(object(&["id", "kind", "kind_label", "title", "body", "link", "read", "created_at"], json!({
                "id": string(), "kind": schema("NotificationKind"), "kind_label": string(), "title": string(), "body": string(),
                "link": {"type": "string", "description": "path of the page it is about, e.g. /demands/{id}"},
                "read": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"}})))),
        ("NotificationPage", json!(object(&["items", "total", "unread", "page", "per_page"], json!({
                "items": {"type": "array", "items": schema("Notification")}, "total": {"type": "integer"},
                "unread": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}})))),
        ("NotificationSettings", json!(object(&["settings"], json!({
                "settings": {"type": "object", "additionalProperties": schema("Delivery"), "description": "every kind with its delivery"}})))),
        ("Outbox", json!(object(&["items", "pending", "sent", "failed"], json!({
                "pending": {"type": "integer"}, "sent": {"type": "integer"}, "failed": {"type": "integer"},
                "items": {"type": "array", "items": object(&["id", "user_name", "subject", "status", "attempts", "created_at", "next_attempt_at"], json!({
                    "id": string(), "user_name": string(), "subject": string(),
                    "status": {"type": "string", "enum": ["Pending", "Sent", "Failed"],
                        "description": "capitalised, unlike the API's other statuses (kept as it went out)"}, "attempts": {"type": "integer"},
                    "last_error": nullable("string"), "created_at": {"type": "string", "format": "date-time"},
                    "next_attempt_at": {"type": "string", "format": "date-time"}}))}})))),
        ("AuditPage", json!(object(&["total", "page", "per_page", "items"], json!({"total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}, "items": {"type": "array", "items": schema("AuditEntry")}})))),
        ("ReportRow", json!(object(&["name", "collected", "published", "docked", "contracted", "projects", "contract_value_wan", "key_projects"],
                json!({"name": string(), "collected": {"type": "integer", "description": "demands created in the year"},
                    "published": {"type": "integer"}, "docked": {"type": "integer", "description": "went into docking in the year"},
                    "contracted": {"type": "integer"}, "projects": {"type": "integer", "description": "projects signed in the year"},
                    "contract_value_wan": {"type": "number"}, "key_projects": {"type": "integer"}})))),
        ("AnnualReport", json!(object(&["year", "totals", "by_region", "by_field", "key_projects", "secondments"], json!({
                "year": {"type": "integer"}, "totals": schema("ReportRow"),
                "by_region": {"type": "array", "items": schema("ReportRow")}, "by_field": {"type": "array", "items": schema("ReportRow")},
                "key_projects": object(&["total", "by_status", "items"], json!({"total": {"type": "integer"},
                    "by_status": {"type": "array", "items": object(&["status", "label", "count"], json!({"status": schema("ProjectStatus"),
                        "label": string(), "count": {"type": "integer"}}))},
                    "items": {"type": "array", "items": {"type": "object"}}})),
                "secondments": {"type": "array", "items": object(&["id", "expert", "host_org", "post", "start"], json!({
                    "id": string(), "expert_id": string(), "expert": string(), "home_org": string(), "host_org": string(),
                    "post": string(), "start": {"type": "string", "format": "date"}, "end": {"type": ["string", "null"], "format": "date"}}))}})))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    json!({
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
            "description": "API token from `duijie user add`"}},
        "responses": {"Error": {"description": "error", "content": {"application/json": {"schema": schema("Error")}}}},
        "schemas": schemas,
    })
}

/// Versions and idempotency keys: reads and writes of editable records answer with an
/// `ETag`, their writes take `If-Match` (412 when stale), and creating POSTs take an
/// `Idempotency-Key`.
fn concurrency(paths: &mut Map<String, Value>) {
    let etag = json!({"ETag": {"description": "the record's version, e.g. \"3\"; send it back in If-Match",
        "schema": {"type": "string"}}});
    let if_match = json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
        "description": "the ETag read; a record written since answers 412 precondition_failed. \
            Without it the change applies to the current record (never over a concurrent change)"});
    let idempotency_key = json!({"name": "Idempotency-Key", "in": "header", "required": false,
        "schema": {"type": "string", "minLength": 1, "maxLength": duijie_app::MAX_IDEMPOTENCY_KEY},
        "description": format!("a key of the caller's choosing per record to create: a repeat with the same key \
            and body within {} hours (also while the first still runs) gets the first answer and makes \
            nothing new; the same key with another body is 409", duijie_app::IDEMPOTENCY_KEEP_HOURS)});
    let error = json!({"$ref": "#/components/responses/Error"});
    let versioned = [
        ("/api/v1/demands", "post"),
        ("/api/v1/demands/{id}", "get"),
        ("/api/v1/demands/{id}", "patch"),
        ("/api/v1/demands/{id}/review", "post"),
        ("/api/v1/projects/{id}", "get"),
        ("/api/v1/projects/{id}", "patch"),
        ("/api/v1/committees/{id}", "get"),
        ("/api/v1/committees/{id}", "patch"),
        ("/api/v1/achievements", "post"),
        ("/api/v1/achievements/{id}", "get"),
        ("/api/v1/achievements/{id}", "patch"),
        ("/api/v1/achievements/{id}", "delete"),
        ("/api/v1/experts", "post"),
        ("/api/v1/experts/{id}", "get"),
        ("/api/v1/experts/{id}", "patch"),
        ("/api/v1/experts/{id}", "delete"),
        ("/api/v1/instruments/{id}", "get"),
        ("/api/v1/instruments/{id}", "patch"),
        ("/api/v1/instruments/{id}", "delete"),
    ];
    for (path, method) in versioned {
        let op = &mut paths[path][method];
        let success = if method == "post" && !path.ends_with("/review") {
            "201"
        } else {
            "200"
        };
        if method != "delete" {
            op["responses"][success]["headers"] = etag.clone();
        }
        if method != "get" && success == "200" {
            push(&mut op["parameters"], if_match.clone());
            op["responses"]["412"] = error.clone();
        }
    }
    let creating = [
        "/api/v1/demands",
        "/api/v1/demands/{id}/interests",
        "/api/v1/catalogues",
        "/api/v1/projects",
        "/api/v1/secondments",
        "/api/v1/instruments",
        "/api/v1/committees",
        "/api/v1/registrations",
        "/api/v1/users",
        "/api/v1/achievements",
        "/api/v1/experts",
        "/api/v1/interests/{id}/messages",
    ];
    for path in creating {
        let op = &mut paths[path]["post"];
        push(&mut op["parameters"], idempotency_key.clone());
        op["responses"]["409"] = error.clone();
    }
}

fn push(list: &mut Value, item: Value) {
    if let Some(items) = list.as_array_mut() {
        items.push(item);
    }
}

/// Accounts (issue #19): sessions, one's own account and tokens, registrations, administration.
#[allow(clippy::too_many_lines)]
fn account_operations() -> Vec<Op> {
    let account = || {
        json!({"type": "object", "properties": {
            "id": string(), "name": string(), "role": string(), "role_label": string(),
            "organization_id": nullable("string"), "email": nullable("string"), "phone": nullable("string"),
            "disabled": {"type": "boolean"}, "created_at": string()}})
    };
    let wrapped = |v: Value| json!({"type": "object", "properties": {"account": v}});
    let registration = || {
        json!({"type": "object", "properties": {
            "id": string(), "kind": {"type": "string", "enum": ["enterprise", "institution"]},
            "org_name": string(), "credit_code": nullable("string"), "contact_name": string(),
            "phone": string(), "email": string(),
            "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
            "reason": string(), "user_id": nullable("string"), "created_at": string(),
            "decided_at": nullable("string")}})
    };
    let token = || json!({"type": "object", "properties": {"id": string(), "label": string(), "created_at": string()}});
    let empty = || json!({"type": "object"});
    let signed_in = "signed in (bearer token, or the session cookie with `X-CSRF-Token` on writes)";
    vec![
        Op { method: "post", path: "/api/v1/session", tag: "accounts",
             summary: "Sign in with an account name (phone, e-mail or account name) and password: sets the HttpOnly session cookie and returns the account and the session's csrf_token; throttled per account and address (429 with Retry-After during a lock-out); a pending or rejected registration gets 403 saying why",
             who: "anyone", params: vec![],
             body: Some(object(&["account", "password"], json!({"account": string(), "password": string()}))),
             status: 200, response: json!({"type": "object", "properties": {"account": account(), "csrf_token": string()}}),
             errors: &[400, 401, 403, 429] },
        Op { method: "get", path: "/api/v1/session", tag: "accounts", summary: "The signed-in account",
             who: signed_in, params: vec![], body: None, status: 200, response: wrapped(account()), errors: &[401] },
        Op { method: "delete", path: "/api/v1/session", tag: "accounts", summary: "Sign out: this session (the cookie's) ends at once",
             who: signed_in, params: vec![], body: None, status: 204, response: empty(), errors: &[401, 403] },
        Op { method: "delete", path: "/api/v1/sessions", tag: "accounts", summary: "Sign out everywhere (退出所有设备): every session of the account ends; API tokens stay",
             who: signed_in, params: vec![], body: None, status: 200,
             response: json!({"type": "object", "properties": {"ended": {"type": "integer"}}}), errors: &[401, 403] },
        Op { method: "get", path: "/api/v1/me", tag: "accounts", summary: "My account (with my e-mail and phone)",
             who: signed_in, params: vec![], body: None, status: 200, response: wrapped(account()), errors: &[401] },
        Op { method: "patch", path: "/api/v1/me", tag: "accounts", summary: "Set my e-mail and phone (empty clears); each is a sign-in name of one account",
             who: signed_in, params: vec![], body: Some(json!({"type": "object", "properties": {"email": string(), "phone": string()}})),
             status: 200, response: wrapped(account()), errors: &[400, 401, 403] },
        Op { method: "post", path: "/api/v1/me/password", tag: "accounts", summary: "Change my password (the old one required); my other sessions end",
             who: signed_in, params: vec![],
             body: Some(object(&["old_password", "new_password"], json!({"old_password": string(), "new_password": string()}))),
             status: 204, response: empty(), errors: &[400, 401, 403] },
        Op { method: "get", path: "/api/v1/me/tokens", tag: "accounts", summary: "My API tokens (never the tokens themselves)",
             who: signed_in, params: vec![], body: None, status: 200,
             response: json!({"type": "object", "properties": {"items": {"type": "array", "items": token()}}}), errors: &[401] },
        Op { method: "post", path: "/api/v1/me/tokens", tag: "accounts", summary: "Create an API token: the token is in this answer only",
             who: signed_in, params: vec![], body: Some(json!({"type": "object", "properties": {"label": string()}})),
             status: 201, response: json!({"type": "object", "properties": {"id": string(), "label": string(), "created_at": string(), "token": string()}}),
             errors: &[400, 401, 403, 409] },
        Op { method: "delete", path: "/api/v1/me/tokens/{id}", tag: "accounts", summary: "Revoke one of my API tokens",
             who: signed_in, params: vec![path_id("token")], body: None, status: 204, response: empty(), errors: &[401, 403, 404] },
        Op { method: "post", path: "/api/v1/registrations", tag: "accounts",
             summary: "Self-registration of an enterprise (统一社会信用代码 required, check digit verified) or an institution; pending until the bureau decides",
             who: "anyone", params: vec![],
             body: Some(object(&["kind", "org_name", "contact_name", "phone", "email", "password"], json!({
                 "kind": {"type": "string", "enum": ["enterprise", "institution"]}, "org_name": string(),
                 "credit_code": string(), "contact_name": string(), "phone": string(), "email": string(), "password": string()}))),
             status: 201, response: json!({"type": "object", "properties": {"id": string(), "status": string(), "message": string()}}),
             errors: &[400] },
        Op { method: "get", path: "/api/v1/registrations", tag: "accounts", summary: "Registrations: with a status oldest first, else every one newest first",
             who: "bureau/admin", params: vec![query("status", "string", "pending, approved or rejected")], body: None, status: 200,
             response: json!({"type": "object", "properties": {"items": {"type": "array", "items": registration()}}}), errors: &[400, 401, 403] },
        Op { method: "post", path: "/api/v1/registrations/{id}/approve", tag: "accounts",
             summary: "Approve a pending registration: its organisation is created (or the existing one of that name joined) and an active account made",
             who: "bureau/admin", params: vec![path_id("registration")], body: None, status: 200,
             response: json!({"type": "object", "properties": {"registration": registration(), "account": account()}}), errors: WRITE },
        Op { method: "post", path: "/api/v1/registrations/{id}/reject", tag: "accounts",
             summary: "Reject a pending registration with a reason the applicant is shown at sign-in",
             who: "bureau/admin", params: vec![path_id("registration")], body: Some(object(&["reason"], json!({"reason": string()}))),
             status: 200, response: json!({"type": "object", "properties": {"registration": registration()}}), errors: WRITE },
        Op { method: "get", path: "/api/v1/users", tag: "accounts", summary: "Every account",
             who: "admin", params: vec![], body: None, status: 200,
             response: json!({"type": "object", "properties": {"items": {"type": "array", "items": account()}}}), errors: &[401, 403] },
        Op { method: "post", path: "/api/v1/users", tag: "accounts", summary: "Create an account with an initial password",
             who: "admin", params: vec![],
             body: Some(object(&["name", "role", "password"], json!({"name": string(),
                 "role": {"type": "string", "enum": ["enterprise", "institution", "bureau", "admin"]},
                 "org": string(), "email": string(), "phone": string(), "password": string()}))),
             status: 201, response: account(), errors: WRITE },
        Op { method: "patch", path: "/api/v1/users/{id}", tag: "accounts", summary: "Change an account's role (with `org` for enterprise and institution) or disable / enable it (its sessions end); not one's own",
             who: "admin", params: vec![path_id("account")],
             body: Some(json!({"type": "object", "properties": {"role": string(), "org": string(), "disabled": {"type": "boolean"}}})),
             status: 200, response: account(), errors: WRITE },
        Op { method: "post", path: "/api/v1/users/{id}/password", tag: "accounts", summary: "Set a new password for an account; its sessions end",
             who: "admin", params: vec![path_id("account")], body: Some(object(&["password"], json!({"password": string()}))),
             status: 204, response: empty(), errors: WRITE },
    ]
}

/// The whole document, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut paths = Map::new();
        for op in operations().into_iter().chain(account_operations()) {
            let entry = paths
                .entry(op.path.to_string())
                .or_insert_with(|| json!({}));
            entry[op.method] = op.to_json();
        }
        // A health check's 503 is not an error body: it is the same report as its 200.
        paths["/healthz"]["get"]["responses"]["503"] = json!({"description": "not ready",
            "content": {"application/json": {"schema": schema("Health")}}});
        concurrency(&mut paths);
        json!({
            "openapi": "3.1.0",
            "info": {"title": "duijie (对接) API", "version": env!("CARGO_PKG_VERSION"),
                "description": "Enterprises' technology demands (技术需求), institutions' achievements and experts, \
                    matching, review and catalogue editions. Errors: `{\"error\": {\"code\", \"message\"}}`."},
            "servers": [{"url": "/"}],
            "security": [{}, {"bearerAuth": []}],
            "paths": paths,
            "components": components(),
        })
    })
}

pub async fn openapi_json() -> Json<&'static Value> {
    Json(document())
}

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
        for (at, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[at + 21..].chars().take_while(|c| *c != '"').collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "dangling $ref {name}"
            );
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

    #[test]
    fn document_snapshot() {
        insta::assert_json_snapshot!("openapi", document());
    }
}
