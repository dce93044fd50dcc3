//! What the author's commentary says, as far as the checks need to know: the
//! Markdown it is parsed as, whether it names a KPI, and whether it nests too
//! deep for the PDF. Rendering it is the render stage's ([`crate::render`]).

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::load::catalogue::Kpi;
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

pub(crate) fn mentioned(content: &MonthContent, kpi: &Kpi) -> Mentioned {
    let says = |md: &String| names(md, kpi);
    Mentioned {
        commentary: content.commentary.get(&kpi.accountability).is_some_and(says),
        summary: content.summary.as_ref().is_some_and(says),
    }
}

/// Whether commentary names a KPI by any of [`Kpi::every_name`]: its id as
/// words, its names and short names in every language. Case, punctuation and
/// Markdown emphasis do not matter, nor where a line breaks: "change-failure
/// rate", "**Change failure**⏎rate" and "fail-⏎ure" (a word hyphenated across
/// lines) all name the change failure rate. A name matches from the start of
/// a word, so "lead times" names lead time.
pub(crate) fn names(markdown: &str, kpi: &Kpi) -> bool {
    // A hyphen that ends a line may split one word or join two: read both ways.
    let joined = words(&rejoin_hyphenated(markdown));
    let spaced = words(markdown);
    let needles = kpi.every_name().map(|n| words(&n).trim_end().to_string()).filter(|n| !n.is_empty());
    needles.into_iter().any(|n| {
        // Scripts written without spaces between words (Chinese, Japanese,
        // Thai…) have no word start to match from: a name is found anywhere.
        // A line break there does not part words either.
        if n.chars().nth(1).is_some_and(|c| c > '\u{52f}') {
            let compact = |s: &str| s.replace(' ', "");
            return compact(&spaced).contains(&compact(&n));
        }
        joined.contains(&n) || spaced.contains(&n)
    })
}

/// Text as a run of lower-case words, each preceded by one space (and the
/// whole followed by one), so a name matches only from a word's start.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '\u{ad}').filter(|w| !w.is_empty()) {
        out.push(' ');
        out.extend(word.chars().filter(|c| *c != '\u{ad}').flat_map(char::to_lowercase));
    }
    out.push(' ');
    out
}

/// `text` with every hyphen that ends a line joined to the next line's
/// first word ("fail-⏎  ure" → "failure"), across a Markdown quote marker.
fn rejoin_hyphenated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut joining = false;
    for line in text.lines() {
        let line = if joining { line.trim_start_matches(|c: char| c == '>' || c.is_whitespace()) } else { line };
        match line.trim_end().strip_suffix('-') {
            Some(head) => out.push_str(head),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
        joining = line.trim_end().ends_with('-');
    }
    out
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

    fn kpi(id: &str) -> Kpi {
        let k = crate::load::catalogue::Catalogue::builtin().kpi(id).cloned();
        k.expect("a built-in KPI")
    }

    #[test]
    fn commentary_names_a_kpi_by_name_id_or_words_whatever_the_hyphens() {
        let cfr = kpi("change-failure-rate");
        assert!(names("Change-failure rate hit 22.4%.", &cfr));
        assert!(names("The CHANGE FAILURE RATE rose.", &cfr));
        assert!(names("see change-failure-rate", &cfr));
        assert!(!names("Failures rose.", &cfr));
        assert!(!names("The change rate rose.", &cfr));
    }

    #[test]
    fn a_name_broken_across_lines_emphasis_or_hyphenation_still_names_the_kpi() {
        let cfr = kpi("change-failure-rate");
        assert!(names("Our change failure\nrate 7.9% came from one release.", &cfr));
        assert!(names("Our change failure\r\nrate 7.9%", &cfr), "a Windows line break");
        assert!(names("> our **change failure**\n> rate rose", &cfr), "quoted, with emphasis");
        assert!(names("the change fail-\nure rate rose", &cfr), "a word hyphenated across lines");
        assert!(names("the change-\nfailure rate rose", &cfr), "a line broken after a real hyphen");
        assert!(names("the change fail\u{ad}ure rate", &cfr), "a soft hyphen");
        assert!(names("CFR rose to 7.9%", &cfr), "its short name");
        assert!(!names("interchange failure rates", &cfr), "a name starts a word");
        assert!(names("Lead times were long.", &kpi("lead-time")), "a plural still names it");
    }

    #[test]
    fn a_name_in_a_script_without_spaces_is_found_within_a_sentence() {
        let mut cfr = kpi("change-failure-rate");
        cfr.names = crate::load::catalogue::Localized::new("変更失敗率".into(), Default::default());
        assert!(names("先月の変更失敗率は7.9%でした。", &cfr));
        assert!(names("先月の変更失敗\n率は7.9%でした。", &cfr), "across a line break");
        assert!(!names("先月の障害は一件でした。", &cfr));
    }

    #[test]
    fn a_name_in_any_language_of_the_catalogue_names_the_kpi() {
        let lead = kpi("lead-time");
        let french = lead.names.in_language("fr").to_string();
        assert_ne!(french, lead.names.in_language("en"), "the built-in catalogue names it in French");
        assert!(names(&format!("Le {} a baissé.", french.to_lowercase()), &lead));
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
