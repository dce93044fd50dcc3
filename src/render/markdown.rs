//! Commentary Markdown, for the pages (sanitised HTML) and for the PDF (a tree
//! of plain data its Typst template lays out).
//!
//! Commentary comes from several authors and is read by a board, so raw HTML is
//! cleaned by ammonia (no scripts, event handlers, images, frames, or links
//! other than [`is_safe_link`] keeps) unless the project opts in with
//! `[markdown] allow_raw_html = true`. The PDF gets no raw HTML at all:
//! [`to_tree`] keeps text, structure and links, never markup, so nothing an
//! author writes can be read as Typst code.
//!
//! Images are never shown, on the pages or in the PDF: an image from another
//! host would make every reader's browser ask that host for it (a tracking
//! pixel), and the site has no place for an image of the author's own. Each
//! becomes its alternative text, in italics. Links keep the same addresses in
//! both: the web, mail and relative ones ([`is_safe_link`]).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::compute::commentary::{bounded, options, MAX_NESTING};

/// The level commentary's top headings take: the page owns `<h1>` and `<h2>`, so
/// the highest heading an author wrote (`#` or `###` alike) becomes `<h3>` and
/// the page outline never skips a level.
const TOP_LEVEL: usize = 3;

/// Renders commentary to an HTML fragment safe to embed in a page.
pub(crate) fn to_html(markdown: &str, allow_raw_html: bool) -> String {
    let markdown = &*bounded(markdown);
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
    // Whether each open link is kept (links do not nest, images in them do).
    let mut links: Vec<bool> = Vec::new();
    let events = events.into_iter().filter_map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Some(Event::Start(Tag::Heading { level: shift(level), id, classes, attrs }))
        }
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(shift(level)))),
        // An image becomes its alternative text, as in the PDF.
        Event::Start(Tag::Image { .. }) => Some(Event::Start(Tag::Emphasis)),
        Event::End(TagEnd::Image) => Some(Event::End(TagEnd::Emphasis)),
        // A link to an address the PDF would not keep keeps only its text.
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = is_safe_link(dest_url);
            links.push(keep);
            keep.then_some(e)
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(true).then_some(e),
        e => Some(e),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    let html = if allow_raw_html { out } else { without_dangling_rel(sanitiser().clean(&out).to_string()) };
    // An empty header cell (the corner of a table whose rows are labelled) is
    // announced as a nameless header by screen readers; a plain cell is right.
    if html.contains("<th></th>") {
        html.replace("<th></th>", "<td></td>")
    } else {
        html
    }
}

/// The policy raw HTML in commentary is cleaned with, built once (building one
/// per fragment was a third of the cost of a short fragment): ammonia's
/// defaults (no scripts, event handlers, frames or forms), no images, and links
/// only to the addresses [`is_safe_link`] keeps, as in the PDF.
fn sanitiser() -> &'static ammonia::Builder<'static> {
    static SANITISER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITISER.get_or_init(|| {
        let mut policy = ammonia::Builder::default();
        policy.rm_tags(["img"]).url_schemes(HashSet::from(["http", "https", "mailto"])).attribute_filter(
            |_element, attribute, value| match attribute {
                "href" if !is_safe_link(value) => None,
                _ => Some(Cow::Borrowed(value)),
            },
        );
        policy
    })
}

