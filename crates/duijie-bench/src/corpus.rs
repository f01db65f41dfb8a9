//! The corpora: the real NSFC listing (life science 2019–2023 + management science 2017, about
//! 22.6k projects) written as one achievement listing (xlsx and CSV), and generated corpora of
//! any size built from the real vocabulary with a fixed seed.

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Header of every listing the bench writes; `duijie-ingest` recognises each column.
pub const HEADER: [&str; 7] = [
    "成果名称",
    "完成单位",
    "负责人",
    "关键词",
    "领域",
    "年份",
    "成果简介",
];

/// One achievement row of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub title: String,
    pub org: String,
    pub leader: String,
    pub keywords: Vec<String>,
    pub field: String,
    pub year: Option<i32>,
    pub summary: String,
}

impl Row {
    fn cells(&self) -> [String; 7] {
        [
            self.title.clone(),
            self.org.clone(),
            self.leader.clone(),
            self.keywords.join("；"),
            self.field.clone(),
            self.year.map(|y| y.to_string()).unwrap_or_default(),
            self.summary.clone(),
        ]
    }

    /// The match query a project becomes (as in the ranking evaluation): title, then
    /// `。关键词：k1；k2…`.
    pub fn query_text(&self) -> String {
        if self.keywords.is_empty() {
            self.title.clone()
        } else {
            format!("{}。关键词：{}", self.title, self.keywords.join("；"))
        }
    }
}

