//! The index of months (`.boardpack/cache/months`): for each month's key, its
//! PDF's key and every file of its folder by digest and path. Written and read
//! only here.

use std::collections::BTreeSet;
use std::path::Path;

use crate::base::digest::{Blake3, MonthKey, PdfKey, Tag};
use crate::write::cache::trust::Trust;

/// What an index paragraph's tag is for.
const TAG_KIND: &str = "month";

/// A paragraph of the next index: one of the last index's, by where it is in
/// that index's text (most of a rebuild's months: not copied, as the index is
/// 17 MB at 300 companies × 36 months, and its copies were a third of a warm
/// build's memory there), or one this build made.
#[derive(Debug)]
pub(super) enum Paragraph {
    Kept(std::ops::Range<usize>),
    Made(String),
}

/// What the cache holds of one month's folder: its PDF's key, if it has one,
/// and each file's digest and path in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedMonth {
    pub(crate) pdf: Option<PdfKey>,
    pub(crate) files: Vec<(Blake3, String)>,
}

/// The index of months as the last build left it: its text, and where each
/// well-formed month's paragraph is in it. A month's files are read from its
/// paragraph only when the month is taken from the cache: a rebuild that
/// takes its months from its previous output keeps their paragraphs where
/// they are, and writes the next index from them without copying them first.
#[derive(Debug, Default)]
pub(super) struct Index {
    text: String,
    pub(super) months: std::collections::HashMap<MonthKey, std::ops::Range<usize>>,
}

impl Index {
    /// The index's paragraphs: a month's line, `KEY PDF FILES TAG` (`-` for
    /// no PDF; FILES the number of files; TAG the paragraph's tag, see
    /// [`Trust`]), then one line for each file of its folder, indented by one
    /// space: `DIGEST PATH`. A month line that is not a month's key, a PDF's
    /// key or `-`, a number and a tag names nothing.
    pub(super) fn read(text: String) -> Index {
        let mut months = std::collections::HashMap::new();
        let mut start: Option<(MonthKey, usize)> = None;
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            if !line.starts_with(' ') {
                if let Some((key, from)) = start.take() {
                    months.insert(key, from..at);
                }
                let mut parts = line.trim_end_matches('\n').split(' ');
                let (key, pdf, count) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next());
                let well_formed = (pdf == "-" || PdfKey::parse(pdf).is_some())
                    && count.is_some_and(|n| n.parse::<usize>().is_ok())
                    && parts.next().is_some_and(|tag| Tag::parse(tag).is_some())
                    && parts.next().is_none();
                start = MonthKey::parse(key).filter(|_| well_formed).map(|key| (key, at));
            }
            at += line.len();
        }
        if let Some((key, from)) = start {
            months.insert(key, from..at);
        }
        Index { text, months }
    }

    /// A month's paragraph, and where it is in the text.
    pub(super) fn paragraph(&self, month_key: &MonthKey) -> Option<(Paragraph, &str)> {
        let range = self.months.get(month_key)?;
        Some((Paragraph::Kept(range.clone()), self.text.get(range.clone())?))
    }

    /// The text of a paragraph of the next index.
    pub(super) fn text_of<'t>(&'t self, paragraph: &'t Paragraph) -> &'t str {
        match paragraph {
            Paragraph::Kept(range) => self.text.get(range.clone()).unwrap_or_default(),
            Paragraph::Made(text) => text,
        }
    }

    /// Whether these paragraphs, one after another, are this index's text.
    pub(super) fn is<'p>(&self, paragraphs: impl Iterator<Item = &'p Paragraph>) -> bool {
        let mut at = 0;
        for p in paragraphs {
            let text = self.text_of(p);
            if self.text.get(at..at + text.len()) != Some(text) {
                return false;
            }
            at += text.len();
        }
        at == self.text.len()
    }
}

