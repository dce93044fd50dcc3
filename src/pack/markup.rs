//! Commentary Markdown to Typst markup, for the PDF.
//!
//! Walks the same pulldown-cmark events the HTML uses, so the PDF carries what
//! the pages carry: paragraphs, emphasis, lists, links, tables, quotes, code,
//! footnotes. All text goes through [`super::pdf::text`], so nothing an author
//! writes can be read as Typst code. Raw HTML is left out of the PDF.

use pulldown_cmark::{Alignment, Event, Parser, Tag, TagEnd};

use super::pdf::{string, text};
use crate::markdown;

/// Converts Markdown to Typst markup. Headings start at `top_level` (the PDF
/// section owns the levels above) and stay out of the outline.
pub fn to_typst(md: &str, top_level: u8) -> String {
    let mut out = String::with_capacity(md.len() * 2);
    let mut code: Option<String> = None;
    let highest = Parser::new_ext(md, markdown::options())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as u8),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    for event in Parser::new_ext(md, markdown::options()) {
        if let Some(buffer) = code.as_mut() {
            match event {
                Event::Text(t) => buffer.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    out.push_str(&format!("#raw(block: true, {});\n\n", string(buffer.trim_end())));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => start(&mut out, tag, top_level, highest, &mut code),
            Event::End(tag) => end(&mut out, tag),
            Event::Text(t) => out.push_str(&text(&t)),
            Event::Code(t) => out.push_str(&format!("#raw({});", string(&t))),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str("#linebreak();"),
            Event::Rule => out.push_str("#line(length: 100%, stroke: 0.5pt + luma(180));\n\n"),
            Event::FootnoteReference(label) => out.push_str(&format!("#super[{}];", text(&label))),
            Event::TaskListMarker(done) => out.push_str(&text(if done { "[x] " } else { "[ ] " })),
            Event::Html(_) | Event::InlineHtml(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }
    out
}

fn start(out: &mut String, tag: Tag<'_>, top_level: u8, highest: u8, code: &mut Option<String>) {
    match tag {
        Tag::Paragraph => {}
        Tag::Heading { level, .. } => {
            let level = (level as u8 - highest + top_level).min(6);
            out.push_str(&format!("#heading(level: {level}, outlined: false, bookmarked: false)["));
        }
        Tag::BlockQuote(_) => out.push_str("#quote(block: true)["),
        Tag::CodeBlock(_) => *code = Some(String::new()),
        Tag::List(None) => out.push_str("#list("),
        Tag::List(Some(first)) => out.push_str(&format!("#enum(start: {first}, ")),
        Tag::Item => out.push('['),
        Tag::FootnoteDefinition(label) => {
            out.push_str(&format!("#block(above: 8pt)[#text(size: 0.85em)[#super[{}]; ", text(&label)))
        }
        Tag::Table(aligns) => {
            let align: Vec<&str> = aligns
                .iter()
                .map(|a| match a {
                    Alignment::Right => "right",
                    Alignment::Center => "center",
                    Alignment::Left | Alignment::None => "left",
                })
                .collect();
            out.push_str(&format!(
                "#table(columns: {}, align: ({},), stroke: (x, y) => (bottom: 0.5pt + luma(200)), inset: (x: 4pt, y: 3pt), ",
                aligns.len().max(1),
                align.join(", ")
            ));
        }
        Tag::TableHead => out.push_str("table.header("),
        Tag::TableRow => {}
        Tag::TableCell => out.push('['),
        Tag::Emphasis => out.push_str("#emph["),
        Tag::Strong => out.push_str("#strong["),
        Tag::Strikethrough => out.push_str("#strike["),
        Tag::Link { dest_url, .. } => out.push_str(&format!("#link({})[", string(&dest_url))),
        Tag::Image { .. } => out.push_str("#emph["),
        _ => {}
    }
}

fn end(out: &mut String, tag: TagEnd) {
    match tag {
        TagEnd::Paragraph => out.push_str("\n\n"),
        TagEnd::Heading(_) => out.push_str("];\n\n"),
        TagEnd::BlockQuote(_) => out.push_str("];\n\n"),
        TagEnd::List(_) => out.push_str(");\n\n"),
        TagEnd::Item => out.push_str("], "),
        TagEnd::FootnoteDefinition => out.push_str("]];\n\n"),
        TagEnd::Table => out.push_str(");\n\n"),
        TagEnd::TableHead => out.push_str("), "),
        TagEnd::TableCell => out.push_str("], "),
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image => out.push_str("];"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_never_code() {
        let t = to_typst("Costs #rose by $5 and *x* = [y] \\ done", 3);
        assert!(t.contains("#\"Costs #rose by $5 and \";"), "{t}");
        assert!(t.contains("#emph[#\"x\";];"), "{t}");
    }

    #[test]
    fn headings_start_at_the_given_level() {
        let t = to_typst("### Deep\n\ntext", 3);
        assert!(t.starts_with("#heading(level: 3, outlined: false, bookmarked: false)[#\"Deep\";];"), "{t}");
    }

    #[test]
    fn lists_tables_and_links_have_their_typst_form() {
        let t = to_typst("- a\n- b\n\n1. one\n\n| x | y |\n|--:|---|\n| 1 | 2 |\n\n[site](https://example.com)\n", 3);
        assert!(t.contains("#list([#\"a\";], [#\"b\";], );"), "{t}");
        assert!(t.contains("#enum(start: 1, [#\"one\";], );"), "{t}");
        assert!(t.contains("#table(columns: 2, align: (right, left,)"), "{t}");
        assert!(t.contains("#link(\"https://example.com\")[#\"site\";];"), "{t}");
    }

    #[test]
    fn raw_html_is_left_out() {
        assert!(!to_typst("<script>alert(1)</script>\n\nok", 3).contains("script"));
    }
}
