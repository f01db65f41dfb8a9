//! The records duijie keeps. Drafts (`*Draft`) are what ingestion and forms produce: no ids,
//! the organisation by name. Stored records add ids, the resolved organisation and timestamps.

use crate::taxonomy::{CoopMode, Field, Maturity};
use crate::wire::wire_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// 单位类型: what kind of party an organisation is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OrgKind {
        Enterprise => ("enterprise", "企业"),
        University => ("university", "高校"),
        Institute => ("institute", "科研院所"),
        Government => ("government", "政府部门"),
        Intermediary => ("intermediary", "中介服务机构"),
    }
}

impl OrgKind {
    /// Guesses the kind from a Chinese organisation name; `fallback` when the name says nothing.
    pub fn infer(name: &str, fallback: OrgKind) -> OrgKind {
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if has(&[
            "有限公司",
            "有限责任公司",
            "股份公司",
            "集团",
            "厂",
            "合作社",
        ]) {
            OrgKind::Enterprise
        } else if has(&["大学"]) {
            OrgKind::University
        } else if has(&["研究院", "研究所", "科学院", "研究中心", "实验室", "院所"])
        {
            OrgKind::Institute
        } else if has(&["学院", "学校"]) {
            OrgKind::University
        } else if has(&["人民政府", "局", "委员会", "管委会"]) {
            OrgKind::Government
        } else if has(&["中心", "协会", "促进会", "联盟", "技术市场"]) {
            OrgKind::Intermediary
        } else {
            fallback
        }
    }

    /// Universities and institutes are the research side of a match.
    pub fn is_research(self) -> bool {
        matches!(self, OrgKind::University | OrgKind::Institute)
    }
}

/// An enterprise, university, institute, government body or intermediary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    /// Identity key: see [`crate::text::normalize_org_name`].
    pub norm_name: String,
    pub region: Option<String>,
    /// 统一社会信用代码, validated.
    pub credit_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Contact details: personal data, shown only to roles allowed to see them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

wire_enum! {
    /// Where a demand is in its life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DemandStatus {
        Draft => ("draft", "草稿"),
        Submitted => ("submitted", "待审核"),
        ChangesRequested => ("changes_requested", "退回修改"),
        Approved => ("approved", "已审核"),
        Published => ("published", "已发布"),
        Rejected => ("rejected", "未通过"),
        Withdrawn => ("withdrawn", "已撤回"),
        InDocking => ("in_docking", "对接中"),
        Contracted => ("contracted", "已签约"),
        Closed => ("closed", "已关闭"),
    }
}

impl DemandStatus {
    /// Where a demand may go from here (the lifecycle; who may move it is checked elsewhere).
    pub fn next(self) -> &'static [DemandStatus] {
        use DemandStatus::*;
        match self {
            Draft => &[Submitted, Withdrawn],
            Submitted => &[Approved, ChangesRequested, Rejected, Withdrawn],
            ChangesRequested => &[Submitted, Withdrawn],
            Approved => &[Published, Withdrawn],
            Published => &[InDocking, Withdrawn, Closed],
            InDocking => &[Contracted, Published, Closed],
            Contracted => &[Closed],
            // A withdrawn demand can be reopened as a draft by its owner.
            Withdrawn => &[Draft],
            Rejected | Closed => &[],
        }
    }

    pub fn can_move_to(self, to: DemandStatus) -> bool {
        self.next().contains(&to)
    }

    /// Visible to the public: published and everything that follows publication.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            DemandStatus::Published
                | DemandStatus::InDocking
                | DemandStatus::Contracted
                | DemandStatus::Closed
        )
    }

    /// Every status for which `pred` holds, for a store condition (`status IN (...)`) or a
    /// search filter.
    pub fn all_where(pred: fn(DemandStatus) -> bool) -> Vec<DemandStatus> {
        DemandStatus::ALL.into_iter().filter(|s| pred(*s)).collect()
    }

    /// The owner may still edit the demand and add or delete its files: the demand is with
    /// them or waiting for review.
    pub fn is_editable_by_owner(self) -> bool {
        matches!(
            self,
            DemandStatus::Draft | DemandStatus::ChangesRequested | DemandStatus::Submitted
        )
    }

    /// Institutions may express interest (揭榜): the demand is on the market, with no
    /// contract yet.
    pub fn accepts_interests(self) -> bool {
        matches!(self, DemandStatus::Published | DemandStatus::InDocking)
    }

    /// A 揭榜's conversation about the demand takes new messages: the demand is on the market
    /// or the two sides are working together.
    pub fn takes_messages(self) -> bool {
        matches!(
            self,
            DemandStatus::Published | DemandStatus::InDocking | DemandStatus::Contracted
        )
    }

    /// The bureau returned the demand for changes or turned it down: its review note says why.
    pub fn carries_review_note(self) -> bool {
        matches!(
            self,
            DemandStatus::ChangesRequested | DemandStatus::Rejected
        )
    }
}

