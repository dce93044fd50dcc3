//! Commentary Markdown to HTML, sanitised.
//!
//! Commentary comes from several authors and is read by a board, so raw HTML is
//! cleaned by ammonia (no scripts, event handlers, `javascript:` links or
//! frames) unless the project opts in with `[markdown] allow_raw_html = true`.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// How many levels commentary headings are pushed down: the page owns `<h1>` and
/// `<h2>`, so a `#` in commentary becomes `<h3>` and the outline stays in order.
const HEADING_SHIFT: usize = 2;

/// Renders commentary to an HTML fragment safe to embed in a page.
pub fn to_html(markdown: &str, allow_raw_html: bool) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        e => e,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    if allow_raw_html {
        out
    } else {
        ammonia::Builder::default().clean(&out).to_string()
    }
}

fn shift(level: HeadingLevel) -> HeadingLevel {
    const LEVELS: [HeadingLevel; 6] =
        [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3, HeadingLevel::H4, HeadingLevel::H5, HeadingLevel::H6];
    let i = LEVELS.iter().position(|l| *l == level).unwrap_or(0);
    LEVELS[(i + HEADING_SHIFT).min(LEVELS.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ordinary_formatting() {
        let html = to_html(
            "Some **bold**, a [link](https://example.com/x) and\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n",
            false,
        );
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("href=\"https://example.com/x\""));
        assert!(html.contains("<table>") && html.contains("<td>1</td>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn strips_scripts_handlers_and_javascript_urls() {
        let html = to_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[x](javascript:alert(3))\n\n<iframe src=\"https://e.com\"></iframe>\n",
            false,
        );
        for bad in ["<script", "onerror", "javascript:", "<iframe"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn raw_html_is_kept_when_allowed() {
        assert!(to_html("<span class=\"x\">hi</span>", true).contains("class=\"x\""));
    }

    #[test]
    fn headings_are_pushed_below_the_page_headings() {
        assert!(to_html("# Top\n\n### Deep\n\n###### Deepest", false).contains("<h3>Top</h3>"));
        assert!(to_html("### Deep", false).contains("<h5>Deep</h5>"));
        assert!(to_html("###### Deepest", false).contains("<h6>Deepest</h6>"));
    }

    #[test]
    fn smart_punctuation_for_print_quality_text() {
        assert!(to_html("It's \"fine\" -- really", false).contains("It’s “fine” – really"));
    }
}
