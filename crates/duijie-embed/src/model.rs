//! The encoder: word + position + type embeddings, layer norm, then 12 post-norm transformer
//! layers (self-attention, GELU feed-forward). The file keeps the matrices 4-bit (Q4_0); they
//! are expanded to f32 once at load, because candle's 4-bit kernel (one dot product of a weight
//! row and an activation row at a time) ran 2–3× slower than its f32 matrix product here
//! (`docs/performance.md`), for ≈ 85 MB more memory. The weights stay those of the file, bit for
//! bit, and the activations are not rounded to 8 bits. Biases, norms and position embeddings
//! are f32.

use std::io::{Read, Seek};

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use candle_nn::ops::{layer_norm, softmax_last_dim};

use crate::{meta_i32, Error};

/// Vector dimension.
pub const DIM: usize = 384;

struct Layer {
    q: (QMatMul, Tensor),
    k: (QMatMul, Tensor),
    v: (QMatMul, Tensor),
    out: (QMatMul, Tensor),
    attn_norm: (Tensor, Tensor),
    up: (QMatMul, Tensor),
    down: (QMatMul, Tensor),
    ffn_norm: (Tensor, Tensor),
}

pub struct Encoder {
    word: QTensor,
    pos: Tensor,
    token_type: Tensor,
    norm: (Tensor, Tensor),
    layers: Vec<Layer>,
    heads: usize,
    eps: f32,
    bos: u32,
    eos: u32,
    pad: u32,
    device: Device,
}

fn linear(x: &Tensor, (w, b): &(QMatMul, Tensor)) -> Result<Tensor, Error> {
    Ok(w.forward(x)?.broadcast_add(b)?)
}

impl Encoder {
    pub fn load<R: Read + Seek>(
        c: &gguf_file::Content,
        r: &mut R,
        device: &Device,
    ) -> Result<Self, Error> {
        let word = c.tensor(r, "emb.word", device)?;
        let pos = dense(c, r, "emb.pos", device)?;
        let token_type = dense(c, r, "emb.type", device)?;
        let norm = (
            dense(c, r, "emb.ln.w", device)?,
            dense(c, r, "emb.ln.b", device)?,
        );
        let n_layers = usize::try_from(meta_i32(c, "e5.layers")?)
            .map_err(|_| Error::Format("layer count".into()))?;
        let mut layers = Vec::with_capacity(n_layers);
        for l in 0..n_layers {
            let mut lin = |name: &str| -> Result<(QMatMul, Tensor), Error> {
                let w = c.tensor(r, &format!("l{l}.{name}.w"), device)?;
                let w = QMatMul::Tensor(w.dequantize(device)?);
                Ok((w, dense(c, r, &format!("l{l}.{name}.b"), device)?))
            };
            let (q, k, v, out, up, down) = (
                lin("q")?,
                lin("k")?,
                lin("v")?,
                lin("ao")?,
                lin("fi")?,
                lin("fo")?,
            );
            let mut norm = |name: &str| -> Result<(Tensor, Tensor), Error> {
                Ok((
                    dense(c, r, &format!("l{l}.{name}.w"), device)?,
                    dense(c, r, &format!("l{l}.{name}.b"), device)?,
                ))
            };
            layers.push(Layer {
                q,
                k,
                v,
                out,
                attn_norm: norm("aln")?,
                up,
                down,
                ffn_norm: norm("oln")?,
            });
        }
        let id = |key: &str| -> Result<u32, Error> {
            u32::try_from(meta_i32(c, key)?).map_err(|_| Error::Format(format!("{key} < 0")))
        };
        let hidden = word.shape().dims2()?.1;
        if hidden != DIM {
            return Err(Error::Format(format!(
                "hidden size {hidden}, expected {DIM}"
            )));
        }
        Ok(Self {
            word,
            pos,
            token_type,
            norm,
            layers,
            heads: usize::try_from(meta_i32(c, "e5.heads")?)
                .map_err(|_| Error::Format("head count".into()))?,
            eps: meta_f32(c, "e5.layer_norm_eps")?,
            bos: id("e5.bos")?,
            eos: id("e5.eos")?,
            pad: id("e5.pad")?,
            device: device.clone(),
        })
    }

    pub fn max_positions(&self) -> usize {
        self.pos.dims()[0]
    }

    pub fn bos_eos(&self) -> (u32, u32) {
        (self.bos, self.eos)
    }

    /// Pooled, normalised vectors of a batch of token sequences (each with `<s>` … `</s>`).
    pub fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, Error> {
        let b = batch.len();
        let len = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        if b == 0 || len == 0 {
            return Ok(Vec::new());
        }
        let mut ids = Vec::with_capacity(b * len);
        let mut mask = Vec::with_capacity(b * len);
        for s in batch {
            ids.extend_from_slice(s);
            ids.extend(std::iter::repeat_n(self.pad, len - s.len()));
            mask.extend(std::iter::repeat_n(1f32, s.len()));
            mask.extend(std::iter::repeat_n(0f32, len - s.len()));
        }
        let ids = Tensor::from_vec(ids, (b, len), &self.device)?;
        let mask = Tensor::from_vec(mask, (b, len), &self.device)?;
        // Keys that are padding get -1e9 before the softmax.
        let key_bias = ((mask.clone() - 1.0)? * 1e9)?.reshape((b, 1, 1, len))?;

        let x = self.word.embedding(&ids)?;
        let x = x
            .broadcast_add(&self.pos.narrow(0, 0, len)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = layer_norm(&x, &self.norm.0, &self.norm.1, self.eps)?;

        let hd = DIM / self.heads;
        let scale = 1.0 / (hd as f64).sqrt();
        let split = |t: Tensor| -> Result<Tensor, Error> {
            Ok(t.reshape((b, len, self.heads, hd))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        for l in &self.layers {
            let q = split(linear(&x, &l.q)?)?;
            let k = split(linear(&x, &l.k)?)?;
            let v = split(linear(&x, &l.v)?)?;
            let scores = (q.matmul(&k.t()?)? * scale)?.broadcast_add(&key_bias)?;
            let p = softmax_last_dim(&scores)?;
            let ctx = p
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b, len, DIM))?;
            let a = linear(&ctx, &l.out)?;
            x = layer_norm(&(x + a)?, &l.attn_norm.0, &l.attn_norm.1, self.eps)?;
            let h = linear(&x, &l.up)?.gelu_erf()?;
            let h = linear(&h, &l.down)?;
            x = layer_norm(&(x + h)?, &l.ffn_norm.0, &l.ffn_norm.1, self.eps)?;
        }
        crate::mean_pool_normalise(&x, &mask)
    }
}

fn meta_f32(c: &gguf_file::Content, key: &str) -> Result<f32, Error> {
    Ok(crate::meta(c, key)?.to_f32()?)
}

/// An f32 tensor of the file.
fn dense<R: Read + Seek>(
    c: &gguf_file::Content,
    r: &mut R,
    name: &str,
    device: &Device,
) -> Result<Tensor, Error> {
    Ok(c.tensor(r, name, device)?.dequantize(device)?)
}
