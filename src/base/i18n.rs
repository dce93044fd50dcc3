//! The words boardpack writes in a report (status words, headings, units,
//! chart keys), in the report's language.
//!
//! They live in the theme's translation files, `i18n/LANG.toml` (`en`, `de`,
//! `fr` and `es` are built in), one file per language, named by the locale's
//! language subtag: `de-DE` and `de-AT` both read `de.toml`. English is the
//! reference: every key exists in `en.toml`, and a key missing from the
//! report's language is written in English and reported by [`Translations::diagnostics`].
//!
//! A project's theme overrides **key by key**: `themes/NAME/i18n/de.toml`
//! holding only `[status] amber = "Prüfen"` changes that one word and keeps
//! every other German word built in — so a project never has to copy a whole
//! file, and keys added by a later boardpack still arrive translated. A file
//! for a language boardpack does not ship (`nl.toml`) works the same way, over
//! nothing.
//!
//! Foundations stage and pure: the theme loader reads the files and hands
//! their text here.
//!
//! # File format
//!
//! TOML; tables nest keys (`[status] green = "On target"` is `status.green`).
//! A table whose keys are all CLDR plural categories (`zero`, `one`, `two`,
//! `few`, `many`, `other`) holds the forms of one phrase, chosen by the number
//! it goes with; `other` is required. `{name}` marks a place boardpack fills
//! ([`Translations::fill`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::base::diagnostic::Diagnostic;
use crate::base::locale::{currency_code, Locale, PluralCategory};
use crate::base::period::{Month, Quarter};

/// The reference language: every key exists in its file, and a missing word
/// in another language falls back to it.
pub const REFERENCE: &str = "en";

/// The built-in English file, for [`Translations::english`].
const BUILTIN_ENGLISH: &str = include_str!("../../themes/default/i18n/en.toml");

/// One translation file's text and where it came from (shown in diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file's contents.
    pub text: String,
    /// The path shown to the user, e.g. `themes/acme/i18n/de.toml`.
    pub origin: PathBuf,
}

/// One key's text: a phrase, or its plural forms.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Text(String),
    Plural(BTreeMap<PluralCategory, String>),
}

impl Entry {
    fn form(&self, category: PluralCategory) -> &str {
        match self {
            Entry::Text(s) => s,
            Entry::Plural(forms) => {
                forms.get(&category).or_else(|| forms.get(&PluralCategory::Other)).map_or("", String::as_str)
            }
        }
    }
}

/// The words of one report, in its locale's language with English beneath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translations {
    language: String,
    own: BTreeMap<String, Entry>,
    english: BTreeMap<String, Entry>,
    /// The file a missing key should be added to (the last layer given for the
    /// language, or where a project's file would go).
    file: PathBuf,
    /// Whether any file exists for the language.
    has_file: bool,
    /// Warnings for keys given in the language's files that English does not have.
    unknown: Vec<Diagnostic>,
}

