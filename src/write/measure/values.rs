//! Writing computed values into a month's `kpis.toml` without disturbing
//! anything an author wrote.
//!
//! A computed value is an inline table,
//! `lead-time = { value = 2.4, measured = "median of …", rows = 41 }`, so it
//! can never fall into the "table trap" (after a `[table]` header, every later
//! `id = value` line belongs to that table). A line without `measured` was
//! typed by hand: it is kept byte for byte unless `--overwrite`. Comments,
//! order, blank lines and keys that are not KPIs (`draft = true`) are kept;
//! a `note` on a KPI is kept when its value is replaced. The file is edited
//! with `toml_edit`, which round-trips everything it does not touch.

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// A computed value to write.
#[derive(Debug, Clone)]
pub(crate) struct Update<'a> {
    pub(crate) id: &'a str,
    pub(crate) value: f64,
    pub(crate) measured: &'a str,
    pub(crate) rows: usize,
}

/// What happened to one KPI's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Applied {
    /// There was no line: one was added.
    Added,
    /// A computed line (or, with `--overwrite`, a hand-entered one) was replaced.
    Replaced,
    /// A hand-entered line was kept as it was.
    Kept,
}

/// A TOML value for a number: an integer when it is whole, so `74` stays `74`.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

fn is_computed_table(t: &Table) -> bool {
    t.contains_key("measured")
}

/// A TOML syntax error: its message and where it is (a byte span).
pub(crate) type TomlProblem = (String, Option<std::ops::Range<usize>>);

/// Applies `updates` to the text of a `kpis.toml`; returns the new text and
/// what happened to each update, or the TOML error.
pub(crate) fn apply(
    text: &str,
    updates: &[Update<'_>],
    overwrite: bool,
) -> Result<(String, Vec<Applied>), TomlProblem> {
    let parse = |text: &str| -> Result<DocumentMut, TomlProblem> {
        text.parse().map_err(|e: toml_edit::TomlError| (e.message().to_string(), e.span()))
    };
    let mut doc = parse(text)?;
    let stubbed = replace_stubs(text, &doc, updates);
    if let Some(text) = &stubbed {
        doc = parse(text)?;
    }
    let mut applied = Vec::with_capacity(updates.len());
    for u in updates {
        let root = doc.as_table_mut();
        let what = match root.get_mut(u.id) {
            None => {
                root.insert(u.id, Item::Value(Value::InlineTable(inline(u, None))));
                Applied::Added
            }
            Some(Item::Table(t)) => {
                if is_computed_table(t) || overwrite {
                    t.insert("value", toml_edit::value(number(u.value)));
                    t.insert("measured", toml_edit::value(u.measured));
                    t.insert("rows", toml_edit::value(i64::try_from(u.rows).unwrap_or(i64::MAX)));
                    Applied::Replaced
                } else {
                    Applied::Kept
                }
            }
            Some(Item::Value(v)) => {
                let old = match v {
                    Value::InlineTable(t) => Some(t.clone()),
                    _ => None,
                };
                let computed = old.as_ref().is_some_and(|t| t.contains_key("measured"));
                if computed || overwrite {
                    let decor = v.decor().clone();
                    let mut new = Value::InlineTable(inline(u, old.as_ref()));
                    *new.decor_mut() = decor;
                    *v = new;
                    Applied::Replaced
                } else {
                    Applied::Kept
                }
            }
            Some(other) => {
                if overwrite {
                    *other = Item::Value(Value::InlineTable(inline(u, None)));
                    Applied::Replaced
                } else {
                    Applied::Kept
                }
            }
        };
        applied.push(what);
    }
    Ok((doc.to_string(), applied))
}

/// `# lead-time =   # September 2026: 0.9 days`, the commented line `init`
/// and `new-month` leave for a KPI to fill in, when it is `id`'s.
fn is_stub(line: &str, id: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('#') else { return false };
    let Some(rest) = rest.trim_start().strip_prefix(id) else { return false };
    let Some(rest) = rest.trim_start().strip_prefix('=') else { return false };
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with('#')
}

/// The text with each computed KPI that has no line yet written in place of
/// its stub, so the value sits where the author expects it (under its
/// accountability) and the stub does not linger below it. A stub after a
/// `[table]` header is only removed: a key written there would belong to
/// the table. `None` when there is no stub to replace.
fn replace_stubs(text: &str, doc: &DocumentMut, updates: &[Update<'_>]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut in_table = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            in_table = true;
        }
        let stub = updates.iter().find(|u| !doc.contains_key(u.id) && is_stub(line, u.id));
        match stub {
            Some(u) => {
                changed = true;
                if !in_table {
                    let ending = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
                    out.push_str(&format!("{} = {}{ending}", toml_edit::Key::new(u.id), inline(u, None)));
                }
            }
            None => out.push_str(line),
        }
    }
    changed.then_some(out)
}

