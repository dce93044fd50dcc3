//! Portfolios: many companies built together, with an overview a board (or an
//! operating partner) reads as "which companies are red on what".

use std::fs;

use crate::common::*;

fn row<'a>(html: &'a str, company: &str) -> &'a str {
    let start = html.find(&format!(">{company}<")).unwrap_or_else(|| panic!("no row for {company}"));
    let start = html[..start].rfind("<tr>").unwrap();
    let end = html[start..].find("</tr>").unwrap();
    &html[start..start + end]
}

#[test]
fn the_overview_compares_companies_worst_first() {
    let out = tempfile::tempdir().unwrap();
    build(&repo().join("examples/portfolio"), out.path());
    let overview = read(&out.path().join("index.html"));
    assert!(overview.contains("<h1>October 2026</h1>"));
    let order: Vec<usize> = ["Umbrella Health", "Northwind Logistics", "Initech Payments", "Globex Retail"]
        .iter()
        .map(|c| overview.find(&format!(">{c}<")).unwrap_or_else(|| panic!("{c} missing")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "rows are worst first: {order:?}");

    let umbrella = row(&overview, "Umbrella Health");
    assert!(umbrella.contains("<td class=\"num\">9</td>"), "nine red KPIs: {umbrella}");
    assert!(umbrella.contains("cell-red") && umbrella.contains("Off target") && umbrella.contains("23.5%"));
    assert!(umbrella.contains("href=\"umbrella-health/2026-10/index.html\""));

    let initech = row(&overview, "Initech Payments");
    assert!(initech.contains("Not tracked"), "a KPI the company does not track is not shown as missing");
    assert!(overview.contains("Deployment frequency"), "a custom KPI gets its own column");
    assert!(overview.contains("Portfolio median"));

    let august = read(&out.path().join("2026-08/index.html"));
    assert!(row(&august, "Globex Retail").contains("No report this month"));
    let june = read(&out.path().join("2026-06/index.html"));
    assert!(row(&june, "Umbrella Health").contains("Not yet reporting"));
    assert!(!june.contains("2026-07/index.html"), "a past overview never links forward in time");

    for company in ["umbrella-health", "northwind-logistics", "initech-payments", "globex-retail"] {
        assert!(out.path().join(company).join("index.html").is_file(), "{company} site");
        assert!(out.path().join(company).join("archive/index.html").is_file());
    }
    assert!(out.path().join("globex-retail/2026-10/data.json").is_file());
    assert!(!out.path().join("globex-retail/2026-08").exists(), "no pages for a month a company did not report");
    assert!(assert_links_resolve(out.path()) > 500);
}

#[test]
fn each_company_still_builds_alone_with_the_same_pages() {
    let whole = tempfile::tempdir().unwrap();
    build(&repo().join("examples/portfolio"), whole.path());
    let alone = tempfile::tempdir().unwrap();
    build(&repo().join("examples/portfolio/companies/initech-payments"), alone.path());
    let mut alone = tree(alone.path());
    alone.remove(".boardpack-output");
    assert_eq!(alone, tree(&whole.path().join("initech-payments")), "same URLs and bytes as a single report");
}

#[test]
fn check_names_the_company_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/portfolio"), dir.path());
    let values = dir.path().join("companies/globex-retail/content/2026-10/kpis.toml");
    fs::write(&values, read(&values).replace("lead-time", "lead-tme")).unwrap();
    let o = boardpack(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("--> companies/globex-retail/content/2026-10/kpis.toml:2:1"), "{err}");
    assert!(err.contains("did you mean `lead-time`?"));
}

#[test]
fn check_renders_every_company_so_a_broken_company_theme_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/portfolio"), dir.path());
    let company = dir.path().join("companies/umbrella-health");
    fs::create_dir_all(company.join("themes/house/templates")).unwrap();
    fs::write(company.join("themes/house/templates/scorecard.html"), "<p>{{ month.nope.deeper }}</p>").unwrap();
    let config = company.join("boardpack.toml");
    fs::write(&config, format!("{}theme = \"house\"\n", read(&config))).unwrap();
    let o = boardpack(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("scorecard.html"), "the template is named:\n{}", stderr(&o));
}

