//! Chart stage: KPI history drawn as SVG by plotters, in memory.
//!
//! Charts use only plotters' SVG backend, so no system font is needed: text is
//! written as `<text font-family="sans-serif">` and drawn by the viewer. Every
//! chart carries a text alternative (latest value, target, status), because a
//! board member may be reading with a screen reader, and status is never told
//! by colour alone (the page around the chart says it in words).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::base::i18n::Lang;
use crate::base::status::{Better, Status};
use crate::compute::report::Window;
use crate::load::catalogue::{Kpi, Thresholds};
use crate::load::theme::Palette;
use crate::Error;

/// Width and height of a full chart, in CSS pixels.
pub(crate) const CHART_SIZE: (u32, u32) = (720, 300);
/// Width and height of a scorecard sparkline.
pub(crate) const SPARK_SIZE: (u32, u32) = (132, 36);

const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const MUTED: RGBColor = RGBColor(0x5b, 0x64, 0x72);
const GRID: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);
const LINE: RGBColor = RGBColor(0x1d, 0x4e, 0x89);

/// A drawing failure. The SVG backend writes to a `String`, so this means a bug
/// in plotters or in our ranges, never bad user input; it still must not panic.
#[derive(Debug, thiserror::Error)]
#[error("could not draw the chart for `{kpi}`: {message}")]
pub(crate) struct ChartError {
    pub(crate) kpi: String,
    pub(crate) message: String,
}

impl From<ChartError> for Error {
    fn from(e: ChartError) -> Error {
        Error::Internal(e.to_string())
    }
}

/// The status colour of a point, band or line: the theme's mark colour.
fn status_colour(palette: &Palette, s: Status) -> RGBColor {
    rgb(&palette.of(s).mark)
}

/// `#rrggbb` as a plotters colour (black for anything else: the palette only
/// holds colours it has checked are `#rrggbb`).
fn rgb(hex: &str) -> RGBColor {
    let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
    RGBColor(channel(1), channel(3), channel(5))
}

/// The largest magnitude a chart's y axis reaches. Near the limits of `f64`
/// plotters' tick computation overflows (the span of `-1e308..1e308` is
/// infinite) and never returns; a value beyond this is drawn at the edge of the
/// frame instead (see [`plotted`]). No real KPI comes near it, so every
/// ordinary chart is drawn exactly as without the limit.
const AXIS_LIMIT: f64 = 1e300;

/// A value as the chart draws it: itself, unless it lies beyond [`AXIS_LIMIT`].
fn plotted(v: f64) -> f64 {
    v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
}

