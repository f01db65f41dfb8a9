//! Cosine of each parity sentence to the package's vector, for a given model file.
//! `cargo run --release -p duijie-embed --example e5_cosines -- [MODEL.gguf]`
use duijie_embed::{dot, Embedder, Kind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = match std::env::args().nth(1) {
        Some(path) => Embedder::from_gguf(&std::fs::read(path)?)?,
        None => Embedder::bundled()?,
    };
    let raw = std::fs::read_to_string("crates/duijie-embed/tests/data/parity.json")?;
    let v: serde_json::Value = serde_json::from_str(&raw)?;
    for case in v["cases"].as_array().into_iter().flatten() {
        let kind = if case["kind"] == "query" {
            Kind::Query
        } else {
            Kind::Passage
        };
        let text = case["text"].as_str().unwrap_or_default();
        let want: Vec<f32> = serde_json::from_value(case["vector"].clone())?;
        let got = model.embed_one(text, kind)?;
        println!("{:.5}  {text}", dot(&got, &want));
    }
    Ok(())
}
