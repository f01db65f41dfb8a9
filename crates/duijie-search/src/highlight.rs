//! Highlighting without re-segmenting hits: query terms are found in a hit's text by direct
//! matching on the folded, lower-cased text (so `<em>` lands on the original characters, even
//! full-width ones). The body passage is chosen by tantivy's `SnippetGenerator`, fed by a
//! tokenizer that reports every character plus every query-term occurrence.

use crate::tokenizer::{BufferedTokenStream, Folded};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, Token, Tokenizer};

/// Characters of body text shown when a hit has no highlighted passage.
const SNIPPET_CHARS: usize = 120;
/// Length of a highlighted passage; tantivy measures it in bytes (about 3 per CJK character).
const SNIPPET_BYTES: usize = 360;
/// Bodies are scanned for a passage up to this many bytes.
const SNIPPET_SCAN_BYTES: usize = 32 * 1024;

/// The words of one search-box query, ready to highlight the title and body of each hit,
/// whichever copy of the record they are read from.
pub struct Highlighter {
    terms: Arc<Terms>,
    /// Chooses the body passage; `None` when the query has no words.
    passages: Option<SnippetGenerator>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("terms", &self.terms)
            .finish_non_exhaustive()
    }
}

impl Highlighter {
    /// `weights` rate each term for choosing a passage (rarer terms make a better one);
    /// `body` is the field the passages come from.
    pub(crate) fn new(terms: Terms, weights: BTreeMap<String, f32>, body: Field) -> Self {
        let terms = Arc::new(terms);
        let passages = (!terms.is_empty()).then(|| {
            let analyzer = TextAnalyzer::from(MatchTokenizer::new(terms.clone()));
            SnippetGenerator::new(weights, analyzer, body, SNIPPET_BYTES)
        });
        Highlighter { terms, passages }
    }

    /// The whole title, HTML-escaped, the query's words in `<em>`.
    pub fn title(&self, title: &str) -> String {
        highlight(title, &self.terms)
    }

    /// The best passage of the body, HTML-escaped, the query's words in `<em>`; the start of
    /// the body when no passage has any of them.
    pub fn snippet(&self, body: &str) -> String {
        let Some(generator) = &self.passages else {
            return escaped_prefix(body, SNIPPET_CHARS);
        };
        let mut scan_end = body.len().min(SNIPPET_SCAN_BYTES);
        while !body.is_char_boundary(scan_end) {
            scan_end -= 1;
        }
        let mut snippet = generator.snippet(&body[..scan_end]);
        if snippet.is_empty() {
            escaped_prefix(body, SNIPPET_CHARS)
        } else {
            snippet.set_snippet_prefix_postfix("<em>", "</em>");
            snippet.to_html()
        }
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

/// Appends `text` HTML-escaped (control characters dropped).
pub(crate) fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// The whole of `text`, escaped, with query terms wrapped in `<em>`.
fn highlight(text: &str, terms: &Terms) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for r in terms.ranges(text) {
        escape_html(&text[at..r.start], &mut out);
        out.push_str("<em>");
        escape_html(&text[r.clone()], &mut out);
        out.push_str("</em>");
        at = r.end;
    }
    escape_html(&text[at..], &mut out);
    out
}

/// The first `chars` characters of `text`, escaped, with an ellipsis when cut.
fn escaped_prefix(text: &str, chars: usize) -> String {
    let mut out = String::new();
    let end = text.char_indices().nth(chars).map(|(i, _)| i);
    escape_html(&text[..end.unwrap_or(text.len())], &mut out);
    if end.is_some() {
        out.push('…');
    }
    out
}

/// Tokenizer for `SnippetGenerator`: query-term occurrences and the letters and digits between
/// them. Tokens never overlap: the generator needs start and end offsets that only increase.
#[derive(Debug)]
struct MatchTokenizer {
    terms: Arc<Terms>,
    tokens: Vec<Token>,
}

impl MatchTokenizer {
    fn new(terms: Arc<Terms>) -> Self {
        MatchTokenizer {
            terms,
            tokens: Vec::new(),
        }
    }
}

impl Clone for MatchTokenizer {
    fn clone(&self) -> Self {
        MatchTokenizer::new(self.terms.clone())
    }
}

impl Tokenizer for MatchTokenizer {
    type TokenStream<'a> = BufferedTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedTokenStream<'a> {
        // Cells so both callbacks can append to the one buffer.
        let tokens = std::cell::RefCell::new(std::mem::take(&mut self.tokens));
        let len = std::cell::Cell::new(0usize);
        let push = |word: &str, r: Range<usize>| {
            let mut tokens = tokens.borrow_mut();
            let i = len.get();
            if i == tokens.len() {
                tokens.push(Token::default());
            }
            let token = &mut tokens[i];
            token.text.clear();
            token.text.push_str(word);
            token.offset_from = r.start;
            token.offset_to = r.end;
            token.position = i;
            len.set(i + 1);
        };
        let mut buf = [0u8; 4];
        self.terms.scan(
            text,
            true,
            |term, r| push(term, r),
            |c, r| push(c.encode_utf8(&mut buf), r),
        );
        self.tokens = tokens.into_inner();
        BufferedTokenStream::new(&mut self.tokens[..len.get()])
    }
}
