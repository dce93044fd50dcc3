//! The record of each output folder's months (`.boardpack/cache/sites/ID`):
//! what the last build into that folder made each month folder from, and a
//! stamp of its files as written, so the next build into it can take an
//! unchanged month as it is. Written and read only here.

use std::collections::BTreeMap;

use crate::base::digest::{MonthKey, PdfKey, Stamp};
use crate::base::period::Month;
use crate::write::cache::trust::Trust;

/// What a site record's tag is for.
const TAG_KIND: &str = "site";

/// One month folder as the last build into a site left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedMonth {
    /// The key of the inputs it was made from.
    pub(crate) key: MonthKey,
    /// Its PDF's key, if it has a PDF.
    pub(crate) pdf: Option<PdfKey>,
    /// The stamp of its files as written (`output::stamp`).
    pub(crate) stamp: Stamp,
}

/// A site's months, by folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SiteRecord {
    pub(crate) months: BTreeMap<Month, RecordedMonth>,
}

impl SiteRecord {
    /// The record as written for the site `site`: a line per month,
    /// `FOLDER KEY PDF STAMP` (`-` for no PDF), then `tag TAG`, the tag of
    /// the lines before it and the site's id under the project's secret.
    pub(crate) fn to_text(&self, site: &str, trust: &Trust) -> String {
        let mut text = String::new();
        for (folder, m) in &self.months {
            let pdf = m.pdf.as_ref().map_or("-", PdfKey::as_str);
            text.push_str(&format!("{folder} {} {pdf} {}\n", m.key, m.stamp));
        }
        let tag = trust.tag(TAG_KIND, &format!("{site}\n{text}"));
        format!("{text}tag {tag}\n")
    }

    /// A record read back; `None` unless every line is well formed and the
    /// tag is this project's for this site (a record copied from another
    /// folder's, or written by hand, names nothing).
    pub(crate) fn parse(site: &str, text: &str, trust: &Trust) -> Option<SiteRecord> {
        let body = text.strip_suffix('\n')?;
        let (lines, tag) = match body.rsplit_once('\n') {
            Some((lines, last)) => (format!("{lines}\n"), last.strip_prefix("tag ")?),
            None => (String::new(), body.strip_prefix("tag ")?),
        };
        if !trust.verify(TAG_KIND, &format!("{site}\n{lines}"), tag) {
            return None;
        }
        let mut months = BTreeMap::new();
        for line in lines.lines() {
            let mut parts = line.split(' ');
            let (folder, key, pdf, stamp) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let pdf = match pdf {
                "-" => None,
                pdf => Some(PdfKey::parse(pdf)?),
            };
            let month = RecordedMonth { key: MonthKey::parse(key)?, pdf, stamp: Stamp::parse(stamp)? };
            months.insert(folder.parse().ok()?, month);
        }
        Some(SiteRecord { months })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(secret: &str) -> Trust {
        Trust::derived(secret.as_bytes())
    }

    #[test]
    fn a_site_record_reads_back_only_for_its_site_and_secret() {
        let ours = trust(&"a".repeat(64));
        let mut record = SiteRecord::default();
        let month = |pdf: Option<&str>| RecordedMonth {
            key: MonthKey::parse(&"ab".repeat(32)).unwrap(),
            pdf: pdf.map(|p| PdfKey::parse(p).unwrap()),
            stamp: Stamp::parse(&"cd".repeat(32)).unwrap(),
        };
        record.months.insert("2026-09".parse().unwrap(), month(None));
        record.months.insert("2026-10".parse().unwrap(), month(Some(&"ef".repeat(32))));
        let text = record.to_text("site1", &ours);
        assert_eq!(SiteRecord::parse("site1", &text, &ours), Some(record.clone()), "round trip");
        assert_eq!(SiteRecord::parse("site2", &text, &ours), None, "another site's record");
        assert_eq!(SiteRecord::parse("site1", &text, &trust(&"b".repeat(64))), None, "another secret");
        let forged = text.replacen("2026-09", "2026-08", 1);
        assert_eq!(SiteRecord::parse("site1", &forged, &ours), None, "edited by hand");
        // Well tagged but not what a build writes: not a month, not a digest.
        for line in [
            format!("2026-13 {} - {}\n", "ab".repeat(32), "cd".repeat(32)),
            format!("2026-09 ab - {}\n", "cd".repeat(32)),
        ] {
            let tag = ours.tag(TAG_KIND, &format!("site1\n{line}"));
            assert_eq!(SiteRecord::parse("site1", &format!("{line}tag {tag}\n"), &ours), None, "{line}");
        }
        let empty = SiteRecord::default().to_text("site1", &ours);
        assert_eq!(SiteRecord::parse("site1", &empty, &ours), Some(SiteRecord::default()));
    }
}
