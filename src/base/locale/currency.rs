//! Money: which units are currencies, and amounts written the way the
//! report's locale writes them ("£4.85", "4,85 €", "￥1,235").

use std::fmt;

use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use writeable::Writeable;

use super::{decimal, minus, Locale};

impl Locale {
    /// An amount of money: "£4.85" (en-GB), "4,85 £" (de-DE), "4,85 £GB" (fr-FR).
    /// `currency` is an ISO 4217 code (`GBP`, any case) or one of the symbols
    /// `£ $ € ¥` (see [`currency_code`]); anything else is written after the
    /// number as a plain unit. At most the currency's own minor digits are
    /// shown (yen has none: "¥1,235"), and fewer when `decimals` asks for
    /// fewer ("£1,250" at 0 decimals).
    pub fn currency(&self, v: f64, currency: &str, decimals: u8) -> String {
        let formatter = currency_code(&currency.trim().to_ascii_uppercase()).and_then(|code| {
            let code = CurrencyType::try_from_str(&code.to_ascii_lowercase()).ok()?;
            CurrencyFormatter::try_new_symbol((&self.inner.locale).into(), code, Default::default()).ok()
        });
        match (formatter, decimal(v, decimals)) {
            (Some(f), Some(d)) => minus(trim_fraction(&f.format_fixed_decimal(&d), decimals)),
            _ => format!("{}\u{a0}{}", self.number(v, decimals), currency.trim()),
        }
    }
}

/// The active ISO 4217 currency codes (ISO list one, 2024), space-separated:
/// a unit is money only when it is one of these (or a symbol below), so
/// `SLA`, `KPI` or `NPS` are never written as currency.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP \
BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF \
GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD \
LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR \
PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY \
TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

/// The ISO 4217 code a KPI unit names: an active currency code (`GBP`,
/// `EUR`, in capitals) or a currency symbol (`£` GBP, `$` USD, `€` EUR, `¥`
/// JPY). `None` means the unit is not money.
pub fn currency_code(unit: &str) -> Option<String> {
    let unit = unit.trim();
    let symbol = match unit {
        "£" => Some("GBP"),
        "$" | "US$" => Some("USD"),
        "€" => Some("EUR"),
        "¥" | "￥" => Some("JPY"),
        _ => None,
    };
    if let Some(code) = symbol {
        return Some(code.to_string());
    }
    (unit.len() == 3 && ISO_4217.split(' ').any(|code| code == unit)).then(|| unit.to_string())
}

/// A formatted currency amount with its fraction cut to `decimals` digits.
/// ICU pads an amount to the currency's minor digits ("£1,250.00"); the value
/// was rounded to `decimals` first, so the digits removed are zeros. The
/// fraction and the decimal separator are found by ICU's own part
/// annotations, not by reading the text.
fn trim_fraction(formatted: &impl Writeable, decimals: u8) -> String {
    let mut sink = Parts::default();
    if formatted.write_to_parts(&mut sink).is_err() {
        return formatted.write_to_string().into_owned();
    }
    let Parts { mut text, parts } = sink;
    let Some(&(start, end, _)) = parts.iter().find(|(_, _, p)| *p == icu_decimal::parts::FRACTION) else {
        return text;
    };
    let keep = usize::from(decimals);
    if keep == 0 {
        let separator = parts.iter().find(|(_, _, p)| *p == icu_decimal::parts::DECIMAL).map(|&(s, e, _)| (s, e));
        text.replace_range(start..end, "");
        if let Some((s, e)) = separator.filter(|&(_, e)| e <= start) {
            text.replace_range(s..e, "");
        }
    } else if let Some((cut, _)) = text[start..end].char_indices().nth(keep) {
        text.replace_range(start + cut..end, "");
    }
    text
}

/// A sink that records the span of each annotated part of a formatted value.
#[derive(Default)]
struct Parts {
    text: String,
    parts: Vec<(usize, usize, writeable::Part)>,
}

impl fmt::Write for Parts {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

impl writeable::PartsWrite for Parts {
    type SubPartsWrite = Parts;

    fn with_part(
        &mut self,
        part: writeable::Part,
        mut f: impl FnMut(&mut Self::SubPartsWrite) -> fmt::Result,
    ) -> fmt::Result {
        let start = self.text.len();
        f(self)?;
        self.parts.push((start, self.text.len(), part));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(tag: &str) -> Locale {
        Locale::new(tag).unwrap()
    }

    #[test]
    fn currency_per_locale() {
        assert_eq!(l("en-GB").currency(4.85, "GBP", 2), "£4.85");
        assert_eq!(l("en-GB").currency(4.85, "£", 2), "£4.85");
        assert_eq!(l("en-GB").currency(-4.85, "gbp", 2), "−£4.85");
        assert_eq!(l("de-DE").currency(4.85, "£", 2), "4,85\u{a0}£");
        assert_eq!(l("de-DE").currency(1234.5, "€", 2), "1.234,50\u{a0}€");
        assert_eq!(l("fr-FR").currency(4.85, "EUR", 2), "4,85\u{a0}€");
        assert_eq!(l("es-ES").currency(4.85, "EUR", 2), "4,85\u{a0}€");
        assert_eq!(l("ja-JP").currency(1234.5, "¥", 2), "￥1,235", "yen has no minor digits");
        assert_eq!(l("en-GB").currency(1e9, "USD", 0), "US$1,000,000,000");
        assert_eq!(l("en-GB").currency(1249.6, "GBP", 0), "£1,250", "fewer decimals than the currency's");
        assert_eq!(l("de-DE").currency(4.85, "EUR", 1), "4,9\u{a0}€");
        assert_eq!(l("en-GB").currency(4.8, "GBP", 3), "£4.80", "at most the currency's minor digits");
        assert_eq!(l("en-GB").currency(0.0, "GBP", 2), "£0.00");
        assert_eq!(l("en-GB").currency(3.0, "hours", 1), "3.0\u{a0}hours", "not money: a plain unit");
        assert!(l("ar").currency(4.85, "EUR", 2).contains("4.85"), "{}", l("ar").currency(4.85, "EUR", 2));
    }

    #[test]
    fn currency_codes_from_units() {
        assert_eq!(currency_code("£").as_deref(), Some("GBP"));
        assert_eq!(currency_code(" $ ").as_deref(), Some("USD"));
        assert_eq!(currency_code("€").as_deref(), Some("EUR"));
        assert_eq!(currency_code("¥").as_deref(), Some("JPY"));
        assert_eq!(currency_code("CHF").as_deref(), Some("CHF"));
        for not_money in ["%", "days", "hours", "gbp", "", "PRs", "SLA", "KPI", "NPS", "FTE"] {
            assert_eq!(currency_code(not_money), None, "{not_money}");
        }
    }
}
