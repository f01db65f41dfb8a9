//! The institution's workspace pages (机构工作台): its own achievements, experts and
//! instruments (list, form with every problem beside its field, edit holding the version it
//! showed, delete), 我的对接意向, and the bureau's list of what institutions changed.

use super::audit::entry_view;
use super::render::{datetime, field_labels, ok_page, pager, render, see_other, shown, PageResult};
use super::search::Params;
use super::session::{Form, Session};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use duijie_app::{
    record_title, record_version, split_terms, AchievementForm, ExpertForm, InstrumentForm,
    InterestState, Record, YearInput,
};
use duijie_core::{DomainError, EntityKind, ErrorCode, Maturity};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The kinds of own records, by their path segment.
fn kind_of(segment: &str) -> Result<EntityKind, DomainError> {
    match segment {
        "achievements" => Ok(EntityKind::Achievement),
        "experts" => Ok(EntityKind::Expert),
        "instruments" => Ok(EntityKind::Instrument),
        _ => Err(DomainError::not_found("页面")),
    }
}

fn segment(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Expert => "experts",
        EntityKind::Instrument => "instruments",
        _ => "achievements",
    }
}

fn noun(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Expert => "专家",
        EntityKind::Instrument => "科研仪器",
        _ => "科技成果",
    }
}

type Values = BTreeMap<String, String>;

/// One input of a record form: `kind` is `text`, `textarea`, `select` or `checks`.
fn input(
    v: &Values,
    name: &str,
    label: &str,
    kind: &str,
    required: bool,
    hint: &str,
    options: &[&str],
) -> Value {
    let value = v.get(name).cloned().unwrap_or_default();
    let chosen: Vec<&str> = value.split('\u{1f}').collect();
    let options: Vec<Value> = options
        .iter()
        .map(|o| context! { value => o, on => chosen.contains(o) })
        .collect();
    context! { name, label, kind, required, hint, value, options,
    wide => matches!(kind, "textarea" | "checks") }
}

fn inputs(kind: EntityKind, v: &Values, creating: bool) -> Vec<Value> {
    let fields = field_labels();
    let maturities: Vec<&str> = Maturity::ALL.iter().map(|m| m.label()).collect();
    let list = "多个用逗号或顿号分隔";
    match kind {
        EntityKind::Expert => vec![
            input(v, "name", "姓名", "text", true, "", &[]),
            input(v, "title", "职称", "text", false, "如：教授", &[]),
            input(v, "department", "院系", "text", false, "", &[]),
            input(v, "field", "技术领域", "select", false, "", &fields),
            input(v, "research_areas", "研究方向", "text", false, list, &[]),
            input(v, "keywords", "关键词", "text", false, list, &[]),
            input(v, "bio", "个人简介", "textarea", false, "", &[]),
            input(
                v,
                "phone",
                "联系电话",
                "text",
                false,
                if creating {
                    "仅科技局可见"
                } else {
                    "仅科技局可见；留空则保留原联系方式"
                },
                &[],
            ),
            input(v, "email", "电子邮箱", "text", false, "仅科技局可见", &[]),
        ],
        EntityKind::Instrument => vec![
            input(v, "name", "仪器名称", "text", true, "", &[]),
            input(v, "model", "型号", "text", false, "", &[]),
            input(v, "location", "放置地点", "text", false, "", &[]),
            input(v, "fields", "服务的技术领域", "checks", false, "", &fields),
            input(
                v,
                "description",
                "主要功能与技术指标",
                "textarea",
                false,
                "",
                &[],
            ),
            input(
                v,
                "booking_terms",
                "开放共享与预约条款",
                "textarea",
                false,
                "",
                &[],
            ),
        ],
        _ => vec![
            input(v, "title", "成果名称", "text", true, "", &[]),
            input(v, "summary", "成果简介", "textarea", true, "", &[]),
            input(v, "keywords", "关键词", "text", false, list, &[]),
            input(v, "field", "技术领域", "select", false, "", &fields),
            input(v, "maturity", "成熟度", "select", false, "", &maturities),
            input(
                v,
                "leader",
                "负责人",
                "text",
                false,
                "本单位专家的姓名",
                &[],
            ),
            input(v, "year", "完成年份", "text", false, "如：2025", &[]),
            input(v, "region", "所在地区", "text", false, "", &[]),
        ],
    }
}

