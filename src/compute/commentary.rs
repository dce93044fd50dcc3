//! What the author's commentary says, as far as the checks need to know: the
//! Markdown it is parsed as, whether it names a KPI, and whether it nests too
//! deep for the PDF. Rendering it is the render stage's ([`crate::render`]).

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::load::project::MonthContent;

/// The Markdown extensions commentary may use, shared by the HTML and the PDF.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// How deep commentary may nest (quotes in lists in quotes…) and keep its
/// structure in the PDF. Typst lays out at most 72 levels of nested content;
/// the PDF's own layout uses some, and real commentary never comes close.
/// Deeper content keeps its text, not its structure (`check` warns).
pub(crate) const MAX_NESTING: usize = 12;

/// Where a month's writing names a KPI: its accountability's commentary, the
/// executive summary. Either explains a red or amber number, for `check` and
/// for the attention list alike.
pub(crate) struct Mentioned {
    pub(crate) commentary: bool,
    pub(crate) summary: bool,
}

pub(crate) fn mentioned(content: &MonthContent, accountability: &str, id: &str, name: &str) -> Mentioned {
    Mentioned {
        commentary: content.commentary.get(accountability).is_some_and(|md| names(md, id, name)),
        summary: content.summary.as_ref().is_some_and(|md| names(md, id, name)),
    }
}

/// Whether commentary names a KPI: by its name, its id, or its id as words
/// ("lead time" for `lead-time`); case, and hyphens against spaces
/// ("change-failure rate"), do not matter.
pub(crate) fn names(markdown: &str, id: &str, name: &str) -> bool {
    let words = |s: &str| s.to_lowercase().replace('-', " ");
    let text = words(markdown);
    text.contains(&words(id)) || text.contains(&words(name))
}

/// How many quote markers (`>`) a line keeps before it is parsed: past
/// [`MAX_NESTING`] only the text is kept anyway, and parsing a quote nested
/// thousands deep costs time by the square of its depth (100 KB of `>` took
/// 51 s to build).
const MAX_QUOTE_MARKERS: usize = MAX_NESTING * 2;

/// Commentary with every line's run of quote markers cut to
/// [`MAX_QUOTE_MARKERS`]: what every parse of commentary reads, so no depth
/// costs more than that one. Text is never removed.
pub(crate) fn bounded(md: &str) -> Cow<'_, str> {
    let too_deep = |line: &str| {
        line.bytes().take_while(|b| matches!(b, b'>' | b' ' | b'\t')).filter(|b| *b == b'>').count() > MAX_QUOTE_MARKERS
    };
    if !md.lines().any(too_deep) {
        return Cow::Borrowed(md);
    }
    let mut out = String::with_capacity(md.len());
    for line in md.split_inclusive('\n') {
        if !too_deep(line) {
            out.push_str(line);
            continue;
        }
        let prefix_len = line.len() - line.trim_start_matches(['>', ' ', '\t']).len();
        let (prefix, rest) = line.split_at(prefix_len);
        let last = prefix.rfind('>').map_or(0, |i| i + 1);
        let cut = prefix.match_indices('>').nth(MAX_QUOTE_MARKERS - 1).map_or(last, |(i, _)| i + 1);
        out.push_str(&prefix[..cut]);
        out.push_str(&prefix[last..]);
        out.push_str(rest);
    }
    Cow::Owned(out)
}

/// The 1-based line where commentary first nests deeper than the PDF keeps
/// ([`MAX_NESTING`]), if it does: for `check` to warn about.
pub(crate) fn too_deep(md: &str) -> Option<usize> {
    let mut depth = 0usize;
    let md = &*bounded(md);
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Item | Tag::TableHead | Tag::TableRow | Tag::TableCell) => depth += 1,
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(md[..range.start].matches('\n').count() + 1);
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commentary_names_a_kpi_by_name_id_or_words_whatever_the_hyphens() {
        let (id, name) = ("change-failure-rate", "Change failure rate");
        assert!(names("Change-failure rate hit 22.4%.", id, name));
        assert!(names("The CHANGE FAILURE RATE rose.", id, name));
        assert!(names("see change-failure-rate", id, name));
        assert!(!names("Failures rose.", id, name));
        assert!(!names("The change rate rose.", id, name));
    }

    #[test]
    fn a_quote_thousands_deep_keeps_its_text_and_a_bounded_depth() {
        let deep = format!("{} deep\nplain\n", ">".repeat(100_000));
        let cut = bounded(&deep);
        assert_eq!(cut, format!("{} deep\nplain\n", ">".repeat(MAX_QUOTE_MARKERS)));
        assert!(matches!(bounded("> quoted\n>> twice\n"), Cow::Borrowed(_)));
        assert_eq!(too_deep(&deep), Some(1), "still reported as too deep");
    }
}
