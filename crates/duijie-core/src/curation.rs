//! 审核辅助: what the bureau's review queue checks before a demand is approved — whether it
//! says enough to be matched (completeness), whether a value is implausible (doubts) and
//! whether it repeats a demand already on file (overlap of the analysed wording). Pure functions; tokenising is the caller's job.

use crate::model::DemandDraft;
use crate::wire::wire_enum;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashSet;

/// Descriptions shorter than this (in characters) are too vague to match.
pub const MIN_DESCRIPTION_CHARS: usize = 30;
/// Texts sharing this much of their wording (Jaccard over word 2-shingles) are near-identical.
pub const NEAR_IDENTICAL: f64 = 0.6;
/// Within one enterprise, a looser bound still flags the same problem filed twice.
pub const SAME_ENTERPRISE: f64 = 0.3;

/// Something a demand lacks, with the sentence to send back to the enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The request field concerned.
    pub field: &'static str,
    pub code: &'static str,
    pub message: &'static str,
}

/// What is missing for a demand to be published and matched; empty when it is complete.
pub fn completeness(d: &DemandDraft) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let description_chars = d.description.trim().chars().count();
    if description_chars < MIN_DESCRIPTION_CHARS {
        gaps.push(Gap {
            field: "description",
            code: "description_too_short",
            message: "需求内容过于简略，请具体说明要解决的技术问题、现状和难点（不少于30字）",
        });
    }
    if d.goals.trim().is_empty() {
        gaps.push(Gap {
            field: "goals",
            code: "missing_goals",
            message: "请填写预期目标或主要技术指标",
        });
    }
    if d.field.is_none() {
        gaps.push(Gap {
            field: "field",
            code: "missing_field",
            message: "请选择所属技术领域",
        });
    }
    if d.modes.is_empty() {
        gaps.push(Gap {
            field: "modes",
            code: "missing_modes",
            message: "请选择期望的合作方式",
        });
    }
    if d.budget_wan.is_none() && !d.budget_negotiable {
        gaps.push(Gap {
            field: "budget_wan",
            code: "missing_budget",
            message: "请填写拟投入资金（万元），或注明面议",
        });
    }
    if d.deadline.is_none() {
        gaps.push(Gap {
            field: "deadline",
            code: "missing_deadline",
            message: "请填写需求截止日期",
        });
    }
    gaps
}

/// A budget above this (in 万元, 1 亿元) is rare for one enterprise's technical problem.
pub const UNUSUAL_BUDGET_WAN: f64 = 10_000.0;
/// A deadline further away than this many years is probably a typing slip.
pub const FAR_DEADLINE_YEARS: u32 = 5;

wire_enum! {
    /// What kind of implausible value a [`Doubt`] names.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DoubtCode {
        DeadlinePassed => "deadline_passed",
        DeadlineFar => "deadline_far",
        BudgetUnusual => "budget_unusual",
        TitleTooShort => "title_too_short",
    }
}

/// Something a reviewer should check before approving: a value that passed the form's checks
/// but is unlikely to be what the enterprise meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doubt {
    /// The request field concerned.
    pub field: &'static str,
    pub code: DoubtCode,
    pub message: String,
}

/// The implausible values of a demand as of `today` (China time); empty when nothing stands out.
pub fn doubts(d: &DemandDraft, today: NaiveDate) -> Vec<Doubt> {
    let mut out = Vec::new();
    if let Some(deadline) = d.deadline {
        if deadline < today {
            out.push(Doubt {
                field: "deadline",
                code: DoubtCode::DeadlinePassed,
                message: format!("截止日期 {deadline} 已过"),
            });
        } else if deadline
            .years_since(today)
            .is_some_and(|y| y >= FAR_DEADLINE_YEARS)
        {
            out.push(Doubt {
                field: "deadline",
                code: DoubtCode::DeadlineFar,
                message: format!("截止日期 {deadline} 在 {FAR_DEADLINE_YEARS} 年以后，请核实"),
            });
        }
    }
    if let Some(wan) = d.budget_wan.filter(|w| *w > UNUSUAL_BUDGET_WAN) {
        out.push(Doubt {
            field: "budget_wan",
            code: DoubtCode::BudgetUnusual,
            message: format!(
                "拟投入资金 {wan} 万元（约 {:.1} 亿元）远高于一般企业需求，请核实单位是否为万元",
                wan / 10_000.0
            ),
        });
    }
    if d.title.trim().chars().count() < 4 {
        out.push(Doubt {
            field: "title",
            code: DoubtCode::TitleTooShort,
            message: "需求名称过短，难以看出要解决的问题".to_string(),
        });
    }
    out
}

