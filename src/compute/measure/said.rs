//! How `measure` made a value, as the board reads it: a phrase of the theme's
//! translations (`measured.*`) with its counts, numbers and month, written in
//! the report's language only when it is written to `kpis.toml`. The
//! methods stay free of language; field names (`sprint_end`, `found_in`)
//! stay in `measure`'s own output, never in these words.

use crate::base::i18n::{fill, Lang};
use crate::base::locale::round;
use crate::base::period::Month;

/// One filled-in part of a phrase.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// A count with its noun, in the plural form for `n`: `measured.count.KEY`.
    Count(&'static str, usize),
    /// A bare number ("17 of …"), to at most three decimals.
    Number(f64),
    /// A month in full ("October 2026").
    Month(Month),
    /// A month's last day in full ("31 October 2026"): `measured.day`.
    LastDay(Month),
    /// Text written as it is (a quarter's name from the export, "2026-Q4").
    Text(String),
    /// Months in full, listed ("August 2026, September 2026").
    Months(Vec<Month>),
}

/// A phrase of `measured.*`, its parts, and what was left out after it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Said {
    key: &'static str,
    /// The count the phrase agrees with, as `{n}`: it picks the phrase's
    /// plural form ("1 incident restored", "1 incident résolu").
    n: Option<usize>,
    parts: Vec<(&'static str, Part)>,
    /// Added after a semicolon each: "; 2 incidents still open at the month's end".
    then: Vec<Said>,
}

impl Said {
    /// The phrase `measured.KEY`, to be filled in.
    pub(crate) fn new(key: &'static str) -> Said {
        Said { key, n: None, parts: Vec::new(), then: Vec::new() }
    }

    /// The phrase `measured.KEY` in its plural form for `n`, which is `{n}`.
    pub(crate) fn of(key: &'static str, n: usize) -> Said {
        Said { n: Some(n), ..Said::new(key) }
    }

    /// `{name}` as `n` with its noun (`measured.count.NOUN`): "3 sprints".
    pub(crate) fn count(mut self, name: &'static str, noun: &'static str, n: usize) -> Said {
        self.parts.push((name, Part::Count(noun, n)));
        self
    }

    /// `{name}` as a bare number.
    pub(crate) fn number(mut self, name: &'static str, v: f64) -> Said {
        self.parts.push((name, Part::Number(v)));
        self
    }

    /// `{name}` as a month in full.
    pub(crate) fn month(mut self, name: &'static str, m: Month) -> Said {
        self.parts.push((name, Part::Month(m)));
        self
    }

    /// `{name}` as months in full, listed.
    pub(crate) fn months(mut self, name: &'static str, months: &[Month]) -> Said {
        self.parts.push((name, Part::Months(months.to_vec())));
        self
    }

    /// `{name}` as the last day of `m` in full ("31 October 2026").
    pub(crate) fn last_day(mut self, name: &'static str, m: Month) -> Said {
        self.parts.push((name, Part::LastDay(m)));
        self
    }

    /// `{name}` as text written as it is.
    pub(crate) fn text(mut self, name: &'static str, t: impl Into<String>) -> Said {
        self.parts.push((name, Part::Text(t.into())));
        self
    }

    /// With `more` after a semicolon.
    pub(crate) fn then(mut self, more: Said) -> Said {
        self.then.push(more);
        self
    }

    /// With the phrase `measured.KEY` for `n` after a semicolon when `n` is
    /// not 0: what was left out and why ("1 defect not saying where it was
    /// found left out").
    pub(crate) fn leaving(self, key: &'static str, n: usize) -> Said {
        if n == 0 {
            self
        } else {
            self.then(Said::of(key, n))
        }
    }

    /// The words in `lang`.
    pub(crate) fn in_language(&self, lang: &Lang) -> String {
        let parts: Vec<(&str, String)> = self
            .parts
            .iter()
            .map(|(name, part)| {
                let text = match part {
                    Part::Count(noun, n) => lang.count(&format!("measured.count.{noun}"), *n),
                    Part::Number(v) => lang.locale.number(*v, decimals(*v)),
                    Part::Month(m) => lang.month(*m),
                    Part::LastDay(m) => {
                        let day = lang.locale.number(f64::from(m.days()), 0);
                        lang.fill("measured.day", &[("day", &day), ("month", &lang.month(*m))])
                    }
                    Part::Text(t) => t.clone(),
                    Part::Months(months) => {
                        months.iter().map(|m| lang.month(*m)).collect::<Vec<_>>().join(lang.get("measured.list"))
                    }
                };
                (*name, text)
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = parts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let key = format!("measured.{}", self.key);
        let phrase = match self.n {
            Some(n) => lang.count(&key, n),
            None => lang.get(&key).to_string(),
        };
        let mut out = fill(&phrase, &borrowed);
        for more in &self.then {
            out.push_str(lang.get("measured.separator"));
            out.push_str(&more.in_language(lang));
        }
        out
    }
}

/// The decimals `v` needs, up to three: "725", "12.5", "0.125".
fn decimals(v: f64) -> u8 {
    (0..3).find(|d| round(v, *d) == round(v, 3)).unwrap_or(3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::locale::Locale;
    use crate::load::theme::Theme;

    fn lang(tag: &str) -> Lang {
        let locale = Locale::new(tag).unwrap();
        let words = Theme::load(std::path::Path::new("."), None).unwrap().translations(&locale).unwrap();
        Lang::new(locale, words)
    }

    #[test]
    fn a_sentence_reads_in_the_report_language_and_agrees_with_its_counts() {
        let said = Said::of("time_to_restore", 34).leaving("still_open", 1);
        assert_eq!(
            said.in_language(Lang::english()),
            "median of 34 incidents restored; 1 incident still open at the month's end"
        );
        assert_eq!(
            said.in_language(&lang("fr-FR")),
            "médiane de 34 incidents résolus\u{a0}; 1 incident encore ouvert à la fin du mois"
        );
        let one = Said::of("time_to_restore", 1).leaving("still_open", 2);
        assert_eq!(
            one.in_language(Lang::english()),
            "median of 1 incident restored; 2 incidents still open at the month's end"
        );
        assert_eq!(
            one.in_language(&lang("fr-FR")),
            "médiane de 1 incident résolu\u{a0}; 2 incidents encore ouverts à la fin du mois"
        );
    }

    #[test]
    fn what_was_left_out_names_no_field() {
        let said = Said::of("defect_escape_rate", 2).count("defects", "defects", 3).leaving("no_stage", 1);
        let en = said.in_language(Lang::english());
        assert_eq!(
            en,
            "2 of 3 defects logged were found in production; 1 defect not saying where it was found left out"
        );
        assert!(!en.contains('`'), "no field name reaches the board");
        let de = said.in_language(&lang("de-DE"));
        assert!(de.starts_with("2 von 3 erfassten Fehlern wurden in der Produktion gefunden"), "{de}");
        let sprints = Said::of("cycle_time", 5).leaving("no_sprint_end", 2).in_language(Lang::english());
        assert!(!sprints.contains("sprint_end"), "{sprints}");
    }

    #[test]
    fn numbers_are_written_the_locale_way_with_the_decimals_they_need() {
        let said = Said::new("outcome_by_effort").number("with", 529.5).number("total", 1725.0);
        assert_eq!(
            said.in_language(Lang::english()),
            "529.5 of 1,725 points of effort finished served a named outcome"
        );
        assert!(said.in_language(&lang("de-DE")).starts_with("529,5 von 1.725 "));
    }
}
