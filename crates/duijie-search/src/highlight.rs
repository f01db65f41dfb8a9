//! Highlighting without re-segmenting hits: query terms are found in a hit's text by direct
//! matching on the folded, lower-cased text (so `<em>` lands on the original characters, even
//! full-width ones). The body passage is chosen the way tantivy's `SnippetGenerator` chooses
//! one: the text is cut into consecutive passages of at most [`SNIPPET_BYTES`], each scored by
//! the weights of the query terms in it, and the best (the first of equals) is shown; it is
//! computed in one pass over the text without a token per character.

use crate::tokenizer::Folded;
use duijie_core::text::push_escaped_html;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// Characters of body text shown when a hit has no highlighted passage.
const SNIPPET_CHARS: usize = 120;
/// Length of a highlighted passage in bytes (about 3 per CJK character).
const SNIPPET_BYTES: usize = 360;
/// Bodies are scanned for a passage up to this many bytes.
const SNIPPET_SCAN_BYTES: usize = 32 * 1024;

/// The words of one search-box query, ready to highlight the title and body of each hit,
/// whichever copy of the record they are read from.
pub struct Highlighter {
    terms: Terms,
    /// How much each term makes a passage worth (rarer terms make a better one).
    weights: BTreeMap<String, f32>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("terms", &self.terms)
            .finish_non_exhaustive()
    }
}

/// A passage being scored: `start..stop` of the text, the terms' weights in it and where.
#[derive(Default)]
struct Passage {
    start: usize,
    stop: usize,
    score: f32,
    terms: Vec<Range<usize>>,
}

impl Highlighter {
    /// `weights` rate each term for choosing a passage (rarer terms make a better one).
    pub(crate) fn new(terms: Terms, weights: BTreeMap<String, f32>) -> Self {
        Highlighter { terms, weights }
    }

    /// The whole title, HTML-escaped, the query's words in `<em>`.
    pub fn title(&self, title: &str) -> String {
        highlight(title, &self.terms)
    }

    /// The best passage of the body, HTML-escaped, the query's words in `<em>`; the start of
    /// the body when no passage has any of them.
    pub fn snippet(&self, body: &str) -> String {
        let mut scan_end = body.len().min(SNIPPET_SCAN_BYTES);
        while !body.is_char_boundary(scan_end) {
            scan_end -= 1;
        }
        match self.best_passage(&body[..scan_end]) {
            Some(p) => {
                let mut out = String::with_capacity(p.stop - p.start + 32);
                let mut at = p.start;
                for r in &p.terms {
                    push_escaped_html(&body[at..r.start], &mut out);
                    out.push_str("<em>");
                    push_escaped_html(&body[r.clone()], &mut out);
                    out.push_str("</em>");
                    at = r.end;
                }
                push_escaped_html(&body[at..p.stop], &mut out);
                out
            }
            None => escaped_prefix(body, SNIPPET_CHARS),
        }
    }

    /// Cuts `text` into consecutive passages: a passage starts at a letter, digit or term
    /// and takes the following ones while it stays within [`SNIPPET_BYTES`]. Returns the one
    /// whose terms weigh most (the first of equals), `None` when no passage has a term.
    fn best_passage(&self, text: &str) -> Option<Passage> {
        if self.terms.is_empty() {
            return None;
        }
        // Both callbacks of the scan feed the one picker.
        let picker = std::cell::RefCell::new(Picker {
            weights: &self.weights,
            best: None,
            current: Passage::default(),
        });
        self.terms.scan(
            text,
            true,
            |term, r| picker.borrow_mut().add(Some(term), r),
            |_, r| picker.borrow_mut().add(None, r),
        );
        picker.into_inner().finish()
    }
}

/// The passage choice in progress.
struct Picker<'w> {
    weights: &'w BTreeMap<String, f32>,
    best: Option<Passage>,
    current: Passage,
}

impl Picker<'_> {
    /// The next letter, digit (`term` `None`) or query term of the text, at `r`.
    fn add(&mut self, term: Option<&str>, r: Range<usize>) {
        if r.end - self.current.start > SNIPPET_BYTES {
            let next = Passage {
                start: r.start,
                stop: r.start,
                ..Passage::default()
            };
            let done = std::mem::replace(&mut self.current, next);
            self.keep(done);
        }
        self.current.stop = r.end;
        if let Some(w) = term.and_then(|t| self.weights.get(t)) {
            self.current.score += w;
            self.current.terms.push(r);
        }
    }

    fn keep(&mut self, done: Passage) {
        if done.score > 0.0 && self.best.as_ref().is_none_or(|b| done.score > b.score) {
            self.best = Some(done);
        }
    }

    fn finish(mut self) -> Option<Passage> {
        let last = std::mem::take(&mut self.current);
        self.keep(last);
        self.best
    }
}

