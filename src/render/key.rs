//! The key of a month's inputs: everything its folder's files are made from.
//!
//! A past month's pages depend only on data up to that month (and on the
//! corrections that name it), so a month whose key is unchanged since the
//! previous build has the same files, which the build takes from there
//! instead of rendering them again. Keys chain month to month, so computing
//! them all costs one pass over the project.

use sha2::{Digest, Sha256};

use super::Documents;
use crate::base::digest::MonthKey;
use crate::base::period::Month;
use crate::compute::audit::Correction;
use crate::load::portfolio::Portfolio;
use crate::load::project::{MonthContent, Project};
use crate::load::theme::Theme;

/// A hasher that frames every part with its length, so no two different
/// sequences of parts hash alike.
pub(super) struct Key(Sha256);

impl Key {
    pub(super) fn new() -> Key {
        Key(Sha256::new())
    }

    pub(super) fn part(&mut self, bytes: &[u8]) -> &mut Key {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub(super) fn text(&mut self, text: &str) -> &mut Key {
        self.part(text.as_bytes())
    }

    pub(super) fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// Every month's key, in month order.
pub(super) fn months(
    project: &Project,
    theme: &Theme,
    documents: Documents,
    base_url: Option<&str>,
    corrections: &[Correction],
) -> Vec<MonthKey> {
    let mut global = Key::new();
    global
        .text(env!("CARGO_PKG_VERSION"))
        .text(&format!("{documents:?}"))
        .text(base_url.unwrap_or(""))
        .text(&format!("{:?}", project.config))
        .text(&format!("{:?}", project.catalogue))
        .text(project.fonts.fingerprint())
        .part(&theme.fingerprint());
    let global = global.finish();
    let mut chain = [0u8; 32];
    project
        .months
        .iter()
        .map(|content| {
            let mut next = Key::new();
            next.part(&chain).part(&content_hash(content));
            chain = next.finish();
            let mut key = Key::new();
            key.part(&global).part(&chain);
            for c in corrections.iter().filter(|c| c.month == content.month || c.announced == content.month) {
                key.text(&format!("{c:?}"));
            }
            MonthKey::from_bytes(key.finish())
        })
        .collect()
}

/// Each company's months and their keys ([`months`]), by slug: what a
/// portfolio build learns as it writes the companies' sites.
pub(crate) type CompanyKeys = std::collections::BTreeMap<String, Vec<(Month, MonthKey)>>;

/// The key of each of the portfolio's `months` overview pages, in order, or
/// `None` when a company's keys are missing. An overview month shows the
/// portfolio's settings and theme, the companies and their catalogues, the
/// months up to it, and each company's figures up to it, which the key of its
/// latest month up to then stands for (keys chain, so it covers every earlier month).
pub(crate) fn overview(
    portfolio: &Portfolio,
    theme: &Theme,
    months: &[Month],
    companies: &CompanyKeys,
) -> Option<Vec<MonthKey>> {
    let mut global = Key::new();
    global.text(env!("CARGO_PKG_VERSION")).text(&format!("{:?}", portfolio.config)).part(&theme.fingerprint());
    let mut keyed = Vec::new();
    for c in &portfolio.companies {
        global.text(&c.slug).text(&format!("{:?}", c.project.config)).text(&format!("{:?}", c.project.catalogue));
        keyed.push(companies.get(&c.slug)?);
    }
    let global = global.finish();
    let keys = months
        .iter()
        .enumerate()
        .map(|(i, &month)| {
            let mut key = Key::new();
            key.part(&global);
            for m in &months[..=i] {
                key.text(&m.to_string());
            }
            for own in &keyed {
                let upto = own.iter().take_while(|(m, _)| *m <= month).last();
                key.text(upto.map_or("", |(_, k)| k.as_str()));
                key.text(if upto.is_some_and(|(m, _)| *m == month) { "reported" } else { "" });
            }
            MonthKey::from_bytes(key.finish())
        })
        .collect();
    Some(keys)
}

/// Everything a month's folder holds that its pages show.
fn content_hash(m: &MonthContent) -> [u8; 32] {
    let mut k = Key::new();
    k.text(&m.month.to_string()).text(if m.draft { "draft" } else { "" });
    for (id, e) in &m.values {
        k.text(id).text(&format!("{:?}|{:?}|{:?}|{:?}", e.value, e.note, e.measured, e.rows));
    }
    k.text(m.summary.as_deref().unwrap_or(""));
    for (id, md) in &m.commentary {
        k.text(id).text(md);
    }
    for (name, md) in &m.sent_commentary {
        k.text(name).text(md);
    }
    for (id, bytes) in &m.evidence {
        k.text(id).part(bytes);
    }
    k.text(&format!("{:?}", m.seal)).text(&format!("{:?}", m.restatements));
    k.text(&m.sealed_pack.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    k.finish()
}
