//! Tables (Markdown) and the plot (SVG, plotters) of a results file.

use crate::load::Endpoint;
use crate::results::{median, Results};
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use std::fmt::Write;
use std::path::Path;

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn bytes_mib(b: u64) -> f64 {
    b as f64 / 1048576.0
}

fn human(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n.checked_rem(1_000_000) == Some(0) => format!("{}M", n / 1_000_000),
        n if n >= 1_000 => format!("{:.0}k", n as f64 / 1000.0),
        n => n.to_string(),
    }
}

/// The Markdown tables of `docs/performance.md`.
pub fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let _ = writeln!(
        s,
        "Machine: {} cores ({}), {:.1} GiB memory.\n",
        m.nproc,
        if m.cpu_model.is_empty() {
            "cpu unknown"
        } else {
            &m.cpu_model
        },
        m.mem_total_kib as f64 / 1048576.0
    );
    if let Some(n) = &r.nsfc {
        let _ = writeln!(
            s,
            "### Real NSFC listing: {} rows (xlsx {:.1} MiB, CSV {:.1} MiB); load average before/after {:.2}/{:.2}\n",
            n.rows,
            bytes_mib(n.xlsx_bytes),
            bytes_mib(n.csv_bytes),
            n.load_before[0],
            n.load_after[0]
        );
        let _ = writeln!(s, "| step | duijie (median of {}) | runs |", n.xlsx.len());
        let _ = writeln!(s, "|---|---|---|");
        let fmt_runs = |xs: &[f64]| {
            xs.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let rows: [(&str, Vec<f64>); 8] = [
            ("parse xlsx alone (`read_bytes`)", n.parse_xlsx_s.clone()),
            ("parse CSV alone (`read_bytes`)", n.parse_csv_s.clone()),
            (
                "xlsx: read + store (`import_as`)",
                n.xlsx.iter().map(|t| t.read_store_s).collect(),
            ),
            (
                "xlsx: index (`sync_index`)",
                n.xlsx.iter().map(|t| t.index_s).collect(),
            ),
            (
                "**xlsx: end to end**",
                n.xlsx.iter().map(|t| t.total_s).collect(),
            ),
            (
                "CSV: read + store",
                n.csv.iter().map(|t| t.read_store_s).collect(),
            ),
            ("CSV: index", n.csv.iter().map(|t| t.index_s).collect()),
            (
                "**CSV: end to end**",
                n.csv.iter().map(|t| t.total_s).collect(),
            ),
        ];
        for (label, xs) in rows {
            let _ = writeln!(
                s,
                "| {label} | {:.3} s | {} |",
                median(xs.clone()),
                fmt_runs(&xs)
            );
        }
        if let Some(t) = n.xlsx.last() {
            let _ = writeln!(
                s,
                "\nIndex on disk {:.1} MiB, database {:.1} MiB.\n",
                bytes_mib(t.index_bytes),
                bytes_mib(t.db_bytes)
            );
        }
        let _ = writeln!(
            s,
            "| side by side, same run | duijie | peer (Python) | peer / duijie |"
        );
        let _ = writeln!(s, "|---|---|---|---|");
        match &n.peer {
            Some(p) => {
                let pr =
                    |f: fn(&crate::results::PeerRun) -> f64| median(p.runs.iter().map(f).collect());
                let d = n.xlsx_total();
                let pt = pr(|r| r.total_s);
                let _ = writeln!(
                    s,
                    "| import 22k xlsx, end to end | {d:.3} s | {pt:.3} s (read {:.2}, segment {:.2}, index {:.2}) | **{:.1}x** |",
                    pr(|r| r.read_s),
                    pr(|r| r.segment_s),
                    pr(|r| r.index_s),
                    pt / d.max(1e-9)
                );
                let _ = writeln!(
                    s,
                    "| match, in-process, p50 | {:.2} ms | {:.2} ms | {:.2}x |",
                    n.inproc_match.p50_ms,
                    p.query.p50_ms,
                    p.query.p50_ms / n.inproc_match.p50_ms.max(1e-9)
                );
                let _ = writeln!(
                    s,
                    "| match, in-process, p95 | {:.2} ms | {:.2} ms | {:.2}x |",
                    n.inproc_match.p95_ms,
                    p.query.p95_ms,
                    p.query.p95_ms / n.inproc_match.p95_ms.max(1e-9)
                );
                let _ = writeln!(
                    s,
                    "| search box, in-process, p50 / p95 | {:.2} / {:.2} ms | — | |",
                    n.inproc_search.p50_ms, n.inproc_search.p95_ms
                );
                let _ = writeln!(
                    s,
                    "\nPeer jieba dictionary load (excluded above): {:.2} s.",
                    p.jieba_init_s
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "| import 22k xlsx | {:.3} s | not measured ({}) | |",
                    n.xlsx_total(),
                    n.peer_error.as_deref().unwrap_or("--no-peer")
                );
            }
        }
        s.push('\n');
    }
    if !r.points.is_empty() {
        let _ = writeln!(s, "### By corpus size\n");
        let _ = writeln!(
            s,
            "| corpus | records | import total | read+store | index | index on disk | database | server start | RSS idle | RSS after load | RSS peak | load avg before/after |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|");
        for p in &r.points {
            let t = &p.import;
            let (start, idle, after, peak) = match &p.server {
                Some(sv) => (
                    format!("{:.1} s", sv.startup_s),
                    format!("{:.0} MiB", mib(sv.idle.rss_kib)),
                    format!("{:.0} MiB", mib(sv.after.rss_kib)),
                    format!("{:.0} MiB", mib(sv.after.hwm_kib)),
                ),
                None => ("—".into(), "—".into(), "—".into(), "—".into()),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {:.1} s | {:.1} s | {:.1} s | {:.0} MiB | {:.0} MiB | {start} | {idle} | {after} | {peak} | {:.1}/{:.1} |",
                p.name,
                p.records,
                t.total_s,
                t.read_store_s,
                t.index_s,
                bytes_mib(t.index_bytes),
                bytes_mib(t.db_bytes),
                p.load_before[0],
                p.load_after[0]
            );
        }
        let _ = writeln!(
            s,
            "\nHTTP over loopback (client and server on the same machine):\n"
        );
        let _ = writeln!(
            s,
            "| corpus | endpoint | clients | requests | non-200 | req/s | p50 | p95 | p99 | max |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
        for p in &r.points {
            for l in &p.loads {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
                    p.name,
                    l.endpoint.as_str(),
                    l.clients,
                    l.requests,
                    l.errors,
                    l.rps,
                    l.latency.p50_ms,
                    l.latency.p95_ms,
                    l.latency.p99_ms,
                    l.latency.max_ms
                );
            }
        }
        let notes: Vec<String> = r
            .points
            .iter()
            .flat_map(|p| p.notes.iter().map(move |n| format!("- {}: {n}", p.name)))
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(s, "\n{}", notes.join("\n"));
        }
    }
    for run in &r.mixed {
        let _ = writeln!(
            s,
            "\n### Mixed load ({})\n\n{}",
            run.backend,
            run.markdown()
        );
    }
    s
}

