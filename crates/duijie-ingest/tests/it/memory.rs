//! The peak memory of reading a large catalogue, measured in a child process (this test
//! binary run again with `DUIJIE_MEMORY_CHILD` naming the file) so that no other test's
//! allocations count: the peak resident size (`VmHWM`) minus the resident size before the read.

use duijie_ingest::{read_path, ReadOptions};
use rust_xlsxwriter::Workbook;
use std::io::Write;
use std::path::Path;
use std::process::Command;

const CHILD: &str = "DUIJIE_MEMORY_CHILD";

/// `VmRSS` or `VmHWM` of this process in KiB.
fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(key)?
                .trim_start_matches(':')
                .split_whitespace()
                .next()
        })
        .and_then(|v| v.parse().ok())
        .expect("a size in KiB")
}

/// In the child: reads the file and prints what the read cost.
#[test]
fn child() {
    let Ok(file) = std::env::var(CHILD) else {
        return;
    };
    let before = status_kib("VmRSS");
    let parsed = read_path(Path::new(&file), &ReadOptions::default()).expect("readable");
    let records = parsed.records.len();
    drop(parsed);
    let peak = status_kib("VmHWM");
    println!("memory: records={records} before_kib={before} peak_kib={peak}");
}

/// Runs the child on `file`; the records read and the growth of the peak over the start, MiB.
fn peak_of(file: &Path) -> (usize, u64) {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "memory::child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, file)
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| Some(l.split_once("memory: ")?.1))
        .unwrap_or_else(|| panic!("no measurement in {stdout}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {line}"))
    };
    let records = usize::try_from(field("records")).unwrap_or(usize::MAX);
    (records, (field("peak_kib") - field("before_kib")) / 1024)
}

/// Demand `i` as cells: title, organisation, a description of about 300 characters, field.
fn demand(i: usize) -> [String; 4] {
    let description = format!(
        "第{i}号需求：我公司生产的高纯氧化铝粉体在煅烧过程中存在晶型转化不完全、粒度分布宽的问题，"
    )
    .repeat(6);
    [
        format!("高纯氧化铝粉体煅烧工艺优化{i}"),
        format!("灵宝市金源矿业有限公司{}", i % 500),
        description,
        "新材料".to_string(),
    ]
}

/// The bound `docs/reliability.md` states for these inputs (a 34 MiB GBK CSV, a 27 MiB JSON
/// array, a 30,000-row workbook), measured in a debug build at 232, 128 and 62 MiB.
const PEAK_BOUND_MIB: u64 = 320;

const HEADER: [&str; 4] = ["需求名称", "需求单位", "需求内容", "所属领域"];

fn gbk_csv(path: &Path, rows: usize) {
    let mut text = HEADER.join(",");
    text.push('\n');
    for i in 0..rows {
        text.push_str(&demand(i).join(","));
        text.push('\n');
    }
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(path, bytes).expect("write csv");
}

fn json(path: &Path, rows: usize) {
    let items: Vec<serde_json::Value> = (0..rows)
        .map(|i| {
            let cells = demand(i);
            serde_json::Value::Object(
                HEADER
                    .iter()
                    .zip(cells)
                    .map(|(h, c)| (h.to_string(), serde_json::Value::String(c)))
                    .collect(),
            )
        })
        .collect();
    let mut f = std::fs::File::create(path).expect("create json");
    serde_json::to_writer(&mut f, &items).expect("write json");
    f.flush().expect("flush");
}

fn xlsx(path: &Path, rows: usize) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..rows {
        for (c, cell) in demand(i).iter().enumerate() {
            sheet
                .write_string(i as u32 + 1, c as u16, cell)
                .expect("cell");
        }
    }
    book.save(path).expect("save xlsx");
}

/// Writes a catalogue of so many demands to a path.
type Writer = fn(&Path, usize);

#[test]
fn reading_a_large_catalogue_stays_within_its_memory_bound() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, Writer, usize); 3] = [
        ("gbk.csv", gbk_csv, 60_000),
        ("items.json", json, 30_000),
        ("sheet.xlsx", xlsx, 30_000),
    ];
    for (name, write, rows) in cases {
        let path = dir.path().join(name);
        write(&path, rows);
        let size_mib = std::fs::metadata(&path).expect("written").len() / (1024 * 1024);
        let (records, peak_mib) = peak_of(&path);
        println!("{name}: {size_mib} MiB, {records} records, peak +{peak_mib} MiB");
        assert_eq!(records, rows, "{name}");
        assert!(
            peak_mib <= PEAK_BOUND_MIB,
            "{name}: reading took the peak {peak_mib} MiB above the start"
        );
    }
}