/// The y range a chart needs to show every value and every target and red
/// line in the window, padded so no point sits on the frame, and never
/// degenerate (plotters can hang on empty ranges) nor wider than plotters can
/// compute with (it hangs on a span that overflows): every bound and the span
/// are finite.
fn y_range(kpi: &Kpi, w: &Window<'_>) -> (f64, f64) {
    let lines: Vec<f64> = w.thresholds.iter().flatten().flat_map(|t| [t.target, t.red]).collect();
    let all = || lines.iter().chain(w.values.iter().flatten()).copied().map(plotted);
    let (Some(lo), Some(hi)) = (all().reduce(f64::min), all().reduce(f64::max)) else {
        return (0.0, 1.0);
    };
    let pad = ((hi - lo) * 0.12).max(if hi.abs() > 1.0 { hi.abs() * 0.05 } else { 0.5 });
    let mut lo = lo - pad;
    let mut hi = hi + pad;
    // Axis labels show at most one decimal (none for a whole-number KPI): a
    // range narrower than five label steps would print the same label twice
    // (16, 16, 17), so widen it evenly around the values.
    let min_span = if kpi.decimals == 0 { 5.0 } else { 0.5 };
    let non_negative = all().all(|v| v >= 0.0);
    if lo < 0.0 && non_negative {
        lo = 0.0;
    }
    if hi - lo < min_span {
        let grow = (min_span - (hi - lo)) / 2.0;
        (lo, hi) = (lo - grow, hi + grow);
        if lo < 0.0 && non_negative {
            (lo, hi) = (0.0, hi - lo);
        }
    }
    if kpi.is_percentage() {
        if hi > 100.0 {
            (lo, hi) = ((lo - (hi - 100.0)).max(0.0), 100.0);
        }
        lo = lo.max(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    (lo, hi)
}

/// Bands of the y axis coloured by the status a value there would have.
fn bands(better: Better, t: Thresholds, lo: f64, hi: f64) -> [(f64, f64, Status); 3] {
    let (t, r) = (plotted(t.target), plotted(t.red));
    match better {
        Better::Lower => [(lo, t, Status::Green), (t, r, Status::Amber), (r, hi, Status::Red)],
        Better::Higher => [(t, hi, Status::Green), (r, t, Status::Amber), (lo, r, Status::Red)],
    }
}

/// Consecutive months with the same thresholds, as (first, last, thresholds),
/// each spanning x from its first month's left edge to its last's right edge —
/// the first from `x0` and the last to `x1`, the chart's edges.
fn runs(thresholds: &[Option<Thresholds>], x0: f64, x1: f64) -> Vec<(f64, f64, Option<Thresholds>)> {
    let mut out: Vec<(usize, usize, Option<Thresholds>)> = Vec::new();
    for (i, t) in thresholds.iter().enumerate() {
        match out.last_mut() {
            Some(run) if run.2 == *t => run.1 = i,
            _ => out.push((i, i, *t)),
        }
    }
    let last = out.len().saturating_sub(1);
    out.into_iter()
        .enumerate()
        .map(|(n, (a, b, t))| {
            let start = if n == 0 { x0 } else { a as f64 - 0.5 };
            let end = if n == last { x1 } else { b as f64 + 0.5 };
            (start, end, t)
        })
        .collect()
}

/// Which of a KPI's thresholds a line shows.
type Pick = fn(&Thresholds) -> f64;

/// A threshold drawn as a step line where it changed: one polyline per
/// stretch of months that have thresholds (none where the KPI is tracked only).
fn steps(runs: &[(f64, f64, Option<Thresholds>)], pick: Pick) -> Vec<Vec<(f64, f64)>> {
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (start, end, t) in runs {
        match t {
            Some(t) => {
                current.push((*start, plotted(pick(t))));
                current.push((*end, plotted(pick(t))));
            }
            None if !current.is_empty() => lines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn fail(kpi: &Kpi) -> impl Fn(String) -> ChartError + '_ {
    move |message| ChartError { kpi: kpi.id.clone(), message }
}

/// The full history chart of one KPI: line with points, target and red lines,
/// shaded status bands, and noted points ringed.
pub(crate) fn full_chart(
    kpi: &Kpi,
    window: &Window<'_>,
    status: Status,
    alt: &str,
    palette: &Palette,
    lang: &Lang,
) -> Result<String, ChartError> {
    let labels: Vec<String> = (0..window.values.len()).map(|i| lang.month_short(window.month_at(i))).collect();
    full_chart_labelled(kpi, window, status, alt, palette, lang, &labels)
}

/// [`full_chart`] of a history whose points are not months (quarters): each
/// point `i` is labelled `labels[i]`.
pub(crate) fn full_chart_labelled(
    kpi: &Kpi,
    window: &Window<'_>,
    status: Status,
    alt: &str,
    palette: &Palette,
    lang: &Lang,
    labels: &[String],
) -> Result<String, ChartError> {
    let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
    let mut svg = String::with_capacity(12_000);
    draw_full(&mut svg, kpi, window, status, palette, lang, &label).map_err(|e| fail(kpi)(e.to_string()))?;
    Ok(label_svg(&svg, alt))
}

fn draw_full<'s>(
    svg: &'s mut String,
    kpi: &Kpi,
    w: &Window<'_>,
    status: Status,
    palette: &Palette,
    lang: &Lang,
    label: &dyn Fn(usize) -> String,
) -> Result<(), Box<dyn std::error::Error + 's>> {
    let n = w.values.len().max(1);
    let (lo, hi) = y_range(kpi, w);
    let x_range = -0.5f64..(n as f64 - 0.5);
    {
        let root = SVGBackend::with_string(svg, CHART_SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(12)
            .margin_right(70)
            .margin_left(8)
            .margin_bottom(4)
            .x_label_area_size(30)
            .y_label_area_size(58)
            .build_cartesian_2d(x_range.clone(), lo..hi)?;
        let runs = runs(w.thresholds, x_range.start, x_range.end);
        for &(x0, x1, t) in &runs {
            let Some(t) = t else {
                continue;
            };
            for (a, b, s) in bands(kpi.better, t, lo, hi) {
                let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
                if b > a {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x0, a), (x1, b)],
                        status_colour(palette, s).mix(0.09).filled(),
                    )))?;
                }
            }
        }
        let decimals = kpi.decimals;
        let percent = kpi.is_percentage();
        let locale = &lang.locale;
        let y_fmt = move |y: &f64| {
            if percent {
                locale.percent(*y, decimals.min(1))
            } else {
                locale.number(*y, decimals.min(1))
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .max_light_lines(0)
            .y_label_formatter(&y_fmt)
            .label_style(label_font())
            .axis_style(MUTED.stroke_width(1))
            .bold_line_style(GRID.stroke_width(1))
            .draw()?;
        // Month labels are drawn here rather than by the mesh: the mesh would
        // write a tick and an empty label for every unlabelled month, a third
        // of the file and half the drawing time. Every `step`-th month is
        // labelled, counting back from the report month, so the latest always is.
        let step = n.div_ceil(8).max(1);
        let (_, axis_y) = chart.backend_coord(&(x_range.start, lo));
        let len = w.values.len();
        let style = label_font().pos(Pos::new(HPos::Center, VPos::Top));
        for i in (0..len).filter(|i| (len - 1 - i).is_multiple_of(step)) {
            let (x, _) = chart.backend_coord(&(i as f64, lo));
            root.draw(&PathElement::new(vec![(x, axis_y + 1), (x, axis_y + 6)], MUTED.stroke_width(1)))?;
            root.draw(&Text::new(label(i), (x, axis_y + 11), style.clone()))?;
        }
        let (green, red) = (status_colour(palette, Status::Green), status_colour(palette, Status::Red));
        let lines: [(Pick, RGBColor, &str); 2] =
            [(|t| t.target, green, lang.get("chart.target_line")), (|t| t.red, red, lang.get("chart.red_line"))];
        for (pick, colour, label) in lines {
            for line in steps(&runs, pick) {
                chart.draw_series(LineSeries::new(line, colour.stroke_width(2)))?;
            }
            // The label sits at the right end, beside the line in force in the report month.
            if let Some(Some(t)) = runs.last().map(|r| r.2) {
                let pos = chart.backend_coord(&(x_range.end, plotted(pick(&t))));
                root.draw(&Text::new(
                    label.to_string(),
                    (pos.0 + 6, pos.1 - 8),
                    ("sans-serif", 16).into_font().color(&colour),
                ))?;
            }
        }
        for segment in segments(w.values) {
            chart.draw_series(LineSeries::new(segment, LINE.stroke_width(2)))?;
        }
        let points: Vec<(usize, f64)> =
            w.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, plotted(v)))).collect();
        let last = points.last().map(|p| p.0);
        chart.draw_series(points.iter().map(|&(i, v)| {
            let is_last = Some(i) == last;
            let colour = if is_last { status_colour(palette, status) } else { LINE };
            Circle::new((i as f64, v), if is_last { 5 } else { 3 }, colour.filled())
        }))?;
        chart.draw_series(
            points
                .iter()
                .filter(|(i, _)| w.notes[*i].is_some())
                .map(|&(i, v)| Circle::new((i as f64, v), 9, INK.stroke_width(2))),
        )?;
        // A value restated after it was sent: a diamond around the point.
        for &(i, v) in points.iter().filter(|(i, _)| w.restated[*i].is_some()) {
            let (x, y) = chart.backend_coord(&(i as f64, v));
            let d = 8;
            root.draw(&PathElement::new(
                vec![(x, y - d), (x + d, y), (x, y + d), (x - d, y), (x, y - d)],
                INK.stroke_width(2),
            ))?;
        }
        root.present()?;
    }
    Ok(())
}

