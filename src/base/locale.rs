//! How numbers, percentages, money and months are written for a report's
//! reader: one [`Locale`] per report, made from a BCP 47 tag (`de-DE`, `fr`,
//! `ja-JP`, …).
//!
//! Every format comes from the Unicode CLDR data compiled into ICU4X (the
//! Unicode Consortium's own Rust library): grouping and decimal separators,
//! percent and currency patterns, plural rules and month names. boardpack holds
//! no per-language table of its own; the words it writes come from the theme's
//! translation files ([`crate::base::i18n`]).
//!
//! Foundations stage: pure, imports nothing but [`crate::base::period`].
//! Money (`locale/currency.rs`) and months (`locale/month.rs`) have files of
//! their own; numbers, signs, percentages, plurals and rounding are here.
//!
//! # Rounding
//!
//! A value is rounded **half away from zero** on its decimal digits as written
//! (74.5 → 75, −74.5 → −75, 1.005 → 1.01 at two decimals), by [`round`]. The
//! status and trend rules round with the same function, so a value shown as
//! "74" never carries a trend that only its hidden decimals explain. Zero is
//! never signed: −0.0004 at two decimals is "0.00".
//!
//! # Signs
//!
//! Negative numbers take the true minus sign U+2212 ("−3.1"), in every locale,
//! so a sign is never mistaken for a hyphen or a dash; a signed change takes
//! "+" when positive and "±" when it rounds to zero.

use std::fmt;
use std::sync::Arc;

use fixed_decimal::{Decimal, FloatPrecision, Sign, SignedRoundingMode, UnsignedRoundingMode};
use icu_datetime::fieldsets::YM;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale::LocaleDirectionality;
use icu_plurals::PluralRules;

mod currency;
mod month;

pub use currency::currency_code;
use month::{short_month, ShortMonth};

/// The calendar months are named in: report months are Gregorian months
/// (`YYYY-MM` folders), whatever calendar the locale prefers.
type Gregorian = icu_calendar::cal::Gregorian;

/// The minus sign boardpack writes: U+2212, never the hyphen-minus.
pub const MINUS: char = '\u{2212}';

/// Why a locale setting was refused, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocaleError(pub String);

impl fmt::Display for LocaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LocaleError {}

/// A CLDR plural category: which form of a word goes with a number
/// ("1 hour", "2 hours"; Arabic and Polish have more forms than English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PluralCategory {
    /// "zero" (Arabic 0, Latvian 10…20).
    Zero,
    /// "one" (English 1; French 0 and 1).
    One,
    /// "two" (Arabic, Hebrew 2).
    Two,
    /// "few" (Polish 2–4, Arabic 3–10).
    Few,
    /// "many" (Polish 5–21, Arabic 11–99).
    Many,
    /// "other": every language has it; the fallback form.
    Other,
}

impl PluralCategory {
    /// Every category, in CLDR order.
    pub const ALL: [PluralCategory; 6] = [
        PluralCategory::Zero,
        PluralCategory::One,
        PluralCategory::Two,
        PluralCategory::Few,
        PluralCategory::Many,
        PluralCategory::Other,
    ];