/// Where the shared data lives: `$DUIJIE_SHARED_DATA`, else `../shared/data` next to the
/// workspace.
pub fn default_data_dir() -> PathBuf {
    if let Ok(d) = std::env::var("DUIJIE_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    ws.join("../shared/data")
}

/// The real NSFC listing: every unique project of both sets, as achievement rows.
pub fn nsfc_rows(data_dir: &Path) -> Result<Vec<Row>> {
    let life = duijie_eval::load_life(&data_dir.join("nsfc-life-2019-2023"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mgmt = duijie_eval::load_mgmt(&data_dir.join("nsfc-mgmt-2017/natural-2017-09-26.csv.zip"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rows = Vec::with_capacity(life.len() + mgmt.len());
    for (set, field) in [(life, "生命科学"), (mgmt, "管理科学")] {
        for p in set {
            rows.push(Row {
                title: p.title,
                org: p.org,
                leader: p.person,
                keywords: p.keywords,
                field: field.to_string(),
                year: p.year,
                summary: String::new(),
            });
        }
    }
    Ok(rows)
}

/// Writes rows as an xlsx listing (one sheet, header in row 1).
pub fn write_xlsx(rows: &[Row], path: &Path) -> Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("成果").context("sheet name")?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).context("xlsx header")?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.cells().iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            if c == 5 {
                if let Ok(y) = cell.parse::<f64>() {
                    ws.write_number(r, c as u16, y).context("xlsx cell")?;
                    continue;
                }
            }
            ws.write_string(r, c as u16, cell).context("xlsx cell")?;
        }
    }
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn csv_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// The CSV bytes (UTF-8, header first) of `rows`.
pub fn csv_bytes(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 160);
    out.extend_from_slice(HEADER.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
    for row in rows {
        for (i, cell) in row.cells().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            csv_field(&mut out, cell);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn write_csv(rows: &[Row], path: &Path) -> Result<()> {
    let mut f =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(&csv_bytes(rows))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A title source: the title and the field it belongs to.
#[derive(Debug, Clone)]
struct TitleSrc {
    title: String,
    field: String,
    keywords: Vec<String>,
}

/// The real vocabulary the generator composes records from.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    titles: Vec<TitleSrc>,
    keywords: Vec<String>,
    /// Institution of each real project (sampling it gives the real size distribution).
    project_orgs: Vec<usize>,
    orgs: Vec<String>,
    /// Leaders seen at each institution.
    leaders: Vec<Vec<String>>,
    sentences: Vec<String>,
}

fn csl_lines(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect()
        })
        .unwrap_or_default()
}

impl Vocabulary {
    /// From the NSFC listings (titles, keywords, institutions, leaders) and the CSL benchmark
    /// (titles with their discipline, keywords, abstract sentences).
    pub fn load(data_dir: &Path) -> Result<Vocabulary> {
        let nsfc = nsfc_rows(data_dir)?;
        Ok(Self::from_rows(&nsfc, data_dir))
    }

    /// From rows already read, plus the CSL files when present under `data_dir`.
    pub fn from_rows(nsfc: &[Row], data_dir: &Path) -> Vocabulary {
        let mut titles = Vec::new();
        let mut keywords = Vec::new();
        let mut org_ix: HashMap<String, usize> = HashMap::new();
        let mut orgs = Vec::new();
        let mut leaders: Vec<Vec<String>> = Vec::new();
        let mut project_orgs = Vec::new();
        for r in nsfc {
            titles.push(TitleSrc {
                title: r.title.clone(),
                field: r.field.clone(),
                keywords: r.keywords.clone(),
            });
            keywords.extend(r.keywords.iter().cloned());
            let ix = *org_ix.entry(r.org.clone()).or_insert_with(|| {
                orgs.push(r.org.clone());
                leaders.push(Vec::new());
                orgs.len() - 1
            });
            if !r.leader.is_empty() {
                leaders[ix].push(r.leader.clone());
            }
            project_orgs.push(ix);
        }
        let csl = data_dir.join("csl-benchmark/benchmark");
        for split in ["train", "dev", "test"] {
            for cols in csl_lines(&csl.join(format!("cls_ctg/{split}.tsv"))) {
                if cols.len() >= 3 && !cols[1].trim().is_empty() {
                    titles.push(TitleSrc {
                        title: cols[1].trim().to_string(),
                        field: cols[2].trim().to_string(),
                        keywords: Vec::new(),
                    });
                }
            }
        }
        let mut sentences = Vec::new();
        for split in ["dev", "test"] {
            for cols in csl_lines(&csl.join(format!("kg/{split}.tsv"))) {
                if cols.len() >= 3 {
                    keywords.extend(
                        cols[2]
                            .split('_')
                            .map(str::trim)
                            .filter(|k| !k.is_empty())
                            .map(str::to_string),
                    );
                    sentences.extend(
                        cols[1]
                            .split(['。', '；'])
                            .map(str::trim)
                            .filter(|s| s.chars().count() >= 12)
                            .map(|s| s.chars().take(120).collect::<String>()),
                    );
                }
            }
        }
        keywords.sort();
        keywords.dedup();
        Vocabulary {
            titles,
            keywords,
            project_orgs,
            orgs,
            leaders,
            sentences,
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "{} titles, {} keywords, {} institutions, {} abstract sentences",
            self.titles.len(),
            self.keywords.len(),
            self.orgs.len(),
            self.sentences.len()
        )
    }
}

/// Splits a title where a connector (的, 与, 和, 及, 对, 在) is nearest the middle, else at the
/// middle: the head and tail of two real titles make a plausible new one.
fn cut(title: &str) -> usize {
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    let n = chars.len();
    if n < 4 {
        return title.len();
    }
    let mid = n / 2;
    let mut best: Option<(usize, usize)> = None;
    for (i, &(_, c)) in chars.iter().enumerate().skip(2).take(n.saturating_sub(4)) {
        if matches!(c, '的' | '与' | '和' | '及' | '对' | '在') {
            let d = i.abs_diff(mid);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i + 1));
            }
        }
    }
    let at = best.map_or(mid, |(_, i)| i);
    chars.get(at).map_or(title.len(), |&(b, _)| b)
}

/// Generates achievement rows from the real vocabulary, deterministically for a seed.
pub struct Generator<'v> {
    vocab: &'v Vocabulary,
    rng: StdRng,
    seen: HashSet<(usize, String)>,
    cuts: Vec<usize>,
}