/// The axis labels' font: plotters writes a size of 16 as 12.9px in SVG.
fn label_font() -> TextStyle<'static> {
    ("sans-serif", 16).into_font().color(&MUTED)
}

/// Runs of consecutive months with values: a missing month breaks the line
/// rather than being drawn as zero or bridged over.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i as f64, plotted(*v))),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A small trend line for a scorecard tile: no axes, the target as a thin
/// line, the latest point in its status colour. Decorative: the tile states
/// the numbers in words, so it is hidden from screen readers. Its parts carry
/// classes (`spark-target`, `spark-line`, `spark-point`) so the stylesheet can
/// redraw them in the dark colour scheme; every part keeps 3:1 contrast
/// against a tile in either.
pub(crate) fn sparkline(
    kpi: &Kpi,
    window: &Window<'_>,
    status: Status,
    palette: &Palette,
) -> Result<String, ChartError> {
    let mut svg = String::with_capacity(1_500);
    draw_spark(&mut svg, kpi, window, status, palette).map_err(|e| fail(kpi)(e.to_string()))?;
    // The target line is drawn first, then the value line's segments, then the point.
    let svg = svg
        .replacen("<svg ", "<svg aria-hidden=\"true\" focusable=\"false\" class=\"spark\" ", 1)
        .replacen("<polyline ", "<polyline class=\"spark-target\" ", 1)
        .replace("<polyline fill", "<polyline class=\"spark-line\" fill")
        .replace("<circle ", "<circle class=\"spark-point\" ");
    Ok(svg)
}

