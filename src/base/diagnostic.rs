//! User-facing problems with the content, located to a file, line and column.
//!
//! Every stage that reads user files reports through [`Diagnostic`], so `check`
//! and `build` print the same messages in the same rustc-like shape.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors stop a build; warnings are printed and, with
/// `check --strict`, fail it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Printed; fails only `check --strict`.
    Warning,
}

/// Where a problem sits in a source file, resolved to what a person looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The whole source line, without its newline.
    pub source_line: String,
    /// How many characters to mark from `column` (at least 1).
    pub width: usize,
}

impl Location {
    /// Resolves a byte range in `source` to line, column and the marked width.
    /// Ranges past the end are clamped, so a bad span can never panic.
    pub(crate) fn from_span(source: &str, span: Range<usize>) -> Location {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let source_line = source[line_start..line_end].trim_end_matches('\r').to_string();
        let marked_end = end.min(line_end);
        let width = source[start..marked_end].chars().count().max(1);
        Location { line, column, source_line, width }
    }

    /// Location of a whole 1-based line, for problems found by line rather than by span.
    pub(crate) fn line(source: &str, line: usize) -> Location {
        let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
        Location { line, column: 1, source_line: text.to_string(), width: text.chars().count().max(1) }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem a user can fix: what is wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops a build.
    pub severity: Severity,
    /// Path relative to the project root, as the user would type it.
    pub file: PathBuf,
    /// Where in the file, when the problem has a place.
    pub location: Option<Location>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Short note printed under the marked span.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem that stops the build, in `file` (relative to the project root).
    pub fn error(file: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            location: None,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    /// A problem worth fixing that does not stop the build.
    pub fn warning(file: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, message) }
    }

    /// Points the diagnostic at a byte range of the file's text.
    pub(crate) fn at(mut self, source: &str, span: Range<usize>) -> Diagnostic {
        self.location = Some(Location::from_span(source, span));
        self
    }

    /// Points the diagnostic at a whole line of the file's text.
    pub(crate) fn at_line(mut self, source: &str, line: usize) -> Diagnostic {
        self.location = Some(Location::line(source, line));
        self
    }

    /// Points the diagnostic at 1-based `line`, whose text is `text` (for when
    /// the whole file's text is no longer at hand).
    pub(crate) fn at_line_of(mut self, line: usize, text: &str) -> Diagnostic {
        self.location =
            Some(Location { line, column: 1, source_line: text.to_string(), width: text.chars().count().max(1) });
        self
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether it stops the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Terminal colours for a rendered diagnostic: the same text, with escape
/// codes around its parts (never parsed back out of plain text).
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

const RED: &str = "1;31";
const YELLOW: &str = "1;33";
const BLUE: &str = "1;34";
const CYAN: &str = "36";
const BOLD: &str = "1";

impl Diagnostic {
    /// The diagnostic as text for a terminal, like rustc: headline,
    /// `--> file:line:col`, the source line with carets under the problem, then
    /// `= help:`. With `colour`, the parts are coloured as rustc colours them.
    pub fn render(&self, colour: bool) -> String {
        let p = Paint { on: colour };
        let (kind, marker) = match self.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
        };
        let mut out = format!("{}{}\n", p.wrap(marker, kind), p.wrap(BOLD, &format!(": {}", self.message)));
        let file = self.file.display();
        match &self.location {
            Some(loc) => {
                let gutter = loc.line.to_string().len();
                let pad = " ".repeat(gutter);
                let bar = p.wrap(BLUE, &format!("{pad} |"));
                out.push_str(&format!("{}\n", p.wrap(BLUE, &format!("{pad}--> {file}:{}:{}", loc.line, loc.column))));
                out.push_str(&format!("{bar}\n"));
                out.push_str(&format!("{} {}\n", p.wrap(BLUE, &format!("{} |", loc.line)), loc.source_line));
                let lead: String =
                    loc.source_line.chars().take(loc.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                let label = self.label.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
                out.push_str(&format!(
                    "{bar} {lead}{}\n",
                    p.wrap(marker, &format!("{}{label}", "^".repeat(loc.width)))
                ));
                if let Some(help) = &self.help {
                    out.push_str(&format!("{bar}\n"));
                    out.push_str(&format!("{pad} {}\n", p.wrap(CYAN, &format!("= help: {help}"))));
                }
            }
            None => {
                out.push_str(&format!("{}\n", p.wrap(BLUE, &format!(" --> {file}"))));
                if let Some(label) = &self.label {
                    out.push_str(&format!("  = note: {label}\n"));
                }
                if let Some(help) = &self.help {
                    out.push_str(&format!("  {}\n", p.wrap(CYAN, &format!("= help: {help}"))));
                }
            }
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like rustc, without colour (see [`Diagnostic::render`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// The closest candidate to `input` by edit distance (Levenshtein, over
/// characters), when it is close enough to be a plausible typo ("did you mean …?").
pub(crate) fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(input, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_span_to_line_and_column() {
        let src = "a = 1\nlead-tme = 3.1\n";
        let loc = Location::from_span(src, 6..14);
        assert_eq!((loc.line, loc.column, loc.width), (2, 1, 8));
        assert_eq!(loc.source_line, "lead-tme = 3.1");
    }

    #[test]
    fn clamps_spans_past_the_end() {
        let loc = Location::from_span("x = 1", 50..60);
        assert_eq!(loc.line, 1);
        assert_eq!(loc.width, 1);
    }

    #[test]
    fn renders_like_rustc() {
        let src = "lead-time = 3.1\ncycle-tme = 4\n";
        let d = Diagnostic::error("content/2026-10/kpis.toml", "unknown KPI id `cycle-tme`")
            .at(src, 16..25)
            .label("not in the catalogue")
            .help("did you mean `cycle-time`?");
        let expected = "error: unknown KPI id `cycle-tme`\n --> content/2026-10/kpis.toml:2:1\n  |\n2 | cycle-tme = 4\n  | ^^^^^^^^^ not in the catalogue\n  |\n  = help: did you mean `cycle-time`?\n";
        assert_eq!(d.to_string(), expected);
    }

    #[test]
    fn suggests_near_misses_only() {
        let ids = ["lead-time", "cycle-time", "rework-ratio"];
        assert_eq!(did_you_mean("lead-tme", ids), Some("lead-time"));
        assert_eq!(did_you_mean("cycletime", ids), Some("cycle-time"));
        assert_eq!(did_you_mean("revenue", ids), None);
    }

    #[test]
    fn distance_counts_characters_and_a_tie_goes_to_the_first_by_name() {
        // Two edits in characters, four in UTF-8 bytes.
        assert_eq!(did_you_mean("équipés", ["equipes", "budget"]), Some("equipes"));
        assert_eq!(did_you_mean("cat", ["hat", "bat"]), Some("bat"));
        assert_eq!(did_you_mean("x", ["abc"]), None, "three edits is past the floor of two");
    }
}
