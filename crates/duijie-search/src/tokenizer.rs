//! Chinese analysis: one shared jieba dictionary (default words plus duijie's user dictionary),
//! the tantivy tokenizer registered as `"jieba"`, and the query-side [`analyze`].
//!
//! Normal form of a token: full-width folded to half-width, ASCII lower-cased; tokens without a
//! letter or digit (punctuation, whitespace, symbols) are dropped.
//!
//! Search mode: every jieba word is indexed, and so are the parts of a word longer than two
//! characters: each two-character window of an all-CJK word and each longer dictionary word
//! inside it. `耐盐性` is indexed as `耐盐性`, `耐盐`, `盐性`, so a query for `耐盐` finds it.
//!
//! Positions count the letters and digits kept before a token's start, so a part shares the
//! position of the text it covers; phrase queries then match whether the text was cut into
//! one long word or several short ones, and punctuation or spaces between words do not count.
//! Offsets are byte offsets into the original (unfolded) text. A word and its parts overlap, so
//! tantivy's `SnippetGenerator` (which needs increasing token ends) must not run this
//! tokenizer: highlighting goes through `crate::highlight`.

use jieba_rs::Jieba;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which [`JiebaTokenizer`] is registered with tantivy.
pub const TOKENIZER_NAME: &str = "jieba";

/// Name under which [`BigramTokenizer`] is registered with tantivy.
pub const BIGRAM_TOKENIZER_NAME: &str = "han_bigram";

/// Marks a query term of the bigram fields (`~正极`) in weighted retrieval: bigrams and words
/// live in different fields, and the mark keeps them apart in one term list.
pub const GRAM_MARK: char = '~';

/// Is `term` a marked character bigram ([`GRAM_MARK`]) rather than a word?
pub fn is_gram(term: &str) -> bool {
    term.starts_with(GRAM_MARK)
}

/// The user dictionary (`data/dict/terms.txt`, `word freq tag` per line), built by
/// `scripts/build_dict.py` from THUOCL and CSL keywords; compiled in so the binary works from any
/// directory.
pub const USER_DICT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/dict/terms.txt"
));

/// The process-wide dictionary: jieba's default words plus [`USER_DICT`], built once.
pub fn shared_jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| Arc::new(jieba_with_user_dict()))
        .clone()
}

/// jieba's default dictionary alone, to measure what the user dictionary brings.
pub fn jieba_without_user_dict() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| Arc::new(Jieba::new())).clone()
}

fn jieba_with_user_dict() -> Jieba {
    let mut jieba = Jieba::new();
    // Words jieba already knows keep jieba's frequency: the user dictionary only adds terms,
    // it never re-weights common words.
    let mut added = 0usize;
    for line in USER_DICT.lines() {
        let mut parts = line.split_whitespace();
        let (Some(word), Some(freq)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(freq) = freq.parse::<usize>() else {
            continue;
        };
        if !jieba.has_word(word) {
            jieba.add_word(word, Some(freq), parts.next());
            added += 1;
        }
    }
    tracing::debug!(added, "user dictionary loaded");
    jieba
}

/// Where a token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A word as jieba cut it.
    Word,
    /// A shorter word or two-character window inside a longer word.
    Part,
    /// Query side only: two adjacent single-character words joined (`耐`,`盐` → `耐盐`), so a
    /// query jieba cuts into characters still finds the word inside longer indexed words.
    Joined,
}

/// One analysed token of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryToken {
    pub text: String,
    pub kind: TokenKind,
    /// Letters and digits before the token's start (see the module docs on positions).
    pub position: usize,
}

/// Text with full-width characters folded, and the way back to the original byte offsets.
pub(crate) struct Folded<'a> {
    pub(crate) text: Cow<'a, str>,
    /// Original byte offset of each folded byte (plus the end); empty when nothing was folded.
    origin: Vec<u32>,
}

impl Folded<'_> {
    pub(crate) fn new(text: &str) -> Folded<'_> {
        let needs_fold = |c: char| matches!(c, '\u{3000}' | '\u{FF01}'..='\u{FF5E}');
        if !text.contains(needs_fold) {
            return Folded {
                text: Cow::Borrowed(text),
                origin: Vec::new(),
            };
        }
        let mut folded = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            let f = duijie_core::text::fold_char(c);
            folded.push(f);
            origin.extend(std::iter::repeat_n(at as u32, f.len_utf8()));
        }
        origin.push(text.len() as u32);
        Folded {
            text: Cow::Owned(folded),
            origin,
        }
    }

    pub(crate) fn original_offset(&self, folded: usize) -> usize {
        if self.origin.is_empty() {
            folded
        } else {
            self.origin[folded] as usize
        }
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn has_alphanumeric(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// Longer "words" (hashes, base64, runs of one letter) are not indexed: nobody searches for
/// them, and they would cost quadratic part lookups.
const MAX_WORD_BYTES: usize = 96;

/// A token as the analysis walk reports it; `text` is a slice of the folded text.
struct Piece<'t> {
    text: &'t str,
    kind: TokenKind,
    /// Byte range in the folded text.
    from: usize,
    to: usize,
    position: usize,
}

/// Cuts `folded` and reports each kept token, ordered by start offset, a word before its parts.
fn walk<'t>(jieba: &Jieba, folded: &'t str, mut emit: impl FnMut(Piece<'t>)) {
    let base = folded.as_ptr() as usize;
    let mut position = 0usize;
    // Char boundaries of the current word, reused across words.
    let mut bounds: Vec<usize> = Vec::with_capacity(16);
    for word in jieba.cut(folded, true) {
        if !has_alphanumeric(word) {
            continue;
        }
        let from = word.as_ptr() as usize - base;
        if word.len() > MAX_WORD_BYTES {
            position += word.chars().count();
            continue;
        }
        bounds.clear();
        bounds.extend(word.char_indices().map(|(i, _)| i));
        let n = bounds.len();
        bounds.push(word.len());
        emit(Piece {
            text: word,
            kind: TokenKind::Word,
            from,
            to: from + word.len(),
            position,
        });
        if n > 2 {
            let windows = word.chars().all(is_cjk);
            for start in 0..n - 1 {
                // Longest first, so offsets never go backwards within one start.
                for len in (2..=(n - start).min(n - 1)).rev() {
                    let part = &word[bounds[start]..bounds[start + len]];
                    if (len == 2 && windows) || jieba.has_word(part) {
                        emit(Piece {
                            text: part,
                            kind: TokenKind::Part,
                            from: from + bounds[start],
                            to: from + bounds[start + len],
                            position: position + start,
                        });
                    }
                }
            }
        }
        position += n;
    }
}

/// The tantivy tokenizer: jieba search mode over folded text. Cheap to clone (the dictionary is
/// shared); each clone keeps its own token buffer, reused between texts.
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
    tokens: Vec<Token>,
}