/// What the form showed, from a stored record (expert contacts are never shown).
fn values_of(r: &Record) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, s: String| {
        v.insert(k.to_string(), s);
    };
    match r {
        Record::Achievement(a) => {
            let b = &a.body;
            put("title", b.title.clone());
            put("summary", b.summary.clone());
            put("keywords", b.keywords.join("，"));
            put(
                "field",
                b.field.map(|f| f.label().to_string()).unwrap_or_default(),
            );
            put(
                "maturity",
                b.maturity
                    .map(|m| m.label().to_string())
                    .unwrap_or_default(),
            );
            put("leader", b.leader.clone().unwrap_or_default());
            put("year", b.year.map(|y| y.to_string()).unwrap_or_default());
            put("region", b.region.clone().unwrap_or_default());
        }
        Record::Expert(e) => {
            let b = &e.body;
            put("name", b.name.clone());
            put("title", b.title.clone().unwrap_or_default());
            put("department", b.department.clone().unwrap_or_default());
            put(
                "field",
                b.field.map(|f| f.label().to_string()).unwrap_or_default(),
            );
            put("research_areas", b.research_areas.join("，"));
            put("keywords", b.keywords.join("，"));
            put("bio", b.bio.clone());
        }
        Record::Instrument(i) => {
            let b = &i.body;
            put("name", b.name.clone());
            put("model", b.model.clone());
            put("location", b.location.clone());
            let fields: Vec<&str> = b.fields.iter().map(|f| f.label()).collect();
            put("fields", fields.join("\u{1f}"));
            put("description", b.description.clone());
            put("booking_terms", b.booking_terms.clone());
        }
        Record::Demand(_) => {}
    }
    v
}

/// What the form sent, to show it again.
fn values_sent(form: &Form) -> Values {
    let mut v = Values::new();
    for name in [
        "title",
        "summary",
        "keywords",
        "field",
        "maturity",
        "leader",
        "year",
        "region",
        "name",
        "department",
        "research_areas",
        "bio",
        "model",
        "location",
        "description",
        "booking_terms",
    ] {
        v.insert(name.to_string(), form.text(name));
    }
    v.insert("fields".to_string(), form.all("fields").join("\u{1f}"));
    v
}

/// The field's value, or none when it is blank.
pub(super) fn opt(form: &Form, name: &str) -> Option<String> {
    let v = form.text(name);
    (!v.trim().is_empty()).then_some(v)
}

fn achievement_form(form: &Form) -> AchievementForm {
    AchievementForm {
        title: form.text("title"),
        summary: form.text("summary"),
        keywords: split_terms(&form.text("keywords")),
        field: opt(form, "field"),
        maturity: opt(form, "maturity"),
        leader: opt(form, "leader"),
        year: opt(form, "year").map(YearInput::Text),
        region: opt(form, "region"),
    }
}

fn expert_form(form: &Form) -> ExpertForm {
    ExpertForm {
        name: form.text("name"),
        title: opt(form, "title"),
        department: opt(form, "department"),
        research_areas: split_terms(&form.text("research_areas")),
        keywords: split_terms(&form.text("keywords")),
        bio: form.text("bio"),
        field: opt(form, "field"),
        phone: opt(form, "phone"),
        email: opt(form, "email"),
    }
}

/// The instrument as the form describes it (for the institution's own: no other organisation).
pub(super) fn instrument_form(form: &Form) -> InstrumentForm {
    InstrumentForm {
        name: form.text("name"),
        model: form.text("model"),
        fields: form.all("fields"),
        description: form.text("description"),
        location: form.text("location"),
        booking_terms: form.text("booking_terms"),
        organization: None,
    }
}

