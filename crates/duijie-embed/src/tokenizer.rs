//! The XLM-R SentencePiece unigram tokenizer of multilingual-e5-small, from the vocabulary
//! stored in the model file (`e5.pieces`, `e5.scores`, the code-point normalisation table).
//!
//! Steps: each code point is replaced by its normalised form (NFKC-like table, e.g. full-width
//! `Ａ` → `A`); runs of spaces collapse to one; a word marker `▁` is put in front unless the text
//! starts with a space, and every space becomes `▁`; the most probable segmentation into
//! vocabulary pieces is found by Viterbi over character positions (a character no piece covers
//! becomes `<unk>` with a fixed low score).

use std::collections::HashMap;

use crate::Error;

const WORD_MARK: char = '\u{2581}';

/// Vocabulary and normalisation read from the model file.
pub struct Vocabulary {
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub unk: u32,
    pub unk_score: f32,
    /// Sorted code points with a replacement, their offsets into `norm_out` (len + 1).
    pub norm_cp: Vec<u32>,
    pub norm_off: Vec<u32>,
    pub norm_out: Vec<u32>,
}

pub struct Tokenizer {
    ids: HashMap<String, u32>,
    scores: Vec<f32>,
    unk: u32,
    unk_score: f32,
    max_piece_bytes: usize,
    norm: HashMap<char, Vec<char>>,
}

impl Tokenizer {
    pub fn new(v: Vocabulary) -> Result<Self, Error> {
        if v.pieces.len() != v.scores.len() || v.norm_off.len() != v.norm_cp.len() + 1 {
            return Err(Error::Format(
                "vocabulary arrays of different lengths".into(),
            ));
        }
        let mut norm = HashMap::with_capacity(v.norm_cp.len());
        for (i, &cp) in v.norm_cp.iter().enumerate() {
            let (a, b) = (v.norm_off[i] as usize, v.norm_off[i + 1] as usize);
            let out = v
                .norm_out
                .get(a..b)
                .ok_or_else(|| Error::Format("normalisation table out of range".into()))?;
            if let Some(c) = char::from_u32(cp) {
                norm.insert(c, out.iter().filter_map(|&o| char::from_u32(o)).collect());
            }
        }
        let max_piece_bytes = v.pieces.iter().map(String::len).max().unwrap_or(1);
        let ids = v
            .pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
            .map(|(i, p)| (p.clone(), i as u32))
            .collect();
        Ok(Self {
            ids,
            scores: v.scores,
            unk: v.unk,
            unk_score: v.unk_score,
            max_piece_bytes,
            norm,
        })
    }

    /// Normalised text with word markers, as the pieces spell it.
    fn normalise(&self, text: &str) -> String {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        for c in text.chars() {
            match self.norm.get(&c) {
                Some(rep) => chars.extend_from_slice(rep),
                None => chars.push(c),
            }
        }
        chars.dedup_by(|b, a| *a == ' ' && *b == ' ');
        let mut out = String::with_capacity(text.len() + 3);
        if chars.first() != Some(&' ') {
            out.push(WORD_MARK);
        }
        out.extend(chars.iter().map(|&c| if c == ' ' { WORD_MARK } else { c }));
        out
    }

    /// Content token ids (without `<s>` / `</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let s = self.normalise(text);
        // Byte offset of every character boundary.
        let bounds: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = bounds.len() - 1;
        const NONE: f32 = -1e30;
        let mut best = vec![NONE; n + 1];
        let mut piece = vec![self.unk; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            let start = bounds[i];
            for e in i + 1..=n {
                if bounds[e] - start > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.ids.get(&s[start..bounds[e]]) {
                    if id != self.unk {
                        let score = best[i] + self.scores[id as usize];
                        if score > best[e] {
                            best[e] = score;
                            piece[e] = id;
                            from[e] = i;
                        }
                    }
                }
            }
            let unk = best[i] + self.unk_score;
            if unk > best[i + 1] {
                best[i + 1] = unk;
                piece[i + 1] = self.unk;
                from[i + 1] = i;
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            ids.push(piece[i]);
            i = from[i];
        }
        ids.reverse();
        ids
    }
}