/// ammonia gives every link `rel="noopener noreferrer"`, also one whose address
/// it removed; `rel` on a link with no address is invalid HTML, so there it goes.
fn without_dangling_rel(html: String) -> String {
    const REL: &str = " rel=\"noopener noreferrer\"";
    if !html.contains(REL) {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<a ") {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        // The tag ends at the first `>` outside a quoted value (ammonia quotes every value).
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                quoted ^= c == '"';
                c == '>' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i + 1);
        let tag = &rest[..end];
        if tag.contains(" href=\"") {
            out.push_str(tag);
        } else {
            out.push_str(&tag.replacen(REL, "", 1));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

const LEVELS: [HeadingLevel; 6] =
    [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3, HeadingLevel::H4, HeadingLevel::H5, HeadingLevel::H6];

/// 0-based index of a heading level (H1 → 0).
fn index(level: HeadingLevel) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(0)
}

/// One piece of commentary as data: what the PDF template walks to lay it out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Node {
    /// Plain text.
    Text {
        text: String,
    },
    /// Inline code.
    Code {
        text: String,
    },
    /// A fenced or indented code block.
    CodeBlock {
        text: String,
    },
    SoftBreak,
    HardBreak,
    Rule,
    Paragraph {
        children: Vec<Node>,
    },
    /// `level` is already moved below the section's own headings.
    Heading {
        level: u8,
        children: Vec<Node>,
    },
    Quote {
        children: Vec<Node>,
    },
    /// Each item is a list of nodes.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Node>>,
    },
    /// `align` holds `left`, `center` or `right` per column; cells are node lists.
    Table {
        align: Vec<&'static str>,
        header: Vec<Vec<Node>>,
        rows: Vec<Vec<Vec<Node>>>,
    },
    Emph {
        children: Vec<Node>,
    },
    Strong {
        children: Vec<Node>,
    },
    Strike {
        children: Vec<Node>,
    },
    Link {
        url: String,
        children: Vec<Node>,
    },
    FootnoteRef {
        label: String,
    },
    FootnoteDef {
        label: String,
        children: Vec<Node>,
    },
}

/// What [`to_tree`] is building at one level of nesting.
enum Open {
    Root,
    Paragraph,
    Heading(u8),
    Quote,
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Node>>,
    },
    Item,
    Table {
        align: Vec<&'static str>,
        header: Vec<Vec<Node>>,
        rows: Vec<Vec<Vec<Node>>>,
        in_head: bool,
    },
    Row(Vec<Vec<Node>>),
    Cell,
    Emph,
    Strong,
    Strike,
    Link(Option<String>),
    Image,
    FootnoteDef(String),
    Code(String),
    /// Nested deeper than [`MAX_NESTING`]: its text joins its parent.
    Flat,
}

