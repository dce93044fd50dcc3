//! The board report as Typst markup: page 1 the one-page scorecard, then the
//! executive summary and a section per accountability (commentary, a whole
//! chart per KPI, its numbers), then an appendix of KPI definitions.
//!
//! Built from the same month bundle as the web pages, so the PDF and the site
//! can never disagree about a number or a status.

use std::fmt::Write as _;

use super::markup::to_typst;
use super::pdf::{string, text, FONT};
use crate::config::{Orientation, PackConfig, Paper};
use crate::portfolio::Overview;
use crate::project::MonthContent;
use crate::render::{MonthBundle, Tile};
use crate::report::Report;

/// How many months of numbers the PDF tabulates under each chart.
const TABLE_MONTHS: usize = 12;

/// Typst helpers shared by every report: colours, status marks, tiles.
const PREAMBLE: &str = r##"
#let ink = rgb("#111827")
#let muted = rgb("#4b5563")
#let rule = rgb("#d1d5db")
#let mark-colour = ("green": rgb("#1a7f37"), "amber": rgb("#b45309"), "red": rgb("#b91c1c"), "none": rgb("#6b7280"))
#let word-colour = ("green": rgb("#14632c"), "amber": rgb("#7a4100"), "red": rgb("#9b1c1c"), "none": rgb("#4b5563"))
#let wash = ("green": rgb("#e3f3e8"), "amber": rgb("#fdf0da"), "red": rgb("#fde6e6"), "none": rgb("#eef0f3"))
#let mark(s, size: 5.5pt) = {
  let c = mark-colour.at(s)
  if s == "green" { circle(radius: size / 2, fill: c) }
  else if s == "amber" { polygon.regular(vertices: 3, size: size * 1.25, fill: c) }
  else if s == "red" { square(size: size, fill: c) }
  else { circle(radius: size / 2 - 0.5pt, stroke: 1pt + c) }
}
#let badge(s, label, size: 6.5pt) = box(fill: wash.at(s), inset: (x: 4pt, y: 2.5pt), radius: 5pt, baseline: 25%)[
  #box(baseline: -0.3pt, mark(s))#h(3pt)#text(size: size, weight: "bold", tracking: 0.3pt, fill: word-colour.at(s), upper(label))
]
#let tile(s, label, name, value, target, change, spark, note) = block(
  width: 100%, breakable: false, inset: (x: 6pt, top: 5pt, bottom: 6pt), radius: 2pt, below: 6pt,
  stroke: (top: 2.5pt + mark-colour.at(s), rest: 0.5pt + rule),
)[
  #set par(spacing: 4pt, leading: 3.5pt)
  #text(size: 9.5pt, weight: "bold", name)
  #v(1pt)
  #badge(s, label, size: 7pt)
  #v(2pt)
  #grid(columns: (auto, 1fr), align: (left + horizon, right + horizon), column-gutter: 4pt,
    text(size: 19pt, weight: "bold", value),
    if spark != none { image(spark, height: 19pt) })
  #v(1pt)
  #text(size: 7.5pt, fill: muted, target)
  #linebreak()
  #text(size: 7.5pt, fill: ink, change)
  #if note != none { linebreak(); text(size: 7.5pt, style: "italic", fill: muted, "Note: " + note) }
]
#show heading: set text(fill: ink)
#show heading.where(level: 1): set text(size: 17pt)
#show heading.where(level: 2): set text(size: 12.5pt)
#show heading.where(level: 3): set text(size: 11pt)
#show link: set text(fill: rgb("#1d4e89"))
"##;

