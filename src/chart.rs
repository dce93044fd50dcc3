//! Chart stage: KPI history drawn as SVG by plotters, in memory.
//!
//! Charts use only plotters' SVG backend, so no system font is needed: text is
//! written as `<text font-family="sans-serif">` and drawn by the viewer. Every
//! chart carries a text alternative (latest value, target, status), because a
//! board member may be reading with a screen reader, and status is never told
//! by colour alone (the page around the chart says it in words).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::catalogue::{format_number, Kpi};
use crate::report::Window;
use crate::status::{Better, Status};
use crate::theme::Palette;
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

/// The y range a chart needs to show every value, the target and the red line,
/// padded so no point sits on the frame, and never degenerate (plotters can hang
/// on empty ranges).
fn y_range(kpi: &Kpi, values: &[Option<f64>]) -> (f64, f64) {
    let mut lo = kpi.target.min(kpi.red);
    let mut hi = kpi.target.max(kpi.red);
    for v in values.iter().flatten() {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let pad = ((hi - lo) * 0.12).max(if hi.abs() > 1.0 { hi.abs() * 0.05 } else { 0.5 });
    let mut lo = lo - pad;
    let mut hi = hi + pad;
    if lo < 0.0 && values.iter().flatten().all(|v| *v >= 0.0) && kpi.target >= 0.0 && kpi.red >= 0.0 {
        lo = 0.0;
    }
    if kpi.is_percentage() {
        hi = hi.min(100.0);
        lo = lo.max(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    (lo, hi)
}

/// Bands of the y axis coloured by the status a value there would have.
fn bands(kpi: &Kpi, lo: f64, hi: f64) -> [(f64, f64, Status); 3] {
    let (t, r) = (kpi.target, kpi.red);
    match kpi.better {
        Better::Lower => [(lo, t, Status::Green), (t, r, Status::Amber), (r, hi, Status::Red)],
        Better::Higher => [(t, hi, Status::Green), (r, t, Status::Amber), (lo, r, Status::Red)],
    }
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
) -> Result<String, ChartError> {
    let mut svg = String::with_capacity(12_000);
    draw_full(&mut svg, kpi, window, status, palette).map_err(|e| fail(kpi)(e.to_string()))?;
    Ok(label_svg(&svg, alt))
}

fn draw_full<'s>(
    svg: &'s mut String,
    kpi: &Kpi,
    w: &Window<'_>,
    status: Status,
    palette: &Palette,
) -> Result<(), Box<dyn std::error::Error + 's>> {
    let n = w.values.len().max(1);
    let (lo, hi) = y_range(kpi, w.values);
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
        for (a, b, s) in bands(kpi, lo, hi) {
            let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
            if b > a {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x_range.start, a), (x_range.end, b)],
                    status_colour(palette, s).mix(0.09).filled(),
                )))?;
            }
        }
        let decimals = kpi.decimals;
        let percent = kpi.is_percentage();
        let y_fmt = move |y: &f64| {
            let s = format_number(*y, decimals.min(1));
            if percent {
                format!("{s}%")
            } else {
                s
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
        for i in (0..len).filter(|i| (len - 1 - i) % step == 0) {
            let (x, _) = chart.backend_coord(&(i as f64, lo));
            root.draw(&PathElement::new(vec![(x, axis_y + 1), (x, axis_y + 6)], MUTED.stroke_width(1)))?;
            root.draw(&Text::new(w.month_at(i).short_name(), (x, axis_y + 11), style.clone()))?;
        }
        let (green, red) = (status_colour(palette, Status::Green), status_colour(palette, Status::Red));
        for (value, colour, label) in [(kpi.target, green, "target"), (kpi.red, red, "red")] {
            if (lo..=hi).contains(&value) {
                chart.draw_series(LineSeries::new(
                    [(x_range.start, value), (x_range.end, value)],
                    colour.stroke_width(2),
                ))?;
                let pos = chart.backend_coord(&(x_range.end, value));
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
        let points: Vec<(usize, f64)> = w.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
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
            Some(v) => current.push((i as f64, *v)),
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
    let (lo, hi) = y_range(kpi, w.values);
    {
        let root = SVGBackend::with_string(svg, SPARK_SIZE).into_drawing_area();
        let mut chart = ChartBuilder::on(&root).margin(5).build_cartesian_2d(-0.2f64..(n as f64 - 0.8), lo..hi)?;
        chart.draw_series(LineSeries::new(
            [(-0.2, kpi.target), (n as f64 - 0.8, kpi.target)],
            status_colour(palette, Status::Green).stroke_width(1),
        ))?;
        for segment in segments(w.values) {
            chart.draw_series(LineSeries::new(segment, LINE.stroke_width(2)))?;
        }
        if let Some((i, v)) = w.values.iter().enumerate().rev().find_map(|(i, v)| v.map(|v| (i, v))) {
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
    use crate::catalogue::Catalogue;
    use crate::period::Month;

    fn palette() -> Palette {
        Palette::from_css(None)
    }

    fn window<'a>(values: &'a [Option<f64>], notes: &'a [Option<String>]) -> Window<'a> {
        Window { start: Month::new(2026, 1).unwrap(), values, notes }
    }

    #[test]
    fn full_chart_is_labelled_and_deterministic() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("lead-time").unwrap();
        let values = [Some(3.0), None, Some(2.0), Some(1.5)];
        let notes = [None, None, Some("freeze".to_string()), None];
        let w = window(&values, &notes);
        let a = full_chart(kpi, &w, Status::Amber, "Lead time <latest> 1.5 days", &palette()).unwrap();
        let b = full_chart(kpi, &w, Status::Amber, "Lead time <latest> 1.5 days", &palette()).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("<svg role=\"img\" aria-label=\"Lead time &lt;latest&gt; 1.5 days\""));
        assert!(a.contains("<title>Lead time &lt;latest&gt; 1.5 days</title>"));
        assert!(a.contains("Jan 26") && a.contains("Apr 26"), "month labels on the x axis");
        assert!(a.contains("\ntarget\n"));
    }

    #[test]
    fn a_single_flat_point_draws() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("delivery-predictability").unwrap();
        let values = [Some(80.0)];
        let notes = [None];
        let w = window(&values, &notes);
        assert!(full_chart(kpi, &w, Status::Green, "x", &palette()).is_ok());
        assert!(sparkline(kpi, &w, Status::Green, &palette()).unwrap().contains("aria-hidden=\"true\""));
    }

    #[test]
    fn all_missing_draws_an_empty_chart() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("rework-ratio").unwrap();
        let values = [None, None];
        let notes = [None, None];
        assert!(full_chart(kpi, &window(&values, &notes), Status::None, "x", &palette()).is_ok());
    }

    #[test]
    fn gaps_split_the_line() {
        let s = segments(&[Some(1.0), None, Some(2.0), Some(3.0)]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].len(), 2);
    }

    #[test]
    fn percentage_range_stays_within_0_100() {
        let c = Catalogue::builtin();
        let kpi = c.kpi("delivery-predictability").unwrap();
        let (lo, hi) = y_range(kpi, &[Some(99.0), Some(2.0)]);
        assert!(lo >= 0.0 && hi <= 100.0);
    }
}