impl Translations {
    /// The words for `locale`: `english` are the layers of `en.toml` (built
    /// in first, then a project's override), `own` those of the locale's
    /// language file (`de.toml`…; empty when there is none). Later layers
    /// replace earlier ones key by key. `theme_dir` names where a project's
    /// file would go, for the help of a diagnostic (`themes/NAME`).
    ///
    /// A file that is not valid TOML, or holds anything but text and plural
    /// tables, is an error located to its line.
    pub fn new(
        locale: &Locale,
        english: &[Source],
        own: &[Source],
        theme_dir: &Path,
    ) -> Result<Translations, Vec<Diagnostic>> {
        let language = locale.language().to_string();
        let mut problems = Vec::new();
        let english_entries = merge(english, &mut problems);
        let (own_entries, file, has_file) = if language == REFERENCE {
            let file = english.last().map_or_else(|| theme_dir.join("i18n/en.toml"), |s| s.origin.clone());
            (english_entries.clone(), file, !english.is_empty())
        } else {
            let file = own.last().map_or_else(|| theme_dir.join(format!("i18n/{language}.toml")), |s| s.origin.clone());
            (merge(own, &mut problems), file, !own.is_empty())
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut unknown = Vec::new();
        if language != REFERENCE {
            for layer in own {
                let Ok(table) = layer.text.parse::<toml::Table>() else { continue };
                let mut keys = BTreeMap::new();
                flatten("", &table, &mut keys, &mut Vec::new(), &layer.origin, &layer.text);
                for key in keys.into_keys().filter(|k| !english_entries.contains_key(k) && !k.starts_with("unit.")) {
                    let d = Diagnostic::warning(
                        &layer.origin,
                        format!("`{key}` is not a word boardpack writes, so it is ignored"),
                    )
                    .help("check the key against the built-in i18n/en.toml; it may be misspelt or no longer used");
                    unknown.push(located(d, &layer.text, &key));
                }
            }
        }
        Ok(Translations { language, own: own_entries, english: english_entries, file, has_file, unknown })
    }

    /// The built-in English words alone: what a report without a locale writes.
    pub fn english() -> Translations {
        let source =
            Source { text: BUILTIN_ENGLISH.to_string(), origin: PathBuf::from("<built-in theme>/i18n/en.toml") };
        Translations::new(&Locale::default(), &[source], &[], Path::new("themes/NAME"))
            .expect("the built-in en.toml is valid: checked by i18n::tests::builtin_files_are_complete")
    }

    /// The language these words are in (`de`), from the locale.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The text of `key` (a plural key gives its `other` form), falling back to
    /// English, and to the key itself when no file has it (so a typo in a
    /// template shows on the page rather than vanishing).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.plural(key, PluralCategory::Other)
    }

    /// The form of `key` for a number of the given plural category, falling
    /// back to its `other` form, then to English, then to the key itself.
    pub fn plural<'a>(&'a self, key: &'a str, category: PluralCategory) -> &'a str {
        if let Some(e) = self.own.get(key) {
            return e.form(category);
        }
        match self.english.get(key) {
            // English has only one and other: its `other` is the safe form for
            // the categories it lacks.
            Some(e) => e.form(if category == PluralCategory::One { category } else { PluralCategory::Other }),
            None => key,
        }
    }

    /// `key`'s text with each `{name}` replaced by its value in `args`:
    /// `fill("tile.since", &[("month", "Oktober 2026")])`.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// A count phrase: the plural form of `key` for `n`, with `{n}` filled in
    /// the locale's digits ("1 atteint l'objectif", "3 atteignent l'objectif").
    pub fn count(&self, locale: &Locale, key: &str, n: usize) -> String {
        let v = n as f64;
        fill(self.plural(key, locale.plural(v, 0)), &[("n", &locale.number(v, 0))])
    }

    /// A value with its unit as a reader expects it: `%` as the locale's
    /// percentage ("12,5 %"), money as currency ("£4.85"), a unit with a
    /// translation (`unit.days`…) in the form for the number ("1 day",
    /// "1.5 days", "2 Tage"), any other unit as written after the number.
    pub fn quantity(&self, locale: &Locale, v: f64, decimals: u8, unit: &str) -> String {
        let unit = unit.trim();
        if unit == "%" {
            return locale.percent(v, decimals);
        }
        if currency_code(unit).is_some() {
            return locale.currency(v, unit, decimals);
        }
        let n = locale.number(v, decimals);
        if unit.is_empty() {
            return n;
        }
        format!("{n}\u{a0}{}", self.unit_word(locale, unit, v, decimals))
    }

    /// A signed change with its unit: a change of a percentage is in
    /// percentage points ("−0.6 pts", "+0,6 Pp."), of money in the currency
    /// ("+£0.20"), of a counted unit in the form for its size ("+1 day",
    /// "−2 days"); zero after rounding is "±0".
    pub fn change(&self, locale: &Locale, delta: f64, decimals: u8, unit: &str) -> String {
        let unit = unit.trim();
        let n = locale.signed(delta, decimals);
        if unit == "%" {
            let word = self.plural("unit.points", locale.plural(delta.abs(), decimals));
            return format!("{n}\u{a0}{word}");
        }
        if currency_code(unit).is_some() {
            let amount = locale.currency(delta.abs(), unit, decimals);
            let sign = n.chars().find(|c| matches!(c, '+' | '±' | '\u{2212}'));
            return sign.map_or(amount.clone(), |s| format!("{s}{amount}"));
        }
        if unit.is_empty() {
            return n;
        }
        format!("{n}\u{a0}{}", self.unit_word(locale, unit, delta.abs(), decimals))
    }