/// The Typst source of the month's report, and the files (charts) it includes.
pub fn report_markup(
    report: &Report<'_>,
    bundle: &MonthBundle,
    content: &MonthContent,
    settings: &PackConfig,
) -> (String, Vec<(String, Vec<u8>)>) {
    let config = &report.project.config;
    let view = &bundle.view;
    let mut files = Vec::new();
    let mut t = String::with_capacity(40_000);
    let title = format!("{} — {}", config.title, view.name);
    let _ = writeln!(
        t,
        "#set document(title: {}, author: {}, description: {}, keywords: (\"board report\", {}))",
        string(&title),
        string(&config.organisation),
        string(&view.name),
        string(&view.id)
    );
    let _ =
        writeln!(t, "#set text(font: \"{FONT}\", size: 10pt, lang: \"en\", region: \"gb\", fill: rgb(\"#111827\"))");
    t.push_str(PREAMBLE);
    let paper = match settings.paper {
        Paper::A4 => "a4",
        Paper::Letter => "us-letter",
    };
    let footer = footer(&config.organisation, &view.name, settings.confidentiality.as_deref());

    // Page 1: the scorecard.
    let flipped = settings.scorecard_orientation == Orientation::Landscape;
    let _ = writeln!(
        t,
        "#set page(paper: \"{paper}\", flipped: {flipped}, margin: (x: 12mm, top: 11mm, bottom: 13mm), header: none, footer: {footer})"
    );
    let _ = writeln!(
        t,
        "#text(size: 8pt, fill: muted, tracking: 0.6pt)[#upper({})#h(1fr)#upper({})]",
        string(&config.organisation),
        string(&config.title)
    );
    let _ = writeln!(t, "#v(-2pt)\n#heading(level: 1)[{}]", text(&format!("Scorecard, {}", view.name)));
    let c = view.counts;
    let _ = writeln!(
        t,
        "#badge(\"green\", {}, size: 8pt) #h(6pt) #badge(\"amber\", {}, size: 8pt) #h(6pt) #badge(\"red\", {}, size: 8pt){}\n#v(6pt)",
        string(&format!("{} on target", c.green)),
        string(&format!("{} to watch", c.amber)),
        string(&format!("{} off target", c.red)),
        if c.none > 0 { format!(" #h(6pt) #badge(\"none\", {}, size: 8pt)", string(&format!("{} no data", c.none))) } else { String::new() },
    );
    let columns = view.accountabilities.len().clamp(1, 5);
    let _ = writeln!(t, "#grid(columns: (1fr,) * {columns}, column-gutter: 8pt, row-gutter: 10pt,");
    for acc in &view.accountabilities {
        let _ = write!(
            t,
            "  [#block(height: 28pt, below: 3pt)[#set par(leading: 3pt); #align(bottom)[#text(size: 11pt, weight: \"bold\", {})]]\n   #block(height: 31pt, below: 6pt)[#set par(leading: 3pt); #text(size: 7.8pt, fill: muted, {})]\n",
            string(&acc.name),
            string(&acc.question)
        );
        for tile in &acc.tiles {
            t.push_str("   ");
            t.push_str(&tile_call(tile, &mut files));
            t.push('\n');
        }
        t.push_str("  ],\n");
    }
    t.push_str(")\n");
    attention(&mut t, view);

    // The rest of the report: portrait, with a running header.
    let header = format!(
        "context [#set text(size: 7.5pt, fill: muted); {} #h(1fr) {} #v(-4pt) #line(length: 100%, stroke: 0.4pt + rule)]",
        text(&format!("{} · {}", config.organisation, config.title)),
        text(&view.name)
    );
    let _ = writeln!(
        t,
        "#set page(paper: \"{paper}\", flipped: false, margin: (x: 20mm, top: 22mm, bottom: 20mm), header: {header}, footer: {footer})"
    );
    t.push_str("#set par(justify: false, leading: 0.62em, spacing: 0.95em)\n");
    t.push_str("#outline(title: [Contents], depth: 2, indent: auto)\n#v(8pt)\n");
    t.push_str("#heading(level: 1)[Executive summary]\n");
    match &content.summary {
        Some(md) if bundle.view.summary.is_some() => t.push_str(&to_typst(md, 3)),
        _ => {
            let _ = writeln!(t, "#text(fill: muted)[{}]\n", text("No executive summary was written this month."));
        }
    }
    for (acc, charts) in view.accountabilities.iter().zip(&bundle.charts) {
        let _ = writeln!(t, "\n#pagebreak(weak: true)\n#heading(level: 1)[{}]", text(&acc.name));
        let _ = writeln!(t, "#text(style: \"italic\", fill: muted)[{}]\n", text(&acc.question));
        match content.commentary.get(&acc.id) {
            Some(md) if acc.commentary.is_some() => t.push_str(&to_typst(md, 3)),
            _ => {
                let _ = writeln!(
                    t,
                    "#text(fill: muted)[{}]\n",
                    text("No commentary was written for this accountability this month.")
                );
            }
        }
        for chart in charts {
            let tile = &chart.tile;
            let chart_path = format!("/charts/{}.svg", tile.id);
            files.push((chart_path.clone(), chart.chart.clone().into_bytes()));
            let value = tile.value.clone().unwrap_or_else(|| "No data".into());
            let mut facts = format!("target {}, red beyond {}, {}", tile.target, tile.red, tile.better);
            if let (Some(delta), Some(trend), Some(since)) = (&tile.delta, tile.trend, &tile.compared_with) {
                let _ = write!(facts, "; {delta} {trend} since {since}");
            }
            let _ = writeln!(
                t,
                "#block(breakable: false, above: 14pt)[\n#heading(level: 2)[{}]\n#badge({}, {}) #h(4pt) #text(size: 11pt, weight: \"bold\", {}) #h(4pt) #text(size: 8.5pt, fill: muted, {})\n#v(2pt)\n#image({}, width: 100%, alt: {})",
                text(&tile.name),
                string(tile.status),
                string(tile.status_label),
                string(&value),
                string(&facts),
                string(&chart_path),
                string(&chart.alt),
            );
            if !chart.notes.is_empty() {
                let notes: Vec<String> = chart.notes.iter().map(|n| format!("{}: {}", n.month, n.text)).collect();
                let _ =
                    writeln!(t, "#text(size: 8pt, fill: muted)[{}]", text(&format!("Ringed: {}", notes.join("; "))));
            }
            t.push_str("]\n");
            numbers_table(&mut t, chart);
        }
    }
    if settings.appendix {
        appendix(&mut t, report);
    }
    (t, files)
}

