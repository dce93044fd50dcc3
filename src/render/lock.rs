//! The page every HTML file of an encrypted site is served as: the theme's
//! `locked.html`, with its script (`locked.js`) and style (`locked.css`)
//! inline and allowed by their hashes in its Content-Security-Policy. It
//! shows only the prompt's own words, in the report's language.
//!
//! Rendered once per site, in three parts around the two things that vary by
//! file, the page's depth and its sealed payload, which the write stage puts
//! between them.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use tera::Context;

use super::view::SiteView;
use crate::load::theme::{error_chain, Theme};
use crate::Error;

const TEMPLATE: &str = "locked.html";
const SCRIPT: &str = "locked.js";
const STYLE: &str = "locked.css";
/// What stands for the depth and the payload while rendering: characters no
/// template writes and escaping leaves alone.
const DEPTH: &str = "\u{1}depth\u{1}";
const PAYLOAD: &str = "\u{1}payload\u{1}";

/// An encrypted page, rendered but for its depth and payload.
#[derive(Debug, Clone)]
pub(crate) struct Shell {
    before_depth: String,
    before_payload: String,
    after: String,
}

impl Shell {
    /// The page at depth `depth` (`0` for the site's `index.html`, `2` for
    /// `2026-10/delivery/index.html`) holding `payload` (base64 text).
    pub(crate) fn page(&self, depth: usize, payload: &str) -> Vec<u8> {
        let depth = depth.to_string();
        let mut out = String::with_capacity(
            self.before_depth.len() + depth.len() + self.before_payload.len() + payload.len() + self.after.len(),
        );
        out.push_str(&self.before_depth);
        out.push_str(&depth);
        out.push_str(&self.before_payload);
        out.push_str(payload);
        out.push_str(&self.after);
        out.into_bytes()
    }
}

/// The `sha256-…` source of a script or style, as a policy names it.
fn hash_source(text: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

fn render(theme: &Theme, template: &str, ctx: &Context) -> Result<String, Error> {
    theme.tera.render(template, ctx).map_err(|e| {
        let message = error_chain(&e);
        Error::Template { template: theme.blame(template, &message), page: "the encrypted page".into(), message }
    })
}

/// The shell of a site's encrypted pages, in the theme and words of `site`.
pub(crate) fn shell(theme: &Theme, site: &SiteView<'_>) -> Result<Shell, Error> {
    let mut ctx = super::pages::context(site);
    let script = render(theme, SCRIPT, &ctx)?;
    let style = render(theme, STYLE, &ctx)?;
    let policy = format!(
        "default-src 'none'; script-src {}; style-src {} blob:; img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        hash_source(&script),
        hash_source(&style)
    );
    ctx.insert("policy", &policy);
    ctx.insert("script", &script);
    ctx.insert("style", &style);
    ctx.insert("depth", DEPTH);
    ctx.insert("payload", PAYLOAD);
    let html = render(theme, TEMPLATE, &ctx)?;
    let misplaced = || Error::Template {
        template: theme.origin(TEMPLATE),
        page: "the encrypted page".into(),
        message: "it must write {{ depth }} once, then {{ payload }} once".into(),
    };
    let (before_depth, rest) = html.split_once(DEPTH).ok_or_else(misplaced)?;
    let (before_payload, after) = rest.split_once(PAYLOAD).ok_or_else(misplaced)?;
    if after.contains(DEPTH) || after.contains(PAYLOAD) || before_payload.contains(DEPTH) {
        return Err(misplaced());
    }
    Ok(Shell { before_depth: before_depth.into(), before_payload: before_payload.into(), after: after.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::i18n::Lang;
    use crate::base::locale::Locale;

    fn site_shell(locale: &str) -> String {
        let theme = Theme::load(std::path::Path::new("."), None).unwrap();
        let lang = Lang::new(Locale::new(locale).unwrap(), theme.translations(&Locale::new(locale).unwrap()).unwrap());
        let site = SiteView::new("Board report", "Acme", None, &lang);
        String::from_utf8(shell(&theme, &site).unwrap().page(2, "QUJD")).unwrap()
    }

    #[test]
    fn the_shell_allows_only_its_own_script_and_style() {
        let page = site_shell("en-GB");
        assert!(!page.contains("Acme") && !page.contains("Board report"), "no word of the report");
        assert!(page.contains("<title>Private report</title>") && page.contains("data-depth=\"2\">QUJD</script>"));
        assert!(page.contains(r#"<meta name="robots" content="noindex">"#));
        let script = page.split("<script>").nth(1).unwrap().split("</script>").next().unwrap();
        let style = page.split("<style>").nth(1).unwrap().split("</style>").next().unwrap();
        let policy = page.split("Content-Security-Policy\" content=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(policy.starts_with("default-src 'none'; "), "{policy}");
        assert!(policy.contains(&hash_source(script)) && policy.contains(&hash_source(style)), "{policy}");
        assert!(!script.contains("{%") && script.contains("crypto.subtle"));
    }

    #[test]
    fn the_prompt_is_in_the_reports_language() {
        let page = site_shell("de-DE");
        assert!(page.contains("<html lang=\"de-DE\"") && page.contains("Dieser Bericht ist vertraulich"));
    }
}