#[test]
fn a_portfolio_never_builds_over_its_companies() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/portfolio"), dir.path());
    let before = tree(dir.path());
    for target in ["companies", "companies/globex-retail"] {
        let out = dir.path().join(target);
        let o =
            boardpack(&["build", "--root", dir.path().to_str().unwrap(), "--output", out.to_str().unwrap(), "--force"]);
        assert_eq!(o.status.code(), Some(1), "{target}");
        assert!(stderr(&o).contains("replace your sources"), "{}", stderr(&o));
    }
    assert_eq!(tree(dir.path()), before, "sources changed");
}

#[test]
fn a_problem_in_any_company_fails_the_build_with_every_problem_and_keeps_the_site() {
    // A portfolio build loads, renders and lets go of one company at a time:
    // a problem found late must still stop the build before anything is
    // replaced, and every company's problems are reported together.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/portfolio"), dir.path());
    let out = dir.path().join("site");
    build(dir.path(), &out);
    let sent = tree(&out);
    for (company, from, to) in
        [("globex-retail", "lead-time", "lead-tme"), ("umbrella-health", "cycle-time = ", "cycle-time = \"fast\" #")]
    {
        let values = dir.path().join(format!("companies/{company}/content/2026-10/kpis.toml"));
        let text = read(&values);
        assert!(text.contains(from), "{company}: {text}");
        fs::write(&values, text.replacen(from, to, 1)).unwrap();
    }
    let o = boardpack(&["build", "--root", dir.path().to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("--> companies/globex-retail/content/2026-10/kpis.toml:"), "{err}");
    assert!(err.contains("--> companies/umbrella-health/content/2026-10/kpis.toml:"), "{err}");
    assert_eq!(tree(&out), sent, "the published site is untouched");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".boardpack-staging"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder left behind");
}

#[test]
fn a_company_with_only_drafts_is_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/portfolio"), dir.path());
    let content = dir.path().join("companies/globex-retail/content");
    for month in fs::read_dir(&content).unwrap().flatten().filter(|e| e.path().is_dir()) {
        let values = month.path().join("kpis.toml");
        fs::write(&values, format!("draft = true\n{}", read(&values))).unwrap();
    }
    let out = dir.path().join("site");
    let o = boardpack(&["build", "--root", dir.path().to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("Globex Retail has only draft months: it is left out of the build"), "{}", stderr(&o));
    assert!(!out.join("globex-retail").exists());
    let overview = read(&out.join("index.html"));
    assert!(!overview.contains(">Globex Retail<"), "not in the overview");
    assert!(overview.contains(">Umbrella Health<"));
    assert!(assert_links_resolve(&out) > 300);
}

/// The last "built N month(s)" the server logged: how much a rebuild rendered.
fn last_rebuild(log: &str) -> Option<usize> {
    let line = log.lines().rev().find(|l| l.starts_with("built "))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits (up to ten seconds) for the server to log a rebuild of `months`
/// months: the log line follows the swap that a page already shows.
fn assert_rebuilt(server: &Server, months: usize, why: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while last_rebuild(&server.log()) != Some(months) {
        assert!(
            std::time::Instant::now() < deadline,
            "{why}: expected a rebuild of {months} months in:\n{}",
            server.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn serve_previews_a_portfolio_and_rerenders_only_what_an_edit_touches() {
    serve_portfolio(&[]);
}

#[test]
fn serve_rerenders_only_what_an_edit_touches_when_polling_too() {
    serve_portfolio(&["--poll"]);
}

fn serve_portfolio(extra: &[&str]) {
    let portfolio = copy_project(&repo().join("examples/portfolio"));
    let values = portfolio.path().join("companies/northwind-logistics/content/2026-10/kpis.toml");
    let server = Server::start(portfolio.path(), extra);
    let (status, overview) = server.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(row(&overview, "Northwind Logistics").contains("5.1 days"));
    assert_rebuilt(&server, 11 + 12 + 12 + 4, "the first build renders every company");

    // One company's month: that company and the overview change, nothing else is rendered.
    fs::write(&values, fs::read_to_string(&values).unwrap().replace("lead-time = 5.1", "lead-time = 6.4")).unwrap();
    server.wait_for("/northwind-logistics/", "the company's new value", |p| tile(p, "lead-time").contains("6.4 days"));
    let overview =
        server.wait_for("/", "the overview's new value", |p| row(p, "Northwind Logistics").contains("6.4 days"));
    assert!(row(&overview, "Globex Retail").contains("days"), "other companies are still served");
    assert_rebuilt(&server, 12, "only Northwind's 12 months were rendered again");
    if extra.is_empty() {
        assert!(!server.log().contains("polling"), "file notifications are used:\n{}", server.log());
    }
    let (_, past) = server.get("/2026-09/");
    assert!(!row(&past, "Northwind Logistics").contains("6.4 days"), "earlier overviews are unchanged");

    // A broken company keeps the last good preview, with the error over it.
    fs::write(&values, fs::read_to_string(&values).unwrap().replace("lead-time = 6.4", "lead-time = \"soon\""))
        .unwrap();
    let broken = server.wait_for("/", "the error overlay", |p| p.contains("boardpack-error"));
    assert!(broken.contains("companies/northwind-logistics/content/2026-10/kpis.toml"), "the file is named");
    assert!(row(&broken, "Northwind Logistics").contains("6.4 days"));
    fs::write(&values, fs::read_to_string(&values).unwrap().replace("lead-time = \"soon\"", "lead-time = 4.0"))
        .unwrap();
    let fixed = server.wait_for("/", "recovery", |p| row(p, "Northwind Logistics").contains("4.0 days"));
    assert!(!fixed.contains("boardpack-error"));

    // A new company: everything is loaded again, and it joins the overview.
    copy_dir(&portfolio.path().join("companies/umbrella-health"), &portfolio.path().join("companies/acme-health"));
    let config = portfolio.path().join("companies/acme-health/boardpack.toml");
    fs::write(&config, read(&config).replace("Umbrella Health", "Acme Health")).unwrap();
    server.wait_for("/", "the new company", |p| p.contains(">Acme Health<"));
    assert_rebuilt(&server, 43, "a new company reloads the portfolio");

    // The portfolio's own settings reach every page: everything is rendered again.
    let config = portfolio.path().join("portfolio.toml");
    let text = fs::read_to_string(&config).unwrap().replace("Portfolio engineering review", "Quarterly review");
    fs::write(&config, text).unwrap();
    server.wait_for("/", "the new title", |p| p.contains("Quarterly review"));
    assert_rebuilt(&server, 43, "a portfolio setting renders everything again");
}

/// A copy of the example portfolio that builds its site without PDFs.
fn site_only_portfolio() -> tempfile::TempDir {
    let project = copy_project(&repo().join("examples/portfolio"));
    let config = project.path().join("portfolio.toml");
    fs::write(&config, read(&config) + "documents = false\n").unwrap();
    project
}

/// The file's inode: the same number for two paths means one file, linked.
fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().ino()
}

/// A rebuild takes an overview month from the previous build while nothing it
/// shows changed, and makes it again from the first month that did: an edited
/// value re-makes its month's overview and the later ones, a company's new
/// name every one. Each time the site is what a cold build writes.
#[test]
fn a_rebuild_makes_an_overview_month_again_only_when_what_it_shows_changed() {
    let project = site_only_portfolio();
    let root = project.path();
    let out = tempfile::tempdir().unwrap();
    let inode = |month: &str| inode(&out.path().join(month).join("index.html"));
    let same_as_cold = |why: &str| {
        let cold = cold_build(root);
        assert_eq!(tree(out.path()), tree(cold.path()), "{why}: the rebuild writes what a cold build does");
    };
    // Rebuilt after a change every month's overview shows: December is made
    // again and names `company`, and the site is what a cold build writes.
    let remade = |company: &str, why: &str| {
        let december = inode("2025-12");
        build(root, out.path());
        assert_ne!(inode("2025-12"), december);
        assert!(read(&out.path().join("2025-12/index.html")).contains(&format!(">{company}<")));
        same_as_cold(why);
    };
    build(root, out.path());
    build(root, out.path());
    let before: Vec<u64> = ["2025-12", "2026-01", "2026-08"].iter().map(|m| inode(m)).collect();

    // Globex Retail's January changes: January on is made again, December is not.
    let january = root.join("companies/globex-retail/content/2026-01/kpis.toml");
    fs::write(&january, read(&january).replace("lead-time = ", "lead-time = 1")).unwrap();
    build(root, out.path());
    assert_eq!(inode("2025-12"), before[0], "December's overview shows nothing that changed");
    assert_ne!(inode("2026-01"), before[1], "January's shows the edited value");
    assert_ne!(inode("2026-08"), before[2], "August's shows the change since January");
    same_as_cold("an edited value");

    // A company renamed: its row in every month's overview says so.
    let company = root.join("companies/globex-retail/boardpack.toml");
    fs::write(&company, read(&company).replace("Globex Retail", "Globex Stores")).unwrap();
    remade("Globex Stores", "a renamed company");

    // A company joins from March: every month's overview names it (as not
    // yet reporting before March), and nothing else is left as it was.
    let joining = root.join("companies/acme-health");
    copy_dir(&root.join("companies/northwind-logistics"), &joining);
    for month in ["2025-11", "2025-12", "2026-01", "2026-02"] {
        fs::remove_dir_all(joining.join("content").join(month)).unwrap();
    }
    let config = joining.join("boardpack.toml");
    fs::write(&config, read(&config).replace("Northwind Logistics", "Acme Health")).unwrap();
    remade("Acme Health", "a company that joined");
}

/// A build into a new folder (CI, with `.boardpack/cache/` restored) takes
/// every company's unchanged months whole from the project cache, and makes
/// only the months whose inputs changed; the site is what a cold build writes.
#[test]
fn a_build_into_a_new_folder_takes_unchanged_months_from_the_cache() {
    let project = site_only_portfolio();
    let root = project.path();
    let build_into = |out: &std::path::Path| {
        let o = boardpack(&["build", "--root", root.to_str().unwrap(), "--output", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    let first = tempfile::tempdir().unwrap();
    let made = build_into(first.path());
    assert!(!made.contains("from the cache"), "nothing is cached before the first build: {made}");
    let months: usize = made.split("built ").nth(1).and_then(|s| s.split(' ').next()).unwrap().parse().unwrap();

    let second = tempfile::tempdir().unwrap();
    let taken = build_into(second.path());
    assert!(taken.contains(&format!("({months} month(s) from the cache)")), "{taken}");
    assert_eq!(tree(second.path()), tree(first.path()));
    // Taken, not rendered: the very files the first build kept, a company's
    // month and an overview month alike.
    for page in ["globex-retail/2026-01/index.html", "2025-12/index.html"] {
        assert_eq!(inode(&first.path().join(page)), inode(&second.path().join(page)), "{page}");
    }

    // Globex Retail's January changes: its months from January on are made again.
    let content = root.join("companies/globex-retail/content");
    let january = content.join("2026-01/kpis.toml");
    fs::write(&january, read(&january).replace("lead-time = ", "lead-time = 1")).unwrap();
    let changed = fs::read_dir(&content)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name().to_string_lossy().as_ref() >= "2026-01")
        .count();
    assert!(changed >= 2);
    let third = tempfile::tempdir().unwrap();
    let partly = build_into(third.path());
    assert!(partly.contains(&format!("({} month(s) from the cache)", months - changed)), "{partly}");
    assert_eq!(tree(third.path()), tree(cold_build(root).path()));
}