/// Below the scorecard: the red and amber KPIs in one list, worst first, so the
/// board sees at once what to ask about.
fn attention(t: &mut String, view: &crate::render::MonthView) {
    let mut flagged: Vec<&Tile> = view
        .accountabilities
        .iter()
        .flat_map(|a| &a.tiles)
        .filter(|tile| tile.status == "red" || tile.status == "amber")
        .collect();
    flagged.sort_by_key(|tile| tile.status != "red");
    t.push_str("#v(8pt)\n#block(width: 100%, inset: (x: 8pt, y: 7pt), radius: 2pt, stroke: 0.5pt + rule)[\n#text(size: 10pt, weight: \"bold\")[Needs the board's attention]\n#v(2pt)\n");
    if flagged.is_empty() {
        let _ = writeln!(t, "#text(size: 8.5pt)[{}]", text("Every KPI is at or better than its target."));
    } else {
        t.push_str("#grid(columns: (auto, auto, 1fr), column-gutter: 6pt, row-gutter: 4pt, align: (center + horizon, left + horizon, left + horizon),\n");
        for tile in flagged {
            let value = tile.value.clone().unwrap_or_else(|| "no data".into());
            let mut line = format!("{value}, target {}", tile.target);
            if let (Some(d), Some(trend)) = (&tile.delta, tile.trend) {
                let _ = write!(line, "; {d} {trend}");
            }
            if let Some(note) = &tile.note {
                let _ = write!(line, ". Note: {note}");
            }
            let _ = writeln!(
                t,
                "  mark({}), text(size: 8.5pt, weight: \"bold\", {}), text(size: 8.5pt, {}),",
                string(tile.status),
                string(&format!("{} ({})", tile.name, tile.status_label.to_lowercase())),
                string(&line)
            );
        }
        t.push_str(")\n");
    }
    t.push_str("]\n");
}

