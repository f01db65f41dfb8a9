//! Analysis: search-mode parts, folding, offsets, punctuation, the user dictionary.

use duijie_search::{
    analyze, analyze_with, han_bigrams, jieba_without_user_dict, shared_jieba, BigramTokenizer,
    JiebaTokenizer, TokenKind,
};
use std::sync::Arc;
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// (text, byte offsets, position) of every token the index would see.
fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
    let mut tokenizer = JiebaTokenizer::new(shared_jieba());
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
    }
    out
}

fn texts(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.0).collect()
}

#[test]
fn long_words_are_indexed_with_their_parts() {
    assert_eq!(
        tokens("耐盐性水稻品种选育"),
        vec![
            ("耐盐性".into(), 0, 9, 0),
            ("耐盐".into(), 0, 6, 0),
            ("盐性".into(), 3, 9, 1),
            ("水稻".into(), 9, 15, 3),
            ("品种".into(), 15, 21, 5),
            ("选育".into(), 21, 27, 7),
        ]
    );
    assert_eq!(
        texts("深度学习的图像识别"),
        vec![
            "深度学习",
            "深度",
            "度学",
            "学习",
            "的",
            "图像识别",
            "图像",
            "像识",
            "识别"
        ]
    );
}

#[test]
fn width_is_folded_ascii_lowered_and_offsets_point_into_the_original() {
    let text = "ＣＤ４５蛋白，Li-ion Battery！";
    let got = tokens(text);
    assert_eq!(
        got,
        vec![
            ("cd45".into(), 0, 12, 0),
            ("蛋白".into(), 12, 18, 4),
            ("li".into(), 21, 23, 6),
            ("ion".into(), 24, 27, 8),
            ("battery".into(), 28, 35, 11),
        ]
    );
    for (token, from, to, _) in got {
        let original = duijie_core::text::fold_width(&text[from..to]).to_ascii_lowercase();
        assert_eq!(original, token);
    }
}

#[test]
fn punctuation_and_whitespace_are_dropped() {
    assert!(tokens("，。！？、（）【】《》“”‘’ \t\r\n——…·.,;:!?()[]{}<>\"'").is_empty());
    assert_eq!(
        texts("水稻，（玉米）\n小麦。"),
        vec!["水稻", "玉米", "小麦"]
    );
}

#[test]
fn query_analysis_matches_the_index_and_joins_single_characters() {
    let text = "ＧＰＵ加速的钙钛矿电池";
    let indexed = texts(text);
    assert_eq!(analyze(text), indexed);
    let q = analyze_with(&shared_jieba(), "盐和碱");
    let joined: Vec<&str> = q
        .iter()
        .filter(|t| t.kind == TokenKind::Joined)
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(joined, vec!["盐和", "和碱"]);
}

#[test]
fn user_dictionary_keeps_technical_terms_whole() {
    let with = shared_jieba();
    let without = jieba_without_user_dict();
    assert!(!Arc::ptr_eq(&with, &without));
    assert!(Arc::ptr_eq(&with, &shared_jieba()), "built once, shared");
    for term in ["乙酸丁酸纤维素", "二维线段树", "中药复方"] {
        assert_eq!(
            with.cut(term, true),
            vec![term],
            "{term} with user dictionary"
        );
        assert!(without.cut(term, true).len() > 1, "{term} without");
        // Still findable by its parts.
        assert!(texts(term).len() > 1);
    }
}

#[test]
fn hostile_text_never_panics() {
    let long = "耐盐".repeat(2500);
    let odd = "\u{0}\u{1}\u{7f}\u{200b}\u{feff}😀🀄️\u{10FFFF}a\u{301}";
    for text in [long.as_str(), odd, "", "　", "a".repeat(70_000).as_str()] {
        let _ = tokens(text);
        let _ = analyze(text);
    }
}

#[test]
fn bigrams_pair_adjacent_han_characters_only() {
    assert_eq!(
        han_bigrams("3D打印正极，材料 ab锂"),
        vec!["打印", "印正", "正极", "材料"]
    );
    let mut tokenizer = BigramTokenizer::default();
    let mut stream = tokenizer.token_stream("Ａ正极材料");
    let mut got = Vec::new();
    while stream.advance() {
        let t = stream.token();
        got.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
    }
    assert_eq!(
        got,
        vec![
            ("正极".to_string(), 3, 9, 0),
            ("极材".to_string(), 6, 12, 1),
            ("材料".to_string(), 9, 15, 2)
        ]
    );
}
