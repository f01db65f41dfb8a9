//! Text folding shared by ingestion, identity and search: full-width to half-width, bracket
//! unification, whitespace removal; and the one HTML escaping of every writer that builds HTML
//! by hand (search highlights, exports, the annual report, the API docs page).

/// Folds one full-width character to its half-width form (`Ａ` → `A`, `（` → `(`, `　` → ` `).
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Full-width to half-width over a whole string.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

fn unify_bracket(c: char) -> char {
    match c {
        '[' | '【' | '〔' | '［' | '{' | '〖' => '(',
        ']' | '】' | '〕' | '］' | '}' | '〗' => ')',
        _ => c,
    }
}

/// Normalised organisation name for identity: width folded, every bracket kind made `()`,
/// whitespace removed, ASCII lower-cased. `中国地质大学（武汉）` and `中国地质大学 (武汉)` agree.
pub fn normalize_org_name(name: &str) -> String {
    name.chars()
        .map(fold_char)
        .map(unify_bracket)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Normalised title for identity: width folded, whitespace and punctuation removed, ASCII
/// lower-cased, so the same demand typed twice with different spacing is one record.
pub fn normalize_title(title: &str) -> String {
    title
        .chars()
        .map(fold_char)
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Collapses runs of whitespace (full-width spaces and line breaks included) to one space and
/// trims; for one-line values such as titles and names, which otherwise keep their characters.
pub fn clean_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits a keyword cell on `；;、,，` and whitespace, dropping empties and duplicates while
/// keeping the original order.
pub fn split_keywords(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(|c: char| {
        matches!(c, '；' | ';' | '、' | ',' | '，' | '|' | '/') || c.is_whitespace()
    }) {
        let k = fold_width(part).trim().to_string();
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Appends `text` with the characters HTML gives meaning to escaped; control characters other
/// than line feed and tab, which HTML does not allow, are dropped.
pub fn push_escaped_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// `text` escaped for HTML, as [`push_escaped_html`] does.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_html(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_names_with_different_brackets_and_spaces_agree() {
        assert_eq!(
            normalize_org_name("中国地质大学（武汉）"),
            normalize_org_name("中国地质大学(武汉)")
        );
        assert_eq!(
            normalize_org_name(" 中国地质大学 ( 武汉 ) "),
            normalize_org_name("中国地质大学【武汉】")
        );
        assert_ne!(
            normalize_org_name("浙江大学"),
            normalize_org_name("浙江工业大学")
        );
    }

    #[test]
    fn width_is_folded() {
        assert_eq!(fold_width("ＡＢＣ１２３　x"), "ABC123 x");
        assert_eq!(normalize_org_name("ＸＹＺ公司"), "xyz公司");
    }

    #[test]
    fn titles_ignore_punctuation_and_spacing() {
        assert_eq!(
            normalize_title("高纯氧化铝 粉体制备工艺（优化）"),
            normalize_title("高纯氧化铝粉体制备工艺优化")
        );
    }

    #[test]
    fn keywords_split_on_all_separators() {
        assert_eq!(
            split_keywords("锂电池；正极材料;隔膜、电解液,固态电池，钠电 锂电池"),
            vec!["锂电池", "正极材料", "隔膜", "电解液", "固态电池", "钠电"]
        );
        assert!(split_keywords(" ；； ").is_empty());
    }

    #[test]
    fn clean_line_collapses_whitespace() {
        assert_eq!(
            clean_line("  高纯\n氧化铝　 粉体（Ａ） "),
            "高纯 氧化铝 粉体（Ａ）"
        );
    }

    #[test]
    fn html_escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            escape_html("<a href=\"x\">R&D</a> 'q'\u{7}\n"),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt; &#39;q&#39;\n"
        );
    }
}