/// The portfolio's overview of one month as Typst markup: the companies × KPIs
/// matrix, worst company first, with each cell's status in words as well as
/// colour, and the portfolio median per KPI. Landscape; the header row repeats
/// on every page of a long portfolio.
pub fn portfolio_markup(view: &Overview<'_>, paper: Paper) -> String {
    let mut t = String::with_capacity(20_000 + view.rows.len() * 2_000);
    let title = format!("{} — {}", view.title, view.month.name);
    let _ = writeln!(
        t,
        "#set document(title: {}, author: {}, description: {}, keywords: (\"portfolio overview\", {}))",
        string(&title),
        string(view.owner),
        string(&view.month.name),
        string(&view.month.id)
    );
    let _ = writeln!(t, "#set text(font: \"{FONT}\", size: 8pt, lang: \"en\", region: \"gb\", fill: rgb(\"#111827\"))");
    t.push_str(PREAMBLE);
    let paper = match paper {
        Paper::A4 => "a4",
        Paper::Letter => "us-letter",
    };
    let footer = footer(view.owner, &view.month.name, None);
    let _ = writeln!(
        t,
        "#set page(paper: \"{paper}\", flipped: true, margin: (x: 10mm, top: 10mm, bottom: 13mm), footer: {footer})"
    );
    let _ = writeln!(
        t,
        "#text(size: 8pt, fill: muted, tracking: 0.6pt)[#upper({})]\n#v(-2pt)\n#heading(level: 1)[{}]",
        string(view.owner),
        text(&format!("{}, {}", view.title, view.month.name))
    );
    let reported = view.rows.iter().filter(|r| r.reported).count();
    let red = view.rows.iter().filter(|r| r.counts.red > 0).count();
    let _ = writeln!(
        t,
        "#text(fill: muted)[{}]\n#v(4pt)",
        text(&format!(
            "{reported} of {} companies reported for {}; {red} have a KPI off target. Worst first.",
            view.rows.len(),
            view.month.name
        ))
    );
    let _ = writeln!(
        t,
        "#table(columns: (36mm, 27mm{}), stroke: 0.4pt + rule, inset: (x: 3pt, y: 3pt), align: left + horizon,",
        ", 1fr".repeat(view.columns.len())
    );
    t.push_str("  table.header(\n    [#text(weight: \"bold\")[Company]], [#text(weight: \"bold\")[Status]],\n");
    for col in &view.columns {
        let _ = writeln!(t, "    [#text(size: 7pt, weight: \"bold\", {})],", string(&col.name));
    }
    t.push_str("  ),\n");
    for row in &view.rows {
        let status = match row.absence {
            Some(why) => text(why),
            None => text(&format!("{} red · {} amber · {} green", row.counts.red, row.counts.amber, row.counts.green)),
        };
        let _ = writeln!(t, "  [#text(weight: \"bold\", {})], [#text(size: 7pt)[{status}]],", string(&row.name));
        for cell in &row.cells {
            let value = cell
                .value
                .as_deref()
                .map(|v| format!(" #linebreak() #text(size: 8.5pt, weight: \"bold\", {})", string(v)))
                .unwrap_or_default();
            match cell.status {
                "untracked" => {
                    let _ = writeln!(t, "  [#text(size: 7pt, fill: muted)[Not tracked]],");
                }
                s => {
                    let _ = writeln!(
                        t,
                        "  table.cell(fill: wash.at(\"{s}\"))[#box(baseline: -0.3pt, mark(\"{s}\")) #text(size: 7pt, fill: word-colour.at(\"{s}\"), {}){value}],",
                        string(cell.label)
                    );
                }
            }
        }
    }
    t.push_str("  table.cell(colspan: 2)[#text(weight: \"bold\")[Portfolio median]],\n");
    for median in &view.medians {
        let _ = writeln!(t, "  [{}],", median.as_deref().map_or_else(|| "–".to_string(), text));
    }
    t.push_str(")\n");
    t
}