/// Commentary as a tree for the PDF. Headings start at `top_level` (the PDF
/// section owns the levels above). Raw HTML is left out; images become their
/// alternative text; links keep only the web and mail addresses the pages keep.
pub(crate) fn to_tree(md: &str, top_level: u8) -> Vec<Node> {
    let md = &*bounded(md);
    let highest = Parser::new_ext(md, options())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(index(level)),
            _ => None,
        })
        .min()
        .unwrap_or(0);
    let mut stack: Vec<(Open, Vec<Node>)> = vec![(Open::Root, Vec::new())];
    for event in Parser::new_ext(md, options()) {
        if let Some((Open::Code(buffer), _)) = stack.last_mut() {
            match event {
                Event::Text(t) => buffer.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((Open::Code(text), _)) = stack.pop() {
                        push(&mut stack, Node::CodeBlock { text: text.trim_end().to_string() });
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => {
                let structural = matches!(tag, Tag::Item | Tag::TableHead | Tag::TableRow | Tag::TableCell);
                if stack.len() > MAX_NESTING && !structural {
                    stack.push((Open::Flat, Vec::new()));
                    continue;
                }
                let open = match tag {
                    Tag::Paragraph => Open::Paragraph,
                    Tag::Heading { level, .. } => {
                        let shifted = (index(level) - highest) as u8 + top_level;
                        Open::Heading(shifted.min(6))
                    }
                    Tag::BlockQuote(_) => Open::Quote,
                    Tag::CodeBlock(_) => Open::Code(String::new()),
                    Tag::List(first) => {
                        Open::List { ordered: first.is_some(), start: first.unwrap_or(1), items: Vec::new() }
                    }
                    Tag::Item => Open::Item,
                    Tag::FootnoteDefinition(label) => Open::FootnoteDef(label.to_string()),
                    Tag::Table(aligns) => Open::Table {
                        align: aligns.iter().map(alignment).collect(),
                        header: Vec::new(),
                        rows: Vec::new(),
                        in_head: false,
                    },
                    Tag::TableHead => {
                        if let Some((Open::Table { in_head, .. }, _)) = stack.last_mut() {
                            *in_head = true;
                        }
                        Open::Row(Vec::new())
                    }
                    Tag::TableRow => Open::Row(Vec::new()),
                    Tag::TableCell => Open::Cell,
                    Tag::Emphasis => Open::Emph,
                    Tag::Strong => Open::Strong,
                    Tag::Strikethrough => Open::Strike,
                    Tag::Link { dest_url, .. } => Open::Link(is_safe_link(&dest_url).then(|| dest_url.to_string())),
                    Tag::Image { .. } => Open::Image,
                    _ => Open::Emph,
                };
                stack.push((open, Vec::new()));
            }
            Event::End(_) => close(&mut stack),
            Event::Text(t) => push(&mut stack, Node::Text { text: t.to_string() }),
            Event::Code(t) => push(&mut stack, Node::Code { text: t.to_string() }),
            Event::SoftBreak => push(&mut stack, Node::SoftBreak),
            Event::HardBreak => push(&mut stack, Node::HardBreak),
            Event::Rule => push(&mut stack, Node::Rule),
            Event::FootnoteReference(label) => push(&mut stack, Node::FootnoteRef { label: label.to_string() }),
            Event::TaskListMarker(done) => {
                push(&mut stack, Node::Text { text: if done { "[x] " } else { "[ ] " }.to_string() })
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

fn push(stack: &mut [(Open, Vec<Node>)], node: Node) {
    if let Some((_, nodes)) = stack.last_mut() {
        nodes.push(node);
    }
}

/// Ends the innermost open element and adds it to its parent.
fn close(stack: &mut Vec<(Open, Vec<Node>)>) {
    if stack.len() < 2 {
        return;
    }
    let Some((open, children)) = stack.pop() else {
        return;
    };
    let node = match open {
        Open::Root | Open::Code(_) => return,
        Open::Paragraph => Node::Paragraph { children },
        Open::Heading(level) => Node::Heading { level, children },
        Open::Quote => Node::Quote { children },
        Open::List { ordered, start, items } => Node::List { ordered, start, items },
        Open::Item => match stack.last_mut() {
            Some((Open::List { items, .. }, _)) => {
                items.push(children);
                return;
            }
            _ => return splice(stack, children),
        },
        Open::Table { align, header, rows, .. } => Node::Table { align, header, rows },
        Open::Row(cells) => match stack.last_mut() {
            Some((Open::Table { header, rows, in_head, .. }, _)) => {
                if *in_head {
                    *header = cells;
                    *in_head = false;
                } else {
                    rows.push(cells);
                }
                return;
            }
            _ => return splice(stack, cells.into_iter().flatten().collect()),
        },
        Open::Cell => match stack.last_mut() {
            Some((Open::Row(cells), _)) => {
                cells.push(children);
                return;
            }
            _ => return splice(stack, children),
        },
        Open::Emph => Node::Emph { children },
        Open::Strong => Node::Strong { children },
        Open::Strike => Node::Strike { children },
        Open::Link(Some(url)) => Node::Link { url, children },
        // The address is dropped (or the nesting too deep); the text stays.
        Open::Link(None) | Open::Flat => return splice(stack, children),
        Open::Image => Node::Emph { children },
        Open::FootnoteDef(label) => Node::FootnoteDef { label, children },
    };
    push(stack, node);
}

/// Adds `children` to the innermost open element, in place of the one that held them.
fn splice(stack: &mut [(Open, Vec<Node>)], children: Vec<Node>) {
    if let Some((_, nodes)) = stack.last_mut() {
        nodes.extend(children);
    }
}

fn alignment(a: &Alignment) -> &'static str {
    match a {
        Alignment::Right => "right",
        Alignment::Center => "center",
        Alignment::Left | Alignment::None => "left",
    }
}

/// The link addresses commentary may keep: the web (`http`, `https`), mail
/// (`mailto`) and relative links. Everything else (`javascript:`, `file:`,
/// `data:`, `smb:`, Windows shares, scheme-relative `//host`) is dropped.
pub(crate) fn is_safe_link(url: &str) -> bool {
    // Browsers and PDF viewers read a backslash as a slash: `\/evil.example`
    // and `/\evil.example` are `//evil.example`, another host.
    let url = url.trim().replace('\\', "/");
    let url = url.as_str();
    if url.starts_with("//") {
        return false;
    }
    match url.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first `/`, `?` or `#` is part of a relative path or query.
            if url[..colon].contains(['/', '?', '#']) {
                return true;
            }
            let scheme = url[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
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

    /// Every kind of address an author might link to, and whether it stays a link.
    const LINKS: [(&str, bool); 13] = [
        ("https://example.com/x", true),
        ("http://example.com/x", true),
        ("mailto:board@example.com", true),
        ("../other/page.html#part", true),
        ("javascript:alert(1)", false),
        ("JavaScript:alert(1)", false),
        ("file:///etc/passwd", false),
        ("smb://fileserver/board", false),
        ("\\\\host\\share", false),
        ("data:text/html;base64,PHNjcmlwdD4=", false),
        ("//evil.example/x", false),
        ("\\/evil.example/x", false),
        ("/\\evil.example/x", false),
    ];

    #[test]
    fn links_keep_only_web_mail_and_relative_addresses_in_html_and_pdf() {
        for (url, kept) in LINKS {
            // Markdown reads `\\` as one backslash.
            let md = format!("[the text]({})", url.replace('\\', "\\\\"));
            let raw = format!("<a href=\"{url}\">the text</a>");
            for html in [to_html(&md, false), to_html(&raw, false)] {
                assert!(html.contains("the text"), "{url}: the text is kept: {html}");
                assert_eq!(html.contains("href="), kept, "{url}: {html}");
            }
            let tree = serde_json::to_string(&to_tree(&md, 3)).unwrap();
            assert!(tree.contains("the text"), "{url}: {tree}");
            assert_eq!(tree.contains("\"kind\":\"link\""), kept, "{url}: {tree}");
        }
    }

    #[test]
    fn a_link_whose_address_is_dropped_is_valid_html() {
        let html =
            to_html("<a href=\"javascript:x\" title=\"a > b\">one</a> and <a href=\"https://e.com\">two</a>", false);
        assert!(html.contains("<a title=\"a &gt; b\">one</a>"), "{html}");
        assert!(html.contains("<a href=\"https://e.com\" rel=\"noopener noreferrer\">two</a>"), "{html}");
    }

    #[test]
    fn images_become_their_alternative_text_wherever_they_point() {
        for md in [
            "![tracking pixel](https://img.example/t.png)",
            "![tracking pixel](//img.example/t.png \"title\")",
            "![tracking pixel](picture.png)",
            "[![tracking pixel](https://img.example/t.png)](https://example.com)",
            "<img src=\"https://img.example/t.png\" alt=\"raw\"> tracking pixel",
            "<p><img src=\"http://img.example/t.png\"></p>tracking pixel",
        ] {
            let html = to_html(md, false);
            assert!(!html.contains("<img") && !html.contains("img.example"), "{md}: {html}");
            assert!(html.contains("tracking pixel"), "{md}: the alternative text is kept: {html}");
        }
        assert!(to_html("![tracking pixel](https://img.example/t.png)", false).contains("<em>tracking pixel</em>"));
        // Markdown images are alternative text even where raw HTML is allowed.
        assert!(!to_html("![t](https://img.example/t.png)", true).contains("<img"));
    }

    #[test]
    fn smart_punctuation_for_print_quality_text() {
        assert!(to_html("It's \"fine\" -- really", false).contains("It’s “fine” – really"));
    }
}
