//! An encrypted site (`[publish] encrypt = true`): every file sealed under the
//! site key at the URL it has in the plain site.
//!
//! [`Encrypting`] wraps the build's destination. Each file it receives is
//! sealed before it is passed on: an HTML file becomes the theme's encrypted
//! page ([`crate::render::lock`]) holding it and, for a page, every
//! stylesheet and image it shows ([`bundle`]); any other file becomes its
//! sealed bytes, which a page fetches, decrypts and saves. `robots.txt` alone
//! stays as it is: it only asks search engines to stay away.
//!
//! The month keys it passes on are folded with the key's fingerprint (and the
//! site's place in a portfolio), so the project cache keeps encrypted months
//! apart from plain ones and from other keys', and an unchanged encrypted
//! month is linked from the cache, not sealed again. The key itself is never
//! written anywhere.

mod bundle;
pub(crate) mod cipher;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use cipher::Kind;
pub(crate) use cipher::SiteKey;

use crate::base::digest::{MonthKey, PdfKey};
use crate::base::period::Month;
use crate::load::theme::Theme;
use crate::render::lock::Shell;
use crate::render::view::SiteView;
use crate::render::{Destination, MakePdf, MonthRecord, SiteFile};
use crate::Error;

/// The one file an encrypted site keeps in clear.
const ROBOTS: &str = "robots.txt";

/// A destination that seals every file before passing it on to `inner`;
/// without a key, it passes everything on as it is.
pub(crate) struct Encrypting<'a> {
    inner: &'a dyn Destination,
    key: Option<&'a SiteKey>,
    /// Where the site is in the output (`SLUG` for a portfolio's company),
    /// which every path is bound to.
    prefix: Option<&'a str>,
    /// What the site is rendered with, told by [`Destination::begin`].
    site: OnceLock<Site>,
}

/// The encrypted page's shell and the theme's static files, by their path in the site.
struct Site {
    shell: Shell,
    statics: BTreeMap<String, Vec<u8>>,
}

impl<'a> Encrypting<'a> {
    /// Wraps `inner`, sealing under `key` (when there is one) a site that is
    /// at `prefix/` of the output, or at its root.
    pub(crate) fn new(inner: &'a dyn Destination, key: Option<&'a SiteKey>, prefix: Option<&'a str>) -> Encrypting<'a> {
        Encrypting { inner, key, prefix, site: OnceLock::new() }
    }

    /// The key of a month's encrypted folder: its inputs' key, the site key's
    /// fingerprint and the site's place in the output.
    fn fold(&self, key: &MonthKey, site_key: &SiteKey) -> MonthKey {
        let text = format!("boardpack encrypted v1\n{key}\n{}\n{}", site_key.fingerprint(), self.prefix.unwrap_or(""));
        MonthKey::from_bytes(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()).into())
    }

    /// `files`, sealed. Pages are bundled with the files they show, found
    /// among `files` (a month's charts) and the theme's static files.
    fn seal(&self, key: &SiteKey, files: Vec<SiteFile>) -> Result<Vec<SiteFile>, Error> {
        let site = self.site.get().ok_or_else(|| Error::Internal("a file to encrypt before the site began".into()))?;
        let by_path: BTreeMap<&str, &[u8]> = files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
        files
            .par_iter()
            .map(|f| {
                let path = match self.prefix {
                    Some(p) => format!("{p}/{}", f.path),
                    None => f.path.clone(),
                };
                let bytes = if f.path == ROBOTS {
                    f.bytes.clone()
                } else if f.path.ends_with(".html") {
                    let sealed = if is_page(&f.path) {
                        let html = String::from_utf8_lossy(&f.bytes);
                        let shown = bundle::shown(&html, &f.path);
                        let mut entries: Vec<(String, &[u8])> = vec![(path.clone(), &f.bytes)];
                        for rel in &shown {
                            let found = by_path.get(rel.as_str()).copied().or_else(|| {
                                rel.strip_prefix("static/").and_then(|s| site.statics.get(s)).map(Vec::as_slice)
                            });
                            if let Some(bytes) = found {
                                entries.push((self.in_output(rel), bytes));
                            }
                        }
                        let entries: Vec<(&str, &[u8])> = entries.iter().map(|(p, b)| (p.as_str(), *b)).collect();
                        key.seal(Kind::Bundle, &path, &bundle::pack(&entries))
                    } else {
                        key.seal(Kind::File, &path, &f.bytes)
                    };
                    site.shell.page(path.matches('/').count(), &cipher::base64(&sealed))
                } else {
                    key.seal(Kind::File, &path, &f.bytes)
                };
                Ok(SiteFile { path: f.path.clone(), bytes })
            })
            .collect()
    }

