//! Chinese segmentation on the query side: jieba (the index's dictionary, with duijie's user
//! words) over width-folded, lower-cased text with punctuation dropped. Query words keep a
//! compound and its dictionary sub-words apart so that the query builder can weight them
//! differently; the index has both (search mode), and the bigrams are the bigram field's.

use duijie_search::{han_bigrams, Jieba, GRAM_MARK};
use std::sync::Arc;

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

/// Width folding and ASCII lower-casing, the normal form of every token.
pub fn normalize(text: &str) -> String {
    duijie_core::text::fold_width(text).to_lowercase()
}

fn is_token(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

impl Segmenter {
    /// Uses the given dictionary (for example the search index's, with its user words).
    pub fn new(jieba: Arc<Jieba>) -> Self {
        Segmenter { jieba }
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
        han_bigrams(text)
            .into_iter()
            .map(|g| format!("{GRAM_MARK}{g}"))
            .collect()
    }
}
