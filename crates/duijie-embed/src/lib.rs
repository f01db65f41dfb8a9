//! Sentence embeddings for hybrid retrieval: multilingual-e5-small, a 12-layer BERT-shaped
//! encoder (hidden 384), with 4-bit (Q4_0) weights and a vocabulary cut to the pieces Chinese
//! and English use, run on the CPU with candle. The model file (`data/e5/`, built by
//! `scripts/convert_e5.py`) is compiled into the binary: nothing is downloaded.
//!
//! A text is prefixed with `query: ` (a demand, a search) or `passage: ` (a record), encoded,
//! mean-pooled over its tokens and L2-normalised, so the dot product of two vectors is their
//! cosine. Inference is CPU-bound (tens of milliseconds a text): callers on an async runtime run
//! it under `spawn_blocking`.

mod model;
mod tokenizer;

use std::io::Cursor;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};

use model::Encoder;
pub use model::DIM;
use tokenizer::{Tokenizer, Vocabulary};

/// The bundled model: multilingual-e5-small, Q4_0, Chinese/English vocabulary (≈21 MB).
static BUNDLED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/e5/e5-small-zh-en-q4.gguf"
));

/// Texts per forward pass (sorted by length first, so padding stays small).
const BATCH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("model file: {0}")]
    Format(String),
    #[error("inference: {0}")]
    Candle(#[from] candle_core::Error),
}

/// Which side of a retrieval a text is on; e5 was trained with these prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What is searched for (a demand, a search box query).
    Query,
    /// What is searched (a record's title and text).
    Passage,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Query => "query: ",
            Kind::Passage => "passage: ",
        }
    }
}

/// A loaded encoder; cheap to share (`Arc`), `embed` takes `&self`.
pub struct Embedder {
    tokenizer: Tokenizer,
    encoder: Encoder,
    max_tokens: usize,
}

impl Embedder {
    /// The model compiled into the binary.
    pub fn bundled() -> Result<Self, Error> {
        Self::from_gguf(BUNDLED)
    }

    /// A model file written by `scripts/convert_e5.py`.
    pub fn from_gguf(bytes: &[u8]) -> Result<Self, Error> {
        let mut reader = Cursor::new(bytes);
        let content = gguf_file::Content::read(&mut reader)?;
        let vocab = read_vocabulary(&content)?;
        let tokenizer = Tokenizer::new(vocab)?;
        let encoder = Encoder::load(&content, &mut reader, &Device::Cpu)?;
        let max_tokens = encoder.max_positions() - 2;
        Ok(Self {
            tokenizer,
            encoder,
            max_tokens,
        })
    }

    /// At most `n` word pieces of a text are encoded (the model allows 510); the rest is cut.
    /// Fewer make long records cheaper to embed.
    pub fn with_max_tokens(mut self, n: usize) -> Self {
        self.max_tokens = n.clamp(1, self.encoder.max_positions() - 2);
        self
    }

    /// Word-piece ids of `text` with its prefix, between `<s>` and `</s>`, cut to the limit.
    fn token_ids(&self, text: &str, kind: Kind) -> Vec<u32> {
        let mut content = self.tokenizer.encode(&format!("{}{text}", kind.prefix()));
        content.truncate(self.max_tokens);
        let (bos, eos) = self.encoder.bos_eos();
        let mut ids = Vec::with_capacity(content.len() + 2);
        ids.push(bos);
        ids.extend(content);
        ids.push(eos);
        ids
    }

    /// Unit vectors (`DIM` floats each) of `texts`, in order.
    pub fn embed(&self, texts: &[&str], kind: Kind) -> Result<Vec<Vec<f32>>, Error> {
        let tokenised: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t, kind)).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| tokenised[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| tokenised[i].as_slice()).collect();
            let vectors = self.encoder.forward(&batch)?;
            for (&i, v) in chunk.iter().zip(vectors) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// One text's unit vector.
    pub fn embed_one(&self, text: &str, kind: Kind) -> Result<Vec<f32>, Error> {
        let mut v = self.embed(&[text], kind)?;
        v.pop()
            .ok_or_else(|| Error::Format("no vector for the text".into()))
    }
}

fn meta<'a>(c: &'a gguf_file::Content, key: &str) -> Result<&'a gguf_file::Value, Error> {
    c.metadata
        .get(key)
        .ok_or_else(|| Error::Format(format!("missing key {key}")))
}

fn meta_u32s(c: &gguf_file::Content, key: &str) -> Result<Vec<u32>, Error> {
    meta(c, key)?
        .to_vec()?
        .iter()
        .map(|v| v.to_u32().map_err(Error::from))
        .collect()
}

fn meta_i32(c: &gguf_file::Content, key: &str) -> Result<i32, Error> {
    Ok(meta(c, key)?.to_i32()?)
}

fn read_vocabulary(c: &gguf_file::Content) -> Result<Vocabulary, Error> {
    let pieces = meta(c, "e5.pieces")?
        .to_vec()?
        .iter()
        .map(|v| v.to_string().cloned().map_err(Error::from))
        .collect::<Result<Vec<_>, _>>()?;
    let scores = meta(c, "e5.scores")?
        .to_vec()?
        .iter()
        .map(|v| v.to_f32().map_err(Error::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Vocabulary {
        pieces,
        scores,
        unk: u32::try_from(meta_i32(c, "e5.unk")?)
            .map_err(|_| Error::Format("negative unk id".into()))?,
        unk_score: meta(c, "e5.unk_score")?.to_f32()?,
        norm_cp: meta_u32s(c, "e5.norm_cp")?,
        norm_off: meta_u32s(c, "e5.norm_off")?,
        norm_out: meta_u32s(c, "e5.norm_out")?,
    })
}

/// Dot product of two unit vectors: their cosine.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Mean over the tokens where `mask` is 1, then L2 norm: `[B, L, H]`, `[B, L]` → `B` vectors.
fn mean_pool_normalise(x: &Tensor, mask: &Tensor) -> Result<Vec<Vec<f32>>, Error> {
    let m = mask.unsqueeze(2)?;
    let summed = x.broadcast_mul(&m)?.sum(1)?;
    let counts = m.sum(1)?;
    let mean = summed.broadcast_div(&counts)?;
    let norm = mean
        .sqr()?
        .sum_keepdim(1)?
        .sqrt()?
        .clamp(1e-6f32, f32::MAX)?;
    Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
}