    /// The word for `unit` in the form for `v`: a translated `unit.NAME` when
    /// the catalogue's unit names one (`days`, `hours`…), else the unit as written.
    fn unit_word<'a>(&'a self, locale: &Locale, unit: &'a str, v: f64, decimals: u8) -> &'a str {
        let key = format!("unit.{unit}");
        if self.own.contains_key(&key) || self.english.contains_key(&key) {
            let category = locale.plural(v, decimals);
            let entry = self.own.get(&key).or_else(|| self.english.get(&key));
            entry.map_or(unit, |e| e.form(category))
        } else {
            unit
        }
    }

    /// Keys the language's files lack, which are written in English; none for English.
    pub fn missing(&self) -> Vec<String> {
        if self.language == REFERENCE {
            return Vec::new();
        }
        self.english.keys().filter(|k| !self.own.contains_key(*k)).cloned().collect()
    }

    /// The file missing keys belong in: the language's file, or where a
    /// project's theme would hold it.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What `check` tells the author: one warning naming every missing key
    /// (or the missing file), and one per key English does not have (a typo,
    /// or a key of an older boardpack), which is ignored.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let missing = self.missing();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(8).map(String::as_str).collect();
            let more = missing.len().saturating_sub(shown.len());
            let list = if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") };
            let message = if self.has_file {
                format!(
                    "{} words have no {} translation and are written in English: {list}",
                    missing.len(),
                    self.language
                )
            } else {
                format!("boardpack has no {} translation: the report's words are written in English", self.language)
            };
            // Without a theme of its own, the project needs one to hold the file.
            let help = if self.file.starts_with("themes/NAME") {
                format!(
                    "add `theme = \"NAME\"` (a name of your choice) to boardpack.toml and create {}, with the keys of the built-in i18n/en.toml translated",
                    self.file.display()
                )
            } else {
                format!(
                    "add the keys to {}, copying them from the built-in i18n/en.toml and translating the text",
                    self.file.display()
                )
            };
            out.push(Diagnostic::warning(&self.file, message).help(help));
        }
        out.extend(self.unknown.iter().cloned());
        out
    }
}

impl Translations {
    /// Every word as one nested object, as templates read it: `status.green`
    /// is `w.status.green` in a Tera template and `words.status.green` in a
    /// Typst one. A plural phrase is an object of its forms (`one`, `other`…).
    /// The language's words, English where it has none.
    pub fn tree(&self) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        for key in self.english.keys().chain(self.own.keys()) {
            let Some(entry) = self.own.get(key).or_else(|| self.english.get(key)) else { continue };
            let value = match entry {
                Entry::Text(s) => serde_json::Value::String(s.clone()),
                Entry::Plural(forms) => serde_json::Value::Object(
                    forms.iter().map(|(c, s)| (c.as_str().to_string(), serde_json::Value::String(s.clone()))).collect(),
                ),
            };
            let mut parts: Vec<&str> = key.split('.').collect();
            let Some(leaf) = parts.pop() else { continue };
            let mut table = &mut root;
            for part in parts {
                let slot =
                    table.entry(part.to_string()).or_insert_with(|| serde_json::Value::Object(Default::default()));
                if !slot.is_object() {
                    // A word and a table of the same name: the table wins, as
                    // no template can read both.
                    *slot = serde_json::Value::Object(Default::default());
                }
                let serde_json::Value::Object(next) = slot else { unreachable!("made an object just above") };
                table = next;
            }
            table.insert(leaf.to_string(), value);
        }
        serde_json::Value::Object(root)
    }
}

