//! The bureau's ledger (台账): cooperation projects (合作项目) signed on demands in docking,
//! which moves the demand to contracted, their progress (status, milestones, notes), and
//! experts' secondments (科技副职 / 挂职). Bureau and administrators only.

use crate::demands::{actor, conflict_transition, required, text};
use crate::{found, store_err, Action, App, AppResult, Caller};
use chrono::{Datelike, NaiveDate, Utc};
use duijie_core::error::FieldErrors;
use duijie_core::validate::parse_date;
use duijie_core::{
    Demand, DemandStatus, DomainError, Milestone, NewProject, NewSecondment, OrgKind, Project,
    ProjectPatch, ProjectStatus, Secondment,
};
use duijie_store::ProjectFilter;
use serde::Deserialize;
use std::collections::HashMap;

/// Longest project title, post or milestone text, in characters.
pub const MAX_LEDGER_LINE: usize = 200;
/// Longest notes, in characters.
pub const MAX_LEDGER_NOTES: usize = 5_000;
/// Most milestones a project keeps.
pub const MAX_MILESTONES: usize = 100;
/// Years the ledger and the annual report accept.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A project to record: `{"demand_id", "institution", "title", "amount_wan", "signed_on",
/// "key_project"}`. `institution` is an organisation id or a name (created when new).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProjectInput))]
#[serde(deny_unknown_fields)]
pub struct ProjectForm {
    #[serde(default)]
    pub demand_id: String,
    #[serde(default)]
    pub institution: String,
    /// The demand's title when left empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub amount_wan: Option<f64>,
    /// `YYYY-MM-DD`
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(default = false))]
    pub key_project: bool,
}

/// One milestone as given: `{"date": "2026-06-30", "text": "完成小试", "done": false}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub text: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(default = false))]
    pub done: bool,
}

/// Changes to a project; absent parts stay as they are. `milestones` replaces the list.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectUpdate {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::project_status_or_null))]
    pub status: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub milestones: Option<Vec<MilestoneForm>>,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub notes: Option<String>,
}

/// Filters of the project list, as a query string gives them.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ProjectQuery {
    /// Signed in this year, e.g. 2026.
    #[cfg_attr(feature = "openapi", param(value_type = Option<i32>))]
    pub year: Option<String>,
    /// `true`: key projects (重点项目) only; `false`: the others.
    #[cfg_attr(feature = "openapi", param(value_type = Option<bool>))]
    pub key: Option<String>,
    /// The demand's county or district, e.g. 灵宝市.
    pub region: Option<String>,
}

/// A secondment to record: `{"expert_id", "host", "post", "start", "end"}`; `host` is an
/// organisation id or a name.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SecondmentInput))]
#[serde(deny_unknown_fields)]
pub struct SecondmentForm {
    #[serde(default)]
    pub expert_id: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub post: String,
    #[serde(default)]
    pub start: String,
    pub end: Option<String>,
}

fn date(field: &str, value: &str, what: &str) -> AppResult<NaiveDate> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid(
            field,
            format!("请填写{what}，格式 YYYY-MM-DD"),
        ));
    }
    parse_date(value).map_err(|m| DomainError::invalid(field, format!("{what}：{m}")))
}

/// A year as a query gives it, e.g. `2026`.
pub fn parse_year(field: &str, raw: &str) -> AppResult<i32> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| {
            DomainError::invalid(
                field,
                format!(
                    "年份“{raw}”无效，须为 {} 到 {} 之间的年份，如 2026",
                    YEARS.start(),
                    YEARS.end()
                ),
            )
        })
}

/// The current year in China Standard Time.
pub fn current_year() -> i32 {
    duijie_core::time::china_year(Utc::now())
}

fn parse_flag(field: &str, raw: &str) -> AppResult<Option<bool>> {
    match raw.trim() {
        "" => Ok(None),
        "true" | "1" | "是" => Ok(Some(true)),
        "false" | "0" | "否" => Ok(Some(false)),
        _ => Err(DomainError::invalid(
            field,
            format!("“{raw}”无效，应为“是”或“否”"),
        )),
    }
}