/// 技术需求 as ingestion and forms produce it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandDraft {
    /// 需求单位
    pub org_name: String,
    pub credit_code: Option<String>,
    pub title: String,
    pub description: String,
    /// 预期目标 / 主要技术指标
    pub goals: String,
    pub field: Option<Field>,
    /// The field as written, kept when it was mapped onto the taxonomy.
    pub field_raw: Option<String>,
    pub modes: Vec<CoopMode>,
    pub keywords: Vec<String>,
    /// 万元; `None` with `budget_negotiable` for 面议.
    pub budget_wan: Option<f64>,
    pub budget_negotiable: bool,
    pub region: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub contact: Contact,
}

/// 技术需求: a technical problem an enterprise wants solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub status: DemandStatus,
    /// Raised by every write of the demand (edit or status change): the version an editor
    /// read, sent back so that a write over someone else's is refused (the API's ETag).
    pub version: i64,
    #[serde(flatten)]
    pub body: DemandDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// 科技成果 as ingestion produces it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AchievementDraft {
    /// 完成单位 / 依托单位
    pub org_name: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub field: Option<Field>,
    pub field_raw: Option<String>,
    pub maturity: Option<Maturity>,
    /// 负责人: links the achievement to an expert of the same organisation.
    pub leader: Option<String>,
    pub year: Option<i32>,
    pub region: Option<String>,
}

/// 科技成果: a research result an institution offers (or a funded project that shows capacity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Achievement {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    /// The expert record of the leader, when there is one.
    pub expert_id: Option<String>,
    #[serde(flatten)]
    pub body: AchievementDraft,
    /// Raised by every write (the API's ETag).
    #[serde(default)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// 专家 as ingestion produces it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpertDraft {
    /// 工作单位
    pub org_name: String,
    pub name: String,
    /// 职称
    pub title: Option<String>,
    /// 院系
    pub department: Option<String>,
    /// 研究方向
    pub research_areas: Vec<String>,
    pub keywords: Vec<String>,
    pub bio: String,
    pub field: Option<Field>,
    /// Phone and e-mail; `name` stays empty (the expert's name is public).
    pub contact: Contact,
}

impl ExpertDraft {
    /// What the expert works on: research areas, then keywords.
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.research_areas
            .iter()
            .chain(&self.keywords)
            .map(String::as_str)
    }
}

/// 专家: a researcher who can take on a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expert {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    #[serde(flatten)]
    pub body: ExpertDraft,
    /// Raised by every write (the API's ETag).
    #[serde(default)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a catalogue file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Demands,
    Achievements,
    Experts,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Demands => "demands",
            RecordKind::Achievements => "achievements",
            RecordKind::Experts => "experts",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        match s {
            "demands" | "demand" => Some(RecordKind::Demands),
            "achievements" | "achievement" => Some(RecordKind::Achievements),
            "experts" | "expert" => Some(RecordKind::Experts),
            _ => None,
        }
    }
}

/// One record read from a catalogue, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Draft {
    Demand(DemandDraft),
    Achievement(AchievementDraft),
    Expert(ExpertDraft),
}

