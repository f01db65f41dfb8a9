//! Terminal output: ranking tables and progress bars.

use duijie_match::{Coverage, Ranking};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar on a terminal, hidden otherwise.
pub fn progress_bar(len: u64, label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} {msg} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label.to_string());
    bar
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

pub fn print_ranking(r: &Ranking) {
    if r.candidates.is_empty() {
        println!("no candidates found ({:.1} ms)", r.took_ms);
        return;
    }
    if r.coverage == Coverage::None {
        println!("库中暂无直接相关的成果与专家: no candidate reaches 部分相关");
    }
    println!(
        "{:>4}  {:>7}  {:<8}  {:<24}  {:<20}  reason",
        "rank", "score", "tier", "name", "institution"
    );
    for c in &r.candidates {
        println!(
            "{:>4}  {:>7.2}  {:<8}  {:<24}  {:<20}  {}",
            c.rank,
            c.score,
            c.tier.label(),
            clip(&c.name, 24),
            clip(&c.institution, 20),
            c.reason
        );
        for e in &c.evidence {
            println!(
                "{:>15}- {} [{}]",
                "",
                clip(&e.title, 48),
                e.matched_terms.join("、")
            );
        }
    }
    println!("({} candidates, {:.1} ms)", r.candidates.len(), r.took_ms);
}
