//! Every chart boardpack writes parses and renders in a real SVG renderer
//! (resvg), at the size it declares, with something drawn on it.

use crate::common::*;

/// Renders an SVG and returns (width, height, count of pixels that are not blank).
fn render(svg: &[u8]) -> Result<(u32, u32, usize), String> {
    let tree = resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default()).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty image")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let inked = pixmap
        .pixels()
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 200 || p.green() < 200 || p.blue() < 200))
        .count();
    Ok((size.width(), size.height(), inked))
}

#[test]
fn every_chart_file_renders_at_its_declared_size() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let mut charts = 0;
    for (path, bytes) in tree(out.path()) {
        if !path.ends_with(".svg") {
            continue;
        }
        let (w, h, inked) = render(&bytes).unwrap_or_else(|e| panic!("{path}: resvg rejects it: {e}"));
        assert_eq!((w, h), (720, 300), "{path}");
        assert!(inked > 2_000, "{path}: only {inked} pixels drawn");
        charts += 1;
    }
    assert_eq!(charts, 18 * 10, "one chart per KPI per month");
}

#[test]
fn every_sparkline_renders() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path());
    let html = read(&out.path().join("2026-10/index.html"));
    let mut sparks = 0;
    for (i, _) in html.match_indices("<svg aria-hidden=\"true\" focusable=\"false\" class=\"spark\"") {
        let end = html[i..].find("</svg>").unwrap() + i + "</svg>".len();
        let (w, h, inked) = render(&html.as_bytes()[i..end]).unwrap_or_else(|e| panic!("sparkline {sparks}: {e}"));
        assert_eq!((w, h), (132, 36));
        assert!(inked > 40, "sparkline {sparks}: only {inked} pixels drawn");
        sparks += 1;
    }
    assert_eq!(sparks, 10);
}
