//! Time of the exact dense search (`VectorSet::search`, best 100 of a kind) against the number
//! of documents: `cargo run --release -p duijie-match --example dense_scan [SIZES]`, e.g.
//! `10000,100000,300000`. Vectors are pseudo-random unit vectors (the scan's cost does not depend
//! on what they hold); one thread, 200 queries per size, after one warm-up query.

use duijie_core::EntityKind;
use duijie_match::VectorSet;
use std::time::Instant;

const DIM: usize = 384;

/// SplitMix64: a fixed sequence, no dependency.
fn next(state: &mut u64) -> f32 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
}

fn unit(state: &mut u64) -> Vec<f32> {
    let v: Vec<f32> = (0..DIM).map(|_| next(state)).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / n).collect()
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "10000,25000,50000,100000,200000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut state = 20_240_601u64;
    for n in sizes {
        let set = VectorSet::new(DIM);
        for i in 0..n {
            set.insert(EntityKind::Achievement, &format!("a{i}"), &unit(&mut state));
        }
        let queries: Vec<Vec<f32>> = (0..200).map(|_| unit(&mut state)).collect();
        set.search(EntityKind::Achievement, &queries[0], 100, &[]);
        let started = Instant::now();
        for q in &queries {
            std::hint::black_box(set.search(EntityKind::Achievement, q, 100, &[]));
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0 / queries.len() as f64;
        println!("{n:>8} documents: {ms:.2} ms a search (best 100)");
    }
}