/// One problem found in a catalogue row: where (as the user sees the sheet) and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    pub sheet: String,
    /// 1-based sheet row, as the spreadsheet shows it.
    pub row: u32,
    /// The column header text as written in the file.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

/// The outcome of importing one file (导入报告).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: String,
    pub file: String,
    pub sha256: String,
    pub kind: RecordKind,
    pub rows_total: u32,
    pub rows_imported: u32,
    pub rows_unchanged: u32,
    pub rows_skipped: u32,
    pub errors: Vec<RowError>,
    pub created_at: DateTime<Utc>,
}

wire_enum! {
    /// Which kind of record a change-log entry touched.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum EntityKind {
        Demand => "demand",
        Achievement => "achievement",
        Expert => "expert",
        Organization => "organization",
        /// 科研仪器: a shared research instrument.
        Instrument => "instrument",
    }
}

/// One row of the change log the search index follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Strictly increasing, in commit order.
    pub seq: i64,
    pub entity: EntityKind,
    pub entity_id: String,
    /// `false` when the record was deleted.
    pub exists: bool,
}

wire_enum! {
    /// Who is calling.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        Enterprise => ("enterprise", "企业"),
        Institution => ("institution", "科研机构"),
        Bureau => ("bureau", "科技局"),
        Admin => ("admin", "管理员"),
    }
}

impl Role {
    /// Enterprise and institution accounts act for an organisation; the bureau's and the
    /// administrators' for none. (What each role may do is `duijie_app::Action`'s rule.)
    pub fn acts_for_organization(self) -> bool {
        matches!(self, Role::Enterprise | Role::Institution)
    }
}

/// A signed-in account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub org_id: Option<String>,
    /// Where notifications are e-mailed; personal data, never logged.
    pub email: Option<String>,
    /// Personal data, never logged.
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_kind_from_name() {
        let f = OrgKind::Enterprise;
        assert_eq!(OrgKind::infer("浙江大学", f), OrgKind::University);
        assert_eq!(
            OrgKind::infer("中国科学院化学研究所", f),
            OrgKind::Institute
        );
        assert_eq!(
            OrgKind::infer("灵宝市金源矿业有限公司", f),
            OrgKind::Enterprise
        );
        assert_eq!(OrgKind::infer("三门峡市科学技术局", f), OrgKind::Government);
        assert_eq!(
            OrgKind::infer("某某", OrgKind::University),
            OrgKind::University
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in DemandStatus::ALL {
            assert_eq!(DemandStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert!(DemandStatus::Published.is_public());
        assert!(DemandStatus::Draft.can_move_to(DemandStatus::Submitted));
        assert!(!DemandStatus::Draft.can_move_to(DemandStatus::Published));
        assert!(DemandStatus::Closed.next().is_empty());
        assert!(!DemandStatus::Submitted.is_public());
    }

    #[test]
    fn status_predicates_name_the_lifecycle() {
        use DemandStatus::*;
        type Predicate = fn(DemandStatus) -> bool;
        let lists: [(Predicate, &[DemandStatus]); 4] = [
            (
                DemandStatus::is_editable_by_owner,
                &[Draft, Submitted, ChangesRequested],
            ),
            (DemandStatus::accepts_interests, &[Published, InDocking]),
            (
                DemandStatus::takes_messages,
                &[Published, InDocking, Contracted],
            ),
            (
                DemandStatus::carries_review_note,
                &[ChangesRequested, Rejected],
            ),
        ];
        for (predicate, statuses) in lists {
            assert_eq!(DemandStatus::all_where(predicate), statuses);
        }
        // Interests are taken only where the conversation that follows is open.
        assert!(DemandStatus::all_where(DemandStatus::accepts_interests)
            .into_iter()
            .all(DemandStatus::takes_messages));
    }

    #[test]
    fn enterprises_and_institutions_act_for_an_organization() {
        let acting: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.acts_for_organization())
            .collect();
        assert_eq!(acting, [Role::Enterprise, Role::Institution]);
    }
}
