//! A small SVG builder for server-side charts: horizontal bar charts with escaped labels, no
//! scripts and no style attributes (pages forbid inline styles), so they print and embed as is.

use duijie_core::text::escape_html;

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 150.0;
const VALUE_WIDTH: f64 = 90.0;
const ROW: f64 = 26.0;
const BAR: f64 = 18.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 10.0;
const FILL: &str = "#4472c4";

/// A number as a chart or table shows it: whole numbers without decimals, others with up to two.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A horizontal bar chart of `bars` (label, value), scaled to the largest value.
pub fn bar_chart(title: &str, unit: &str, bars: &[(String, f64)]) -> String {
    let height = TOP + ROW * bars.len().max(1) as f64 + BOTTOM;
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let title = escape_html(title);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{WIDTH}\" \
         height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"{title}\"><title>{title}</title>\
         <text x=\"0\" y=\"18\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">{title}</text>"
    );
    if bars.is_empty() {
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#666\">暂无数据</text>",
            TOP + BAR - 4.0
        ));
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let value = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let w = if max > 0.0 { span * value / max } else { 0.0 };
        let text_y = y + BAR - 4.0;
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{text_y}\" font-size=\"13\" text-anchor=\"end\" fill=\"#333\">{}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"{FILL}\"/>\
             <text x=\"{vx:.1}\" y=\"{text_y}\" font-size=\"13\" fill=\"#333\">{} {}</text>",
            escape_html(label),
            number(value),
            escape_html(unit),
            x = LABEL_WIDTH - 6.0,
            vx = LABEL_WIDTH + w + 6.0,
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let svg = bar_chart(
            "各县区<签约>",
            "项",
            &[("灵宝市".into(), 4.0), ("<b>&".into(), 2.0)],
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("各县区&lt;签约&gt;"));
        assert!(svg.contains("&lt;b&gt;&amp;") && !svg.contains("<b>"));
        let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(svg.contains(&format!("width=\"{span:.1}\"")), "{svg}");
        assert!(svg.contains(&format!("width=\"{:.1}\"", span / 2.0)));
        assert!(!svg.contains("style=") && !svg.contains("<script"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn empty_and_zero_charts_draw_no_bars_of_width() {
        assert!(bar_chart("空", "项", &[]).contains("暂无数据"));
        let svg = bar_chart("零", "万元", &[("甲".into(), 0.0), ("乙".into(), f64::NAN)]);
        assert_eq!(svg.matches("width=\"0.0\"").count(), 2);
    }

    #[test]
    fn numbers_drop_needless_decimals() {
        assert_eq!(number(120.0), "120");
        assert_eq!(number(120.5), "120.5");
        assert_eq!(number(0.126), "0.13");
        assert_eq!(number(2.10), "2.1");
    }
}
