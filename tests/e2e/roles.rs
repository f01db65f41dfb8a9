//! The role matrix: every endpoint × every kind of caller → the status it must answer with.
//! Writes run on fresh fixtures per cell, so one role's success never changes another's answer.

use duijie_core::{DemandDraft, DemandStatus, Field, NewInterest, NewProject, OrgKind, Role};
use duijie_e2e::TestServer;
use duijie_store::{Actor, AuditAction, AuditActor, AuditSubject, NewAuditEntry, OwnDraft};
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
    /// `{project}` (a fresh project on another), `{reg}` (a fresh pending registration),
    /// `{user}` (a fresh account), `{att}` (a fresh file of a fresh draft of the own
    /// enterprise, uploaded by it), `{own_ach}`, `{own_exp}`, `{own_ins}` (a fresh
    /// achievement, expert, instrument of `{inst_org}`).
    path: &'static str,
    body: Body,
    expect: [u16; 6],
}

fn row(method: Method, path: &'static str, body: Body, expect: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

fn rows() -> Vec<Row> {
    use Body::{Attachment, Json, None as NoBody, Upload};
    let demand = r#"{"title": "需求{n}", "description": "需要一种新的工艺以提升产品质量", "enterprise": "代录企业有限公司"}"#;
    vec![
        row(Method::GET, "/healthz", NoBody, ALL_200),
        row(Method::GET, "/api/openapi.json", NoBody, ALL_200),
        row(Method::GET, "/api/docs", NoBody, ALL_200),
        row(
            Method::POST,
            "/api/v1/match",
            Json(r#"{"text": "高纯氧化铝粉体"}"#),
            ALL_200,
        ),
        row(Method::GET, "/api/v1/demands", NoBody, ALL_200),
        row(
            Method::POST,
            "/api/v1/demands",
            Json(demand),
            [401, 201, 201, 403, 201, 201],
        ),
        row(Method::GET, "/api/v1/demands/{draft}", NoBody, HIDDEN_DRAFT),
        row(Method::GET, "/api/v1/demands/{published}", NoBody, ALL_200),
        row(
            Method::PATCH,
            "/api/v1/demands/{draft}",
            Json(r#"{"goals": "新目标"}"#),
            [401, 200, 404, 403, 200, 200],
        ),
        row(
            Method::PATCH,
            "/api/v1/demands/{published}",
            Json(r#"{"goals": "新目标"}"#),
            [401, 409, 403, 403, 200, 200],
        ),
        row(
            Method::POST,
            "/api/v1/demands/{draft}/submit",
            Json("{}"),
            OWNER_LIFECYCLE,
        ),
        row(
            Method::POST,
            "/api/v1/demands/{draft}/withdraw",
            Json("{}"),
            OWNER_LIFECYCLE,
        ),
        row(
            Method::DELETE,
            "/api/v1/demands/{draft}",
            NoBody,
            OWNER_LIFECYCLE,
        ),
        // Only a withdrawn demand reopens: the owner's draft answers 409.
        row(
            Method::POST,
            "/api/v1/demands/{draft}/reopen",
            Json("{}"),
            [401, 409, 404, 403, 403, 403],
        ),
        row(
            Method::POST,
            "/api/v1/demands/{submitted}/review",
            Json(r#"{"decision": "approve"}"#),
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/demands/{draft}/history",
            NoBody,
            [401, 200, 404, 403, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/demands/{published}/history",
            NoBody,
            [401, 200, 403, 403, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/demands/{draft}/matches",
            NoBody,
            HIDDEN_DRAFT,
        ),
        row(
            Method::GET,
            "/api/v1/demands/{published}/matches",
            NoBody,
            ALL_200,
        ),
        row(
            Method::POST,
            "/api/v1/demands/{fresh}/interests",
            Json(r#"{"message": "可合作开发"}"#),
            [401, 403, 403, 201, 403, 403],
        ),
        row(
            Method::POST,
            "/api/v1/demands/{draft}/interests",
            Json(r#"{"message": "可合作开发"}"#),
            [401, 403, 403, 404, 403, 403],
        ),
        row(
            Method::GET,
            "/api/v1/demands/{published}/interests",
            NoBody,
            [401, 200, 403, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/v1/demands/{draft}/interests",
            NoBody,
            [401, 200, 404, 404, 200, 200],
        ),
        row(
            Method::POST,
            "/api/v1/interests/{interest}/accept",
            Json("{}"),
            OWNER_ANSWER,
        ),
        row(
            Method::POST,
            "/api/v1/interests/{interest}/decline",
            Json(r#"{"reason": "方向不符"}"#),
            OWNER_ANSWER,
        ),
        row(
            Method::GET,
            "/api/v1/interests/{interest}/messages",
            NoBody,
            [404, 200, 404, 200, 200, 200],
        ),
        row(
            Method::POST,
            "/api/v1/interests/{interest}/messages",
            Json(r#"{"body": "矩阵消息"}"#),
            [404, 201, 404, 201, 403, 403],
        ),
        row(
            Method::GET,
            "/api/v1/demands/{published}/attachments",
            NoBody,
            ALL_200,
        ),
        row(
            Method::GET,
            "/api/v1/demands/{draft}/attachments",
            NoBody,
            HIDDEN_DRAFT,
        ),
        row(
            Method::POST,
            "/api/v1/demands/{draft}/attachments",
            Attachment,
            [401, 201, 404, 403, 201, 201],
        ),
        row(
            Method::GET,
            "/api/v1/attachments/{att}",
            NoBody,
            HIDDEN_DRAFT,
        ),
        row(
            Method::DELETE,
            "/api/v1/attachments/{att}",
            NoBody,
            [404, 204, 404, 404, 403, 403],
        ),
        row(
            Method::GET,
            "/api/v1/my/demands",
            NoBody,
            [401, 200, 200, 403, 200, 200],
        ),
        row(Method::GET, "/api/v1/review-queue", NoBody, CURATORS),
        row(Method::GET, "/api/v1/achievements", NoBody, ALL_200),
        row(Method::GET, "/api/v1/achievements/{ach}", NoBody, ALL_200),
        row(Method::GET, "/api/v1/experts", NoBody, ALL_200),
        row(Method::GET, "/api/v1/experts/{exp}", NoBody, ALL_200),
        row(
            Method::GET,
            "/api/v1/organizations/{own_org}",
            NoBody,
            ALL_200,
        ),
        row(
            Method::GET,
            "/api/v1/organizations/{inst_org}/recommended-demands",
            NoBody,
            [401, 403, 403, 200, 200, 200],
        ),
        row(Method::POST, "/api/v1/imports", Upload, CURATORS_CREATE),
        row(Method::GET, "/api/v1/imports", NoBody, CURATORS),
        row(Method::GET, "/api/v1/imports/{imp}", NoBody, CURATORS),
        row(
            Method::POST,
            "/api/v1/catalogues",
            Json(r#"{"title": "第{n}期目录"}"#),
            CURATORS_CREATE,
        ),
        row(Method::GET, "/api/v1/catalogues", NoBody, ALL_200),
        row(
            Method::GET,
            "/api/v1/catalogues/{draft_cat}",
            NoBody,
            DRAFT_CATALOGUE,
        ),
        row(Method::GET, "/api/v1/catalogues/{pub_cat}", NoBody, ALL_200),
        row(
            Method::POST,
            "/api/v1/catalogues/{draft_cat}/items",
            Json(r#"{"demand_ids": ["{approved}"]}"#),
            CURATORS,
        ),
        row(
            Method::POST,
            "/api/v1/catalogues/{draft_cat}/publish",
            Json("{}"),
            CURATORS,
        ),
        row(
            Method::DELETE,
            "/api/v1/catalogues/{draft_cat}/items/{approved}",
            NoBody,
            CURATORS,
        ),
        row(
            Method::DELETE,
            "/api/v1/catalogues/{draft_cat}",
            NoBody,
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/catalogues/{pub_cat}/diff?from={pub_cat}",
            NoBody,
            ALL_200,
        ),
        row(
            Method::GET,
            "/api/v1/catalogues/{draft_cat}/diff?from={pub_cat}",
            NoBody,
            DRAFT_CATALOGUE,
        ),
        row(
            Method::GET,
            "/api/v1/catalogues/{pub_cat}/export?format=csv",
            NoBody,
            ALL_200,
        ),
        row(
            Method::GET,
            "/api/v1/catalogues/{pub_cat}/export?format=xlsx&full=true",
            NoBody,
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/catalogues/{draft_cat}/export?format=json",
            NoBody,
            DRAFT_CATALOGUE,
        ),
        row(
            Method::POST,
            "/api/v1/projects",
            Json(
                r#"{"demand_id": "{docking}", "institution": "郑州大学", "amount_wan": 10, "signed_on": "2026-03-01"}"#,
            ),
            CURATORS_CREATE,
        ),
        row(Method::GET, "/api/v1/projects", NoBody, CURATORS),
        row(
            Method::GET,
            "/api/v1/projects?year=2026&key=true",
            NoBody,
            CURATORS,
        ),
        row(Method::GET, "/api/v1/projects/{project}", NoBody, CURATORS),
        row(
            Method::PATCH,
            "/api/v1/projects/{project}",
            Json(r#"{"status": "in_progress"}"#),
            CURATORS,
        ),
        row(
            Method::POST,
            "/api/v1/secondments",
            Json(
                r#"{"expert_id": "{exp}", "host": "灵宝市人民政府", "post": "科技副县长", "start": "2026-01-01"}"#,
            ),
            CURATORS_CREATE,
        ),
        row(
            Method::GET,
            "/api/v1/secondments?year=2026",
            NoBody,
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/reports/annual?year=2026",
            NoBody,
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/reports/annual?year=2026&format=xlsx",
            NoBody,
            CURATORS,
        ),
        row(
            Method::GET,
            "/api/v1/reports/annual?year=2026&format=html",
            NoBody,
            CURATORS,
        ),
        row(Method::GET, "/api/v1/audit", NoBody, CURATORS),
        row(
            Method::GET,
            "/api/v1/audit?action=demand_approve&from=2026-01-01",
            NoBody,
            CURATORS,
        ),
        row(Method::GET, "/api/v1/audit/export", NoBody, CURATORS),
        row(
            Method::POST,
            "/api/v1/instruments",
            Json(r#"{"name": "仪器{n}", "fields": ["新材料"], "organization": "郑州大学"}"#),
            [401, 403, 403, 201, 201, 201],
        ),
        row(Method::GET, "/api/v1/instruments?q=衍射", NoBody, ALL_200),
        row(Method::GET, "/api/v1/instruments/{ins}", NoBody, ALL_200),
        row(
            Method::POST,
            "/api/v1/achievements",
            Json(r#"{"title": "成果{n}", "summary": "粉体制备与煅烧"}"#),
            INSTITUTION_CREATE,
        ),
        row(
            Method::PATCH,
            "/api/v1/achievements/{ach}",
            Json(r#"{"title": "高纯氧化铝制备技术", "summary": "粉体制备与煅烧{n}"}"#),
            KEEPERS,
        ),
        row(
            Method::DELETE,
            "/api/v1/achievements/{own_ach}",
            NoBody,
            KEEPERS,
        ),
        row(
            Method::POST,
            "/api/v1/experts",
            Json(r#"{"name": "专家{n}"}"#),
            INSTITUTION_CREATE,
        ),
        row(
            Method::PATCH,
            "/api/v1/experts/{exp}",
            Json(r#"{"name": "李四", "bio": "简介{n}"}"#),
            KEEPERS,
        ),
        row(Method::DELETE, "/api/v1/experts/{own_exp}", NoBody, KEEPERS),
        row(
            Method::PATCH,
            "/api/v1/instruments/{ins}",
            Json(r#"{"name": "X射线衍射仪", "model": "型号{n}"}"#),
            KEEPERS,
        ),
        row(
            Method::DELETE,
            "/api/v1/instruments/{own_ins}",
            NoBody,
            KEEPERS,
        ),
        row(Method::GET, "/api/v1/my/records", NoBody, INSTITUTION_ONLY),
        row(
            Method::GET,
            "/api/v1/my/records?kind=instrument&q=衍射",
            NoBody,
            INSTITUTION_ONLY,
        ),
        row(
            Method::GET,
            "/api/v1/my/interests",
            NoBody,
            INSTITUTION_ONLY,
        ),
        row(Method::GET, "/api/v1/record-changes", NoBody, CURATORS),
        row(Method::GET, "/api/v1/stats/trends", NoBody, ALL_200),
        row(
            Method::GET,
            "/api/v1/stats/trends?by=county",
            NoBody,
            [400; 6],
        ),
        row(
            Method::POST,
            "/api/v1/committees",
            Json(r#"{"field": "新材料", "size": 3}"#),
            CURATORS_CREATE,
        ),
        row(Method::GET, "/api/v1/committees", NoBody, CURATORS),
        row(Method::GET, "/api/v1/notifications", NoBody, SIGNED_IN),
        row(
            Method::GET,
            "/api/v1/notifications?unread=true",
            NoBody,
            SIGNED_IN,
        ),
        row(
            Method::POST,
            "/api/v1/notifications/ntf_missing/read",
            NoBody,
            [401, 404, 404, 404, 404, 404],
        ),
        row(
            Method::POST,
            "/api/v1/notifications/read-all",
            NoBody,
            SIGNED_IN,
        ),
        row(
            Method::GET,
            "/api/v1/notifications/settings",
            NoBody,
            SIGNED_IN,
        ),
        row(
            Method::PUT,
            "/api/v1/notifications/settings",
            Json(r#"{"demand_matched": "digest"}"#),
            SIGNED_IN,
        ),
        row(
            Method::GET,
            "/api/v1/notifications/outbox?failed=true",
            NoBody,
            CURATORS,
        ),
        row(Method::GET, "/api/v1/committees/{com}", NoBody, CURATORS),
        row(
            Method::PATCH,
            "/api/v1/committees/{com}",
            Json(r#"{"notes": "备注{n}"}"#),
            CURATORS,
        ),
        // --- accounts (issue #19)
        row(Method::GET, "/api/v1/session", NoBody, SIGNED_IN),
        row(
            Method::POST,
            "/api/v1/session",
            Json(r#"{"account": "nobody{n}", "password": "wrong-pass1"}"#),
            [401; 6],
        ),
        // A bearer caller has no session to end; the answer is the same.
        row(
            Method::DELETE,
            "/api/v1/session",
            NoBody,
            [401, 204, 204, 204, 204, 204],
        ),
        row(Method::DELETE, "/api/v1/sessions", NoBody, SIGNED_IN),
        row(Method::GET, "/api/v1/me", NoBody, SIGNED_IN),
        row(
            Method::PATCH,
            "/api/v1/me",
            Json(r#"{"email": "me{n}@example.cn"}"#),
            SIGNED_IN,
        ),
        row(
            Method::POST,
            "/api/v1/me/password",
            Json(r#"{"old_password": "wrong-pass1", "new_password": "matrix-pass-1"}"#),
            [401, 400, 400, 400, 400, 400],
        ),
        row(Method::GET, "/api/v1/me/tokens", NoBody, SIGNED_IN),
        row(
            Method::POST,
            "/api/v1/me/tokens",
            Json(r#"{"label": "矩阵{n}"}"#),
            [401, 201, 201, 201, 201, 201],
        ),
        row(
            Method::DELETE,
            "/api/v1/me/tokens/tok_missing",
            NoBody,
            [401, 404, 404, 404, 404, 404],
        ),
        row(
            Method::POST,
            "/api/v1/registrations",
            Json(r#"{"kind": "enterprise", "org_name": "注册{n}有限公司"}"#),
            [400; 6],
        ),
        row(Method::GET, "/api/v1/registrations", NoBody, CURATORS),
        row(
            Method::POST,
            "/api/v1/registrations/{reg}/approve",
            NoBody,
            CURATORS,
        ),
        row(
            Method::POST,
            "/api/v1/registrations/{reg}/reject",
            Json(r#"{"reason": "材料不全"}"#),
            CURATORS,
        ),
        row(Method::GET, "/api/v1/users", NoBody, ADMIN),
        row(
            Method::POST,
            "/api/v1/users",
            Json(r#"{"name": "矩阵账号{n}", "role": "bureau", "password": "matrix-pass-1"}"#),
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            Method::PATCH,
            "/api/v1/users/{user}",
            Json(r#"{"role": "bureau"}"#),
            ADMIN,
        ),
        row(
            Method::POST,
            "/api/v1/users/{user}/password",
            Json(r#"{"password": "matrix-pass-2"}"#),
            [401, 403, 403, 403, 403, 204],
        ),
    ]
}

/// Records every row can point at.
struct Fixtures {
    own_org: String,
    inst_org: String,
    published: String,
    pub_cat: String,
    ach: String,
    exp: String,
    imp: String,
    ins: String,
    com: String,
}

fn matrix_audit() -> NewAuditEntry {
    NewAuditEntry {
        actor: AuditActor {
            id: None,
            name: "matrix".into(),
            role: None,
        },
        action: AuditAction::RecordCreate,
        subject: AuditSubject::Achievement,
        record_ids: Vec::new(),
        summary: "矩阵记录".into(),
    }
}

fn actor() -> Actor {
    Actor {
        id: None,
        name: "matrix".into(),
    }
}

fn draft(title: &str) -> DemandDraft {
    DemandDraft {
        org_name: "本企业有限公司".into(),
        title: title.into(),
        description: "需要一种新的工艺以提升产品质量".into(),
        field: Some(Field::NewMaterials),
        ..DemandDraft::default()
    }
}

/// A demand of the own enterprise, moved through the lifecycle to `status`.
async fn own_demand(s: &TestServer, org: &str, n: usize, status: DemandStatus) -> String {
    let store = &s.app.store();
    let d = store
        .create_demand(
            org,
            &draft(&format!("矩阵需求{n}")),
            DemandStatus::Draft,
            &actor(),
        )
        .await
        .unwrap();
    let path = [
        DemandStatus::Submitted,
        DemandStatus::Approved,
        DemandStatus::Published,
    ];
    let steps = match status {
        DemandStatus::Draft => 0,
        DemandStatus::Submitted => 1,
        DemandStatus::Approved => 2,
        _ => 3,
    };
    let mut from = DemandStatus::Draft;
    for to in &path[..steps] {
        store
            .transition_demand(&d.id, from, *to, &actor(), "", None)
            .await
            .unwrap();
        from = *to;
    }
    d.id
}

/// A fresh published demand of the own enterprise, moved into docking.
async fn docking_demand(s: &TestServer, org: &str, n: usize) -> String {
    let id = own_demand(s, org, n, DemandStatus::Published).await;
    s.app
        .store()
        .transition_demand(
            &id,
            DemandStatus::Published,
            DemandStatus::InDocking,
            &actor(),
            "",
            None,
        )
        .await
        .unwrap();
    id
}

async fn fixtures(s: &TestServer) -> Fixtures {
    let store = &s.app.store();
    let own_org = store
        .ensure_organization("本企业有限公司", OrgKind::Enterprise)
        .await
        .unwrap()
        .id;
    let inst_org = store
        .ensure_organization("郑州大学", OrgKind::University)
        .await
        .unwrap()
        .id;
    let published = own_demand(s, &own_org, 0, DemandStatus::Published).await;
    let cat = store
        .create_catalogue("矩阵目录", None, &actor())
        .await
        .unwrap();
    store
        .add_catalogue_items(&cat.id, std::slice::from_ref(&published))
        .await
        .unwrap();
    store
        .publish_catalogue(&cat.id, &actor(), &[])
        .await
        .unwrap();
    let report = s
        .import_achievements(vec![duijie_core::Draft::Achievement(
            duijie_core::AchievementDraft {
                org_name: "郑州大学".into(),
                title: "高纯氧化铝制备技术".into(),
                summary: "粉体制备与煅烧".into(),
                leader: Some("李四".into()),
                ..Default::default()
            },
        )])
        .await;
    s.indexed().await;
    let ach = s.get("/api/v1/achievements?q=氧化铝", None).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let exp = s.expert_ids_of("郑州大学").await.remove(0);
    let ins = store
        .create_instrument(
            &inst_org,
            &duijie_core::InstrumentDraft {
                name: "X射线衍射仪".into(),
                fields: vec![Field::NewMaterials],
                ..Default::default()
            },
            &actor(),
        )
        .await
        .unwrap()
        .id;
    let com = store
        .create_committee(
            &duijie_core::NewCommittee {
                name: "矩阵委员会".into(),
                field: Field::NewMaterials,
                size: 3,
                subtopics: Vec::new(),
                members: Vec::new(),
            },
            &actor(),
        )
        .await
        .unwrap()
        .id;
    Fixtures {
        own_org,
        inst_org,
        published,
        pub_cat: cat.id,
        ach,
        exp,
        imp: report.id,
        ins,
        com,
    }
}

pub async fn role_matrix(s: TestServer) {
    let own = s
        .token("own", Role::Enterprise, Some("本企业有限公司"))
        .await;
    let other = s
        .token("other", Role::Enterprise, Some("别家企业有限公司"))
        .await;
    let inst = s.token("inst", Role::Institution, Some("郑州大学")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let admin = s.token("admin", Role::Admin, None).await;
    let tokens = [
        None,
        Some(own),
        Some(other),
        Some(inst),
        Some(bureau),
        Some(admin),
    ];
    let fx = fixtures(&s).await;
    let mut n = 0;
    let mut failures = Vec::new();
    for row in rows() {
        for (who, token) in tokens.iter().enumerate() {
            n += 1;
            let mut subst: Vec<(&str, String)> = vec![
                ("{own_org}", fx.own_org.clone()),
                ("{inst_org}", fx.inst_org.clone()),
                ("{published}", fx.published.clone()),
                ("{pub_cat}", fx.pub_cat.clone()),
                ("{ach}", fx.ach.clone()),
                ("{exp}", fx.exp.clone()),
                ("{imp}", fx.imp.clone()),
                ("{ins}", fx.ins.clone()),
                ("{com}", fx.com.clone()),
                ("{n}", n.to_string()),
            ];
            let uses = |p: &str| {
                row.path.contains(p) || matches!(row.body, Body::Json(b) if b.contains(p))
            };
            if uses("{draft}") {
                subst.push((
                    "{draft}",
                    own_demand(&s, &fx.own_org, n, DemandStatus::Draft).await,
                ));
            }
            if uses("{submitted}") {
                subst.push((
                    "{submitted}",
                    own_demand(&s, &fx.own_org, n, DemandStatus::Submitted).await,
                ));
            }
            if uses("{draft_cat}") || uses("{approved}") {
                let approved = own_demand(&s, &fx.own_org, n, DemandStatus::Approved).await;
                let cat = s
                    .app
                    .store()
                    .create_catalogue("草稿目录", None, &actor())
                    .await
                    .unwrap();
                s.app
                    .store()
                    .add_catalogue_items(&cat.id, std::slice::from_ref(&approved))
                    .await
                    .unwrap();
                subst.push(("{draft_cat}", cat.id));
                subst.push(("{approved}", approved));
            }
            if uses("{fresh}") {
                subst.push((
                    "{fresh}",
                    own_demand(&s, &fx.own_org, n, DemandStatus::Published).await,
                ));
            }
            if uses("{interest}") {
                let fresh = own_demand(&s, &fx.own_org, n, DemandStatus::Published).await;
                let interest = s
                    .app
                    .store()
                    .create_interest(
                        &NewInterest {
                            demand_id: fresh,
                            org_id: fx.inst_org.clone(),
                            message: "矩阵意向".into(),
                            expert_ids: Vec::new(),
                            achievement_ids: Vec::new(),
                            instrument_ids: Vec::new(),
                            contact: Default::default(),
                        },
                        &actor(),
                        &[],
                    )
                    .await
                    .unwrap();
                subst.push(("{interest}", interest.id));
            }
            if uses("{reg}") {
                let hash = duijie_app::hash_password("matrix-pass-1").await.unwrap();
                let reg = s
                    .app
                    .store()
                    .create_registration(&duijie_store::NewRegistration {
                        kind: duijie_store::RegistrationKind::Enterprise,
                        org_name: format!("注册矩阵{n}有限公司"),
                        credit_code: None,
                        contact_name: "矩阵联系人".into(),
                        phone: format!("139{n:08}"),
                        email: format!("reg{n}@example.cn"),
                        password_hash: hash,
                    })
                    .await
                    .unwrap();
                subst.push(("{reg}", reg.id));
            }
            if uses("{user}") {
                let user = s
                    .app
                    .store()
                    .create_account(&duijie_store::NewAccount {
                        name: format!("矩阵用户{n}"),
                        role: Role::Enterprise,
                        org_id: Some(fx.own_org.clone()),
                        email: None,
                        phone: None,
                        password_hash: "none".into(),
                    })
                    .await
                    .unwrap();
                subst.push(("{user}", user.id));
            }
            if uses("{att}") {
                let draft = own_demand(&s, &fx.own_org, n, DemandStatus::Draft).await;
                let owner = s.app.store().list_users().await.unwrap();
                let owner = owner.iter().find(|u| u.name == "own").unwrap();
                let att = s
                    .app
                    .store()
                    .create_attachment(
                        &draft,
                        &duijie_core::NewAttachment {
                            file_name: "矩阵.pdf".into(),
                            content_type: "application/pdf".into(),
                            sha256: "0".repeat(64),
                            data: b"%PDF-1.4".to_vec(),
                            org_id: Some(fx.own_org.clone()),
                            uploaded_by: Some(owner.id.clone()),
                        },
                        duijie_store::WriteRules {
                            demand_statuses: &[],
                            max_demand_bytes: i64::MAX,
                        },
                    )
                    .await
                    .unwrap();
                subst.push(("{att}", att.id));
            }
            if uses("{docking}") {
                subst.push(("{docking}", docking_demand(&s, &fx.own_org, n).await));
            }
            if uses("{project}") {
                let project = s
                    .app
                    .store()
                    .create_project(
                        &NewProject {
                            demand_id: docking_demand(&s, &fx.own_org, n).await,
                            institution_id: fx.inst_org.clone(),
                            title: "矩阵项目".into(),
                            amount_wan: 10.0,
                            signed_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                            key_project: false,
                        },
                        &actor(),
                        "",
                    )
                    .await
                    .unwrap();
                subst.push(("{project}", project.id));
            }
            for (placeholder, draft) in [
                (
                    "{own_ach}",
                    OwnDraft::Achievement(duijie_core::AchievementDraft {
                        org_name: "郑州大学".into(),
                        title: format!("待删成果{n}"),
                        summary: "粉体制备".into(),
                        ..Default::default()
                    }),
                ),
                (
                    "{own_exp}",
                    OwnDraft::Expert(duijie_core::ExpertDraft {
                        org_name: "郑州大学".into(),
                        name: format!("待删专家{n}"),
                        ..Default::default()
                    }),
                ),
                (
                    "{own_ins}",
                    OwnDraft::Instrument(duijie_core::InstrumentDraft {
                        name: format!("待删仪器{n}"),
                        ..Default::default()
                    }),
                ),
            ] {
                if uses(placeholder) {
                    let r = s
                        .app
                        .store()
                        .create_own_record(&fx.inst_org, &draft, &matrix_audit())
                        .await
                        .unwrap();
                    subst.push((placeholder, r.id().to_string()));
                }
            }
            let fill = |t: &str| {
                subst
                    .iter()
                    .fold(t.to_string(), |acc, (k, v)| acc.replace(k, v))
            };
            let path = fill(row.path);
            let status = match &row.body {
                Body::Upload | Body::Attachment => {
                    let part = if matches!(row.body, Body::Upload) {
                        reqwest::multipart::Part::bytes(
                            format!("成果名称,完成单位\n矩阵成果{n},郑州大学\n").into_bytes(),
                        )
                        .file_name("成果.csv")
                    } else {
                        reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec())
                            .file_name("矩阵附件.pdf")
                    };
                    let form = reqwest::multipart::Form::new().part("file", part);
                    let mut req = s.client.post(format!("{}{path}", s.base)).multipart(form);
                    if let Some(t) = token {
                        req = req.bearer_auth(t);
                    }
                    req.send().await.unwrap().status()
                }
                body => {
                    let json = match body {
                        Body::Json(b) => Some(serde_json::from_str::<Value>(&fill(b)).unwrap()),
                        _ => None,
                    };
                    s.call(row.method.clone(), &path, token.as_deref(), json)
                        .await
                        .status
                }
            };
            let expected = row.expect[who];
            if status != StatusCode::from_u16(expected).unwrap() {
                failures.push(format!(
                    "{} {} as {}: expected {expected}, got {}",
                    row.method,
                    row.path,
                    CALLERS[who],
                    status.as_u16()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role matrix mismatches:\n{}",
        failures.join("\n")
    );
}