/// A report's language: its [`Locale`] (how numbers and months are written)
/// and its [`Translations`] (the words around them), made once per report and
/// handed to everything that writes for its reader. Diagnostics and data files
/// stay in English and locale-neutral; see [`Lang::english`].
#[derive(Debug, Clone)]
pub struct Lang {
    /// How numbers, money and months are written.
    pub locale: Locale,
    /// The words.
    pub words: Translations,
    /// The words as templates read them ([`Translations::tree`]), made once.
    tree: serde_json::Value,
}

impl Lang {
    /// A report's language from its locale and its theme's words for it.
    pub fn new(locale: Locale, words: Translations) -> Lang {
        let tree = words.tree();
        Lang { locale, words, tree }
    }

    /// British English with the built-in words: what a report without a
    /// `locale` writes, and how diagnostics and records show a value.
    pub fn english() -> &'static Lang {
        static ENGLISH: OnceLock<Lang> = OnceLock::new();
        ENGLISH.get_or_init(|| Lang::new(Locale::default(), Translations::english()))
    }

    /// [`Translations::tree`], for a template's context.
    pub fn tree(&self) -> &serde_json::Value {
        &self.tree
    }

    /// A word ([`Translations::get`]).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key)
    }

    /// A phrase with its `{name}`s filled in ([`Translations::fill`]).
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.words.fill(key, args)
    }

    /// A count phrase in the form for `n` ([`Translations::count`]).
    pub fn count(&self, key: &str, n: usize) -> String {
        self.words.count(&self.locale, key, n)
    }

    /// A value with its unit ([`Translations::quantity`]).
    pub fn quantity(&self, v: f64, decimals: u8, unit: &str) -> String {
        self.words.quantity(&self.locale, v, decimals, unit)
    }

    /// A signed change with its unit ([`Translations::change`]).
    pub fn change(&self, delta: f64, decimals: u8, unit: &str) -> String {
        self.words.change(&self.locale, delta, decimals, unit)
    }

    /// A month in full: "October 2026", "Oktober 2026", "2026年10月".
    pub fn month(&self, m: Month) -> String {
        self.locale.month_long(m)
    }

    /// A month in brief, never a two-digit year: "Oct 2026", "Okt. 2026".
    pub fn month_short(&self, m: Month) -> String {
        self.locale.month_short(m)
    }

    /// A quarter as the board names it: "Q3 2026", "T3 2026", or with a
    /// fiscal year "Q1 FY2027" (`quarter.calendar`, `quarter.fiscal`).
    pub fn quarter(&self, q: Quarter) -> String {
        let key = if q.calendar() { "quarter.calendar" } else { "quarter.fiscal" };
        self.fill(key, &[("n", &q.number().to_string()), ("year", &q.fiscal_year().to_string())])
    }

    /// A quarter's months: "July 2026 to September 2026".
    pub fn quarter_span(&self, q: Quarter) -> String {
        self.fill("quarter.span", &[("first", &self.month(q.first())), ("last", &self.month(q.last()))])
    }
}

/// `template` with each `{name}` replaced by its value; unknown names stay.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The entries of `layers`, later layers replacing earlier ones key by key.
fn merge(layers: &[Source], problems: &mut Vec<Diagnostic>) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    for layer in layers {
        match layer.text.parse::<toml::Table>() {
            Ok(table) => flatten("", &table, &mut out, problems, &layer.origin, &layer.text),
            Err(e) => {
                let d = Diagnostic::error(&layer.origin, format!("invalid TOML: {}", e.message().trim()));
                problems.push(match e.span() {
                    Some(span) => d.at(&layer.text, span),
                    None => d,
                });
            }
        }
    }
    out
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, Entry>,
    problems: &mut Vec<Diagnostic>,
    origin: &Path,
    text: &str,
) {
    for (name, value) in table {
        let key = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        match value {
            toml::Value::String(s) => {
                out.insert(key, Entry::Text(s.clone()));
            }
            toml::Value::Table(t) if !t.is_empty() && t.keys().all(|k| PluralCategory::from_name(k).is_some()) => {
                let forms: BTreeMap<PluralCategory, String> = t
                    .iter()
                    .filter_map(|(k, v)| Some((PluralCategory::from_name(k)?, v.as_str()?.to_string())))
                    .collect();
                if forms.len() != t.len() || !forms.contains_key(&PluralCategory::Other) {
                    problems.push(located(
                        Diagnostic::error(
                            origin,
                            format!("`{key}` has plural forms, so each must be text and `other` must be one of them"),
                        )
                        .help("write e.g. one = \"day\" and other = \"days\""),
                        text,
                        &key,
                    ));
                } else {
                    out.insert(key, Entry::Plural(forms));
                }
            }
            toml::Value::Table(t) => flatten(&key, t, out, problems, origin, text),
            _ => problems.push(located(
                Diagnostic::error(origin, format!("`{key}` must be text (in quotes)"))
                    .help("every word in a translation file is a string, e.g. green = \"On target\""),
                text,
                &key,
            )),
        }
    }
}

