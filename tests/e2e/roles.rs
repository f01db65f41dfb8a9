//! The role matrix: every endpoint × every kind of caller → the status it must answer with.
//! Writes run on fresh fixtures per cell, so one role's success never changes another's answer.

use duijie_core::{DemandDraft, DemandStatus, Field, OrgKind, Role};
use duijie_e2e::TestServer;
use duijie_store::{
    Actor, AuditAction, AuditActor, AuditSubject, NewAuditEntry, NewInterest, NewProject, OwnDraft,
};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The callers, in the order of every row's expectations.
const CALLERS: [&str; 6] = [
    "anonymous",
    "enterprise (own)",
    "enterprise (other)",
    "institution",
    "bureau",
    "admin",
];

const ALL_200: [u16; 6] = [200; 6];
const CURATORS: [u16; 6] = [401, 403, 403, 403, 200, 200];
const CURATORS_CREATE: [u16; 6] = [401, 403, 403, 403, 201, 201];
const HIDDEN_DRAFT: [u16; 6] = [404, 200, 404, 404, 200, 200];
const OWNER_LIFECYCLE: [u16; 6] = [401, 200, 404, 403, 403, 403];
const DRAFT_CATALOGUE: [u16; 6] = [404, 404, 404, 404, 200, 200];
const OWNER_ANSWER: [u16; 6] = [401, 200, 403, 403, 403, 403];
const SIGNED_IN: [u16; 6] = [401, 200, 200, 200, 200, 200];
const ADMIN: [u16; 6] = [401, 403, 403, 403, 403, 200];
/// The institution's own records: created by it, kept by it and the bureau.
const INSTITUTION_CREATE: [u16; 6] = [401, 403, 403, 201, 403, 403];
const INSTITUTION_ONLY: [u16; 6] = [401, 403, 403, 200, 403, 403];
const KEEPERS: [u16; 6] = [401, 403, 403, 200, 200, 200];

enum Body {
    None,
    Json(&'static str),
    Upload,
    /// A small PDF as `file` (an attachment).
    Attachment,
}

struct Row {
    method: Method,
    /// With placeholders: `{draft}`, `{submitted}`, `{approved}` (fresh demands of the own
    /// enterprise), `{published}`, `{draft_cat}` (fresh, holding `{approved}`), `{pub_cat}`,
    /// `{ach}`, `{exp}`, `{own_org}`, `{inst_org}`, `{imp}`, `{ins}` (an instrument), `{com}` (a
    /// committee), `{n}` (a counter), `{fresh}` (a fresh published demand), `{interest}` (a fresh
    /// pending interest of `{inst_org}` in another), `{docking}` (a fresh demand in docking),
