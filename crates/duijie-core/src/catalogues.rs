//! 需求目录: catalogue editions the bureau compiles from approved demands and publishes
//! periodically (编制目录，定期发布). A published edition is a frozen snapshot; comparing two
//! editions tells readers what is new, what changed and what left.

use crate::model::{Demand, DemandStatus};
use crate::wire::wire_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

wire_enum! {
    /// Where an edition is in its life: compiled as a draft, then published once and frozen.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CatalogueStatus {
        Draft => "draft",
        Published => "published",
    }
}

/// 目录期次: one edition of the demand catalogue, e.g. “2026年第4期企业技术需求目录”.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueEdition {
    pub id: String,
    pub title: String,
    /// The period it covers, as the bureau writes it (`2026Q4`, `2026年第4期`).
    pub period: Option<String>,
    pub status: CatalogueStatus,
    pub item_count: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Demands in these statuses may be put into an edition: approved ones (published with it)
/// and ones an earlier edition already published.
pub fn may_be_catalogued(status: DemandStatus) -> bool {
    matches!(status, DemandStatus::Approved | DemandStatus::Published)
}

/// A demand named in a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    /// For demands that left: where the demand stands now (withdrawn, closed...), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_now: Option<DemandStatus>,
}

impl From<&Demand> for DiffEntry {
    fn from(d: &Demand) -> Self {
        DiffEntry {
            id: d.id.clone(),
            title: d.body.title.clone(),
            enterprise: d.org_name.clone(),
            status_now: None,
        }
    }
}

/// A demand in both editions whose published text differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedEntry {
    #[serde(flatten)]
    pub demand: DiffEntry,
    /// Names of the fields that differ, as the API spells them.
    pub fields: Vec<&'static str>,
}

/// What changed from one edition to a later one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogueDiff {
    /// In the later edition only.
    pub added: Vec<DiffEntry>,
    pub changed: Vec<ChangedEntry>,
    /// In the earlier edition only (withdrawn, closed, or simply not listed again).
    pub removed: Vec<DiffEntry>,
}

/// The fields of two versions of a demand that differ. Contact fields are compared only when
/// `with_contact` (the reader may see them); otherwise a changed phone would leak that it changed.
pub fn changed_fields(old: &Demand, new: &Demand, with_contact: bool) -> Vec<&'static str> {
    let (a, b) = (&old.body, &new.body);
    let mut out = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            out.push(name);
        }
    };
    check("title", a.title != b.title);
    check("enterprise", old.org_name != new.org_name);
    check("description", a.description != b.description);
    check("goals", a.goals != b.goals);
    check("field", a.field != b.field || a.field_raw != b.field_raw);
    check("modes", a.modes != b.modes);
    check("keywords", a.keywords != b.keywords);
    check("budget_wan", a.budget_wan != b.budget_wan);
    check(
        "budget_negotiable",
        a.budget_negotiable != b.budget_negotiable,
    );
    check("region", a.region != b.region);
    check("deadline", a.deadline != b.deadline);
    if with_contact {
        check("contact_name", a.contact.name != b.contact.name);
        check("contact_phone", a.contact.phone != b.contact.phone);
        check("contact_email", a.contact.email != b.contact.email);
    }
    out
}

/// Compares the items of an earlier edition with those of a later one, in the later
/// edition's order (removed ones in the earlier edition's order). `with_contact` says for
/// which demands the reader may see contact details.
pub fn diff_editions(
    older: &[Demand],
    newer: &[Demand],
    with_contact: impl Fn(&Demand) -> bool,
) -> CatalogueDiff {
    let old_by_id: HashMap<&str, &Demand> = older.iter().map(|d| (d.id.as_str(), d)).collect();
    let new_ids: std::collections::HashSet<&str> = newer.iter().map(|d| d.id.as_str()).collect();
    let mut diff = CatalogueDiff::default();
    for d in newer {
        match old_by_id.get(d.id.as_str()) {
            None => diff.added.push(d.into()),
            Some(old) => {
                let fields = changed_fields(old, d, with_contact(d));
                if !fields.is_empty() {
                    diff.changed.push(ChangedEntry {
                        demand: d.into(),
                        fields,
                    });
                }
            }
        }
    }
    diff.removed = older
        .iter()
        .filter(|d| !new_ids.contains(d.id.as_str()))
        .map(DiffEntry::from)
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Contact, DemandDraft};
    use crate::taxonomy::Field;

    fn demand(id: &str, title: &str) -> Demand {
        Demand {
            id: id.into(),
            org_id: "org_1".into(),
            org_name: "甲公司".into(),
            status: DemandStatus::Published,
            version: 1,
            body: DemandDraft {
                title: title.into(),
                description: "描述".into(),
                goals: "目标".into(),
                field: Some(Field::NewMaterials),
                budget_wan: Some(10.0),
                contact: Contact {
                    phone: Some("13800000000".into()),
                    ..Contact::default()
                },
                ..DemandDraft::default()
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn statuses_round_trip_and_only_approved_or_published_enter() {
        for s in [CatalogueStatus::Draft, CatalogueStatus::Published] {
            assert_eq!(CatalogueStatus::parse(s.as_str()), Some(s));
        }
        assert!(may_be_catalogued(DemandStatus::Approved));
        assert!(may_be_catalogued(DemandStatus::Published));
        assert!(!may_be_catalogued(DemandStatus::Submitted));
        assert!(!may_be_catalogued(DemandStatus::Withdrawn));
    }

    #[test]
    fn diff_names_new_changed_and_removed_demands() {
        let a = demand("dem_a", "甲");
        let b = demand("dem_b", "乙");
        let c = demand("dem_c", "丙");
        let mut b2 = b.clone();
        b2.body.goals = "新目标".into();
        b2.body.budget_wan = None;
        b2.body.budget_negotiable = true;
        b2.body.contact.phone = Some("13900000000".into());
        let diff = diff_editions(&[a.clone(), b.clone()], &[b2.clone(), c.clone()], |_| false);
        assert_eq!(diff.added, vec![DiffEntry::from(&c)]);
        assert_eq!(diff.removed, vec![DiffEntry::from(&a)]);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(
            diff.changed[0].fields,
            ["goals", "budget_wan", "budget_negotiable"]
        );
        let with_contact = diff_editions(std::slice::from_ref(&b), &[b2], |_| true);
        assert!(with_contact.changed[0].fields.contains(&"contact_phone"));
        assert_eq!(
            diff_editions(std::slice::from_ref(&b), std::slice::from_ref(&b), |_| true),
            CatalogueDiff::default()
        );
    }
}