    /// The CLDR name, as used for keys in translation files (`one`, `other`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The category named `name` (`"one"`, …), if it is one.
    pub fn from_name(name: &str) -> Option<PluralCategory> {
        PluralCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl From<icu_plurals::PluralCategory> for PluralCategory {
    fn from(c: icu_plurals::PluralCategory) -> PluralCategory {
        match c {
            icu_plurals::PluralCategory::Zero => PluralCategory::Zero,
            icu_plurals::PluralCategory::One => PluralCategory::One,
            icu_plurals::PluralCategory::Two => PluralCategory::Two,
            icu_plurals::PluralCategory::Few => PluralCategory::Few,
            icu_plurals::PluralCategory::Many => PluralCategory::Many,
            icu_plurals::PluralCategory::Other => PluralCategory::Other,
        }
    }
}

/// Everything a report's locale needs, loaded once from the compiled CLDR data.
struct Formatters {
    tag: String,
    language: String,
    region: Option<String>,
    right_to_left: bool,
    locale: icu_locale_core::Locale,
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    plurals: PluralRules,
    month_long: FixedCalendarDateTimeFormatter<Gregorian, YM>,
    month_short: ShortMonth,
}

/// A report's locale: how its numbers, money and months are written.
///
/// Cheap to clone (the formatters are shared) and safe to share between
/// threads. [`Locale::default`] is British English, the report's language
/// before locales existed.
#[derive(Clone)]
pub struct Locale {
    inner: Arc<Formatters>,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Locale").field(&self.inner.tag).finish()
    }
}

impl PartialEq for Locale {
    fn eq(&self, other: &Locale) -> bool {
        self.inner.tag == other.inner.tag
    }
}

impl Default for Locale {
    fn default() -> Locale {
        // A constant tag with compiled data: checked by `tests::default_is_british_english`.
        Locale::new("en-GB").expect("en-GB is a valid locale with compiled data")
    }
}

impl Locale {
    /// The locale for a BCP 47 language tag such as `de-DE`, `fr`, `pt-BR` or
    /// `ar-EG` (`_` is accepted for `-`). Languages without CLDR data fall back
    /// to a related one, and finally to the root locale (ISO-style numbers,
    /// English-like months), never to an error.
    pub fn new(tag: &str) -> Result<Locale, LocaleError> {
        let trimmed = tag.trim();
        let refused = || {
            LocaleError(format!(
                "`{tag}` is not a language tag: write a BCP 47 tag such as \"en-GB\", \"de-DE\", \"fr\" or \"ja-JP\""
            ))
        };
        if trimmed.is_empty() {
            return Err(refused());
        }
        let locale: icu_locale_core::Locale = trimmed.replace('_', "-").parse().map_err(|_| refused())?;
        let failed = |what: &str, e: &dyn fmt::Display| LocaleError(format!("no {what} data for `{tag}`: {e}"));
        let prefs = (&locale).into();
        let decimal = DecimalFormatter::try_new(prefs, Default::default()).map_err(|e| failed("number", &e))?;
        let percent =
            PercentFormatter::try_new((&locale).into(), Default::default()).map_err(|e| failed("percentage", &e))?;
        let plurals = PluralRules::try_new_cardinal((&locale).into()).map_err(|e| failed("plural", &e))?;
        let month_long =
            FixedCalendarDateTimeFormatter::try_new((&locale).into(), YM::long()).map_err(|e| failed("month", &e))?;
        let month_short = short_month(&locale).map_err(|e| failed("month", &e))?;
        let right_to_left = LocaleDirectionality::new_common().is_right_to_left(&locale.id);
        let language = locale.id.language.as_str().to_string();
        let region = locale.id.region.map(|r| r.as_str().to_string());
        Ok(Locale {
            inner: Arc::new(Formatters {
                tag: locale.to_string(),
                language,
                region,
                right_to_left,
                locale,
                decimal,
                percent,
                plurals,
                month_long,
                month_short,
            }),
        })
    }

    /// The canonical tag, e.g. `de-DE` (for `de_de`).
    pub fn tag(&self) -> &str {
        &self.inner.tag
    }

    /// The language subtag, e.g. `de`: which translation file applies.
    pub fn language(&self) -> &str {
        &self.inner.language
    }

    /// The region subtag, e.g. `DE`, when the tag has one.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Whether the language is written right to left (Arabic, Hebrew, Persian, Urdu…).
    pub fn is_right_to_left(&self) -> bool {
        self.inner.right_to_left
    }

    /// `v` with `decimals` decimal places, the locale's separators and digits:
    /// "1,234.5" (en), "1.234,5" (de), "1 234,5" (fr, narrow no-break space).
    pub fn number(&self, v: f64, decimals: u8) -> String {
        let Some(d) = decimal(v, decimals) else {
            return v.to_string();
        };
        minus(self.inner.decimal.format(&d).to_string())
    }

    /// A signed change: "+1.5", "−0.2", "±0.0" (zero after rounding), localised.
    pub fn signed(&self, delta: f64, decimals: u8) -> String {
        let Some(mut d) = decimal(delta, decimals) else {
            return delta.to_string();
        };
        if d.absolute.is_zero() {
            return format!("±{}", self.inner.decimal.format(&d));
        }
        if d.sign == Sign::None {
            d.sign = Sign::Positive;
        }
        minus(self.inner.decimal.format(&d).to_string())
    }

    /// A percentage given from 0 to 100, in the locale's percent pattern:
    /// "12.5%" (en, ja), "12,5 %" (de, fr, es; a no-break space).
    pub fn percent(&self, v: f64, decimals: u8) -> String {
        let Some(d) = decimal(v, decimals) else {
            return format!("{v}%");
        };
        minus(self.inner.percent.format(&d).to_string())
    }

    /// A change of a percentage, in percentage points: signed, with the unit
    /// word given (from the translations, e.g. "pts", "Pp.", "pts", "p. p."),
    /// written after the number with a no-break space: "+0.6 pts", "−0,6 Pp.".
    pub fn points(&self, delta: f64, decimals: u8, unit: &str) -> String {
        format!("{}\u{a0}{unit}", self.signed(delta, decimals))
    }

