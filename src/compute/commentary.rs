//! What the author's commentary says, as far as the checks need to know: the
//! Markdown it is parsed as, whether it names a KPI, and whether it nests too
//! deep for the PDF. Rendering it is the render stage's ([`crate::render`]).

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

/// The 1-based line where commentary first nests deeper than the PDF keeps
/// ([`MAX_NESTING`]), if it does: for `check` to warn about.
pub(crate) fn too_deep(md: &str) -> Option<usize> {
    let mut depth = 0usize;
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
}
