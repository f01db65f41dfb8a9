//! An institution's workspace (机构工作台): it keeps its own achievements (科技成果), experts
//! and instruments, sees every expression of interest it made (我的对接意向) and finds its own
//! records to cite in a new one. Every write goes through the store with its change-log row
//! (the index and the ranking follow) and an audit entry (the bureau sees who changed what:
//! [`App::record_changes`]).

use crate::audit::{entry, AuditPage};
use crate::demands::{required, text};
use crate::instruments::InstrumentForm;
use crate::search::SearchParams;
use crate::{found, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::validate::{normalize_email, normalize_phone, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use duijie_core::{
    AchievementDraft, Contact, DemandStatus, DomainError, EntityKind, ExpertDraft, Field,
    InterestStatus, Maturity,
};
use duijie_store::{AuditAction, AuditSubject, OrgInterest, OwnDraft, Record};
use serde::{Deserialize, Serialize};

/// Most keywords or research areas one record may list.
pub const MAX_RECORD_TERMS: usize = 20;
/// Longest keyword, research area, leader, title (职称) or region.
const MAX_TERM: usize = 50;
/// Longest department (院系).
const MAX_DEPARTMENT: usize = 100;
/// Own records per page of the workspace, and citation candidates per kind.
pub const RECORDS_PER_PAGE: u32 = 50;
pub const CITE_CANDIDATES: u32 = 10;
/// Audit entries per page of the bureau's list of changes.
const CHANGES_PER_PAGE: u32 = 50;

/// A year as a JSON number, or as the text a page form sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum YearInput {
    Number(i64),
    Text(String),
}

/// `POST /api/v1/achievements`, `PATCH /api/v1/achievements/{id}` (the whole record).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AchievementInput))]
#[serde(deny_unknown_fields)]
pub struct AchievementForm {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub keywords: Vec<String>,
    /// A taxonomy label, e.g. `新材料`.
    #[serde(default)]
    pub field: Option<String>,
    /// 成熟度.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::maturity_or_null))]
    pub maturity: Option<String>,
    /// 负责人: links the achievement to the institution's expert of that name.
    #[serde(default)]
    pub leader: Option<String>,
    #[serde(default)]
    pub year: Option<YearInput>,
    #[serde(default)]
    pub region: Option<String>,
}

/// `POST /api/v1/experts`, `PATCH /api/v1/experts/{id}` (the whole record). Blank contact
/// fields keep what is stored: contact details are shown to the bureau only, so an editing
/// institution never sees (and need not retype) them.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExpertInput))]
#[serde(deny_unknown_fields)]
pub struct ExpertForm {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub research_areas: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// An optional one-line field, trimmed and checked.
fn line(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &Option<String>,
    max: usize,
) -> Option<String> {
    given(v).and_then(|v| errs.check(text(field, label, v, max)))
}

/// A list of short terms: blanks and repeats dropped, each and their number checked.
fn terms(errs: &mut FieldErrors, field: &str, label: &str, raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if let Some(t) = errs.check(text(field, label, t, MAX_TERM)) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.len() > MAX_RECORD_TERMS {
        errs.add(DomainError::invalid(
            field,
            format!("{label}最多 {MAX_RECORD_TERMS} 个（现有 {} 个）", out.len()),
        ));
    }
    out
}

fn field_of(errs: &mut FieldErrors, v: &Option<String>) -> Option<Field> {
    given(v).and_then(|f| {
        errs.check(Field::try_from(f.to_string()).map_err(|m| DomainError::invalid("field", m)))
    })
}

/// Splits what a page's one-line list field holds (`锂电池，正极材料、储能`) into terms.
pub fn split_terms(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

impl AchievementForm {
    /// The draft, or every problem of the form at once.
    fn draft(&self, org_name: &str) -> AppResult<AchievementDraft> {
        let mut errs = FieldErrors::default();
        let title = errs
            .check(required("title", "成果名称", &self.title, MAX_TITLE_CHARS))
            .unwrap_or_default();
        let summary = errs
            .check(required(
                "summary",
                "成果简介",
                &self.summary,
                MAX_TEXT_CHARS,
            ))
            .unwrap_or_default();
        let keywords = terms(&mut errs, "keywords", "关键词", &self.keywords);
        let field = field_of(&mut errs, &self.field);
        let maturity = given(&self.maturity).and_then(|m| {
            errs.check(
                Maturity::ALL
                    .into_iter()
                    .find(|x| x.label() == m)
                    .ok_or_else(|| {
                        DomainError::invalid("maturity", "成熟度应为 研发、小试、中试、产业化 之一")
                    }),
            )
        });
        let max_year = i64::from(crate::current_year()) + 1;
        let year = match &self.year {
            None => None,
            Some(YearInput::Text(t)) if t.trim().is_empty() => None,
            Some(y) => {
                let n = match y {
                    YearInput::Number(n) => Some(*n),
                    YearInput::Text(t) => t.trim().parse::<i64>().ok(),
                };
                errs.check(
                    n.filter(|n| (1949..=max_year).contains(n))
                        .and_then(|n| i32::try_from(n).ok())
                        .ok_or_else(|| {
                            DomainError::invalid(
                                "year",
                                format!("完成年份应为 1949 到 {max_year} 之间的年份"),
                            )
                        }),
                )
            }
        };
        let draft = AchievementDraft {
            org_name: org_name.to_string(),
            title,
            summary,
            keywords,
            field_raw: field.map(|f| f.label().to_string()),
            field,
            maturity,
            leader: line(&mut errs, "leader", "负责人", &self.leader, MAX_TERM),
            year,
            region: line(&mut errs, "region", "所在地区", &self.region, MAX_TERM),
        };
        errs.finish().map(|()| draft)
    }
}

impl ExpertForm {
    /// The draft (blank contact fields keep `stored`), or every problem of the form at once.
    fn draft(&self, org_name: &str, stored: &Contact) -> AppResult<ExpertDraft> {
        let mut errs = FieldErrors::default();
        let name = errs
            .check(required("name", "姓名", &self.name, MAX_TERM))
            .unwrap_or_default();
        let phone = match given(&self.phone) {
            None => stored.phone.clone(),
            Some(p) => errs.check(normalize_phone(p).ok_or_else(|| {
                DomainError::invalid("phone", "联系电话格式不正确，应为手机号或带区号的固话")
            })),
        };
        let email = match given(&self.email) {
            None => stored.email.clone(),
            Some(e) => errs.check(
                normalize_email(e)
                    .ok_or_else(|| DomainError::invalid("email", "电子邮箱格式不正确")),
            ),
        };
        let draft = ExpertDraft {
            org_name: org_name.to_string(),
            name,
            title: line(&mut errs, "title", "职称", &self.title, MAX_TERM),
            department: line(
                &mut errs,
                "department",
                "院系",
                &self.department,
                MAX_DEPARTMENT,
            ),
            research_areas: terms(
                &mut errs,
                "research_areas",
                "研究方向",
                &self.research_areas,
            ),
            keywords: terms(&mut errs, "keywords", "关键词", &self.keywords),
            bio: errs
                .check(text("bio", "个人简介", &self.bio, MAX_TEXT_CHARS))
                .unwrap_or_default(),
            field: field_of(&mut errs, &self.field),
            contact: Contact {
                name: None,
                phone,
                email,
            },
        };
        errs.finish().map(|()| draft)
    }
}

/// Where an expression of interest stands, as its institution sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InterestState {
    /// 待回复
    Pending,
    /// 已接受
    Accepted,
    /// 已谢绝
    Declined,
    /// 需求已撤回: the owner withdrew the demand (a pending interest is closed with it).
    DemandWithdrawn,
}

impl InterestState {
    pub const ALL: [InterestState; 4] = [
        InterestState::Pending,
        InterestState::Accepted,
        InterestState::Declined,
        InterestState::DemandWithdrawn,
    ];

    pub fn of(i: &OrgInterest) -> InterestState {
        match i.interest.status {
            InterestStatus::Accepted => InterestState::Accepted,
            _ if i.demand_status == DemandStatus::Withdrawn => InterestState::DemandWithdrawn,
            InterestStatus::Pending => InterestState::Pending,
            InterestStatus::Declined => InterestState::Declined,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InterestState::Pending => "待回复",
            InterestState::Accepted => "已接受",
            InterestState::Declined => "已谢绝",
            InterestState::DemandWithdrawn => "需求已撤回",
        }
    }
}

/// Records of one kind the institution may cite, found by what it typed.
#[derive(Debug, Clone, Default)]
pub struct CiteCandidates {
    pub achievements: Vec<(String, String)>,
    pub experts: Vec<(String, String)>,
    pub instruments: Vec<(String, String)>,
}

fn subject_of(kind: EntityKind) -> AuditSubject {
    match kind {
        EntityKind::Expert => AuditSubject::Expert,
        EntityKind::Instrument => AuditSubject::Instrument,
        _ => AuditSubject::Achievement,
    }
}

/// The record's display title (an expert's name is public).
pub fn record_title(r: &Record) -> &str {
    match r {
        Record::Achievement(a) => &a.body.title,
        Record::Expert(e) => &e.body.name,
        Record::Instrument(i) => &i.body.name,
        Record::Demand(d) => &d.body.title,
    }
}

fn record_org(r: &Record) -> (&str, &str) {
    match r {
        Record::Achievement(a) => (&a.org_id, &a.org_name),
        Record::Expert(e) => (&e.org_id, &e.org_name),
        Record::Instrument(i) => (&i.org_id, &i.org_name),
        Record::Demand(d) => (&d.org_id, &d.org_name),
    }
}

/// The record's version (the API's ETag).
pub fn record_version(r: &Record) -> i64 {
    match r {
        Record::Achievement(a) => a.version,
        Record::Expert(e) => e.version,
        Record::Instrument(i) => i.version,
        Record::Demand(d) => d.version,
    }
}

impl App {
    /// The institution's organisation id and name, for a caller who keeps records of its own.
    pub(crate) async fn own_org(&self, caller: &Caller) -> AppResult<(String, String)> {
        let org_id = caller.workspace_org()?.to_string();
        let org = found(self.store.get_organization(&org_id).await, "所属单位")?;
        Ok((org.id, org.name))
    }

    /// The record the caller may change: any for the bureau, its own for an institution (a
    /// record of another organisation is not found, like a missing one).
    async fn keepable(&self, caller: &Caller, kind: EntityKind, id: &str) -> AppResult<Record> {
        caller.require(Action::KeepRecords)?;
        let r = self
            .store
            .get_records(kind, &[id.to_string()])
            .await
            .map_err(store_err)?
            .into_iter()
            .next()
            .filter(|r| caller.may_keep_records_of(record_org(r).0))
            .ok_or_else(|| DomainError::not_found(subject_of(kind).label()))?;
        Ok(r)
    }

    fn record_audit(
        caller: &Caller,
        action: AuditAction,
        kind: EntityKind,
        org_name: &str,
        title: &str,
    ) -> duijie_store::NewAuditEntry {
        let subject = subject_of(kind);
        let summary = format!("{org_name}{}{}《{title}》", action.label(), subject.label());
        entry(caller, action, subject, Vec::new(), summary)
    }

    pub(crate) async fn create_own(
        &self,
        caller: &Caller,
        org: (String, String),
        draft: OwnDraft,
    ) -> AppResult<Record> {
        let kind = draft.kind();
        let title = match &draft {
            OwnDraft::Achievement(a) => a.title.clone(),
            OwnDraft::Expert(e) => e.name.clone(),
            OwnDraft::Instrument(i) => i.name.clone(),
        };
        let audit = Self::record_audit(caller, AuditAction::RecordCreate, kind, &org.1, &title);
        let write = self.store.create_own_record(&org.0, &draft, &audit).await;
        self.written(write).await
    }

    async fn edit_own(
        &self,
        caller: &Caller,
        current: &Record,
        draft: OwnDraft,
        version: Option<i64>,
    ) -> AppResult<Record> {
        let (_, org_name) = record_org(current);
        let title = match &draft {
            OwnDraft::Achievement(a) => a.title.clone(),
            OwnDraft::Expert(e) => e.name.clone(),
            OwnDraft::Instrument(i) => i.name.clone(),
        };
        let audit = Self::record_audit(
            caller,
            AuditAction::RecordEdit,
            draft.kind(),
            org_name,
            &title,
        );
        let write = self
            .store
            .update_own_record(current.id(), &draft, version, &audit)
            .await;
        self.written(write).await
    }

    /// An institution records an achievement of its own.
    pub async fn create_achievement(
        &self,
        caller: &Caller,
        form: &AchievementForm,
    ) -> AppResult<Record> {
        let org = self.own_org(caller).await?;
        let draft = form.draft(&org.1)?;
        self.create_own(caller, org, OwnDraft::Achievement(draft))
            .await
    }

    /// Replaces an achievement's text (at `version` when given).
    pub async fn edit_achievement(
        &self,
        caller: &Caller,
        id: &str,
        form: &AchievementForm,
        version: Option<i64>,
    ) -> AppResult<Record> {
        let current = self.keepable(caller, EntityKind::Achievement, id).await?;
        let draft = form.draft(record_org(&current).1)?;
        self.edit_own(caller, &current, OwnDraft::Achievement(draft), version)
            .await
    }

    /// An institution records an expert of its own.
    pub async fn create_expert(&self, caller: &Caller, form: &ExpertForm) -> AppResult<Record> {
        let org = self.own_org(caller).await?;
        let draft = form.draft(&org.1, &Contact::default())?;
        let r = self
            .create_own(caller, org, OwnDraft::Expert(draft))
            .await?;
        Ok(self.redacted(caller, r))
    }

    /// Replaces an expert's profile (at `version` when given); blank contact fields keep the
    /// stored ones.
    pub async fn edit_expert(
        &self,
        caller: &Caller,
        id: &str,
        form: &ExpertForm,
        version: Option<i64>,
    ) -> AppResult<Record> {
        let current = self.keepable(caller, EntityKind::Expert, id).await?;
        let stored = match &current {
            Record::Expert(e) => e.body.contact.clone(),
            _ => Contact::default(),
        };
        let draft = form.draft(record_org(&current).1, &stored)?;
        let r = self
            .edit_own(caller, &current, OwnDraft::Expert(draft), version)
            .await?;
        Ok(self.redacted(caller, r))
    }

    /// Replaces an instrument's description (at `version` when given).
    pub async fn edit_instrument(
        &self,
        caller: &Caller,
        id: &str,
        form: &InstrumentForm,
        version: Option<i64>,
    ) -> AppResult<Record> {
        let current = self.keepable(caller, EntityKind::Instrument, id).await?;
        let draft = form.draft()?;
        self.edit_own(caller, &current, OwnDraft::Instrument(draft), version)
            .await
    }

    /// Deletes an achievement, expert or instrument (at `version` when given).
    pub async fn delete_record(
        &self,
        caller: &Caller,
        kind: EntityKind,
        id: &str,
        version: Option<i64>,
    ) -> AppResult<()> {
        let current = self.keepable(caller, kind, id).await?;
        let (_, org_name) = record_org(&current);
        let audit = Self::record_audit(
            caller,
            AuditAction::RecordDelete,
            kind,
            org_name,
            record_title(&current),
        );
        let write = self
            .store
            .delete_own_record(kind, id, version, &audit)
            .await;
        self.written(write).await
    }

    /// Expert contact details stay with the bureau.
    fn redacted(&self, caller: &Caller, r: Record) -> Record {
        match r {
            Record::Expert(mut e) if !caller.may(Action::SeeExpertContacts) => {
                e.body.contact = Contact::default();
                Record::Expert(e)
            }
            r => r,
        }
    }

    /// A record the caller may edit, for its edit form (expert contacts redacted unless the
    /// caller is the bureau).
    pub async fn record_for_edit(
        &self,
        caller: &Caller,
        kind: EntityKind,
        id: &str,
    ) -> AppResult<Record> {
        let r = self.keepable(caller, kind, id).await?;
        Ok(self.redacted(caller, r))
    }

    /// The institution's own records of `kind`: page `page` of its list (latest change first),
    /// or with `q`, those the search index finds among them.
    pub async fn my_records(
        &self,
        caller: &Caller,
        kind: EntityKind,
        q: Option<&str>,
        page: u32,
    ) -> AppResult<(Vec<Record>, i64)> {
        let org_id = caller.workspace_org()?.to_string();
        if !matches!(
            kind,
            EntityKind::Achievement | EntityKind::Expert | EntityKind::Instrument
        ) {
            return Err(DomainError::invalid(
                "kind",
                "类型应为 achievement、expert 或 instrument",
            ));
        }
        if page == 0 {
            return Err(DomainError::invalid("page", "页码从 1 开始"));
        }
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        let (items, total) = match q {
            None => self
                .store
                .org_records(
                    &org_id,
                    kind,
                    (page - 1).saturating_mul(RECORDS_PER_PAGE),
                    RECORDS_PER_PAGE,
                )
                .await
                .map_err(store_err)?,
            Some(q) => {
                let params = SearchParams {
                    q: Some(q.to_string()),
                    page: Some(page),
                    per_page: Some(RECORDS_PER_PAGE),
                    ..SearchParams::default()
                };
                let (mut query, page, per_page) = params.to_query(kind)?;
                query.org_id = Some(org_id);
                let found = self.run_search(query, (page, per_page), None, Some).await?;
                let total = i64::try_from(found.total).unwrap_or(i64::MAX);
                (found.items.into_iter().map(|f| f.record).collect(), total)
            }
        };
        Ok((
            items
                .into_iter()
                .map(|r| self.redacted(caller, r))
                .collect(),
            total,
        ))
    }

    /// What the institution may cite in an expression of interest, found by `q` among its own
    /// achievements, experts and instruments (at most [`CITE_CANDIDATES`] of each).
    pub async fn cite_candidates(&self, caller: &Caller, q: &str) -> AppResult<CiteCandidates> {
        let mut out = CiteCandidates::default();
        for kind in [
            EntityKind::Achievement,
            EntityKind::Expert,
            EntityKind::Instrument,
        ] {
            let (items, _) = self.my_records(caller, kind, Some(q), 1).await?;
            let found: Vec<(String, String)> = items
                .iter()
                .take(CITE_CANDIDATES as usize)
                .map(|r| (r.id().to_string(), record_title(r).to_string()))
                .collect();
            match kind {
                EntityKind::Expert => out.experts = found,
                EntityKind::Instrument => out.instruments = found,
                _ => out.achievements = found,
            }
        }
        Ok(out)
    }

    /// 我的对接意向: every expression of interest of the caller's institution, newest first.
    pub async fn my_interests(&self, caller: &Caller) -> AppResult<Vec<OrgInterest>> {
        let org_id = caller.workspace_org()?;
        self.store.org_interests(org_id).await.map_err(store_err)
    }

    /// Achievements, experts and instruments created, edited or deleted, newest first, page
    /// `page` (bureau and administrators).
    pub async fn record_changes(&self, caller: &Caller, page: u32) -> AppResult<AuditPage> {
        caller.require(Action::ReadAuditLog)?;
        if page == 0 {
            return Err(DomainError::invalid("page", "页码从 1 开始"));
        }
        let (items, total) = self
            .store
            .record_changes(
                (page - 1).saturating_mul(CHANGES_PER_PAGE),
                CHANGES_PER_PAGE,
            )
            .await
            .map_err(store_err)?;
        Ok(AuditPage {
            items,
            total,
            page,
            per_page: CHANGES_PER_PAGE,
        })
    }
}

/// Where the record an audit entry of a record change names is shown (none once deleted).
pub fn record_link(e: &duijie_store::AuditEntry) -> Option<String> {
    if e.action == AuditAction::RecordDelete {
        return None;
    }
    let path = match e.subject {
        AuditSubject::Achievement => "achievements",
        AuditSubject::Expert => "experts",
        AuditSubject::Instrument => "instruments",
        _ => return None,
    };
    e.record_ids.first().map(|id| format!("/{path}/{id}"))
}