    /// The plural category of `n` as it is shown with `decimals` places: in
    /// English 1 is "one" but 1.0 is "other" ("1 hour", "1.0 hours").
    pub fn plural(&self, n: f64, decimals: u8) -> PluralCategory {
        match decimal(n, decimals) {
            Some(d) => self.inner.plurals.category_for(&d).into(),
            None => PluralCategory::Other,
        }
    }
}

/// `v` rounded half away from zero to `decimals` places, on its shortest
/// decimal form (what the author wrote): 74.5 → 75, 1.005 → 1.01, −0.0004 → 0.
/// Never returns −0. The single rounding rule of boardpack (see the module docs).
pub fn round(v: f64, decimals: u8) -> f64 {
    match decimal(v, decimals) {
        Some(d) => d.to_string().parse::<f64>().map_or(v, |r| if r == 0.0 { 0.0 } else { r }),
        None => v,
    }
}

/// `v` as a decimal rounded half away from zero to `decimals` places and
/// padded to exactly that many; zero is unsigned. `None` for NaN and infinity.
fn decimal(v: f64, decimals: u8) -> Option<Decimal> {
    let mut d = Decimal::try_from_f64(v, FloatPrecision::RoundTrip).ok()?;
    let position = -i16::from(decimals);
    d.round_with_mode(position, SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand));
    d.absolute.pad_end(position);
    if d.absolute.is_zero() {
        d.sign = Sign::None;
    }
    Some(d)
}

