//! Random vectors for the records of a data dir, for measuring the dense part's serving cost
//! on corpora too large to embed in a benchmark's time (`duijie-bench random-vectors`).

use anyhow::Result;
use duijie_app::{passage_text, quantise, text_key, App, VECTOR_DIM};
use duijie_core::EntityKind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Records read (and vectors stored) per round.
const PAGE: u32 = 2_000;

/// A random direction as a unit vector of `dim` components.
pub(crate) fn unit(rng: &mut StdRng, dim: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect();
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// Stores a random vector for the text of every record with text (a text that has a vector
/// keeps it); returns how many records were given one.
pub async fn random(app: &App, seed: u64) -> Result<u64> {
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
                .map(|text| (text_key(&text), quantise(&unit(&mut rng, VECTOR_DIM))))
                .collect();
            app.put_vectors(&items).await.map_err(anyhow::Error::new)?;
            written += items.len() as u64;
        }
    }
    Ok(written)
}
