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
        // The sparsest real chart is a tracked-only KPI's first month: axes,
        // grid, two labels and one point, about 1,800 pixels.
        assert!(inked > 1_500, "{path}: only {inked} pixels drawn");
        charts += 1;
    }
    // Ten KPIs in all 18 months; deployment frequency from April 2026, 7
    // months. Each of the two quarters charts its 11 KPIs.
    assert_eq!(charts, 18 * 10 + 7 + 2 * 11, "one chart per KPI per month and per quarter it is reported");
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
    assert_eq!(sparks, 11);
}

/// Runs `boardpack ARGS`, killing it and failing the test if it has not
/// finished within a minute (a hang must fail, not stall the suite).
fn bounded(args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`boardpack {}` still running after 60 s: killed", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A project whose one KPI (in euros, where huge and negative numbers are
/// plausible) takes `values` in consecutive months from 2026-01.
fn extreme_project(values: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("boardpack.toml"), "title = \"Report\"\norganisation = \"Extreme Ltd\"\n").unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/catalogue.toml"),
        "[[accountability]]\nid = \"finance\"\nname = \"Finance\"\nquestion = \"Is there money?\"\n\n\
         [[kpi]]\nid = \"cash-flow\"\naccountability = \"finance\"\nname = \"Cash flow\"\nunit = \"EUR\"\n\
         better = \"higher\"\ntarget = 0\nred = -1000\ndefinition = \"Money in minus money out.\"\n",
    )
    .unwrap();
    for (i, value) in values.iter().enumerate() {
        let month = dir.path().join(format!("content/2026-{:02}", i + 1));
        std::fs::create_dir_all(&month).unwrap();
        std::fs::write(month.join("kpis.toml"), format!("cash-flow = {value}\n")).unwrap();
    }
    dir
}

/// Values near the limits of `f64` once made plotters' tick computation loop
/// forever, hanging `check`, `build` and `serve`. They are refused now, at
/// their line (a misplaced exponent, not a measurement); the largest values
/// accepted, and the widest spans between them, must still give a chart.
#[test]
fn extreme_values_chart_without_hanging() {
    for values in [&["1.7e308"][..], &["-1.7e308", "1.7e308"]] {
        let project = extreme_project(values);
        let o = bounded(&["check", "--root", project.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{values:?} is refused");
        assert!(
            stderr(&o).contains("too large to be a measurement") && stderr(&o).contains("kpis.toml:1:13"),
            "{}",
            stderr(&o)
        );
    }
    for values in [&["1e15"][..], &["1e15", "-1e15"], &["9.99e14", "-9.99e14"], &["-1e15", "1e15", "-1e15"]] {
        let project = extreme_project(values);
        let root = project.path().to_str().unwrap();
        let o = bounded(&["check", "--root", root]);
        assert!(o.status.success(), "check {values:?}: {}", stderr(&o));
        let out = project.path().join("public");
        let o = bounded(&["build", "--root", root, "--output", out.to_str().unwrap()]);
        assert!(o.status.success(), "build {values:?}: {}", stderr(&o));
        let month = format!("2026-{:02}", values.len());
        let svg = std::fs::read(out.join(format!("{month}/charts/cash-flow.svg"))).unwrap();
        let (w, h, inked) = render(&svg).unwrap_or_else(|e| panic!("{values:?}: resvg rejects it: {e}"));
        assert_eq!((w, h), (720, 300));
        assert!(inked > 500, "{values:?}: only {inked} pixels drawn");
    }
}

/// `serve` renders before it prints its address: with the values that hung,
/// it must print it (and serve the chart) within the bound.
#[test]
fn serve_charts_extreme_values_without_hanging() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    use std::time::Duration;
    let project = extreme_project(&["1e15", "-1e15"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["serve", "--root", project.path().to_str().unwrap()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60));
    let chart = line.as_ref().ok().and_then(|line| {
        let port: u16 = line.trim().trim_end_matches('/').rsplit(':').next()?.parse().ok()?;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(s, "GET /2026-02/charts/cash-flow.svg HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
        let mut response = String::new();
        s.read_to_string(&mut response).ok()?;
        Some(response)
    });
    let _ = child.kill();
    let _ = child.wait();
    line.expect("`boardpack serve` did not start within 60 s: killed");
    let chart = chart.expect("no answer from serve");
    assert!(chart.starts_with("HTTP/1.1 200 OK") && chart.contains("<svg"), "{chart}");
}