fn located(d: Diagnostic, text: &str, key: &str) -> Diagnostic {
    match line_of(text, key) {
        Some(l) => d.at_line(text, l),
        None => d,
    }
}

/// The 1-based line that sets the last part of a dotted `key`, as a best guess
/// for a diagnostic (the first `name =` line after the key's table header).
fn line_of(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut in_table = table.is_empty();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(header) = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let header = header.trim();
            in_table = header == table || (header == key);
            if header == key {
                return Some(i + 1);
            }
            continue;
        }
        if in_table && t.strip_prefix(leaf).is_some_and(|r| r.trim_start().starts_with('=')) {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: [(&str, &str); 4] = [
        ("en", include_str!("../../themes/default/i18n/en.toml")),
        ("de", include_str!("../../themes/default/i18n/de.toml")),
        ("fr", include_str!("../../themes/default/i18n/fr.toml")),
        ("es", include_str!("../../themes/default/i18n/es.toml")),
    ];

    fn source(text: &str, origin: &str) -> Source {
        Source { text: text.to_string(), origin: PathBuf::from(origin) }
    }

    fn builtin(language: &str) -> Source {
        let text = BUILTIN.iter().find(|(l, _)| *l == language).unwrap().1;
        source(text, &format!("<built-in theme>/i18n/{language}.toml"))
    }

    fn words(tag: &str, own: &[Source]) -> Translations {
        Translations::new(&Locale::new(tag).unwrap(), &[builtin("en")], own, Path::new("themes/NAME")).unwrap()
    }

    #[test]
    fn builtin_files_are_complete() {
        for (language, _) in BUILTIN {
            let t = words(language, &[builtin(language)]);
            assert_eq!(t.missing(), Vec::<String>::new(), "{language}.toml lacks keys of en.toml");
            assert!(t.unknown.is_empty(), "{language}.toml has keys en.toml lacks: {:?}", t.unknown);
            assert!(t.diagnostics().is_empty(), "{language}: {:?}", t.diagnostics());
        }
        assert_eq!(Translations::english().get("status.green"), "On target");
    }

    #[test]
    fn builtin_files_keep_every_placeholder() {
        let en = words("en", &[]);
        for (language, _) in BUILTIN {
            let t = words(language, &[builtin(language)]);
            for (key, entry) in &t.english {
                let wanted: Vec<&str> = placeholders(entry.form(PluralCategory::Other));
                for category in PluralCategory::ALL {
                    let text = t.plural(key, category);
                    for p in &wanted {
                        assert!(text.contains(p), "{language}: `{key}` ({category:?}) lacks {p}: {text}");
                    }
                }
            }
            assert_eq!(en.get("status.green"), "On target");
        }
    }

    fn placeholders(text: &str) -> Vec<&str> {
        text.match_indices('{').filter_map(|(i, _)| text[i..].find('}').map(|j| &text[i..=i + j])).collect()
    }

    #[test]
    fn the_locale_picks_the_language_file() {
        let de = words("de-AT", &[builtin("de")]);
        assert_eq!(de.language(), "de");
        assert_eq!(de.get("status.green"), "Im Ziel");
        assert_eq!(de.get("nav.latest"), "Aktueller Bericht");
        assert_eq!(words("fr-CA", &[builtin("fr")]).get("status.red"), "Objectif manqué");
        assert_eq!(words("es-MX", &[builtin("es")]).get("status.amber"), "En observación");
    }

    #[test]
    fn a_project_file_overrides_key_by_key() {
        let own = source("[status]\namber = \"Prüfen\"\n", "themes/acme/i18n/de.toml");
        let de = words("de-DE", &[builtin("de"), own]);
        assert_eq!(de.get("status.amber"), "Prüfen");
        assert_eq!(de.get("status.green"), "Im Ziel", "the rest stays built in");
        assert!(de.missing().is_empty());
        assert_eq!(de.file(), Path::new("themes/acme/i18n/de.toml"));
    }

    #[test]
    fn a_missing_word_falls_back_to_english_and_is_reported() {
        let own = source("[status]\ngreen = \"Op koers\"\n", "themes/acme/i18n/nl.toml");
        let nl = words("nl-NL", &[own]);
        assert_eq!(nl.get("status.green"), "Op koers");
        assert_eq!(nl.get("status.red"), "Off target", "English beneath");
        assert!(nl.missing().contains(&"status.red".to_string()));
        assert!(!nl.missing().contains(&"status.green".to_string()));
        let d = nl.diagnostics();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file, Path::new("themes/acme/i18n/nl.toml"));
        assert!(
            d[0].message.contains("no nl translation") && d[0].message.contains("archive.caption"),
            "{}",
            d[0].message
        );
        assert!(!d[0].is_error());
        // No file at all: one warning, naming where the file would go.
        let none = words("it-IT", &[]);
        assert_eq!(none.get("status.red"), "Off target");
        let d = none.diagnostics();
        assert_eq!(d[0].file, Path::new("themes/NAME/i18n/it.toml"));
        assert!(d[0].message.contains("no it translation"), "{}", d[0].message);
        // English never misses a word.
        assert!(words("en-US", &[]).missing().is_empty());
    }

    #[test]
    fn unknown_keys_are_warned_at_their_line() {
        let own = source("[status]\ngren = \"Im Ziel\"\n", "themes/acme/i18n/de.toml");
        let de = words("de-DE", &[builtin("de"), own]);
        let d = de.diagnostics();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("status.gren"), "{}", d[0].message);
        assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(2));
    }

    #[test]
    fn broken_files_are_errors_at_their_line() {
        let bad = source("[status]\ngreen = On target\n", "themes/acme/i18n/de.toml");
        let e = Translations::new(&Locale::new("de").unwrap(), &[builtin("en")], &[bad], Path::new("t")).unwrap_err();
        assert!(e[0].message.contains("invalid TOML"), "{}", e[0].message);
        assert_eq!(e[0].location.as_ref().map(|l| l.line), Some(2));
        let number = source("[status]\ngreen = 3\n", "x/de.toml");
        let e =
            Translations::new(&Locale::new("de").unwrap(), &[builtin("en")], &[number], Path::new("t")).unwrap_err();
        assert!(e[0].message.contains("must be text"), "{}", e[0].message);
        assert_eq!(e[0].location.as_ref().map(|l| l.line), Some(2));
        let plural = source("[unit.days]\none = \"Tag\"\n", "x/de.toml");
        let e =
            Translations::new(&Locale::new("de").unwrap(), &[builtin("en")], &[plural], Path::new("t")).unwrap_err();
        assert!(e[0].message.contains("other"), "{}", e[0].message);
        assert_eq!(e[0].location.as_ref().map(|l| l.line), Some(1));
    }

    #[test]
    fn plural_forms_follow_the_number() {
        let en = Translations::english();
        let gb = Locale::default();
        assert_eq!(en.quantity(&gb, 1.0, 0, "hours"), "1\u{a0}hour");
        assert_eq!(en.quantity(&gb, 2.0, 0, "hours"), "2\u{a0}hours");
        assert_eq!(en.quantity(&gb, 1.0, 1, "hours"), "1.0\u{a0}hours");
        assert_eq!(en.quantity(&gb, 1.0, 0, "days"), "1\u{a0}day");
        let de = words("de-DE", &[builtin("de")]);
        let de_de = Locale::new("de-DE").unwrap();
        assert_eq!(de.quantity(&de_de, 1.0, 0, "days"), "1\u{a0}Tag");
        assert_eq!(de.quantity(&de_de, 3.1, 1, "days"), "3,1\u{a0}Tage");
        let fr = words("fr-FR", &[builtin("fr")]);
        let fr_fr = Locale::new("fr-FR").unwrap();
        assert_eq!(fr.quantity(&fr_fr, 1.5, 1, "days"), "1,5\u{a0}jour", "French: 1.5 takes the singular");
        assert_eq!(fr.count(&fr_fr, "count.green", 1), "1 atteint l'objectif");
        assert_eq!(fr.count(&fr_fr, "count.green", 3), "3 atteignent l'objectif");
        assert_eq!(en.count(&gb, "count.green", 1200), "1,200 on target");
        // A language with more forms than its file gives falls back to `other`.
        let ar = Locale::new("ar").unwrap();
        let ar_words = words("ar", &[source("[unit.days]\nother = \"أيام\"\n", "x/ar.toml")]);
        assert_eq!(ar_words.quantity(&ar, 2.0, 0, "days"), "2\u{a0}أيام");
    }

    #[test]
    fn quantities_percent_money_and_plain_units() {
        let en = Translations::english();
        let gb = Locale::default();
        assert_eq!(en.quantity(&gb, 12.5, 1, "%"), "12.5%");
        assert_eq!(en.quantity(&gb, 4.85, 2, "£"), "£4.85");
        assert_eq!(en.quantity(&gb, 4.85, 2, "GBP"), "£4.85");
        assert_eq!(en.quantity(&gb, 7.0, 0, "PRs"), "7\u{a0}PRs", "an unknown unit is kept as written");
        assert_eq!(en.quantity(&gb, 7.0, 0, ""), "7");
        let de = words("de-DE", &[builtin("de")]);
        let de_de = Locale::new("de-DE").unwrap();
        assert_eq!(de.quantity(&de_de, 12.5, 1, "%"), "12,5\u{a0}%");
        assert_eq!(de.quantity(&de_de, 4.85, 2, "£"), "4,85\u{a0}£");
    }

    #[test]
    fn changes_of_percentages_are_in_points() {
        let en = Translations::english();
        let gb = Locale::default();
        assert_eq!(en.change(&gb, 4.2 - 4.8, 1, "%"), "−0.6\u{a0}pts");
        assert_eq!(en.change(&gb, 1.0, 0, "%"), "+1\u{a0}pt");
        assert_eq!(en.change(&gb, 0.04, 1, "%"), "±0.0\u{a0}pts");
        assert_eq!(en.change(&gb, -1.0, 0, "days"), "−1\u{a0}day");
        assert_eq!(en.change(&gb, 2.5, 1, "hours"), "+2.5\u{a0}hours");
        assert_eq!(en.change(&gb, -0.2, 2, "£"), "−£0.20");
        assert_eq!(en.change(&gb, 3.0, 0, ""), "+3");
        let de = words("de-DE", &[builtin("de")]);
        assert_eq!(de.change(&Locale::new("de-DE").unwrap(), -0.6, 1, "%"), "−0,6\u{a0}Pp.");
        let es = words("es-ES", &[builtin("es")]);
        assert_eq!(es.change(&Locale::new("es-ES").unwrap(), 0.6, 1, "%"), "+0,6\u{a0}p. p.");
        let fr = words("fr-FR", &[builtin("fr")]);
        assert_eq!(fr.change(&Locale::new("fr-FR").unwrap(), -0.6, 1, "%"), "−0,6\u{a0}pt");
        assert_eq!(fr.change(&Locale::new("fr-FR").unwrap(), 2.0, 0, "%"), "+2\u{a0}pts");
    }

    #[test]
    fn fill_replaces_named_places() {
        let en = Translations::english();
        assert_eq!(en.fill("tile.since", &[("month", "October 2026")]), "since October 2026");
        assert_eq!(fill("{a} and {b} and {a}", &[("a", "1")]), "1 and {b} and 1");
        assert_eq!(en.get("no.such.key"), "no.such.key");
    }
}
