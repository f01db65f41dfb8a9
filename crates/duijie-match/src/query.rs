//! From a demand to a weighted query. Terms are weighted by where they occur (title and
//! keywords above description), whether they are a whole word or a sub-word of a longer
//! compound, and how informative they are in the index; demand boilerplate is removed by a
//! documented stop list ([`STOP_TERMS`]) and by a document-frequency ceiling.

use crate::retrieve::Retriever;
use crate::segment::{Segmenter, Word};
use duijie_core::validate::MAX_TEXT_CHARS;
use duijie_core::{Cancel, EntityKind, Field};
use duijie_search::{WeightedTerm, GRAM_MARK};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Words that say nothing about the technology in a demand or a research title: the
/// boilerplate of demand forms (我公司希望合作解决……问题), generic research verbs and function
/// words. Terms the index finds in too many documents of a kind are left out of that kind's
/// retrieval as well ([`QueryConfig::max_df_ratio`]), so this list only needs the words that
/// are frequent in demands but not necessarily in the index.
pub const STOP_TERMS: &[&str] = &[
    // demand-form boilerplate
    "我公司",
    "本公司",
    "公司",
    "我单位",
    "本单位",
    "单位",
    "我们",
    "企业",
    "希望",
    "寻求",
    "寻找",
    "合作",
    "需求",
    "需要",
    "要求",
    "解决",
    "问题",
    "难题",
    "技术",
    "研发",
    "研究",
    "开发",
    "应用",
    "方法",
    "关键",
    "提高",
    "提升",
    "改善",
    "降低",
    "实现",
    "进行",
    "开展",
    "通过",
    "目前",
    "现有",
    "存在",
    "主要",
    "相关",
    "项目",
    "课题",
    "产品",
    "方面",
    "能够",
    "具有",
    "利用",
    "采用",
    "基于",
    "及其",
    "以及",
    "一种",
    "一个",
    "若干",
    "新型",
    "高效",
    "预期",
    "目标",
    "指标",
    "达到",
    "关键词",
    "关键字",
    "领域",
    "行业",
    "水平",
    // function words and single characters that carry no topic
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "并",
    "在",
    "对",
    "中",
    "等",
    "是",
    "为",
    "其",
    "于",
    "以",
    "将",
    "可",
    "能",
    "有",
    "由",
    "从",
    "向",
    "把",
    "被",
    "之",
    "下",
    "上",
    "后",
    "前",
    "个",
    "种",
    "用",
    "该",
    "此",
    "这",
    "那",
    "也",
    "而",
    "又",
    "但",
];

/// How the query is weighted; every number is a documented, tunable knob.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueryConfig {
    /// Weight of terms in the title (and the first sentence of plain text).
    pub title_weight: f32,
    /// Weight of terms in an explicit keyword list (`关键词：…`).
    pub keyword_weight: f32,
    /// Weight of terms in description and goals.
    pub body_weight: f32,
    /// Sub-words of a longer compound, relative to the compound (`正极` in `正极材料`).
    pub part_weight: f32,
    /// Single-character terms, relative to longer ones.
    pub single_char_weight: f32,
    /// Terms in more than this share of one kind's documents are boilerplate for that kind and
    /// left out of its retrieval.
    pub max_df_ratio: f32,
    /// Extra weight per repetition, on a log scale.
    pub repeat_bonus: f32,
    /// Weight of character bigrams (`~正极`), relative to the words they come from
    /// (0 = words only; an index without bigrams ignores them).
    pub bigram_weight: f32,
    /// At most this many terms, the heaviest kept.
    pub max_terms: usize,
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig {
            title_weight: 1.0,
            keyword_weight: 1.0,
            body_weight: 0.6,
            part_weight: 0.25,
            single_char_weight: 0.5,
            max_df_ratio: 0.2,
            repeat_bonus: 0.3,
            bigram_weight: 0.4,
            max_terms: 64,
        }
    }
}

/// 技术需求 as matching sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub field: Option<Field>,
    #[serde(default)]
    pub region: Option<String>,
}

/// Characters of each of title, description and goals that matching reads: the API's limit
/// on a description. Text beyond it (an imported file predating the limit, a caller of the
/// library) would only cost segmentation time; the query keeps at most
/// [`QueryConfig::max_terms`] terms anyway.
pub const MAX_INPUT_CHARS: usize = MAX_TEXT_CHARS;

/// The first `max` characters of `text`.
fn prefix(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

impl MatchInput {
    /// Title, description and goals as matching reads them, each cut at [`MAX_INPUT_CHARS`].
    pub(crate) fn texts(&self) -> [&str; 3] {
        [&self.title, &self.description, &self.goals].map(|t| prefix(t, MAX_INPUT_CHARS))
    }

    /// The text a sentence encoder reads: title, description and goals joined.
    pub fn semantic_text(&self) -> String {
        self.texts()
            .into_iter()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("。")
    }

    /// Plain demand text: the first sentence (or line) counts as the title, the rest as the
    /// description.
    pub fn from_text(text: &str) -> Self {
        let text = text.trim();
        let cut = text
            .char_indices()
            .find(|(_, c)| matches!(c, '。' | '！' | '？' | '\n' | '!' | '?'))
            .map(|(i, c)| (i, i + c.len_utf8()));
        let (title, description) = match cut {
            Some((end, rest)) if text[..end].chars().count() <= 80 => (
                text[..end].trim().to_string(),
                text[rest..].trim().to_string(),
            ),
            _ => (String::new(), text.to_string()),
        };
        MatchInput {
            title,
            description,
            ..MatchInput::default()
        }
    }
}

/// Splits `关键词：a；b` (or `关键字:`) out of a text: the text before the marker and the
/// keyword list up to the end of its sentence.
fn split_keywords(text: &str) -> (String, Vec<String>, String) {
    for marker in ["关键词", "关键字"] {
        if let Some(pos) = text.find(marker) {
            let after = text[pos + marker.len()..].trim_start_matches([':', '：', ' ']);
            let end = after
                .char_indices()
                .find(|(_, c)| matches!(c, '。' | '\n'))
                .map_or(after.len(), |(i, _)| i);
            let keywords = duijie_core::text::split_keywords(&after[..end]);
            let rest = format!("{} {}", &text[..pos], &after[end..]);
            return (text[..pos].to_string(), keywords, rest);
        }
    }
    (text.to_string(), Vec::new(), String::new())
}

/// A demand turned into weighted terms, heaviest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightedQuery {
    pub terms: Vec<WeightedTerm>,
}