fn footer(organisation: &str, month: &str, confidentiality: Option<&str>) -> String {
    let left = confidentiality.map(|c| format!("#text(weight: \"bold\")[{}] · ", text(c))).unwrap_or_default();
    format!(
        "context [#set text(size: 7.5pt, fill: muted); {left}{} #h(1fr) Page #counter(page).display() of #counter(page).final().first()]",
        text(&format!("{organisation} · {month}"))
    )
}

fn tile_call(tile: &Tile, files: &mut Vec<(String, Vec<u8>)>) -> String {
    let spark = format!("/spark/{}.svg", tile.id);
    files.push((spark.clone(), tile.sparkline.clone().into_bytes()));
    let value = tile.value.clone().unwrap_or_else(|| "No data".into());
    let change = match (&tile.delta, tile.trend, &tile.compared_with) {
        (Some(d), Some(trend), Some(since)) => format!("{} {d} {trend} since {since}", tile.arrow),
        _ => "No earlier value to compare".into(),
    };
    let note = tile.note.as_deref().map_or_else(|| "none".to_string(), string);
    format!(
        "#tile({}, {}, {}, {}, {}, {}, {}, {})",
        string(tile.status),
        string(tile.status_label),
        string(&tile.name),
        string(&value),
        string(&format!("Target {} · {}", tile.target, tile.better)),
        string(&change),
        string(&spark),
        note
    )
}

fn numbers_table(t: &mut String, chart: &crate::render::ChartView) {
    t.push_str("#v(4pt)\n#table(columns: (auto, auto, auto, 1fr), stroke: (x, y) => (bottom: 0.4pt + rule), inset: (x: 5pt, y: 3pt), align: left,\n");
    t.push_str("  table.header([*Month*], [*Value*], [*Status*], [*Note*]),\n");
    for row in chart.rows.iter().take(TABLE_MONTHS) {
        let _ = writeln!(
            t,
            "  [{}], [{}], [#box(baseline: -0.3pt, mark({})) {}], [{}],",
            text(&row.month),
            text(row.value.as_deref().unwrap_or("no data")),
            string(row.status),
            text(row.status_label),
            text(row.note.as_deref().unwrap_or(""))
        );
    }
    t.push_str(")\n");
}

fn appendix(t: &mut String, report: &Report<'_>) {
    t.push_str("\n#pagebreak()\n#heading(level: 1)[Appendix: KPI definitions]\n");
    let catalogue = &report.project.catalogue;
    for acc in &catalogue.accountabilities {
        for kpi in catalogue.kpis_of(&acc.id) {
            let _ = writeln!(t, "#block(breakable: false, above: 12pt)[\n#heading(level: 2)[{}]", text(&kpi.name));
            let better = kpi.better.words();
            let _ = writeln!(
                t,
                "#text(size: 8.5pt, fill: muted)[{}]\n",
                text(&format!(
                    "{} · id {} · unit {} · {better} · target {} · red beyond {}",
                    acc.name,
                    kpi.id,
                    kpi.unit,
                    kpi.format_value(kpi.target),
                    kpi.format_value(kpi.red)
                ))
            );
            t.push_str(&to_typst(&kpi.definition, 3));
            if !kpi.how_to_measure.trim().is_empty() {
                t.push_str("#strong[How it is measured.] ");
                t.push_str(&to_typst(&kpi.how_to_measure, 3));
            }
            t.push_str("]\n");
        }
    }
}
