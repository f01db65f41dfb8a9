//! Embedding throughput: `e5_bench FILE [N]` embeds the first N lines (default 500) of FILE as
//! passages in batches of 32 (as the service's embedder does) and prints documents per second,
//! then 50 lines one at a time as queries. Threads: `RAYON_NUM_THREADS`. The package's own
//! engine on the same lines: `bench/peers/e5_speed.py`.
use duijie_embed::{Embedder, Kind};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: e5_bench FILE [N]")?;
    let n: usize = args.next().map_or(Ok(500), |s| s.parse())?;
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).take(n).collect();
    let model = Embedder::bundled()?;
    model.embed(&lines[..lines.len().min(16)], Kind::Passage)?; // warm-up
    let started = Instant::now();
    for batch in lines.chunks(32) {
        model.embed(batch, Kind::Passage)?;
    }
    let batch = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for l in lines.iter().take(50) {
        model.embed_one(l, Kind::Query)?;
    }
    let single = started.elapsed().as_secs_f64() * 1000.0 / lines.len().min(50) as f64;
    println!(
        "{} texts: {:.1} documents/s batched, {:.1} ms per text alone",
        lines.len(),
        lines.len() as f64 / batch,
        single
    );
    Ok(())
}