impl JiebaTokenizer {
    pub fn new(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer {
            jieba,
            tokens: Vec::new(),
        }
    }
}

impl Clone for JiebaTokenizer {
    fn clone(&self) -> Self {
        JiebaTokenizer::new(self.jieba.clone())
    }
}

impl std::fmt::Debug for JiebaTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiebaTokenizer").finish_non_exhaustive()
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = BufferedTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedTokenStream<'a> {
        let folded = Folded::new(text);
        let tokens = &mut self.tokens;
        let mut len = 0usize;
        walk(&self.jieba, &folded.text, |piece| {
            if len == tokens.len() {
                tokens.push(Token::default());
            }
            let token = &mut tokens[len];
            token.text.clear();
            token.text.push_str(piece.text);
            token.text.make_ascii_lowercase();
            token.offset_from = folded.original_offset(piece.from);
            token.offset_to = folded.original_offset(piece.to);
            token.position = piece.position;
            token.position_length = 1;
            len += 1;
        });
        BufferedTokenStream::new(&mut self.tokens[..len])
    }
}

/// Token stream over tokens computed up front for one text.
pub struct BufferedTokenStream<'a> {
    tokens: &'a mut [Token],
    /// Index of the token after the current one.
    next: usize,
}

impl<'a> BufferedTokenStream<'a> {
    pub(crate) fn new(tokens: &'a mut [Token]) -> Self {
        BufferedTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for BufferedTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next.saturating_sub(1)]
    }
}

/// Calls `emit(from, to)` with the byte range of each overlapping pair of adjacent Han
/// characters. Han characters are unchanged by width folding and case, so no normalisation is
/// needed; anything else (letters, digits, punctuation, spaces) ends a run.
fn for_each_bigram(text: &str, mut emit: impl FnMut(usize, usize)) {
    let mut prev: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(from) = prev {
                emit(from, at + c.len_utf8());
            }
            prev = Some(at);
        } else {
            prev = None;
        }
    }
}

/// The overlapping Han-character bigrams of `text`, in order (`正极材料` → `正极`, `极材`,
/// `材料`): the tokens of the bigram fields, unmarked.
pub fn han_bigrams(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for_each_bigram(text, |from, to| out.push(&text[from..to]));
    out
}

/// The tantivy tokenizer of the bigram fields: [`han_bigrams`]. They catch technical terms
/// that jieba cuts differently in a document and in a query (unknown words, new compounds).
#[derive(Debug, Clone, Default)]
pub struct BigramTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BufferedTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedTokenStream<'a> {
        let tokens = &mut self.tokens;
        let mut len = 0usize;
        for_each_bigram(text, |from, to| {
            if len == tokens.len() {
                tokens.push(Token::default());
            }
            let token = &mut tokens[len];
            token.text.clear();
            token.text.push_str(&text[from..to]);
            token.offset_from = from;
            token.offset_to = to;
            token.position = len;
            token.position_length = 1;
            len += 1;
        });
        BufferedTokenStream::new(&mut self.tokens[..len])
    }
}

/// Query-side analysis with the shared dictionary: the index's tokens for `text`, plus joined
/// single-character pairs, in text order (repeats kept: a word said twice counts twice).
pub fn analyze(text: &str) -> Vec<String> {
    analyze_with(&shared_jieba(), text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

/// [`analyze`] with the kind of every token and a given dictionary.
pub fn analyze_with(jieba: &Jieba, text: &str) -> Vec<QueryToken> {
    let folded = Folded::new(text);
    let mut out: Vec<QueryToken> = Vec::new();
    // The previous word when it was a single CJK character right before this one.
    let mut prev_single: Option<(&str, usize)> = None;
    walk(jieba, &folded.text, |piece| {
        let mut joined = None;
        if piece.kind == TokenKind::Word {
            let single = piece.text.chars().count() == 1 && piece.text.chars().all(is_cjk);
            if let (true, Some((prev, prev_to))) = (single, prev_single) {
                if prev_to == piece.from {
                    joined = Some(QueryToken {
                        text: format!("{prev}{}", piece.text),
                        kind: TokenKind::Joined,
                        position: piece.position - 1,
                    });
                }
            }
            prev_single = single.then_some((piece.text, piece.to));
        }
        out.push(QueryToken {
            text: piece.text.to_ascii_lowercase(),
            kind: piece.kind,
            position: piece.position,
        });
        out.extend(joined);
    });
    out
}
