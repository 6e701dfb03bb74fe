//! The reviewer's report as one self-contained HTML page: source and
//! translation side by side, row by row, every checked item highlighted
//! (found, changed, missing, added, script), the flagged ones listed under
//! their row. No scripts, no fonts or styles from elsewhere: it opens
//! offline and prints. Text is escaped by minijinja's HTML auto-escaping.

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::{CheckReport, Counts, ViewRow};
use crate::text::Lang;

const TEMPLATE: &str = include_str!("report.html.j2");

#[derive(Serialize)]
struct Page<'a> {
    title: &'a str,
    page_lang: &'static str,
    mode: &'static str,
    source_lang: &'static str,
    target_lang: &'static str,
    source_html_lang: &'static str,
    target_html_lang: &'static str,
    version: &'static str,
    counts: Counts,
    rows: Vec<ViewRow>,
}

fn html_lang(lang: Lang) -> &'static str {
    if lang.is_chinese() {
        "zh-Hant-HK"
    } else {
        "en"
    }
}

/// The report page for `check` of `source` against `target` (paragraphs).
pub fn render(title: &str, check: &CheckReport, source: &[String], target: &[String]) -> String {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    let page = Page {
        title,
        page_lang: "en",
        mode: match check.mode {
            super::Mode::Translation => "Translation check",
            super::Mode::Polish => "Polish check",
            super::Mode::Summary => "Summary check",
            super::Mode::Draft => "Draft check",
        },
        source_lang: check.source_lang.code(),
        target_lang: check.target_lang.code(),
        source_html_lang: html_lang(check.source_lang),
        target_html_lang: html_lang(check.target_lang),
        version: env!("CARGO_PKG_VERSION"),
        counts: check.counts,
        rows: check.view(source, target),
    };
    let rendered = env
        .add_template("report.html", TEMPLATE)
        .and_then(|()| env.get_template("report.html"))
        .and_then(|t| t.render(&page));
    match rendered {
        Ok(html) => html,
        // The template is compiled in and tested; a failure is a build defect.
        Err(e) => format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><p>report failed: {}</p></body></html>",
            e.to_string().replace('<', "&lt;")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, CheckOptions};
    use super::*;

    #[test]
    fn the_page_is_self_contained_escaped_and_marks_every_item() {
        let source = vec!["撥款約二千四百四十萬元，<b>查詢</b>：2835 1234。".to_string()];
        let target =
            vec!["Funding of about $2.44 million. <b>Enquiries</b>: 2835 1234.".to_string()];
        let report = check(
            &source,
            &target,
            &CheckOptions::translation(&source, &target, None),
        );
        let html = render("memo <1>", &report, &source, &target);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(!html.contains("<script"), "no scripts");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "nothing from the network"
        );
        assert!(html.contains("memo &lt;1&gt;"));
        assert!(
            html.contains("&lt;b&gt;查詢&lt;&#x2f;b&gt;")
                || html.contains("&lt;b&gt;查詢&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("<mark class=\"changed\""), "{html}");
        assert!(html.contains("<mark class=\"found\""));
        assert!(html.contains("became $2.44 million"));
    }
}