/// Latency (p95, 16 and 64 clients) and memory (server peak RSS, index size) against corpus
/// size, log-log, as one SVG of two panels.
/// A chart with both axes on a log scale, records along x.
type LogChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>;

/// One log-log chart with its caption, mesh and axis labels.
fn log_chart<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: &str,
    x: (f64, f64),
    y: (f64, f64),
    y_desc: &str,
) -> Result<LogChart<'a, 'b>> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d((x.0..x.1).log_scale(), (y.0..y.1).log_scale())
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_labels(5)
        .x_desc("records")
        .y_desc(y_desc)
        .x_label_formatter(&|x| human(x.round() as usize))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    Ok(chart)
}

/// A horizontal target line across the chart.
fn target_line(
    chart: &mut LogChart,
    x: (f64, f64),
    y: f64,
    label: &str,
    color: RGBColor,
    alpha: f64,
) -> Result<()> {
    chart
        .draw_series(LineSeries::new(
            [(x.0, y), (x.1, y)],
            color.mix(alpha).stroke_width(1),
        ))
        .map_err(|e| anyhow!("{e}"))?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.mix(alpha)));
    Ok(())
}

/// A measured series: a line through its points, each point marked.
fn measured(
    chart: &mut LogChart,
    data: Vec<(f64, f64)>,
    label: &str,
    color: RGBColor,
) -> Result<()> {
    chart
        .draw_series(
            data.iter()
                .map(|&(x, y)| Circle::new((x, y), 3, color.filled())),
        )
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .draw_series(LineSeries::new(data, color.stroke_width(2)))
        .map_err(|e| anyhow!("{e}"))?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
    Ok(())
}

