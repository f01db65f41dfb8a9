//! Trends (科技动态): demands published per period as a table and a server-drawn chart, and
//! the rising terms.

use super::render::{ok_page, query, PageResult};
use super::search::Params;
use super::session::Session;
use crate::AppState;
use axum::extract::State;

use duijie_app::{TrendParams, Trends};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// One bar of the trends chart, in SVG user units.
#[derive(Debug, Serialize)]
struct Bar {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    label_x: u32,
    label: String,
    count: u32,
}

const CHART_HEIGHT: u32 = 160;
const BAR_STEP: u32 = 48;
const BAR_WIDTH: u32 = 28;
const CHART_TOP: u32 = 20;

/// Bars of demands published per period (drawn by the template; every text escaped there).
fn bars(t: &Trends) -> Vec<Bar> {
    let max = t.totals.iter().copied().max().unwrap_or(0).max(1);
    t.periods
        .iter()
        .zip(&t.totals)
        .enumerate()
        .map(|(i, (label, count))| {
            let height = count * CHART_HEIGHT / max;
            let x = 10 + i as u32 * BAR_STEP;
            Bar {
                x,
                y: CHART_TOP + CHART_HEIGHT - height,
                width: BAR_WIDTH,
                height,
                label_x: x + BAR_WIDTH / 2,
                label: label.clone(),
                count: *count,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    period: String,
}

pub async fn trends(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<TrendQuery>,
) -> PageResult {
    let nonempty = |v: String| (!v.trim().is_empty()).then_some(v);
    let t = s
        .app
        .trends(&TrendParams {
            by: nonempty(q.by),
            period: nonempty(q.period),
        })
        .await?;
    let bars = bars(&t);
    let rising: Vec<Value> = t
        .rising_terms
        .iter()
        .map(|r| {
            context! {
                term => r.term,
                href => format!("/demands{}", query(&[("q", &r.term)])),
                latest_count => r.latest_count,
                previous_count => r.previous_count,
                latest_pct => format!("{:.1}%", r.latest_share * 100.0),
                previous_pct => format!("{:.1}%", r.previous_share * 100.0),
            }
        })
        .collect();
    let ctx = context! {
        title => "科技动态",
        chart => context! {
            width => 20 + bars.len() as u32 * BAR_STEP,
            height => CHART_TOP + CHART_HEIGHT + 30,
            base => CHART_TOP + CHART_HEIGHT,
            label_y => CHART_TOP + CHART_HEIGHT + 18,
        },
        bars,
        rising,
        t,
    };
    ok_page(&session, "trends.html", "trends", ctx)
}