/// The locale's hyphen-minus, as the true minus sign.
fn minus(s: String) -> String {
    if s.contains('-') {
        s.replace('-', &MINUS.to_string())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(tag: &str) -> Locale {
        Locale::new(tag).unwrap()
    }

    #[test]
    fn default_is_british_english() {
        assert_eq!(Locale::default().tag(), "en-GB");
    }

    #[test]
    fn tags_are_parsed_and_canonical_and_bad_ones_explained() {
        assert_eq!(l("de_de").tag(), "de-DE");
        assert_eq!(l("  fr ").tag(), "fr");
        assert_eq!(l("ja-JP").language(), "ja");
        assert_eq!(l("de-DE").region(), Some("DE"));
        for bad in ["", "english please", "de-DE-", "12", "x"] {
            let e = Locale::new(bad).unwrap_err();
            assert!(e.0.contains("BCP 47") && e.0.contains("de-DE"), "{bad}: {e}");
        }
    }

    #[test]
    fn direction_comes_from_cldr() {
        assert!(l("ar").is_right_to_left());
        assert!(l("he-IL").is_right_to_left());
        assert!(!l("de-DE").is_right_to_left());
        assert!(!l("ja-JP").is_right_to_left());
    }

    #[test]
    fn numbers_per_locale() {
        let cases = [
            ("en-GB", "1,234,567.89", "−3.1", "0.00"),
            ("de-DE", "1.234.567,89", "−3,1", "0,00"),
            ("fr-FR", "1\u{202f}234\u{202f}567,89", "−3,1", "0,00"),
            ("es-ES", "1.234.567,89", "−3,1", "0,00"),
            ("ja-JP", "1,234,567.89", "−3.1", "0.00"),
        ];
        for (tag, big, neg, zero) in cases {
            let loc = l(tag);
            assert_eq!(loc.number(1_234_567.891, 2), big, "{tag}");
            assert_eq!(loc.number(-3.1, 1), neg, "{tag}");
            assert_eq!(loc.number(-0.0004, 2), zero, "{tag}: −0.0004 rounds to an unsigned zero");
            assert_eq!(loc.number(0.0, 2), zero, "{tag}");
        }
        assert_eq!(l("en-GB").number(1e9, 0), "1,000,000,000");
        assert_eq!(l("de-DE").number(1e9, 1), "1.000.000.000,0");
        assert_eq!(l("es-ES").number(1234.0, 0), "1234", "CLDR: Spanish groups from five digits");
        // Arabic: Latin digits for `ar`, Arabic-Indic digits for `ar-EG` (CLDR defaults).
        assert!(l("ar").number(3.5, 1).contains("3.5"), "{}", l("ar").number(3.5, 1));
        assert_eq!(l("ar-EG").number(3.5, 1), "٣٫٥");
    }

    #[test]
    fn ties_round_half_away_from_zero_in_every_locale() {
        for tag in ["en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "ar", "he-IL"] {
            let loc = l(tag);
            assert!(loc.number(74.5, 0).ends_with("75"), "{tag}: {}", loc.number(74.5, 0));
            assert!(loc.number(-74.5, 0).contains("75"), "{tag}: {}", loc.number(-74.5, 0));
            assert!(loc.percent(74.5, 0).contains("75"), "{tag}: {}", loc.percent(74.5, 0));
        }
        assert_eq!(l("en-GB").number(-74.5, 0), "−75");
        assert_eq!(l("en-GB").number(1.005, 2), "1.01", "decimal rounding, not binary");
        assert_eq!(l("en-GB").number(0.125, 2), "0.13");
        assert_eq!(l("en-GB").number(2.0, 2), "2.00", "padded to the decimals asked");
    }

    #[test]
    fn round_is_the_one_rule_and_never_negative_zero() {
        assert_eq!(round(74.5, 0), 75.0);
        assert_eq!(round(-74.5, 0), -75.0);
        // 1.005 is 1.00499999999999989… in binary: scaling by 100 would round it
        // down, while the author wrote (and every locale shows) 1.01.
        assert_eq!(round(1.005, 2), 1.01);
        assert_eq!(round(4.2 - 4.8, 1), -0.6);
        assert!(round(-0.0004, 2).is_sign_positive());
        assert_eq!(round(1e9 + 0.5, 0), 1_000_000_001.0);
        assert!(round(f64::NAN, 1).is_nan());
    }

    #[test]
    fn signed_changes() {
        assert_eq!(l("en-GB").signed(1.5, 1), "+1.5");
        assert_eq!(l("en-GB").signed(-0.04, 1), "±0.0");
        assert_eq!(l("de-DE").signed(-0.6, 1), "−0,6");
        assert_eq!(l("fr-FR").signed(2.0, 0), "+2");
    }

    #[test]
    fn percentages_per_locale() {
        assert_eq!(l("en-GB").percent(12.5, 1), "12.5%");
        assert_eq!(l("de-DE").percent(12.5, 1), "12,5\u{a0}%");
        assert_eq!(l("fr-FR").percent(12.5, 1), "12,5\u{a0}%");
        assert_eq!(l("es-ES").percent(12.5, 1), "12,5\u{a0}%");
        assert_eq!(l("ja-JP").percent(12.5, 1), "12.5%");
        assert_eq!(l("en-GB").percent(-4.25, 1), "−4.3%");
        assert_eq!(l("en-GB").percent(0.0, 0), "0%");
        assert_eq!(l("en-GB").percent(100.0, 1), "100.0%");
        assert!(l("ar").percent(12.5, 1).contains("12.5"), "{}", l("ar").percent(12.5, 1));
    }

    #[test]
    fn percentage_points_are_signed_and_carry_the_given_word() {
        assert_eq!(l("en-GB").points(4.2 - 4.8, 1, "pts"), "−0.6\u{a0}pts");
        assert_eq!(l("de-DE").points(-0.6, 1, "Pp."), "−0,6\u{a0}Pp.");
        assert_eq!(l("fr-FR").points(0.6, 1, "pt"), "+0,6\u{a0}pt");
        assert_eq!(l("es-ES").points(0.0, 1, "p. p."), "±0,0\u{a0}p. p.");
        assert_eq!(l("ja-JP").points(1.25, 1, "ポイント"), "+1.3\u{a0}ポイント");
    }

    #[test]
    fn plural_categories_follow_the_number_as_shown() {
        let en = l("en-GB");
        assert_eq!(en.plural(1.0, 0), PluralCategory::One);
        assert_eq!(en.plural(1.0, 1), PluralCategory::Other, "1.0 hours");
        assert_eq!(en.plural(2.0, 0), PluralCategory::Other);
        assert_eq!(en.plural(0.0, 0), PluralCategory::Other);
        assert_eq!(en.plural(1.04, 0), PluralCategory::One, "rounded first: 1 hour");
        assert_eq!(l("fr-FR").plural(0.0, 0), PluralCategory::One, "0 heure");
        assert_eq!(l("fr-FR").plural(1.5, 1), PluralCategory::One);
        assert_eq!(l("de-DE").plural(1.0, 0), PluralCategory::One);
        assert_eq!(l("es-ES").plural(1.0, 0), PluralCategory::One);
        assert_eq!(l("ja-JP").plural(1.0, 0), PluralCategory::Other, "Japanese has one form");
        assert_eq!(l("ar").plural(2.0, 0), PluralCategory::Two);
        assert_eq!(l("ar").plural(0.0, 0), PluralCategory::Zero);
        assert_eq!(l("ar").plural(5.0, 0), PluralCategory::Few);
        assert_eq!(l("ar").plural(11.0, 0), PluralCategory::Many);
        assert_eq!(PluralCategory::from_name("few"), Some(PluralCategory::Few));
        assert_eq!(PluralCategory::from_name("several"), None);
    }

    #[test]
    fn a_locale_is_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Locale>();
    }
}
