//! Fixture builders.

use duijie_core::EntityKind;
use duijie_search::IndexDoc;

/// An achievement with the given id and title; other fields empty or defaulted.
pub fn achievement(id: &str, title: &str) -> IndexDoc {
    IndexDoc {
        org_id: "org_1".to_string(),
        org_name: "某某大学".to_string(),
        ..IndexDoc::new(EntityKind::Achievement, id, title)
    }
}

/// A demand with the given id, title and status.
pub fn demand(id: &str, title: &str, status: &str) -> IndexDoc {
    IndexDoc {
        kind: EntityKind::Demand,
        status: Some(status.to_string()),
        ..achievement(id, title)
    }
}

pub trait DocExt {
    fn body(self, body: &str) -> Self;
    fn keywords(self, keywords: &[&str]) -> Self;
    fn field(self, field: &str) -> Self;
    fn region(self, region: &str) -> Self;
    fn org(self, id: &str, name: &str) -> Self;
    fn person(self, name: &str, expert_id: &str) -> Self;
    fn created(self, at: i64) -> Self;
    fn year(self, year: i64) -> Self;
    fn modes(self, modes: &[&str]) -> Self;
    fn deadline(self, day: i64) -> Self;
    fn budget(self, wan: f64) -> Self;
}

impl DocExt for IndexDoc {
    fn body(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self
    }
    fn keywords(mut self, keywords: &[&str]) -> Self {
        self.keywords = keywords.iter().map(|k| k.to_string()).collect();
        self
    }
    fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }
    fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_string());
        self
    }
    fn org(mut self, id: &str, name: &str) -> Self {
        self.org_id = id.to_string();
        self.org_name = name.to_string();
        self
    }
    fn person(mut self, name: &str, expert_id: &str) -> Self {
        self.person = Some(name.to_string());
        self.expert_id = Some(expert_id.to_string());
        self
    }
    fn created(mut self, at: i64) -> Self {
        self.created_at = at;
        self
    }
    fn year(mut self, year: i64) -> Self {
        self.year = Some(year);
        self
    }
    fn modes(mut self, modes: &[&str]) -> Self {
        self.modes = modes.iter().map(|m| m.to_string()).collect();
        self
    }
    fn deadline(mut self, day: i64) -> Self {
        self.deadline_day = Some(day);
        self
    }
    fn budget(mut self, wan: f64) -> Self {
        self.budget_wan = Some(wan);
        self
    }
}

/// Ids of a result page, in order.
pub fn ids(results: &duijie_search::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.id.as_str()).collect()
}
