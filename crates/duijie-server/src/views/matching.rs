//! Rankings of research partners for a demand, and demands recommended to an institution.

use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// The answer of the match endpoints (`api.md`, "Ranking shape").
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ranking)]
pub struct RankingJson {
    #[schema(schema_with = openapi::candidate_kind)]
    pub kind: &'static str,
    pub took_ms: f64,
    pub coverage: CoverageJson,
    pub candidates: Vec<CandidateJson>,
}

/// The best candidate's tier: `none` when no candidate reaches `partial`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoverageJson {
    Good,
    Partial,
    None,
}

/// One ranked institution or expert.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateJson {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub institution: String,
    pub score: f64,
    /// Matched share (0-1) of the demand's core words in the best document.
    pub strength: f64,
    /// 强相关 / 部分相关 / 弱相关.
    #[schema(schema_with = openapi::tier)]
    pub tier: &'static str,
    pub reason: String,
    pub evidence: Vec<EvidenceJson>,
    /// The institution's shared instruments relevant to the demand; not part of the score.
    pub instruments: Vec<EvidenceJson>,
}

/// One document that supports a candidate.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Evidence)]
pub struct EvidenceJson {
    #[schema(schema_with = openapi::evidence_kind)]
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub score: f64,
    pub matched_terms: Vec<String>,
    /// Found by meaning only (语义相近): no word of the demand is in it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub semantic: bool,
}

impl From<duijie_match::Evidence> for EvidenceJson {
    fn from(e: duijie_match::Evidence) -> Self {
        EvidenceJson {
            kind: e.kind.as_str(),
            id: e.id,
            title: e.title,
            score: e.score,
            matched_terms: e.matched_terms,
            semantic: e.semantic,
        }
    }
}

impl From<duijie_match::Candidate> for CandidateJson {
    fn from(c: duijie_match::Candidate) -> Self {
        CandidateJson {
            rank: c.rank,
            id: c.id,
            name: c.name,
            institution: c.institution,
            score: c.score,
            strength: c.strength,
            tier: c.tier.as_str(),
            reason: c.reason,
            evidence: c.evidence.into_iter().map(Into::into).collect(),
            instruments: c.instruments.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<duijie_app::MatchResponse> for RankingJson {
    fn from(r: duijie_app::MatchResponse) -> Self {
        use duijie_match::Coverage;
        RankingJson {
            kind: r.kind.as_str(),
            took_ms: r.took_ms,
            coverage: match r.coverage {
                Coverage::Good => CoverageJson::Good,
                Coverage::Partial => CoverageJson::Partial,
                Coverage::None => CoverageJson::None,
            },
            candidates: r.candidates.into_iter().map(Into::into).collect(),
        }
    }
}

/// A published demand recommended to an institution.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DemandMatch)]
pub struct DemandMatchJson {
    pub rank: usize,
    pub id: String,
    pub title: String,
    /// 需求单位
    pub enterprise: String,
    pub score: f64,
    pub matched_terms: Vec<String>,
}

impl From<duijie_match::DemandMatch> for DemandMatchJson {
    fn from(m: duijie_match::DemandMatch) -> Self {
        DemandMatchJson {
            rank: m.rank,
            id: m.id,
            title: m.title,
            enterprise: m.enterprise,
            score: m.score,
            matched_terms: m.matched_terms,
        }
    }
}
