//! Times reading large catalogues: `cargo run --release -p duijie-ingest --example read_timing
//! [FILE...]`. Without arguments, builds a 22,000-row NSFC-style CSV and the same rows as an
//! xlsx workbook (from `/work/shared/data` when present, else synthetic rows) and reads both.

use duijie_ingest::{read_bytes, read_path, ReadOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

const ROWS: usize = 22_000;
const HEADER: &str = "index,approveText,title,searchYear,searchFund,searchCode,codeText,fundTypeText,personText,money,approveYear,endYear,organization,keywords";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        for a in args {
            let started = Instant::now();
            match read_path(Path::new(&a), &ReadOptions::default()) {
                Ok(p) => println!(
                    "{a}: {} rows, {} records, {} problems in {:?}",
                    p.rows_total,
                    p.records.len(),
                    p.errors.len(),
                    started.elapsed()
                ),
                Err(e) => println!("{a}: {e}"),
            }
        }
        return;
    }
    let rows = source_rows();
    let csv = build_csv(&rows);
    time("22k-row csv", "nsfc.csv", csv.as_bytes());
    let xlsx = build_xlsx(&rows);
    time("22k-row xlsx", "nsfc.xlsx", &xlsx);
    if let Ok(dir) = std::env::var("READ_TIMING_SAVE") {
        let _ = std::fs::write(Path::new(&dir).join("nsfc-22k.csv"), &csv);
        let _ = std::fs::write(Path::new(&dir).join("nsfc-22k.xlsx"), &xlsx);
    }
}

fn time(label: &str, name: &str, bytes: &[u8]) {
    // One warm-up, then the best of five, in wall time and in CPU time of this thread (the
    // second is what counts on a machine busy with other work).
    let _ = read_bytes(name, bytes, &ReadOptions::default());
    let mut best = std::time::Duration::MAX;
    let mut best_cpu = std::time::Duration::MAX;
    let mut records = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let cpu = cpu_time();
        let p = read_bytes(name, bytes, &ReadOptions::default()).expect("readable");
        best = best.min(started.elapsed());
        if let (Some(a), Some(b)) = (cpu, cpu_time()) {
            best_cpu = best_cpu.min(b.saturating_sub(a));
        }
        records = p.records.len();
    }
    println!(
        "{label}: {} bytes, {records} records, best of 5: {best:?} wall, {best_cpu:?} cpu",
        bytes.len(),
    );
}

/// CPU time of the current thread, from Linux's schedstat.
fn cpu_time() -> Option<std::time::Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

/// Rows of the NSFC life listing (cells without the quotes), or synthetic ones.
fn source_rows() -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let root = PathBuf::from("/work/shared/data/nsfc-life-2019-2023/19_21");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    for line in text.lines().skip(1) {
                        let cells: Vec<String> = line
                            .split("\",\"")
                            .map(|c| c.trim_matches('"').to_string())
                            .collect();
                        if cells.len() == 14 {
                            rows.push(cells);
                        }
                    }
                }
            }
        }
    }
    if rows.is_empty() {
        for i in 0..1000 {
            rows.push(
                [
                    i.to_string(),
                    format!("3157{i:04}"),
                    format!("{i}.微生物修复石油污染的厌氧解烃分子机制研究"),
                    "2019".into(),
                    "面上项目".into(),
                    "C0106".into(),
                    "C0106".into(),
                    "面上项目".into(),
                    "王威".into(),
                    "62.0".into(),
                    "2015".into(),
                    "2019".into(),
                    format!("第{}大学", i % 300),
                    "石油烃的厌氧生物降解； 调控机制； 石油微生物".into(),
                ]
                .to_vec(),
            );
        }
    }
    // Unique titles, so every row is a record (duplicates would be fewer records).
    (0..ROWS)
        .map(|i| {
            let mut r = rows[i % rows.len()].clone();
            r[2] = format!("{}（{i}）", r[2]);
            r
        })
        .collect()
}

fn build_csv(rows: &[Vec<String>]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for r in rows {
        let quoted: Vec<String> = r.iter().map(|c| format!("\"{c}\"")).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

fn build_xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v.as_str())
                .expect("cell");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}
