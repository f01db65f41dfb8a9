//! Stand-in vectors for the records of a data dir, for measuring the dense part's serving cost
//! on corpora too large to embed in a benchmark's time (`duijie-bench random-vectors`).
//!
//! Two kinds: random unit vectors (every document about as far as any other: the worst case
//! of a graph index), and vectors near real sentence vectors (a real vector moved by Gaussian
//! noise), which keep the clustered shape of real text that a graph search relies on.

use anyhow::{bail, Result};
use duijie_app::{passage_text, quantise, text_key, App, VECTOR_DIM};
use duijie_core::EntityKind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Records read (and vectors stored) per round.
const PAGE: u32 = 2_000;

/// Where stand-in vectors come from.
pub enum StandIn {
    /// Random directions.
    Random,
    /// A real vector, picked at random, plus Gaussian noise of this standard deviation per
    /// component, normalised again.
    NearReal { real: Vec<Vec<f32>>, noise: f32 },
}

impl StandIn {
    /// Near-real stand-ins from `real`; fails when there is nothing to start from.
    pub fn near(real: Vec<Vec<f32>>, noise: f32) -> Result<Self> {
        if real.is_empty() {
            bail!("no real vectors to start the stand-ins from");
        }
        Ok(StandIn::NearReal { real, noise })
    }

    /// The next stand-in vector of `dim` components.
    pub fn next(&self, rng: &mut StdRng, dim: usize) -> Vec<f32> {
        match self {
            StandIn::Random => normalised((0..dim).map(|_| rng.gen::<f32>() - 0.5).collect()),
            StandIn::NearReal { real, noise } => {
                let base = &real[rng.gen_range(0..real.len())];
                normalised(base.iter().map(|x| x + noise * gaussian(rng)).collect())
            }
        }
    }
}

/// One draw of a standard normal variable (Box–Muller).
fn gaussian(rng: &mut StdRng) -> f32 {
    let u1 = rng.gen::<f32>().max(f32::MIN_POSITIVE);
    let u2 = rng.gen::<f32>();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// `n` stand-in vectors of `dim` components.
pub fn stand_ins(from: &StandIn, n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| from.next(&mut rng, dim)).collect()
}

/// Stores a stand-in vector for the text of every record with text (a text that has a vector
/// keeps it); returns how many records were given one.
pub async fn stand_in(app: &App, from: &StandIn, seed: u64) -> Result<u64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0u64;
    for kind in [
        EntityKind::Demand,
        EntityKind::Achievement,
        EntityKind::Expert,
        EntityKind::Instrument,
    ] {
        let mut after = String::new();
        loop {
            let page = app
                .records_after(kind, &after, PAGE)
                .await
                .map_err(anyhow::Error::new)?;
            let Some(last) = page.last() else { break };
            after = last.id().to_string();
            let items: Vec<_> = page
                .iter()
                .filter_map(passage_text)
                .map(|text| (text_key(&text), quantise(&from.next(&mut rng, VECTOR_DIM))))
                .collect();
            app.put_vectors(&items).await.map_err(anyhow::Error::new)?;
            written += items.len() as u64;
        }
    }
    Ok(written)
}