fn draw_spark<'s>(
    svg: &'s mut String,
    kpi: &Kpi,
    w: &Window<'_>,
    status: Status,
    palette: &Palette,
) -> Result<(), Box<dyn std::error::Error + 's>> {
    let n = w.values.len().max(2);
    let (lo, hi) = y_range(kpi, w);
    {
        let root = SVGBackend::with_string(svg, SPARK_SIZE).into_drawing_area();
        let mut chart = ChartBuilder::on(&root).margin(5).build_cartesian_2d(-0.2f64..(n as f64 - 0.8), lo..hi)?;
        for line in steps(&runs(w.thresholds, -0.2, n as f64 - 0.8), |t| t.target) {
            chart.draw_series(LineSeries::new(line, status_colour(palette, Status::Green).stroke_width(1)))?;
        }
        for segment in segments(w.values) {
            chart.draw_series(LineSeries::new(segment, LINE.stroke_width(2)))?;
        }
        if let Some((i, v)) = w.values.iter().enumerate().rev().find_map(|(i, v)| v.map(|v| (i, plotted(v)))) {
            chart.draw_series(std::iter::once(Circle::new(
                (i as f64, v),
                3,
                status_colour(palette, status).filled(),
            )))?;
        }
        root.present()?;
    }
    Ok(())
}

/// Gives an SVG a title and an accessible name, so it stands alone as a file
/// and as an image in a page.
fn label_svg(svg: &str, alt: &str) -> String {
    let alt = escape_xml(alt);
    let Some(open_end) = svg.find('>') else {
        return svg.to_string();
    };
    let (open, rest) = svg.split_at(open_end);
    let open = open.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{alt}\" "), 1);
    format!("{open}><title>{alt}</title>{}", &rest[1..])
}