impl WeightedQuery {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Is `term` on the stop list?
pub fn is_stop_term(term: &str) -> bool {
    STOP_TERMS.contains(&term)
}

/// A compound made only of boilerplate (关键技术 = 关键 + 技术) is boilerplate.
pub fn is_boilerplate_compound(word: &Word) -> bool {
    !word.parts.is_empty()
        && word.parts.iter().all(|p| is_stop_term(p))
        && word.parts.iter().map(|p| p.chars().count()).sum::<usize>() >= word.text.chars().count()
}

/// The distinct words of `text` that say something about its topic: at least two
/// characters, not a number, neither a stop term nor a compound of stop terms. Used to find
/// what demands are about (trends, committee sub-topics), in order of first appearance.
pub fn topic_words(seg: &Segmenter, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in seg.words(text) {
        let informative = word.text.chars().count() >= 2
            && !word.text.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !is_stop_term(&word.text)
            && !is_boilerplate_compound(&word);
        if informative && !out.contains(&word.text) {
            out.push(word.text);
        }
    }
    out
}

struct Accumulator {
    max_weight: HashMap<String, f32>,
    count: HashMap<String, u32>,
    order: Vec<String>,
}

impl Accumulator {
    fn add(&mut self, term: &str, weight: f32) {
        if !self.max_weight.contains_key(term) {
            self.order.push(term.to_string());
        }
        let w = self.max_weight.entry(term.to_string()).or_insert(0.0);
        *w = w.max(weight);
        *self.count.entry(term.to_string()).or_insert(0) += 1;
    }

    fn add_text(&mut self, seg: &Segmenter, cfg: &QueryConfig, text: &str, weight: f32) {
        for word in seg.words(text) {
            if is_boilerplate_compound(&word) {
                continue;
            }
            self.add_word(cfg, &word.text, weight);
            for part in &word.parts {
                self.add_word(cfg, part, weight * cfg.part_weight);
            }
        }
        if cfg.bigram_weight > 0.0 {
            // Pairs across word boundaries are kept (they carry what segmentation split); a
            // pair that is itself a stop word is not.
            for gram in seg.bigrams(text) {
                if !is_stop_term(gram.trim_start_matches(GRAM_MARK)) {
                    self.add(&gram, weight * cfg.bigram_weight);
                }
            }
        }
    }

    fn add_word(&mut self, cfg: &QueryConfig, term: &str, weight: f32) {
        if is_stop_term(term) {
            return;
        }
        let w = if term.chars().count() == 1 {
            weight * cfg.single_char_weight
        } else {
            weight
        };
        self.add(term, w);
    }
}

/// Builds the weighted query for a demand; a term in no document of `kinds` is dropped (IDF
/// and the boilerplate ceiling are applied per kind at retrieval). Once `cancel` is set the
/// index is asked about no further term and the query is left partial: the caller's next
/// check of `cancel` reports the stop.
pub fn build_query(
    input: &MatchInput,
    seg: &Segmenter,
    index: &dyn Retriever,
    kinds: &[EntityKind],
    cfg: &QueryConfig,
    cancel: &Cancel,
) -> WeightedQuery {
    let mut acc = Accumulator {
        max_weight: HashMap::new(),
        count: HashMap::new(),
        order: Vec::new(),
    };
    let [title, description, goals] = input.texts();
    let (title, title_kw, title_rest) = split_keywords(title);
    let body = format!("{description}\n{goals}");
    let (body, body_kw, body_rest) = split_keywords(&body);
    acc.add_text(seg, cfg, &title, cfg.title_weight);
    for kw in title_kw.iter().chain(&body_kw) {
        acc.add_text(seg, cfg, kw, cfg.keyword_weight);
    }
    acc.add_text(seg, cfg, &title_rest, cfg.body_weight);
    acc.add_text(seg, cfg, &body, cfg.body_weight);
    acc.add_text(seg, cfg, &body_rest, cfg.body_weight);

    let mut terms: Vec<WeightedTerm> = Vec::new();
    for term in acc.order {
        if cancel.is_cancelled() {
            break;
        }
        if kinds.iter().all(|k| index.doc_freq(*k, &term) == 0) {
            continue;
        }
        let count = acc.count[&term] as f32;
        let weight = acc.max_weight[&term] * (1.0 + cfg.repeat_bonus * count.ln());
        if weight > 0.0 {
            terms.push(WeightedTerm { term, weight });
        }
    }
    terms.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    terms.truncate(cfg.max_terms);
    WeightedQuery { terms }
}