/// Query terms by first character, longest first.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    by_first: HashMap<char, Vec<String>>,
}

impl Terms {
    pub(crate) fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_first: HashMap<char, Vec<String>> = HashMap::new();
        for t in terms {
            if let Some(c) = t.chars().next() {
                let list = by_first.entry(c).or_default();
                if !list.iter().any(|x| x == t) {
                    list.push(t.to_string());
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|t| std::cmp::Reverse(t.len()));
        }
        Terms { by_first }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// Calls `found(term, original byte range)` for each occurrence of a query term and
    /// `other(char, range)` for each other letter or digit, in text order. With `greedy`, a
    /// match hides the matches and characters it covers (leftmost, longest first), so ranges
    /// never overlap and both their starts and ends increase.
    fn scan(
        &self,
        text: &str,
        greedy: bool,
        mut found: impl FnMut(&str, Range<usize>),
        mut other: impl FnMut(char, Range<usize>),
    ) {
        let folded = Folded::new(text);
        let lower = folded.text.to_ascii_lowercase();
        let original =
            |r: Range<usize>| folded.original_offset(r.start)..folded.original_offset(r.end);
        let mut covered_until = 0;
        for (at, c) in lower.char_indices() {
            if at < covered_until {
                continue;
            }
            let mut hit_single = false;
            if let Some(candidates) = self.by_first.get(&c) {
                for term in candidates {
                    if lower[at..].starts_with(term.as_str()) {
                        hit_single |= term.len() == c.len_utf8();
                        found(term, original(at..at + term.len()));
                        if greedy {
                            covered_until = at + term.len();
                            break;
                        }
                    }
                }
            }
            if at >= covered_until && !hit_single && c.is_alphanumeric() {
                other(c, original(at..at + c.len_utf8()));
            }
        }
    }

    /// Byte ranges of `text` covered by query terms, merged and sorted.
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        self.scan(text, false, |_, r| ranges.push(r), |_, _| {});
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// The whole of `text`, escaped, with query terms wrapped in `<em>`.
fn highlight(text: &str, terms: &Terms) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for r in terms.ranges(text) {
        push_escaped_html(&text[at..r.start], &mut out);
        out.push_str("<em>");
        push_escaped_html(&text[r.clone()], &mut out);
        out.push_str("</em>");
        at = r.end;
    }
    push_escaped_html(&text[at..], &mut out);
    out
}

/// The first `chars` characters of `text`, escaped, with an ellipsis when cut.
fn escaped_prefix(text: &str, chars: usize) -> String {
    let mut out = String::new();
    let end = text.char_indices().nth(chars).map(|(i, _)| i);
    push_escaped_html(&text[..end.unwrap_or(text.len())], &mut out);
    if end.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(terms: &[(&str, f32)]) -> Highlighter {
        Highlighter::new(
            Terms::new(terms.iter().map(|t| t.0)),
            terms.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
        )
    }

    #[test]
    fn the_passage_with_the_heaviest_terms_is_shown() {
        // 150 filler characters (450 bytes) push the second passage past the first's end.
        let filler = "甲".repeat(150);
        let body = format!("盐碱{filler}盐碱地改良与耐盐菌剂");
        let h = highlighter(&[("盐碱", 0.1), ("耐盐", 0.5)]);
        let s = h.snippet(&body);
        assert!(s.contains("<em>耐盐</em>"), "{s}");
        assert!(s.starts_with("甲") && s.len() <= SNIPPET_BYTES + 40, "{s}");
        // Of equal passages the first is shown.
        let body = format!("耐盐{filler}耐盐");
        let s = h.snippet(&body);
        assert!(s.starts_with("<em>耐盐</em>甲"), "{s}");
        assert!(!s.ends_with("<em>耐盐</em>"), "{s}");
    }

    #[test]
    fn snippets_are_escaped_and_without_terms_start_the_body() {
        let h = highlighter(&[("耐盐", 1.0)]);
        assert_eq!(h.snippet("<b>水稻</b>"), "&lt;b&gt;水稻&lt;/b&gt;");
        let long = "乙".repeat(200);
        assert_eq!(h.snippet(&long), format!("{}…", "乙".repeat(120)));
        assert_eq!(
            h.snippet("Ａ&ＢＣ耐盐"),
            "Ａ&amp;ＢＣ<em>耐盐</em>",
            "full-width text keeps its characters, markup characters are escaped"
        );
    }
}