/// Escapes text for XML content and attributes.
pub(crate) fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::period::Month;
    use crate::load::catalogue::Catalogue;

    fn palette() -> Palette {
        Palette::from_css(None)
    }

    /// Thresholds and lifetimes for up to 24 months, to slice from.
    fn lines(kpi: &Kpi) -> Vec<Option<Thresholds>> {
        vec![kpi.thresholds_at(Month::new(2026, 1).unwrap()); 24]
    }

    fn window<'a>(
        values: &'a [Option<f64>],
        notes: &'a [Option<String>],
        thresholds: &'a [Option<Thresholds>],
    ) -> Window<'a> {
        let n = values.len();
        Window {
            start: Month::new(2026, 1).unwrap(),
            values,
            notes,
            thresholds: &thresholds[..n],
            in_force: &[true; 24][..n],
            restated: &[None; 24][..n],
        }
    }

    #[test]
    fn full_chart_is_labelled_and_deterministic() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("lead-time").unwrap();
        let values = [Some(3.0), None, Some(2.0), Some(1.5)];
        let notes = [None, None, Some("freeze".to_string()), None];
        let t = lines(kpi);
        let w = window(&values, &notes, &t);
        let a = full_chart(kpi, &w, Status::Amber, "Lead time <latest> 1.5 days", &palette(), Lang::english()).unwrap();
        let b = full_chart(kpi, &w, Status::Amber, "Lead time <latest> 1.5 days", &palette(), Lang::english()).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("<svg role=\"img\" aria-label=\"Lead time &lt;latest&gt; 1.5 days\""));
        assert!(a.contains("<title>Lead time &lt;latest&gt; 1.5 days</title>"));
        assert!(a.contains("Jan 2026") && a.contains("Apr 2026"), "month labels on the x axis, with the whole year");
        assert!(a.contains("\ntarget\n"));
    }

    #[test]
    fn a_single_flat_point_draws() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("delivery-predictability").unwrap();
        let values = [Some(80.0)];
        let notes = [None];
        let t = lines(kpi);
        let w = window(&values, &notes, &t);
        assert!(full_chart(kpi, &w, Status::Green, "x", &palette(), Lang::english()).is_ok());
        assert!(sparkline(kpi, &w, Status::Green, &palette()).unwrap().contains("aria-hidden=\"true\""));
    }

    #[test]
    fn all_missing_draws_an_empty_chart() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("rework-ratio").unwrap();
        let values = [None, None];
        let notes = [None, None];
        let t = lines(kpi);
        assert!(full_chart(kpi, &window(&values, &notes, &t), Status::None, "x", &palette(), Lang::english()).is_ok());
    }

    #[test]
    fn gaps_split_the_line() {
        let s = segments(&[Some(1.0), None, Some(2.0), Some(3.0)]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].len(), 2);
    }

    /// Values near the limits of `f64` once made plotters' tick computation
    /// loop forever (its span overflowed). Every finite value must simply
    /// give a chart: these calls must return.
    #[test]
    fn extreme_values_draw_and_return() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("lead-time").unwrap();
        let cases: [&[Option<f64>]; 8] = [
            &[Some(1.7e308)],
            &[Some(f64::MAX)],
            &[Some(1e308), Some(-1e308)],
            &[Some(8e307), Some(-8e307)],
            &[Some(f64::MAX), Some(f64::MIN)],
            &[Some(-1.7e308)],
            &[Some(f64::MIN_POSITIVE), Some(1e300)],
            &[Some(5e-324), Some(1.0)],
        ];
        for values in cases {
            let notes = vec![None; values.len()];
            let t = lines(kpi);
            let w = window(values, &notes, &t);
            let (lo, hi) = y_range(kpi, &w);
            assert!(lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() && hi > lo, "{values:?}: {lo}..{hi}");
            let svg = full_chart(kpi, &w, Status::Red, "x", &palette(), Lang::english())
                .unwrap_or_else(|e| panic!("{values:?}: {e}"));
            assert!(svg.contains("<title>x</title>"));
            sparkline(kpi, &w, Status::Red, &palette()).unwrap_or_else(|e| panic!("{values:?}: {e}"));
        }
    }

    /// A sweep over magnitudes from subnormal to the largest `f64`, with
    /// ordinary and extreme targets and red lines: every chart returns.
    #[test]
    fn every_magnitude_draws() {
        let c = Catalogue::builtin();
        let mut kpi = c.kpi("lead-time").unwrap().clone();
        for (target, red) in [(1.0, 7.0), (-1e308, 1e308), (f64::MAX, f64::MAX), (0.0, 5e-324)] {
            kpi.thresholds =
                vec![crate::load::catalogue::Dated { from: None, thresholds: Some(Thresholds { target, red }) }];
            let t = lines(&kpi);
            for e in (-324..=308).step_by(4) {
                let x = 10f64.powi(e).min(f64::MAX);
                let cases: [&[Option<f64>]; 5] = [
                    &[Some(x)],
                    &[Some(x), Some(-x)],
                    &[Some(x), Some(x * (1.0 + 1e-15))],
                    &[Some(-x), None, Some(0.0)],
                    &[Some(x), Some(x), Some(x)],
                ];
                for values in cases {
                    let notes = vec![None; values.len()];
                    let w = window(values, &notes, &t);
                    let (lo, hi) = y_range(&kpi, &w);
                    assert!(lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() && hi > lo, "{values:?}");
                    full_chart(&kpi, &w, Status::Red, "x", &palette(), Lang::english())
                        .unwrap_or_else(|e| panic!("{values:?}: {e}"));
                    sparkline(&kpi, &w, Status::Red, &palette()).unwrap_or_else(|e| panic!("{values:?}: {e}"));
                }
            }
        }
    }

    /// One point of 16 on a whole-number KPI once gave the axis labels 16, 16
    /// and 17: the range is now at least five label steps wide.
    #[test]
    fn a_narrow_range_is_wide_enough_for_distinct_labels() {
        let c = Catalogue::builtin();
        let mut kpi = c.kpi("lead-time").unwrap().clone();
        let none = vec![None; 24];
        for (decimals, values, min_span) in [(0, [Some(16.0)], 5.0), (1, [Some(2.4)], 0.5), (0, [Some(0.0)], 5.0)] {
            kpi.decimals = decimals;
            let (lo, hi) = y_range(&kpi, &window(&values, &[None], &none));
            assert!(hi - lo >= min_span - 1e-9 && lo >= 0.0, "{values:?}: {lo}..{hi}");
            assert!(lo <= values[0].unwrap() && values[0].unwrap() <= hi);
        }
        let pct = c.kpi("delivery-predictability").unwrap();
        let (lo, hi) = y_range(pct, &window(&[Some(100.0)], &[None], &none));
        assert!(hi <= 100.0 && hi - lo >= 5.0 - 1e-9, "{lo}..{hi}");
    }

    #[test]
    fn percentage_range_stays_within_0_100() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("delivery-predictability").unwrap();
        let t = lines(kpi);
        let (lo, hi) = y_range(kpi, &window(&[Some(99.0), Some(2.0)], &[None, None], &t));
        assert!(lo >= 0.0 && hi <= 100.0);
    }

    #[test]
    fn a_dated_target_is_drawn_as_a_step() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("lead-time").unwrap();
        let before = Some(Thresholds { target: 1.0, red: 7.0 });
        let after = Some(Thresholds { target: 0.5, red: 3.0 });
        let t = [before, before, after, after];
        let r = runs(&t, -0.5, 3.5);
        assert_eq!(r, vec![(-0.5, 1.5, before), (1.5, 3.5, after)]);
        assert_eq!(steps(&r, |t| t.target), vec![vec![(-0.5, 1.0), (1.5, 1.0), (1.5, 0.5), (3.5, 0.5)]]);
        let values = [Some(3.0), Some(2.0), Some(1.0), Some(0.8)];
        let notes = [None, None, None, None];
        let svg =
            full_chart(kpi, &window(&values, &notes, &t), Status::Amber, "x", &palette(), Lang::english()).unwrap();
        assert_eq!(svg.matches("\ntarget\n").count(), 1, "one label, at the right end");
    }

    #[test]
    fn a_tracked_only_kpi_has_no_lines_or_bands() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("lead-time").unwrap();
        let t = [None, None];
        assert!(steps(&runs(&t, -0.5, 1.5), |t| t.target).is_empty());
        let svg = full_chart(
            kpi,
            &window(&[Some(2.0), Some(3.0)], &[None, None], &t),
            Status::Neutral,
            "x",
            &palette(),
            Lang::english(),
        )
        .unwrap();
        assert!(!svg.contains("\ntarget\n") && !svg.contains("\nred\n"));
    }
}
