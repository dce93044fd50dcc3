//! Commentary Markdown to HTML, sanitised.
//!
//! Commentary comes from several authors and is read by a board, so raw HTML is
//! cleaned by ammonia (no scripts, event handlers, `javascript:` links or
//! frames) unless the project opts in with `[markdown] allow_raw_html = true`.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The level commentary's top headings take: the page owns `<h1>` and `<h2>`, so
/// the highest heading an author wrote (`#` or `###` alike) becomes `<h3>` and
/// the page outline never skips a level.
const TOP_LEVEL: usize = 3;

/// The Markdown extensions commentary may use, shared by the HTML and the PDF.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders commentary to an HTML fragment safe to embed in a page.
pub fn to_html(markdown: &str, allow_raw_html: bool) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(index(*level)),
            _ => None,
        })
        .min()
        .unwrap_or(0);
    let shift = |level| LEVELS[(index(level) + TOP_LEVEL - 1 - top).min(LEVELS.len() - 1)];
    let events = events.into_iter().map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        e => e,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    // ammonia::clean uses a policy built once (building one per fragment was a
    // third of the cost of a short fragment).
    let html = if allow_raw_html { out } else { ammonia::clean(&out) };
    // An empty header cell (the corner of a table whose rows are labelled) is
    // announced as a nameless header by screen readers; a plain cell is right.
    if html.contains("<th></th>") {
        html.replace("<th></th>", "<td></td>")
    } else {
        html
    }
}

const LEVELS: [HeadingLevel; 6] =
    [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3, HeadingLevel::H4, HeadingLevel::H5, HeadingLevel::H6];

/// 0-based index of a heading level (H1 → 0).
fn index(level: HeadingLevel) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(0)
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
    fn an_empty_corner_header_becomes_a_plain_cell() {
        let html = to_html("| | Aug |\n|---|---|\n| Lead | 3 |\n", false);
        assert!(html.contains("<thead><tr><td></td><th>Aug</th>"), "{html}");
    }

    #[test]
    fn raw_html_is_kept_when_allowed() {
        assert!(to_html("<span class=\"x\">hi</span>", true).contains("class=\"x\""));
    }

    #[test]
    fn headings_start_below_the_page_headings_without_skipping() {
        let html = to_html("# Top\n\n## Next\n\n###### Deepest", false);
        assert!(html.contains("<h3>Top</h3>") && html.contains("<h4>Next</h4>") && html.contains("<h6>Deepest</h6>"));
        assert!(to_html("### Only third level", false).contains("<h3>Only third level</h3>"));
        assert!(to_html("no headings", false).contains("<p>no headings</p>"));
    }

    #[test]
    fn smart_punctuation_for_print_quality_text() {
        assert!(to_html("It's \"fine\" -- really", false).contains("It’s “fine” – really"));
    }
}
