//! Writes the Hugo site equivalent to a built portfolio, for the side-by-side
//! benchmark in `benches/bench.sh`:
//!
//!     cargo run --release --example hugo_site -- PORTFOLIO BUILT OUT_DIR
//!
//! PORTFOLIO is a synthetic portfolio (from the `synth` example) and BUILT its
//! `boardpack build` output. For every company-month the Hugo site has the same
//! six pages boardpack makes — the month's page with its summary, and one page
//! per accountability with its commentary and its two charts — and the charts
//! are boardpack's own SVG files, copied in as pre-made static files. Hugo then
//! does what boardpack does minus the computing and drawing: Markdown, templates,
//! and writing every file.

mod support;

use std::fs;
use std::path::Path;

use support::write;

const CONFIG: &str = "baseURL = \"/\"\nrelativeURLs = true\ntitle = \"Portfolio engineering review\"\n\
disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n";

const BASEOF: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
"#;

const LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"#;

const SINGLE: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<section class="commentary">{{ .Content }}</section>
{{ range .Params.charts }}<figure><img src="../charts/{{ . }}.svg" alt="{{ . }}" width="720" height="300"></figure>
{{ end }}{{ end }}
"#;

/// A company's accountabilities and KPI ids, from its catalogue file (or the
/// built-in catalogue): which pages and charts its Hugo site has.
struct Catalogue {
    accountabilities: Vec<String>,
    /// (KPI id, accountability id)
    kpis: Vec<(String, String)>,
}

impl Catalogue {
    fn read(company: &Path) -> Catalogue {
        let text = fs::read_to_string(company.join("content/catalogue.toml"))
            .unwrap_or_else(|_| boardpack::BUILTIN_CATALOGUE.to_string());
        let table: toml::Table = toml::from_str(&text).expect("the synthetic catalogue is TOML");
        let ids = |key: &str, field: &str| -> Vec<String> {
            table[key]
                .as_array()
                .expect("an array of tables")
                .iter()
                .map(|t| t[field].as_str().unwrap_or("").to_string())
                .collect()
        };
        let accountabilities = ids("accountability", "id");
        let kpis = ids("kpi", "id").into_iter().zip(ids("kpi", "accountability")).collect();
        Catalogue { accountabilities, kpis }
    }

    fn kpis_of<'a>(&'a self, accountability: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.kpis.iter().filter(move |(_, a)| a == accountability).map(|(k, _)| k.as_str())
    }
}

fn main() {
    let args = support::args("hugo_site", &["PORTFOLIO", "BUILT", "OUT_DIR"]);
    let (source, built, out) = (Path::new(&args[0]), Path::new(&args[1]), Path::new(&args[2]));
    write(&out.join("hugo.toml"), CONFIG);
    write(&out.join("layouts/_default/baseof.html"), BASEOF);
    write(&out.join("layouts/_default/list.html"), LIST);
    write(&out.join("layouts/_default/single.html"), SINGLE);
    let mut pages = 0;
    let mut companies: Vec<_> =
        fs::read_dir(source.join("companies")).expect("read companies/").map(|e| e.expect("entry").path()).collect();
    companies.sort();
    for company in companies {
        let slug = company.file_name().expect("company folder").to_string_lossy().into_owned();
        // Each company's own catalogue: one in four synthetic companies swaps a KPI.
        let catalogue = Catalogue::read(&company);
        write(&out.join(format!("content/{slug}/_index.md")), &format!("---\ntitle: \"{slug}\"\n---\n"));
        let mut months: Vec<_> =
            fs::read_dir(company.join("content")).expect("read content/").map(|e| e.expect("entry").path()).collect();
        months.retain(|m| m.is_dir());
        months.sort();
        for month in months {
            let id = month.file_name().expect("month folder").to_string_lossy().into_owned();
            let dir = out.join(format!("content/{slug}/{id}"));
            let summary = fs::read_to_string(month.join("summary.md")).unwrap_or_default();
            write(&dir.join("_index.md"), &format!("---\ntitle: \"Scorecard, {id}\"\n---\n{summary}"));
            pages += 1;
            for acc in &catalogue.accountabilities {
                let text = fs::read_to_string(month.join(format!("{acc}.md"))).unwrap_or_default();
                let charts: Vec<String> = catalogue.kpis_of(acc).map(|k| format!("\"{k}\"")).collect();
                let front = format!("---\ntitle: \"{acc}, {id}\"\ncharts: [{}]\n---\n", charts.join(", "));
                write(&dir.join(format!("{acc}.md")), &format!("{front}{text}"));
                pages += 1;
            }
            let charts = built.join(&slug).join(&id).join("charts");
            let static_dir = out.join(format!("static/{slug}/{id}/charts"));
            fs::create_dir_all(&static_dir).expect("create static folder");
            for chart in fs::read_dir(&charts).expect("read the built charts") {
                let chart = chart.expect("entry").path();
                fs::copy(&chart, static_dir.join(chart.file_name().expect("chart name"))).expect("copy chart");
            }
        }
    }
    eprintln!("wrote a Hugo site of {pages} pages into {}", out.display());
}