/// `{ value = …, measured = "…", rows = … }`, then the old table's other keys (its `note`).
fn inline(u: &Update<'_>, old: Option<&InlineTable>) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("value", number(u.value));
    t.insert("measured", Value::from(u.measured));
    t.insert("rows", Value::from(i64::try_from(u.rows).unwrap_or(i64::MAX)));
    if let Some(old) = old {
        for (k, v) in old.iter() {
            if !matches!(k, "value" | "measured" | "rows") {
                let mut v = v.clone();
                v.decor_mut().clear();
                t.insert(k, v);
            }
        }
    }
    t.fmt();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up<'a>(id: &'a str, value: f64, measured: &'a str, rows: usize) -> Update<'a> {
        Update { id, value, measured, rows }
    }

    const MONTH: &str = "# Acme KPIs for 2026-10.\ndraft = true\n\n# software-delivery\nlead-time = 3.1   # typed in\ndelivery-predictability = { value = 70, measured = \"old\", rows = 3 }\n\n[cycle-time]\nvalue = 7.3\nnote = \"Second reviewer\"\n";

    #[test]
    fn replaces_computed_lines_adds_missing_ones_and_keeps_the_rest_byte_for_byte() {
        let (text, applied) = apply(
            MONTH,
            &[
                up("lead-time", 2.4, "median of 41 changes deployed in 23 deployments", 41),
                up("delivery-predictability", 82.0, "average of 2 sprints", 50),
                up("cycle-time", 7.1, "median of 37 work items finished", 37),
                up("rework-ratio", 12.5, "8 of 64", 64),
            ],
            false,
        )
        .unwrap();
        assert_eq!(applied, [Applied::Kept, Applied::Replaced, Applied::Kept, Applied::Added]);
        assert_eq!(
            text,
            "# Acme KPIs for 2026-10.\ndraft = true\n\n# software-delivery\nlead-time = 3.1   # typed in\ndelivery-predictability = { value = 82, measured = \"average of 2 sprints\", rows = 50 }\nrework-ratio = { value = 12.5, measured = \"8 of 64\", rows = 64 }\n\n[cycle-time]\nvalue = 7.3\nnote = \"Second reviewer\"\n"
        );
        // The result loads as TOML with every KPI where it belongs (no table trap).
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert!(v["rework-ratio"].is_table() && v["draft"].as_bool() == Some(true));
        assert!(v["cycle-time"].get("rework-ratio").is_none());
    }

    #[test]
    fn overwrite_replaces_hand_entered_lines_keeping_comments_and_notes() {
        let (text, applied) = apply(
            MONTH,
            &[up("lead-time", 2.4, "median of 41 changes", 41), up("cycle-time", 7.1, "median of 37", 37)],
            true,
        )
        .unwrap();
        assert_eq!(applied, [Applied::Replaced, Applied::Replaced]);
        assert!(
            text.contains("# software-delivery\nlead-time = { value = 2.4, measured = \"median of 41 changes\", rows = 41 }   # typed in\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "[cycle-time]\nvalue = 7.1\nnote = \"Second reviewer\"\nmeasured = \"median of 37\"\nrows = 37\n"
            ),
            "{text}"
        );
        // Measuring again changes nothing.
        let (again, _) = apply(
            &text,
            &[up("lead-time", 2.4, "median of 41 changes", 41), up("cycle-time", 7.1, "median of 37", 37)],
            false,
        )
        .unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn a_computed_value_takes_the_place_of_its_stub() {
        let month = "# KPIs.\n#   lead-time = { value = 3.1, note = \"…\" }\ndraft = true\n\n# Delivery\n# lead-time =   # September 2026: 0.9 days\n# cycle-time =   # lower is better\n\n[x]\n# rework-ratio =\n";
        let (text, applied) = apply(
            month,
            &[up("lead-time", 2.4, "median of 41 changes", 41), up("rework-ratio", 12.5, "8 of 64", 64)],
            false,
        )
        .unwrap();
        assert_eq!(applied, [Applied::Replaced, Applied::Added]);
        assert_eq!(
            text,
            "# KPIs.\n#   lead-time = { value = 3.1, note = \"…\" }\ndraft = true\n\n# Delivery\nlead-time = { value = 2.4, measured = \"median of 41 changes\", rows = 41 }\nrework-ratio = { value = 12.5, measured = \"8 of 64\", rows = 64 }\n# cycle-time =   # lower is better\n\n[x]\n"
        );
        // Measuring again changes nothing.
        let (again, _) = apply(
            &text,
            &[up("lead-time", 2.4, "median of 41 changes", 41), up("rework-ratio", 12.5, "8 of 64", 64)],
            false,
        )
        .unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn a_note_on_an_inline_entry_survives() {
        let (text, _) =
            apply("lead-time = { value = 3, note = \"Freeze\" }\n", &[up("lead-time", 2.5, "m", 4)], true).unwrap();
        assert_eq!(text, "lead-time = { value = 2.5, measured = \"m\", rows = 4, note = \"Freeze\" }\n");
    }

    #[test]
    fn invalid_toml_is_reported_with_its_place() {
        let (message, span) = apply("lead-time = = 3\n", &[], false).unwrap_err();
        assert!(!message.is_empty());
        assert!(span.is_some());
    }
}
