//! The bureau's ledger (台账): cooperation projects (合作项目) signed on demands, with their
//! milestones, and secondments (科技副职 / 挂职) of experts to host organisations.

use crate::wire::wire_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Where a cooperation project stands (项目状态).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ProjectStatus {
        Signed => ("signed", "已签约"),
        InProgress => ("in_progress", "实施中"),
        Completed => ("completed", "已完成"),
        Suspended => ("suspended", "暂停"),
        Terminated => ("terminated", "已终止"),
    }
}

/// One milestone of a project (节点): a date, what is due, and whether it is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub date: NaiveDate,
    pub text: String,
    pub done: bool,
}

/// A cooperation project in the ledger (合作项目台账): the demand it answers, with the
/// demand's enterprise, region and field, and the institution that took it on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub id: String,
    pub demand_id: String,
    pub demand_title: String,
    pub enterprise_id: String,
    pub enterprise_name: String,
    pub institution_id: String,
    pub institution_name: String,
    /// The demand's county or district (县市区).
    pub region: Option<String>,
    /// The demand's field label.
    pub field: Option<String>,
    pub title: String,
    /// Contract value in 万元.
    pub amount_wan: f64,
    pub signed_on: NaiveDate,
    /// 重点项目
    pub key_project: bool,
    pub status: ProjectStatus,
    pub milestones: Vec<Milestone>,
    pub notes: String,
    /// Raised by every update (the API's ETag).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A project to record.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub demand_id: String,
    pub institution_id: String,
    pub title: String,
    pub amount_wan: f64,
    pub signed_on: NaiveDate,
    pub key_project: bool,
}

/// Changes to a project; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct ProjectPatch {
    pub status: Option<ProjectStatus>,
    pub milestones: Option<Vec<Milestone>>,
    pub notes: Option<String>,
    /// The version the editor read; a project written since is refused as stale.
    pub version: Option<i64>,
}

/// An expert's posting to a host organisation (科技副职 / 挂职).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Secondment {
    pub id: String,
    pub expert_id: String,
    pub expert_name: String,
    /// The expert's own institution.
    pub home_org_name: String,
    pub host_org_id: String,
    pub host_org_name: String,
    /// 挂职职务, e.g. 科技副县长
    pub post: String,
    pub start_on: NaiveDate,
    /// Open-ended while `None`.
    pub end_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// A secondment to record.
#[derive(Debug, Clone)]
pub struct NewSecondment {
    pub expert_id: String,
    pub host_org_id: String,
    pub post: String,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
}
