//! The record of each output folder's months (`.boardpack/cache/sites/ID`):
//! what the last build into that folder made each month folder from, and a
//! stamp of its files as written, so the next build into it can take an
//! unchanged month as it is. Written and read only here.

use std::collections::BTreeMap;

use crate::write::cache::index::is_digest;
use crate::write::cache::trust::Trust;

/// What a site record's tag is for.
const TAG_KIND: &str = "site";

/// One month folder as the last build into a site left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedMonth {
    /// The key of the inputs it was made from.
    pub(crate) key: String,
    /// Its PDF's key, if it has a PDF.
    pub(crate) pdf: Option<String>,
    /// The stamp of its files as written (`output::stamp`).
    pub(crate) stamp: String,
}

/// A site's months, by folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SiteRecord {
    pub(crate) months: BTreeMap<String, RecordedMonth>,
}

impl SiteRecord {
    /// The record as written for the site `site`: a line per month,
    /// `FOLDER KEY PDF STAMP` (`-` for no PDF), then `tag TAG`, the tag of
    /// the lines before it and the site's id under the project's secret.
    pub(crate) fn to_text(&self, site: &str, trust: &Trust) -> String {
        let mut text = String::new();
        for (folder, m) in &self.months {
            text.push_str(&format!("{folder} {} {} {}\n", m.key, m.pdf.as_deref().unwrap_or("-"), m.stamp));
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
            let digests = is_digest(key) && is_digest(stamp) && (pdf == "-" || is_digest(pdf));
            if !digests || folder.is_empty() || parts.next().is_some() {
                return None;
            }
            let pdf = (pdf != "-").then(|| pdf.to_string());
            months.insert(folder.to_string(), RecordedMonth { key: key.into(), pdf, stamp: stamp.into() });
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
            key: "ab".repeat(32),
            pdf: pdf.map(String::from),
            stamp: "cd".repeat(32),
        };
        record.months.insert("2026-09".into(), month(None));
        record.months.insert("2026-10".into(), month(Some(&"ef".repeat(32))));
        let text = record.to_text("site1", &ours);
        assert_eq!(SiteRecord::parse("site1", &text, &ours), Some(record.clone()), "round trip");
        assert_eq!(SiteRecord::parse("site2", &text, &ours), None, "another site's record");
        assert_eq!(SiteRecord::parse("site1", &text, &trust(&"b".repeat(64))), None, "another secret");
        let forged = text.replacen("2026-09", "2026-08", 1);
        assert_eq!(SiteRecord::parse("site1", &forged, &ours), None, "edited by hand");
        let empty = SiteRecord::default().to_text("site1", &ours);
        assert_eq!(SiteRecord::parse("site1", &empty, &ours), Some(SiteRecord::default()));
    }
}