impl<'v> Generator<'v> {
    pub fn new(vocab: &'v Vocabulary, seed: u64) -> Self {
        let cuts = vocab.titles.iter().map(|t| cut(&t.title)).collect();
        Generator {
            vocab,
            rng: StdRng::seed_from_u64(seed),
            seen: HashSet::new(),
            cuts,
        }
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.rng.gen_range(0..v.len())]
    }

    /// The next record: head of one real title + tail of another (unique per institution),
    /// an institution drawn as often as it has real projects, one of its real leaders, real
    /// keywords (some from the tail's own title), the tail's field, half with a one-sentence
    /// summary from a real abstract.
    pub fn next_row(&mut self) -> Row {
        let v = self.vocab;
        let org_ix = *self.pick(&v.project_orgs);
        let (title, tail_ix) = loop {
            let a = self.rng.gen_range(0..v.titles.len());
            let b = self.rng.gen_range(0..v.titles.len());
            let head = &v.titles[a].title[..self.cuts[a]];
            let tail = &v.titles[b].title[self.cuts[b]..];
            let mut title = format!("{head}{tail}");
            if self.seen.contains(&(org_ix, title.clone())) {
                // Rare: the same pair again; vary it with a third title's tail.
                let c = self.rng.gen_range(0..v.titles.len());
                title.push('及');
                title.push_str(&v.titles[c].title[self.cuts[c]..]);
            }
            if self.seen.insert((org_ix, title.clone())) {
                break (title, b);
            }
        };
        let src = &v.titles[tail_ix];
        let mut keywords: Vec<String> = Vec::new();
        if !src.keywords.is_empty() {
            let k = self.rng.gen_range(1..=src.keywords.len().min(3));
            for _ in 0..k {
                let kw = self.pick(&src.keywords).clone();
                if !keywords.contains(&kw) {
                    keywords.push(kw);
                }
            }
        }
        if !v.keywords.is_empty() && self.rng.gen_bool(0.7) {
            for _ in 0..self.rng.gen_range(1..=3) {
                let kw = self.pick(&v.keywords).clone();
                if !keywords.contains(&kw) {
                    keywords.push(kw);
                }
            }
        }
        let leader = if v.leaders[org_ix].is_empty() {
            String::new()
        } else {
            self.pick(&v.leaders[org_ix]).clone()
        };
        let summary = if !v.sentences.is_empty() && self.rng.gen_bool(0.5) {
            format!("{}。", self.pick(&v.sentences))
        } else {
            String::new()
        };
        Row {
            title,
            org: v.orgs[org_ix].clone(),
            leader,
            keywords,
            field: src.field.clone(),
            year: Some(self.rng.gen_range(2010..=2024)),
            summary,
        }
    }

    /// Writes `n` rows as CSV files of at most `per_file` rows each; returns the paths.
    pub fn write_csv_parts(
        &mut self,
        n: usize,
        per_file: usize,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut paths = Vec::new();
        let mut left = n;
        while left > 0 {
            let take = left.min(per_file);
            let rows: Vec<Row> = (0..take).map(|_| self.next_row()).collect();
            let path = dir.join(format!("generated-{:03}.csv", paths.len()));
            write_csv(&rows, &path)?;
            paths.push(path);
            left -= take;
        }
        Ok(paths)
    }
}

/// The vocabulary of the shared data, or the built-in one when the data is absent (CI and
/// smoke runs elsewhere).
pub fn vocabulary_or_builtin(data_dir: &Path) -> Vocabulary {
    match Vocabulary::load(data_dir) {
        Ok(v) => v,
        Err(e) => {
            eprintln!(
                "[duijie-bench] shared data not found ({e:#}); using the built-in vocabulary"
            );
            builtin_vocabulary()
        }
    }
}