/// The note a reviewer can send back with “request changes”: every gap, one per line.
pub fn return_note(gaps: &[Gap]) -> String {
    gaps.iter()
        .enumerate()
        .map(|(i, g)| format!("{}. {}", i + 1, g.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The word 2-shingles of a token sequence (single words when there is only one): the units
/// whose overlap measures how much of the wording two texts share.
pub fn shingles<S: AsRef<str>>(tokens: &[S]) -> HashSet<String> {
    if tokens.len() == 1 {
        return tokens.iter().map(|t| t.as_ref().to_string()).collect();
    }
    tokens
        .windows(2)
        .map(|w| format!("{}\u{1f}{}", w[0].as_ref(), w[1].as_ref()))
        .collect()
}

/// Jaccard similarity of two shingle sets in `[0, 1]`; two empty texts share nothing.
pub fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Why a stored demand looks like a repeat of the one under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// Near-identical text, whoever filed it.
    NearIdenticalText,
    /// The same enterprise filed a similar demand.
    SameEnterprise,
}

/// Whether `other` looks like a duplicate of the demand under review, and why.
pub fn duplicate_reasons(similarity: f64, same_enterprise: bool) -> Vec<DuplicateReason> {
    let mut reasons = Vec::new();
    if similarity >= NEAR_IDENTICAL {
        reasons.push(DuplicateReason::NearIdenticalText);
    }
    if same_enterprise && similarity >= SAME_ENTERPRISE {
        reasons.push(DuplicateReason::SameEnterprise);
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::{CoopMode, Field};

    fn complete() -> DemandDraft {
        DemandDraft {
            title: "高纯氧化铝粉体制备工艺优化".into(),
            description:
                "我公司生产高纯氧化铝粉体，烧结活性不足、批次稳定性差，需要优化粉体制备与煅烧工艺。"
                    .into(),
            goals: "纯度99.99%".into(),
            field: Some(Field::NewMaterials),
            modes: vec![CoopMode::parse_list("合作开发")[0]],
            budget_negotiable: true,
            deadline: chrono::NaiveDate::from_ymd_opt(2027, 6, 30),
            ..DemandDraft::default()
        }
    }

    #[test]
    fn a_complete_demand_has_no_gaps() {
        assert!(completeness(&complete()).is_empty());
    }

    #[test]
    fn every_gap_is_named_with_a_reason() {
        let vague = DemandDraft {
            title: "求技术".into(),
            description: "需要新技术".into(),
            ..DemandDraft::default()
        };
        let codes: Vec<&str> = completeness(&vague).iter().map(|g| g.code).collect();
        assert_eq!(
            codes,
            [
                "description_too_short",
                "missing_goals",
                "missing_field",
                "missing_modes",
                "missing_budget",
                "missing_deadline"
            ]
        );
        let note = return_note(&completeness(&vague));
        assert!(note.starts_with("1. 需求内容过于简略"));
        assert!(note.contains("6. 请填写需求截止日期"));

        let mut with_amount = complete();
        with_amount.budget_negotiable = false;
        assert_eq!(completeness(&with_amount)[0].code, "missing_budget");
        with_amount.budget_wan = Some(0.0);
        assert!(completeness(&with_amount).is_empty(), "0 万元 is an amount");
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn shingle_overlap_is_high_for_near_identical_texts_only() {
        let a = words("高纯 氧化铝 粉体 制备 工艺 优化 烧结 活性 不足 批次 稳定性 差 需要 优化 粉体 制备 与 煅烧 工艺 纯度 粒径 分布");
        let mut b = a.clone();
        b[11] = "较差".into();
        let c = words("果品 冷链 保鲜 技术 苹果 贮藏 期 延长 损耗 降低 气调 库 温湿度 控制 物流 配送 品质 检测");
        let (sa, sb, sc) = (shingles(&a), shingles(&b), shingles(&c));
        assert_eq!(jaccard(&sa, &sa), 1.0);
        assert!(jaccard(&sa, &sb) >= NEAR_IDENTICAL, "{}", jaccard(&sa, &sb));
        assert!(jaccard(&sa, &sc) < SAME_ENTERPRISE);
        assert_eq!(shingles(&["锂电池"]).len(), 1);
        assert_eq!(jaccard(&shingles::<&str>(&[]), &shingles::<&str>(&[])), 0.0);
    }

    #[test]
    fn duplicate_reasons_follow_distance_and_enterprise() {
        assert_eq!(
            duplicate_reasons(0.9, true),
            [
                DuplicateReason::NearIdenticalText,
                DuplicateReason::SameEnterprise
            ]
        );
        assert_eq!(
            duplicate_reasons(0.9, false),
            [DuplicateReason::NearIdenticalText]
        );
        assert_eq!(
            duplicate_reasons(0.4, true),
            [DuplicateReason::SameEnterprise]
        );
        assert!(duplicate_reasons(0.4, false).is_empty());
        assert!(duplicate_reasons(0.1, true).is_empty());
    }

    #[test]
    fn doubts_name_passed_and_far_deadlines_and_unusual_budgets() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let codes = |d: &DemandDraft| -> Vec<&str> {
            doubts(d, today)
                .into_iter()
                .map(|x| x.code.as_str())
                .collect()
        };
        let mut d = DemandDraft {
            title: "高纯氧化铝粉体制备".into(),
            deadline: day(2027, 6, 30),
            budget_wan: Some(50.0),
            ..DemandDraft::default()
        };
        assert!(codes(&d).is_empty());
        d.deadline = day(2026, 12, 6);
        assert_eq!(codes(&d), ["deadline_passed"]);
        d.deadline = day(2031, 12, 7);
        assert_eq!(codes(&d), ["deadline_far"]);
        d.deadline = day(2031, 12, 6);
        d.budget_wan = Some(20_000.0);
        d.title = "工艺".into();
        assert_eq!(codes(&d), ["budget_unusual", "title_too_short"]);
        assert!(doubts(&d, today)[0].message.contains("约 2.0 亿元"));
    }
}
