//! Choosing a person by name instead of typing an id: a GET search box beside the form and
//! the experts it finds as radio buttons or checkboxes inside the form, rendered on the server
//! (no script needed).

use super::render::PageError;
use crate::AppState;
use duijie_app::{Caller, SearchParams};
use duijie_core::Expert;
use minijinja::{context, Value};

/// Experts offered for one search.
const CHOICES: u32 = 12;

fn choice(e: &Expert, chosen: bool) -> Value {
    context! {
        id => e.id,
        name => e.body.name,
        org => e.org_name,
        title => e.body.title,
        areas => e.body.research_areas.iter().take(3).cloned().collect::<Vec<_>>().join("、"),
        chosen,
    }
}

/// The experts already `chosen` (kept ticked across a failed submit), then those `q` finds
/// by name or research area other than `exclude`; nothing is ticked that the person did not
/// tick.
pub(super) async fn expert_choices(
    s: &AppState,
    caller: &Caller,
    q: &str,
    chosen: &[String],
    exclude: &[String],
) -> Result<Vec<Value>, PageError> {
    let mut out = Vec::new();
    for id in chosen.iter().filter(|id| !id.trim().is_empty()) {
        // A stale or hand-edited id is dropped here; the form's own check names it.
        if let Ok(e) = s.app.expert(caller, id).await {
            out.push(choice(&e, true));
        }
    }
    if q.trim().is_empty() {
        return Ok(out);
    }
    // By name first (every expert has one), then by what they work on.
    let named = s.app.experts_named(caller, q, CHOICES).await?;
    let params = SearchParams {
        q: Some(q.to_string()),
        per_page: Some(CHOICES),
        ..SearchParams::default()
    };
    let found = s.app.search_experts(caller, &params).await?;
    let mut seen: Vec<String> = chosen.iter().chain(exclude).cloned().collect();
    for e in named.iter().chain(found.items.iter().map(|f| &f.record)) {
        if !seen.contains(&e.id) {
            seen.push(e.id.clone());
            out.push(choice(e, false));
        }
    }
    out.truncate(chosen.len() + CHOICES as usize);
    Ok(out)
}
