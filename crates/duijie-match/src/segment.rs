//! Chinese segmentation on the matching side: jieba over width-folded, lower-cased text with
//! punctuation dropped. Index-side tokens are jieba's search mode (a compound and its dictionary
//! sub-words); query-side words keep the compound and its sub-words apart so that the query
//! builder can weight them differently.

use jieba_rs::Jieba;
use std::sync::{Arc, OnceLock};

/// A word of the query and the shorter dictionary words inside it
/// (`正极材料` → `正极`, `材料`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub parts: Vec<String>,
}

/// Segments text with one shared jieba dictionary.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").finish_non_exhaustive()
    }
}

fn default_jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| Arc::new(Jieba::new())).clone()
}

/// Width folding and ASCII lower-casing, the normal form of every token.
pub fn normalize(text: &str) -> String {
    duijie_core::text::fold_width(text).to_lowercase()
}

fn is_token(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

impl Default for Segmenter {
    /// The process-wide jieba with its default dictionary, loaded once.
    fn default() -> Self {
        Segmenter {
            jieba: default_jieba(),
        }
    }
}

impl Segmenter {
    /// Uses the given dictionary (for example the search index's, with its user words).
    pub fn new(jieba: Arc<Jieba>) -> Self {
        Segmenter { jieba }
    }

    /// Index-side tokens: every compound and its dictionary sub-words, in text order.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let norm = normalize(text);
        self.jieba
            .cut_for_search(&norm, true)
            .into_iter()
            .filter(|t| is_token(t))
            .map(str::to_string)
            .collect()
    }

    /// Query-side words: precise-mode words, each with the dictionary sub-words search mode
    /// would also index for it.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let norm = normalize(text);
        self.jieba
            .cut(&norm, true)
            .into_iter()
            .filter(|w| is_token(w))
            .map(|w| {
                let parts = if w.chars().count() > 2 {
                    let mut parts: Vec<String> = Vec::new();
                    for p in self.jieba.cut_for_search(w, true) {
                        if p != w && is_token(p) && !parts.iter().any(|q| q == p) {
                            parts.push(p.to_string());
                        }
                    }
                    parts
                } else {
                    Vec::new()
                };
                Word {
                    text: w.to_string(),
                    parts,
                }
            })
            .collect()
    }

    /// Overlapping character bigrams of each run of Han characters, marked with a leading
    /// [`GRAM_MARK`] so they never collide with words: they match technical terms that the
    /// dictionary segments differently on the two sides.
    pub fn bigrams(&self, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        for c in norm.chars() {
            if is_han(c) {
                if let Some(p) = prev {
                    out.push(format!("{GRAM_MARK}{p}{c}"));
                }
                prev = Some(c);
            } else {
                prev = None;
            }
        }
        out
    }
}

/// Marks bigram terms (`~正极`).
pub const GRAM_MARK: char = '~';

/// Is `term` a character bigram rather than a word?
pub fn is_gram(term: &str) -> bool {
    term.starts_with(GRAM_MARK)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}