    /// A path of the site as a path of the output.
    fn in_output(&self, rel: &str) -> String {
        match self.prefix {
            Some(p) => format!("{p}/{rel}"),
            None => rel.to_string(),
        }
    }
}

/// Whether the file at `path` is a page of the site (its pages are all
/// `index.html`), rather than an HTML file to download (a single-file report).
fn is_page(path: &str) -> bool {
    path == "index.html" || path.ends_with("/index.html")
}

impl Destination for Encrypting<'_> {
    fn begin(&self, theme: &Theme, site: &SiteView<'_>) -> Result<(), Error> {
        self.inner.begin(theme, site)?;
        if self.key.is_some() && self.site.get().is_none() {
            let shell = crate::render::lock::shell(theme, site)?;
            let _ = self.site.set(Site { shell, statics: theme.statics.clone() });
        }
        Ok(())
    }

    fn pdf(&self, key: &PdfKey, typeset: MakePdf<'_>) -> Result<Vec<u8>, Error> {
        self.inner.pdf(key, typeset)
    }

    /// The month as the inner destination has it, under the folded key.
    fn reuse(&self, folder: Month, key: &MonthKey) -> Result<Option<MonthRecord>, Error> {
        match self.key {
            Some(site_key) => self.inner.reuse(folder, &self.fold(key, site_key)),
            None => self.inner.reuse(folder, key),
        }
    }

    fn write(&self, files: Vec<SiteFile>) -> Result<(), Error> {
        match self.key {
            Some(key) => self.inner.write(self.seal(key, files)?),
            None => self.inner.write(files),
        }
    }

    /// The month sealed, passed on under the folded key.
    fn write_month(&self, month: MonthRecord, files: Vec<SiteFile>) -> Result<MonthRecord, Error> {
        match self.key {
            Some(key) => {
                let folded = MonthRecord { key: self.fold(&month.key, key), ..month };
                self.inner.write_month(folded, self.seal(key, files)?)
            }
            None => self.inner.write_month(month, files),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::i18n::Lang;
    use crate::render::Collect;

    fn key() -> SiteKey {
        SiteKey::from_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap()
    }

    /// The payload of an encrypted page, decoded.
    fn payload(page: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        let text = String::from_utf8(page.to_vec()).unwrap();
        let b64 = text.split("id=\"bp-data\"").nth(1).unwrap().split('>').nth(1).unwrap().split('<').next().unwrap();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    }

    fn begun<'a>(inner: &'a Collect, key: &'a SiteKey, prefix: Option<&'a str>) -> Encrypting<'a> {
        let theme = Theme::load(std::path::Path::new("."), None).unwrap();
        let locale = crate::base::locale::Locale::default();
        let lang = Lang::new(locale.clone(), theme.translations(&locale).unwrap());
        let site = SiteView::new("Board report", "Acme", None, &lang);
        let dest = Encrypting::new(inner, Some(key), prefix);
        dest.begin(&theme, &site).unwrap();
        dest
    }

    #[test]
    fn every_file_is_sealed_at_its_path_and_a_page_carries_what_it_shows() {
        let (inner, key) = (Collect::default(), key());
        let dest = begun(&inner, &key, Some("acme"));
        let page = br#"<link rel="stylesheet" href="../static/style.css"><img src="charts/lead-time.svg" alt="">"#;
        dest.write(vec![
            SiteFile { path: "2026-10/index.html".into(), bytes: page.to_vec() },
            SiteFile { path: "2026-10/charts/lead-time.svg".into(), bytes: b"<svg>Acme</svg>".to_vec() },
            SiteFile { path: "2026-10/board-report.html".into(), bytes: b"<p>Acme</p>".to_vec() },
            SiteFile { path: "robots.txt".into(), bytes: b"User-agent: *\nDisallow: /\n".to_vec() },
        ])
        .unwrap();
        let files: BTreeMap<String, Vec<u8>> = inner.into_files().into_iter().map(|f| (f.path, f.bytes)).collect();
        assert!(files.values().all(|b| !b.windows(4).any(|w| w == b"Acme")), "nothing in clear");
        assert_eq!(files["robots.txt"], b"User-agent: *\nDisallow: /\n");
        let (kind, plain) = key.open(&payload(&files["2026-10/index.html"]), "acme/2026-10/index.html").unwrap();
        assert_eq!(kind, Kind::Bundle);
        let entries = bundle::unpack(&plain).unwrap();
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["acme/2026-10/index.html", "acme/static/style.css", "acme/2026-10/charts/lead-time.svg"]);
        assert_eq!(entries[0].1, page);
        assert!(entries[1].1.starts_with(b"/* boardpack default theme"));
        let chart = key.open(&files["2026-10/charts/lead-time.svg"], "acme/2026-10/charts/lead-time.svg").unwrap();
        assert_eq!(chart, (Kind::File, b"<svg>Acme</svg>".to_vec()));
        let report = payload(&files["2026-10/board-report.html"]);
        assert_eq!(key.open(&report, "acme/2026-10/board-report.html").unwrap(), (Kind::File, b"<p>Acme</p>".to_vec()));
        assert!(String::from_utf8_lossy(&files["2026-10/index.html"]).contains("data-depth=\"2\""));
    }

    #[test]
    fn month_keys_are_folded_with_the_fingerprint_and_the_place() {
        let (inner, key) = (Collect::default(), key());
        let other = SiteKey::from_key("HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo").unwrap();
        let (a, b) = (begun(&inner, &key, None), begun(&inner, &key, Some("acme")));
        let c = begun(&inner, &other, None);
        let k = MonthKey::from_bytes([7; 32]);
        let folded = [a.fold(&k, &key), b.fold(&k, &key), c.fold(&k, &other)];
        assert!(folded[0] != k && folded[0] != folded[1] && folded[0] != folded[2] && folded[1] != folded[2]);
        assert_eq!(a.fold(&k, &key), folded[0]);
    }

    /// The record a month is kept under is the destination's: an encrypted
    /// month's names its folded key, which the next build's reuse asks for.
    #[test]
    fn a_month_is_recorded_under_the_key_it_is_kept_by() {
        let (inner, key) = (Collect::default(), key());
        let k = MonthKey::from_bytes([7; 32]);
        let month = MonthRecord { folder: "2026-10".parse().unwrap(), key: k.clone(), pdf: None, stamp: None };
        let files = || vec![SiteFile { path: "2026-10/data.csv".into(), bytes: b"1".to_vec() }];
        let sealed = begun(&inner, &key, None);
        assert_eq!(sealed.write_month(month.clone(), files()).unwrap().key, sealed.fold(&k, &key));
        let plain = Encrypting::new(&inner, None, None);
        assert_eq!(plain.write_month(month, files()).unwrap().key, k);
    }

    #[test]
    fn without_a_key_everything_passes_as_it_is() {
        let inner = Collect::default();
        let dest = Encrypting::new(&inner, None, None);
        dest.write(vec![SiteFile { path: "index.html".into(), bytes: b"<p>plain</p>".to_vec() }]).unwrap();
        assert_eq!(inner.into_files()[0].bytes, b"<p>plain</p>");
    }
}