/// The record form; `editing` is the record's id and version.
fn form_page(
    session: &Session,
    kind: EntityKind,
    editing: Option<(&str, i64)>,
    v: &Values,
    failed: Option<DomainError>,
) -> PageResult {
    let (status, errors, error) = match failed {
        None => (StatusCode::OK, BTreeMap::new(), None),
        Some(e) => {
            let (errors, error) = shown(e)?;
            (StatusCode::BAD_REQUEST, errors, error)
        }
    };
    let seg = segment(kind);
    let (heading, action, version) = match editing {
        Some((id, version)) => (
            format!("编辑{}", noun(kind)),
            format!("/workspace/{seg}/{id}/edit"),
            Some(version),
        ),
        None => (
            format!("新建{}", noun(kind)),
            format!("/workspace/{seg}/new"),
            None,
        ),
    };
    let ctx = context! {
        title => heading.clone(),
        heading,
        action,
        version,
        creating => editing.is_none(),
        back => format!("/workspace?kind={seg}"),
        fields => inputs(kind, v, editing.is_none()),
        errors,
        error,
    };
    Ok(render(
        session,
        "record_form.html",
        "workspace",
        status,
        ctx,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkspaceQuery {
    kind: Option<String>,
    page: Option<u32>,
}

/// `GET /workspace`: the institution's own records of one kind.
pub async fn index(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<WorkspaceQuery>,
) -> PageResult {
    let kind = kind_of(q.kind.as_deref().unwrap_or("achievements"))?;
    let page = q.page.unwrap_or(1);
    let (records, total) = s.app.my_records(&session.caller, kind, None, page).await?;
    let seg = segment(kind);
    let items: Vec<Value> = records
        .iter()
        .map(|r| {
            context! {
                id => r.id(),
                title => record_title(r),
                version => record_version(r),
                href => format!("/{seg}/{}", r.id()),
                edit => format!("/workspace/{seg}/{}/edit", r.id()),
                delete => format!("/workspace/{seg}/{}/delete", r.id()),
            }
        })
        .collect();
    let tabs: Vec<Value> = [
        EntityKind::Achievement,
        EntityKind::Expert,
        EntityKind::Instrument,
    ]
    .iter()
    .map(|k| {
        context! {
            href => format!("/workspace?kind={}", segment(*k)),
            label => noun(*k),
            on => *k == kind,
        }
    })
    .collect();
    let total_n = usize::try_from(total).unwrap_or(0);
    let pager = pager(total_n, page, duijie_app::RECORDS_PER_PAGE, |n| {
        format!("/workspace?kind={seg}&page={n}")
    });
    let new_href = match kind {
        EntityKind::Instrument => "/instruments/new".to_string(),
        _ => format!("/workspace/{seg}/new"),
    };
    let ctx = context! {
        title => "本单位资料",
        noun => noun(kind),
        tabs, items, total, pager, new_href,
    };
    ok_page(&session, "workspace.html", "workspace", ctx)
}

/// `GET /workspace/{kind}/new`
pub async fn new_form(session: Session, Path(seg): Path<String>) -> PageResult {
    let kind = kind_of(&seg)?;
    session.caller.workspace_org()?;
    if kind == EntityKind::Instrument {
        return Ok(see_other("/instruments/new"));
    }
    form_page(&session, kind, None, &Values::new(), None)
}

/// `POST /workspace/{kind}/new`
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Path(seg): Path<String>,
    form: Form,
) -> PageResult {
    let kind = kind_of(&seg)?;
    let made = match kind {
        EntityKind::Expert => {
            s.app
                .create_expert(&session.caller, &expert_form(&form))
                .await
        }
        EntityKind::Achievement => {
            s.app
                .create_achievement(&session.caller, &achievement_form(&form))
                .await
        }
        _ => return Err(DomainError::not_found("页面").into()),
    };
    match made {
        Ok(r) => Ok(see_other(&format!("/{seg}/{}", r.id()))),
        Err(e) => form_page(&session, kind, None, &values_sent(&form), Some(e)),
    }
}

/// `GET /workspace/{kind}/{id}/edit`
pub async fn edit_form(
    State(s): State<AppState>,
    session: Session,
    Path((seg, id)): Path<(String, String)>,
) -> PageResult {
    let kind = kind_of(&seg)?;
    let r = s.app.record_for_edit(&session.caller, kind, &id).await?;
    form_page(
        &session,
        kind,
        Some((id.as_str(), record_version(&r))),
        &values_of(&r),
        None,
    )
}

/// `POST /workspace/{kind}/{id}/edit`: holds only for the version the form showed.
pub async fn edit(
    State(s): State<AppState>,
    session: Session,
    Path((seg, id)): Path<(String, String)>,
    form: Form,
) -> PageResult {
    let kind = kind_of(&seg)?;
    let caller = &session.caller;
    let version = form.version();
    let done = match kind {
        EntityKind::Expert => {
            s.app
                .edit_expert(caller, &id, &expert_form(&form), version)
                .await
        }
        EntityKind::Instrument => {
            s.app
                .edit_instrument(caller, &id, &instrument_form(&form), version)
                .await
        }
        _ => {
            s.app
                .edit_achievement(caller, &id, &achievement_form(&form), version)
                .await
        }
    };
    match done {
        Ok(r) => Ok(see_other(&format!("/{seg}/{}", r.id()))),
        // Someone else saved first: the form shows their record to redo the change on.
        Err(e) if e.code == ErrorCode::PreconditionFailed => {
            let r = s.app.record_for_edit(caller, kind, &id).await?;
            form_page(
                &session,
                kind,
                Some((id.as_str(), record_version(&r))),
                &values_of(&r),
                Some(e),
            )
        }
        Err(e) => form_page(
            &session,
            kind,
            Some((id.as_str(), version.unwrap_or_default())),
            &values_sent(&form),
            Some(e),
        ),
    }
}

/// `POST /workspace/{kind}/{id}/delete`
pub async fn delete(
    State(s): State<AppState>,
    session: Session,
    Path((seg, id)): Path<(String, String)>,
    form: Form,
) -> PageResult {
    let kind = kind_of(&seg)?;
    s.app
        .delete_record(&session.caller, kind, &id, form.version())
        .await?;
    Ok(see_other(&format!("/workspace?kind={seg}")))
}

/// `GET /my/interests`: 我的对接意向.
pub async fn my_interests(State(s): State<AppState>, session: Session) -> PageResult {
    let items: Vec<Value> = s
        .app
        .my_interests(&session.caller)
        .await?
        .into_iter()
        .map(|i| {
            let state = InterestState::of(&i);
            let class = match state {
                InterestState::Pending => "warn",
                InterestState::Accepted => "ok",
                InterestState::Declined | InterestState::DemandWithdrawn => "gray",
            };
            context! {
                href => format!("/demands/{}#interests", i.interest.demand_id),
                demand => i.demand_title,
                state => state.label(),
                class,
                at => datetime(i.interest.created_at),
                reason => i.interest.decline_reason,
            }
        })
        .collect();
    let ctx = context! { title => "我的对接意向", items };
    ok_page(&session, "my_interests.html", "my_interests", ctx)
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

/// `GET /record-changes`: achievements, experts and instruments institutions changed.
pub async fn record_changes(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PageQuery>,
) -> PageResult {
    let page = s
        .app
        .record_changes(&session.caller, q.page.unwrap_or(1))
        .await?;
    let items: Vec<Value> = page.items.iter().map(entry_view).collect();
    let total = usize::try_from(page.total).unwrap_or(0);
    let pager = pager(total, page.page, page.per_page, |n| {
        format!("/record-changes?page={n}")
    });
    let ctx = context! { title => "机构资料变更", items, total, pager };
    ok_page(&session, "record_changes.html", "record_changes", ctx)
}