/// A small built-in vocabulary for when the shared data is absent (smoke runs elsewhere).
pub fn builtin_vocabulary() -> Vocabulary {
    let rows: Vec<Row> = [
        (
            "基于深度学习的水稻病害识别方法研究",
            "南京农业大学",
            "王强",
            "深度学习；水稻；病害识别",
        ),
        (
            "锂离子电池正极材料的界面调控与性能优化",
            "清华大学",
            "李明",
            "锂离子电池；正极材料",
        ),
        (
            "肿瘤微环境中巨噬细胞极化的分子机制",
            "复旦大学",
            "张华",
            "肿瘤微环境；巨噬细胞",
        ),
        (
            "工业机器人轨迹规划与振动抑制",
            "哈尔滨工业大学",
            "赵磊",
            "工业机器人；轨迹规划",
        ),
        (
            "城市群协同发展对区域创新的影响研究",
            "中国人民大学",
            "陈静",
            "",
        ),
        (
            "高强韧铝合金的微观组织与疲劳性能",
            "中南大学",
            "刘洋",
            "铝合金；疲劳",
        ),
        (
            "植物抗旱基因的鉴定及其调控网络",
            "中国农业大学",
            "杨帆",
            "抗旱；基因调控",
        ),
        (
            "数字金融对中小企业融资约束的缓解效应",
            "上海财经大学",
            "周敏",
            "",
        ),
    ]
    .into_iter()
    .map(|(t, o, l, k)| Row {
        title: t.to_string(),
        org: o.to_string(),
        leader: l.to_string(),
        keywords: k
            .split('；')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        field: String::new(),
        year: Some(2020),
        summary: String::new(),
    })
    .collect();
    Vocabulary::from_rows(&rows, Path::new("/nonexistent"))
}

/// Query texts drawn (fixed seed) from the real rows: match texts are title + keywords,
/// search texts one or two keywords, or the head of a title when it has none.
pub fn queries(rows: &[Row], n: usize, seed: u64) -> (Vec<String>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut matches = Vec::with_capacity(n);
    let mut searches = Vec::with_capacity(n);
    if rows.is_empty() {
        return (matches, searches);
    }
    for _ in 0..n {
        let r = &rows[rng.gen_range(0..rows.len())];
        matches.push(r.query_text());
        let s = &rows[rng.gen_range(0..rows.len())];
        let q = match s.keywords.len() {
            0 => s.title[..cut(&s.title)]
                .trim_end_matches(['的', '与', '和', '及', '对', '在'])
                .to_string(),
            1 => s.keywords[0].clone(),
            _ => format!("{} {}", s.keywords[0], s.keywords[1]),
        };
        searches.push(if q.is_empty() { s.title.clone() } else { q });
    }
    (matches, searches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_prefers_connectors_near_the_middle() {
        let t = "基于深度学习的水稻病害识别方法研究";
        let c = cut(t);
        assert_eq!(&t[..c], "基于深度学习的");
    }

    #[test]
    fn generator_is_deterministic_and_unique() {
        let v = builtin_vocabulary();
        let a: Vec<Row> = {
            let mut g = Generator::new(&v, 7);
            (0..200).map(|_| g.next_row()).collect()
        };
        let b: Vec<Row> = {
            let mut g = Generator::new(&v, 7);
            (0..200).map(|_| g.next_row()).collect()
        };
        assert_eq!(a, b);
        let keys: HashSet<(String, String)> =
            a.iter().map(|r| (r.org.clone(), r.title.clone())).collect();
        assert_eq!(keys.len(), a.len());
    }

    #[test]
    fn csv_quotes_commas() {
        let rows = vec![Row {
            title: "a,b".into(),
            org: "o\"x".into(),
            leader: String::new(),
            keywords: vec![],
            field: String::new(),
            year: None,
            summary: String::new(),
        }];
        let text = String::from_utf8(csv_bytes(&rows)).unwrap_or_default();
        assert!(text.ends_with("\"a,b\",\"o\"\"x\",,,,,\r\n"));
    }
}