fn project_status(raw: &str) -> AppResult<ProjectStatus> {
    ProjectStatus::parse(raw.trim()).ok_or_else(|| {
        let allowed: Vec<&str> = ProjectStatus::ALL.iter().map(|s| s.as_str()).collect();
        DomainError::invalid(
            "status",
            format!("项目状态“{raw}”无效，可选：{}", allowed.join("、")),
        )
    })
}

fn milestones(raw: &[MilestoneForm]) -> AppResult<Vec<Milestone>> {
    if raw.len() > MAX_MILESTONES {
        return Err(DomainError::invalid(
            "milestones",
            format!("节点最多 {MAX_MILESTONES} 个"),
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(Milestone {
                date: date(&format!("milestones[{i}].date"), &m.date, "节点日期")?,
                text: required(
                    &format!("milestones[{i}].text"),
                    "节点内容",
                    &m.text,
                    MAX_LEDGER_LINE,
                )?,
                done: m.done,
            })
        })
        .collect()
}

impl ProjectQuery {
    pub fn filter(&self) -> AppResult<ProjectFilter> {
        fn some(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        Ok(ProjectFilter {
            year: some(&self.year)
                .map(|y| parse_year("year", y))
                .transpose()?,
            key_project: parse_flag("key", some(&self.key).unwrap_or_default())?,
            region: some(&self.region).map(str::to_string),
        })
    }
}

impl App {
    /// An organisation named by its id or by its name; a new name is created with the kind
    /// the name suggests (`fallback` when it says nothing), as demands' enterprises are.
    pub(crate) async fn resolve_org(
        &self,
        field: &str,
        value: &str,
        fallback: OrgKind,
    ) -> AppResult<String> {
        let v = required(field, "单位", value, MAX_LEDGER_LINE)?;
        if let Some(o) = self.store.get_organization(&v).await.map_err(store_err)? {
            return Ok(o.id);
        }
        if v.starts_with("org_") {
            return Err(DomainError::invalid(field, "所选单位不存在或已删除"));
        }
        Ok(self
            .store
            .ensure_organization(&v, OrgKind::infer(&v, fallback))
            .await
            .map_err(store_err)?
            .id)
    }

    /// The institution a project defaults to: the one whose 揭榜 the enterprise accepted.
    async fn accepted_partner(&self, demand_id: &str) -> AppResult<String> {
        let mut partners = self
            .store
            .accepted_partners(&[demand_id.to_string()])
            .await
            .map_err(store_err)?
            .remove(demand_id)
            .unwrap_or_default();
        match partners.len() {
            0 => Err(DomainError::invalid(
                "institution",
                "请填写承担单位（该需求没有已接受的对接意向可以沿用）",
            )),
            1 => Ok(partners.remove(0).0),
            _ => {
                let names: Vec<&str> = partners.iter().map(|(_, n)| n.as_str()).collect();
                Err(DomainError::invalid(
                    "institution",
                    format!(
                        "该需求接受了多家单位（{}），请填写承担单位",
                        names.join("、")
                    ),
                ))
            }
        }
    }

    /// The institutions each demand's owner accepted, for the bureau's ledger form.
    pub async fn accepted_partners(
        &self,
        caller: &Caller,
        demands: &[Demand],
    ) -> AppResult<HashMap<String, Vec<(String, String)>>> {
        caller.require(Action::KeepLedger)?;
        let ids: Vec<String> = demands.iter().map(|d| d.id.clone()).collect();
        self.store.accepted_partners(&ids).await.map_err(store_err)
    }

    /// Records a project on a demand in docking; the demand becomes contracted (已签约).
    pub async fn create_project(&self, caller: &Caller, form: &ProjectForm) -> AppResult<Project> {
        caller.require(Action::KeepLedger)?;
        // Every problem of the form at once; only a wrong lifecycle state ends it early.
        let mut errs = FieldErrors::default();
        let d = match errs.check(required(
            "demand_id",
            "对接的需求",
            &form.demand_id,
            MAX_LEDGER_LINE,
        )) {
            Some(id) => Some(self.visible_demand(caller, &id).await?),
            None => None,
        };
        if let Some(d) = &d {
            if d.status != DemandStatus::Contracted
                && !d.status.can_move_to(DemandStatus::Contracted)
            {
                return Err(conflict_transition(d.status, DemandStatus::Contracted));
            }
        }
        let title = errs
            .check(text("title", "项目名称", &form.title, MAX_LEDGER_LINE))
            .unwrap_or_default();
        let amount_wan = errs.check(match form.amount_wan {
            Some(a) if a.is_finite() && a >= 0.0 => Ok(a),
            _ => Err(DomainError::invalid(
                "amount_wan",
                "合同金额须为不小于 0 的万元数",
            )),
        });
        let signed_on = errs.check(date("signed_on", &form.signed_on, "签约日期").and_then(
            |day| {
                if YEARS.contains(&day.year()) {
                    Ok(day)
                } else {
                    Err(DomainError::invalid(
                        "signed_on",
                        format!("签约日期 {day} 超出可登记的年份范围"),
                    ))
                }
            },
        ));
        let institution_id = match &d {
            Some(d) if form.institution.trim().is_empty() => {
                errs.check(self.accepted_partner(&d.id).await)
            }
            // A named institution may be created on the way: only for a form that is
            // otherwise right.
            Some(_) if errs.is_empty() => errs.check(
                self.resolve_org("institution", &form.institution, OrgKind::University)
                    .await,
            ),
            _ => None,
        };
        errs.finish()?;
        let (Some(d), Some(amount_wan), Some(signed_on), Some(institution_id)) =
            (d, amount_wan, signed_on, institution_id)
        else {
            return Err(crate::internal("project form", "checked values missing"));
        };
        let title = if title.is_empty() {
            d.body.title.clone()
        } else {
            title
        };
        let new = NewProject {
            demand_id: d.id,
            institution_id,
            title,
            amount_wan,
            signed_on,
            key_project: form.key_project,
        };
        let note = format!("登记合作项目“{}”", new.title);
        let write = self.store.create_project(&new, &actor(caller), &note).await;
        self.written(write).await
    }

    pub async fn update_project(
        &self,
        caller: &Caller,
        id: &str,
        form: &ProjectUpdate,
        version: Option<i64>,
    ) -> AppResult<Project> {
        caller.require(Action::KeepLedger)?;
        let patch = ProjectPatch {
            version,
            status: form.status.as_deref().map(project_status).transpose()?,
            milestones: form.milestones.as_deref().map(milestones).transpose()?,
            notes: form
                .notes
                .as_deref()
                .map(|n| text("notes", "备注", n, MAX_LEDGER_NOTES))
                .transpose()?,
        };
        self.project(caller, id).await?;
        self.store
            .update_project(id, &patch)
            .await
            .map_err(store_err)
    }

    pub async fn project(&self, caller: &Caller, id: &str) -> AppResult<Project> {
        caller.require(Action::KeepLedger)?;
        found(self.store.get_project(id).await, "项目")
    }

    pub async fn projects(&self, caller: &Caller, query: &ProjectQuery) -> AppResult<Vec<Project>> {
        caller.require(Action::KeepLedger)?;
        let filter = query.filter()?;
        self.store.list_projects(&filter).await.map_err(store_err)
    }

    /// Records an expert's posting (科技副职 / 挂职) to a host organisation.
    pub async fn create_secondment(
        &self,
        caller: &Caller,
        form: &SecondmentForm,
    ) -> AppResult<Secondment> {
        caller.require(Action::KeepLedger)?;
        let mut errs = FieldErrors::default();
        let expert_id = errs.check(required(
            "expert_id",
            "专家",
            &form.expert_id,
            MAX_LEDGER_LINE,
        ));
        if let Some(id) = &expert_id {
            if self
                .store
                .get_expert(id)
                .await
                .map_err(store_err)?
                .is_none()
            {
                errs.add(DomainError::invalid("expert_id", "所选专家不存在或已删除"));
            }
        }
        let post = errs.check(required("post", "挂职职务", &form.post, MAX_LEDGER_LINE));
        let start_on = errs.check(date("start", &form.start, "开始日期"));
        let end_on = match form.end.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => errs.check(date("end", e, "结束日期")),
        };
        if let (Some(start), Some(end)) = (start_on, end_on) {
            if end < start {
                errs.add(DomainError::invalid("end", "结束日期不能早于开始日期"));
            }
        }
        if form.host.trim().is_empty() {
            errs.add(DomainError::invalid("host", "请填写挂职单位"));
        }
        errs.finish()?;
        let (Some(expert_id), Some(post), Some(start_on)) = (expert_id, post, start_on) else {
            return Err(crate::internal("secondment form", "checked values missing"));
        };
        // A named host may be created on the way: only once the form is otherwise right.
        let host_org_id = self
            .resolve_org("host", &form.host, OrgKind::Government)
            .await?;
        let new = NewSecondment {
            expert_id,
            host_org_id,
            post,
            start_on,
            end_on,
        };
        self.store
            .create_secondment(&new, &actor(caller))
            .await
            .map_err(store_err)
    }

    /// Secondments, all or those active in `year` (a query value, e.g. `2026`).
    pub async fn secondments(
        &self,
        caller: &Caller,
        year: Option<&str>,
    ) -> AppResult<Vec<Secondment>> {
        caller.require(Action::KeepLedger)?;
        let year = year
            .map(str::trim)
            .filter(|y| !y.is_empty())
            .map(|y| parse_year("year", y))
            .transpose()?;
        self.store.list_secondments(year).await.map_err(store_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_flags_and_statuses_name_the_field() {
        assert_eq!(parse_year("year", " 2026 ").unwrap(), 2026);
        for bad in ["26", "abc", "1999", "2101", ""] {
            let e = parse_year("year", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("year"), "{bad}");
        }
        assert_eq!(parse_flag("key", "true").unwrap(), Some(true));
        assert_eq!(parse_flag("key", "").unwrap(), None);
        assert_eq!(
            parse_flag("key", "maybe").unwrap_err().field.as_deref(),
            Some("key")
        );
        let e = project_status("done").unwrap_err();
        assert!(e.message.contains("in_progress"), "{}", e.message);
        assert_eq!(
            project_status("completed").unwrap(),
            ProjectStatus::Completed
        );
    }

    #[test]
    fn milestones_are_checked_one_by_one() {
        let ok = MilestoneForm {
            date: "2026-06-30".into(),
            text: "完成小试".into(),
            done: true,
        };
        let bad_date = MilestoneForm {
            date: "明年".into(),
            ..ok.clone()
        };
        let e = milestones(&[ok.clone(), bad_date]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("milestones[1].date"));
        let e = milestones(&[MilestoneForm {
            text: " ".into(),
            ..ok.clone()
        }])
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("milestones[0].text"));
        let m = milestones(&[ok]).unwrap();
        assert!(m[0].done && m[0].text == "完成小试");
    }

    #[test]
    fn project_queries_become_filters() {
        let q = ProjectQuery {
            year: Some("2026".into()),
            key: Some("false".into()),
            region: Some(" ".into()),
        };
        let f = q.filter().unwrap();
        assert_eq!(
            (f.year, f.key_project, f.region),
            (Some(2026), Some(false), None)
        );
        let q = ProjectQuery {
            year: Some("今年".into()),
            ..ProjectQuery::default()
        };
        assert_eq!(q.filter().unwrap_err().field.as_deref(), Some("year"));
    }
}