/// The legend, top left.
fn legend<'a, 'b: 'a>(chart: &mut LogChart<'a, 'b>) -> Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(|e| anyhow!("{e}"))
}

pub fn plot(r: &Results, path: &Path) -> Result<()> {
    let pts: Vec<_> = r
        .points
        .iter()
        .filter(|p| p.records > 0 && p.server.is_some())
        .collect();
    if pts.is_empty() {
        return Err(anyhow!("no measured points to plot"));
    }
    let xmin = pts.iter().map(|p| p.records).min().unwrap_or(1) as f64 / 1.6;
    let xmax = pts.iter().map(|p| p.records).max().unwrap_or(1) as f64 * 1.6;
    let root = SVGBackend::new(path, (1100, 460)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let (left, right) = root.split_horizontally(560);

    let series = [
        (
            Endpoint::Search,
            16,
            RGBColor(31, 119, 180),
            "search p95, 16 clients",
        ),
        (
            Endpoint::Search,
            64,
            RGBColor(158, 202, 225),
            "search p95, 64 clients",
        ),
        (
            Endpoint::Match,
            16,
            RGBColor(214, 39, 40),
            "match p95, 16 clients",
        ),
        (
            Endpoint::Match,
            64,
            RGBColor(252, 146, 114),
            "match p95, 64 clients",
        ),
    ];
    let lat: Vec<f64> = pts
        .iter()
        .flat_map(|p| p.loads.iter().map(|l| l.latency.p95_ms))
        .filter(|v| *v > 0.0)
        .collect();
    let ymin = lat.iter().copied().fold(f64::INFINITY, f64::min).min(10.0) / 2.0;
    let ymax = lat.iter().copied().fold(0.0, f64::max).max(50.0) * 2.0;
    {
        let mut chart = log_chart(
            &left,
            "HTTP latency p95 (ms) vs records",
            (xmin, xmax),
            (ymin, ymax),
            "ms",
        )?;
        for (target, label, color) in [
            (10.0, "search target 10 ms", RGBColor(31, 119, 180)),
            (30.0, "match target 30 ms", RGBColor(214, 39, 40)),
        ] {
            target_line(&mut chart, (xmin, xmax), target, label, color, 0.35)?;
        }
        for (ep, clients, color, label) in series {
            let data: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|p| {
                    p.load(ep, clients)
                        .map(|l| (p.records as f64, l.latency.p95_ms))
                })
                .filter(|(_, y)| *y > 0.0)
                .collect();
            if data.is_empty() {
                continue;
            }
            measured(&mut chart, data, label, color)?;
        }
        legend(&mut chart)?;
    }
    {
        let mem: Vec<(f64, f64, f64)> = pts
            .iter()
            .map(|p| {
                let sv = p.server.clone().unwrap_or_default();
                (
                    p.records as f64,
                    mib(sv.after.hwm_kib),
                    bytes_mib(p.import.index_bytes),
                )
            })
            .collect();
        let all: Vec<f64> = mem
            .iter()
            .flat_map(|(_, a, b)| [*a, *b])
            .filter(|v| *v > 0.0)
            .collect();
        let ymin = all.iter().copied().fold(f64::INFINITY, f64::min).min(10.0) / 2.0;
        let ymax = all.iter().copied().fold(0.0, f64::max).max(2048.0) * 1.5;
        let mut chart = log_chart(
            &right,
            "Memory and index size (MiB) vs records",
            (xmin, xmax),
            (ymin, ymax),
            "MiB",
        )?;
        let gray = RGBColor(120, 120, 120);
        target_line(
            &mut chart,
            (xmin, xmax),
            2048.0,
            "RSS target 2 GiB",
            gray,
            0.5,
        )?;
        let rss_color = RGBColor(44, 160, 44);
        let idx_color = RGBColor(148, 103, 189);
        for (label, color, pick) in [
            ("server peak RSS (VmHWM)", rss_color, 0usize),
            ("index on disk", idx_color, 1usize),
        ] {
            let data: Vec<(f64, f64)> = mem
                .iter()
                .map(|&(x, a, b)| (x, if pick == 0 { a } else { b }))
                .filter(|(_, y)| *y > 0.0)
                .collect();
            measured(&mut chart, data, label, color)?;
        }
        legend(&mut chart)?;
    }
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