impl CachedMonth {
    /// A month's paragraph of the index, read; `None` unless it is whole and
    /// tagged under this project's secret: every line well formed and ended,
    /// as many files as its first line says (at least one), no path twice. An
    /// index cut short never names part of a month, and an index written by
    /// anything but a build of this project names nothing.
    pub(super) fn parse(paragraph: &str, trust: &Trust) -> Option<CachedMonth> {
        if !paragraph.ends_with('\n') {
            return None;
        }
        let (head, rest) = paragraph.split_once('\n')?;
        let (untagged, tag) = head.rsplit_once(' ')?;
        if !trust.verify(TAG_KIND, &format!("{untagged}\n{rest}"), tag) {
            return None;
        }
        let mut head = untagged.split(' ').skip(1);
        let (pdf, count) = (head.next()?, head.next()?.parse::<usize>().ok()?);
        let pdf = match pdf {
            "-" => None,
            key => Some(PdfKey::parse(key)?),
        };
        let files = rest
            .lines()
            .map(|line| {
                let (digest, path) = line.strip_prefix(' ')?.split_once(' ')?;
                Some((Blake3::parse(digest)?, path.to_string())).filter(|_| is_folder_path(path))
            })
            .collect::<Option<Vec<_>>>()?;
        let paths: BTreeSet<&str> = files.iter().map(|(_, p)| p.as_str()).collect();
        (count > 0 && files.len() == count && paths.len() == count).then_some(CachedMonth { pdf, files })
    }

    /// The month's paragraph of the index under `month_key`, tagged (see
    /// [`Index::read`]); `None` when it would not read back (a path the
    /// index cannot hold).
    pub(super) fn to_paragraph(&self, month_key: &MonthKey, trust: &Trust) -> Option<String> {
        let mut rest = String::new();
        for (digest, path) in &self.files {
            rest.push(' ');
            rest.push_str(digest.as_str());
            rest.push(' ');
            rest.push_str(path);
            rest.push('\n');
        }
        let pdf = self.pdf.as_ref().map_or("-", PdfKey::as_str);
        let untagged = format!("{month_key} {pdf} {}", self.files.len());
        let tag = trust.tag(TAG_KIND, &format!("{untagged}\n{rest}"));
        let text = format!("{untagged} {tag}\n{rest}");
        (CachedMonth::parse(&text, trust).as_ref() == Some(self)).then_some(text)
    }
}

/// Whether `path` can name a file of a month's folder: relative, no step up,
/// and one line (the index holds it on one).
pub(super) fn is_folder_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\n')
        && Path::new(path).components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A month's key made of one byte, written 32 times.
    fn key(byte: &str) -> MonthKey {
        MonthKey::parse(&byte.repeat(32)).unwrap()
    }

    #[test]
    fn a_paragraph_reads_back_only_whole_well_formed_and_tagged_by_this_project() {
        let ours = Trust::derived(b"ours");
        let d = Blake3::of(b"page");
        let month = |files: &[&str]| CachedMonth {
            pdf: None,
            files: files.iter().map(|p| (d.clone(), p.to_string())).collect(),
        };
        let whole = month(&["index.html", "charts/a.svg"]);
        let text = whole.to_paragraph(&key("0e"), &ours).unwrap();
        assert_eq!(CachedMonth::parse(&text, &ours), Some(whole.clone()), "what is written reads back");
        assert_eq!(CachedMonth::parse(&text, &Trust::derived(b"theirs")), None, "another project's secret");
        // What no build writes: a path out, no files, a path twice.
        assert_eq!(month(&["../escape.html"]).to_paragraph(&key("0b"), &ours), None);
        assert_eq!(month(&[]).to_paragraph(&key("0f"), &ours), None);
        assert_eq!(month(&["index.html", "index.html"]).to_paragraph(&key("11"), &ours), None);
        // Cut short, a file swapped for another digest, a line added, a digest
        // in capitals: not read.
        let cut = &text[..text.len() - 3];
        let swapped = text.replacen(d.as_str(), Blake3::of(b"other").as_str(), 1);
        let added = format!("{text} {d} evil.html\n");
        let capitals = text.replacen(d.as_str(), &d.as_str().to_uppercase(), 1);
        for forged in [cut, swapped.as_str(), added.as_str(), capitals.as_str()] {
            assert_eq!(CachedMonth::parse(forged, &ours), None, "{forged}");
        }
        // In an index, only the well-formed paragraphs are found.
        let other = month(&["index.html"]).to_paragraph(&key("10"), &ours).unwrap();
        let (a, dd) = (key("0a"), key("0d"));
        let index =
            Index::read(format!("{a} ../../x 1\n {d} index.html\n{text}{other}{dd} - 1\n {d} a.html\n0a0a - 1 {dd}\n"));
        let mut found: Vec<&MonthKey> = index.months.keys().collect();
        found.sort();
        assert_eq!(found, [&key("0e"), &key("10")]);
        assert_eq!(index.paragraph(&key("0e")).unwrap().1, text);
    }
}
