//! The `boardpack` command: parses arguments, calls the library, maps the result
//! to an exit code (0 success, 1 content or build error, 2 bad usage).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use boardpack::diagnostic::Diagnostic;
use boardpack::period::Month;
use boardpack::{BuildOptions, Error, Host, PackOptions, Packed};

/// mimalloc rather than the system allocator: rendering is many small strings
/// on two threads; it took the 100 × 36 portfolio build from 4.0 s to 3.5 s
/// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turn monthly engineering KPIs and commentary into a board-ready report.
#[derive(Parser)]
#[command(
    name = "boardpack",
    version,
    about,
    after_help = "Start a report:    boardpack init acme && cd acme && boardpack serve --open\nEach month:        boardpack new && boardpack check && boardpack build"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new report project, ready to build and to publish encrypted.
    #[command(
        after_help = "Example:\n  boardpack init acme-board-report\n  boardpack init --month 2026-10 .\n  boardpack init acme --host cloudflare\n\nHosts: github-pages (GitHub Pages, public: the encryption is the lock),\ncloudflare (Cloudflare Pages behind Cloudflare Access), azure (Azure Static\nWeb Apps, for the `board` role), folder (no deployment: copy public/ anywhere).\nEvery one publishes the site encrypted; init prints what to set up before the first push."
    )]
    Init {
        /// The folder to create (it must be new or empty).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The first reporting month, YYYY-MM (default: the last complete month).
        #[arg(long)]
        month: Option<Month>,
        /// Where the report is published: the deployment init writes.
        #[arg(long, default_value = Host::NAMES[0], value_parser = Host::NAMES)]
        host: String,
    },
    /// Start the next month: its values file and commentary stubs; or a quarter's commentary.
    #[command(
        after_help = "Example:\n  boardpack new                     # the month after the latest one\n  boardpack new 2026-12\n  boardpack new --quarter           # the quarter of the latest month\n  boardpack new --quarter 2026-Q3"
    )]
    New {
        /// The month to create, YYYY-MM (default: the month after the latest).
        #[arg(conflicts_with = "quarter")]
        month: Option<Month>,
        /// Start a quarter's folder instead (2026-Q3, or FY2027-Q1 with a fiscal
        /// year; default: the quarter of the latest month): summary and
        /// commentary stubs listing what was red or amber in its months.
        #[arg(long, value_name = "QUARTER")]
        quarter: Option<Option<String>>,
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Check the project for mistakes without writing anything.
    #[command(
        after_help = "Example:\n  boardpack check\n  boardpack check --strict --root my-report   # in CI: warnings fail too"
    )]
    Check {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Treat warnings as errors (for CI).
        #[arg(long)]
        strict: bool,
    },
    /// Build the report site into the output folder.
    #[command(
        after_help = "Example:\n  boardpack build\n  boardpack build --root my-report --output /tmp/site\n  boardpack build --publish      # in a deployment: encrypted or declared public, or nothing"
    )]
    Build {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: `output_dir` from boardpack.toml, `public`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace an output folder even if it holds files boardpack did not write.
        #[arg(long)]
        force: bool,
        /// Publish draft months too (each marked as a draft), to preview them.
        #[arg(long)]
        drafts: bool,
        /// The build a deployment runs: refuse a site that is neither encrypted
        /// (`[publish] encrypt = true`, its key in BOARDPACK_KEY) nor declared
        /// public (`[publish] public = true`).
        #[arg(long, conflicts_with = "drafts")]
        publish: bool,
    },
    /// Write the month's board pack: PDF, single-file HTML, charts, data, in one zip.
    #[command(
        after_help = "Example:\n  boardpack pack                       # the latest month, into dist/\n  boardpack pack --month 2026-09 --output ~/board\n  boardpack pack --quarter 2026-Q3     # the quarter's pack, for the board meeting"
    )]
    Pack {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The month to pack, YYYY-MM (default: the latest).
        #[arg(long)]
        month: Option<Month>,
        /// Pack a quarter instead (2026-Q3, or FY2027-Q1 with a fiscal year;
        /// default: the latest quarter with a folder, else the latest month's).
        #[arg(long, value_name = "QUARTER", conflicts_with = "month")]
        quarter: Option<Option<String>>,
        /// The folder to write the zip into (default: dist/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Record what the board was sent for a month or a quarter: sealed.toml and the board pack, to commit.
    #[command(
        after_help = "Example:\n  boardpack seal            # the latest month that is not a draft\n  boardpack seal 2026-10\n  boardpack seal 2026-Q3    # a quarter: its pack, its values, and the months it was made from\n\nOnce sealed, `check` and `build` compare the month with its record, and the site\nserves the sealed pack. Correct a sealed month with a restatement (FORMAT.md)."
    )]
    Seal {
        /// The month to seal, YYYY-MM (default: the latest that is not a draft),
        /// or a quarter (2026-Q3, or FY2027-Q1 with a fiscal year).
        #[arg(value_name = "MONTH|QUARTER", value_parser = period)]
        month: Option<Period>,
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Tell whether a board pack (zip) or its PDF is the one sealed for its month.
    #[command(
        after_help = "Example:\n  boardpack verify ~/Downloads/larkspur-freight-2026-10-board-pack.zip\n  boardpack verify board-report.pdf --root my-report\n\nExit 0: byte for byte what was sealed. Exit 1: it is not, and why."
    )]
    Verify {
        /// The file to check: a board pack zip, or a board report PDF.
        file: PathBuf,
        /// The report project or portfolio holding the sealed months.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Preview the report in a browser, rebuilding and reloading as you edit.
    #[command(after_help = "Example:\n  boardpack serve --open\n  boardpack serve --port 8080 --root my-report")]
    Serve {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port on 127.0.0.1 (default: any free port).
        #[arg(long)]
        port: Option<u16>,
        /// Open the report in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of using file notifications (for network
        /// mounts and containers, where notifications do not arrive).
        #[arg(long)]
        poll: bool,
    },
    /// Compute the month's KPIs from exports under data/ and git history, with evidence.
    #[command(
        after_help = "Example:\n  boardpack measure              # the latest month in content/\n  boardpack measure 2026-10 --overwrite\n  boardpack measure 2026-Q3       # a quarter, as one period, from data/2026-Q3/\n\nReads data/YYYY-MM/deployments.csv, incidents.csv and work-items.csv and the\nrepositories in [measure] (see FORMAT.md), writes each computed value into\ncontent/YYYY-MM/kpis.toml with how it was computed, and the rows behind it\ninto content/YYYY-MM/evidence/KPI.csv. A quarter reads and writes its own\nfolders (data/2026-Q3/, content/2026-Q3/). Values typed by hand are kept unless\n--overwrite. Nothing is written if any input has an error."
    )]
    Measure {
        /// The month to measure, YYYY-MM (default: the latest month in content/), or a
        /// quarter as the report names it (2026-Q3; FY2027-Q1 with a fiscal year from April).
        #[arg(value_name = "MONTH|QUARTER", value_parser = month_or_quarter)]
        period: Option<Measured>,
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Replace values typed by hand too.
        #[arg(long)]
        overwrite: bool,
    },
    /// Write JSON Schemas for boardpack.toml, the catalogue and kpis.toml, for editors.
    #[command(
        after_help = "Example:\n  boardpack schema                 # into ./schemas, as `init` does\n  boardpack schema --output .vscode/schemas"
    )]
    Schema {
        /// The report project; its catalogue's KPI ids are offered in kpis.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the schemas (default: schemas/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Make the key of an encrypted site (`[publish] encrypt = true`).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  boardpack completions bash > ~/.local/share/bash-completion/completions/boardpack\n  boardpack completions zsh > \"${fpath[1]}/_boardpack\"\n  boardpack completions fish > ~/.config/fish/completions/boardpack.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// What `measure` was given: a month, or a quarter's name, read against the
/// project's fiscal year once its `boardpack.toml` is read.
#[derive(Debug, Clone)]
enum Measured {
    Month(Month),
    Quarter(String),
}

/// `2026-10` is a month; anything with `-Q` is a quarter's name (`2026-Q3`, `FY2027-Q1`).
fn month_or_quarter(text: &str) -> Result<Measured, String> {
    if text.contains("-Q") {
        Ok(Measured::Quarter(text.to_string()))
    } else {
        text.parse::<Month>().map(Measured::Month).map_err(|e| e.to_string())
    }
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Print a new random site key, and the link to give the board.
    #[command(
        after_help = "Example:\n  boardpack key new\n  gh secret set BOARDPACK_KEY --body \"$(boardpack key new)\"\n  boardpack key new --passphrase   # a salt for BOARDPACK_PASSPHRASE instead\n\nThe key goes to standard output, what to do with it to standard error.\nA build with `[publish] encrypt = true` reads it from BOARDPACK_KEY. A new\nkey changes every file: links with the old one stop opening, and copies\nalready downloaded stay readable."
    )]
    New {
        /// Print a salt for `[publish]` instead, for a key made from the
        /// passphrase in BOARDPACK_PASSPHRASE.
        #[arg(long)]
        passphrase: bool,
        /// The report or portfolio, whose base_url the link starts with.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { dir, month, host } => {
            host.parse::<Host>().map_err(Error::Internal).and_then(|h| init(&dir, month, h))
        }
        Command::New { month: _, root, quarter: Some(quarter) } => new_quarter(&root, quarter.as_deref()),
        Command::New { month, root, quarter: None } => new(&root, month),
        Command::Check { root, strict } => return check(&root, strict),
        Command::Build { root, output, force, drafts, publish } => {
            let progress = std::io::stderr().is_terminal().then_some(show_progress as boardpack::Progress);
            let options = BuildOptions { root, output, force, drafts, progress };
            if publish {
                boardpack::refuse_unprotected(&options.root).and_then(|()| build(options))
            } else {
                build(options)
            }
        }
        Command::Pack { root, month: _, output, quarter: Some(quarter) } => {
            pack_quarter(&root, quarter.as_deref(), output)
        }
        Command::Pack { root, month, output, quarter: None } => pack(&PackOptions { root, month, output }),
        Command::Serve { root, port, open, poll } => serve(root, port, open, poll),
        Command::Seal { month: Some(Period::Quarter(quarter)), root } => seal_quarter(&root, &quarter),
        Command::Seal { month: Some(Period::Month(month)), root } => seal(root, Some(month)),
        Command::Seal { month: None, root } => seal(root, None),
        Command::Verify { file, root } => return verify(&root, &file),
        Command::Schema { root, output } => schema(&root, output),
        Command::Measure { period, root, overwrite } => {
            let (month, quarter) = match period {
                Some(Measured::Month(m)) => (Some(m), None),
                Some(Measured::Quarter(q)) => (None, Some(q)),
                None => (None, None),
            };
            measure(&boardpack::measure::MeasureOptions { root, month, quarter, overwrite })
        }
        Command::Key(KeyCommand::New { passphrase, root }) => new_key(&root, passphrase),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "boardpack", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Content(diagnostics)) => {
            print_all(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("stopped: {errors} error(s); nothing was written");
            ExitCode::from(1)
        }
        Err(e) => {
            let label = if colour() { "\x1b[1;31merror\x1b[0m" } else { "error" };
            eprintln!("{label}: {e}");
            ExitCode::from(1)
        }
    }
}

/// Colour only for a person at a terminal, and never when NO_COLOR is set.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn print_all(diagnostics: &[Diagnostic]) {
    let colour = colour();
    // In GitHub Actions each error is also an annotation, shown on the run's
    // summary page where a failed publish is first seen, with what to do.
    let actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    for d in diagnostics {
        eprintln!("{}", d.render(colour));
        if actions && d.is_error() {
            println!("{}", annotation(d));
        }
    }
}

/// A GitHub Actions `::error` workflow command for `d`, escaped as the runner
/// requires (`%`, CR and LF everywhere; also `:` and `,` in properties).
fn annotation(d: &Diagnostic) -> String {
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut properties = format!("file={}", property(&d.file.to_string_lossy()));
    if let Some(location) = &d.location {
        properties.push_str(&format!(",line={}", location.line));
    }
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    format!("::error {properties},title=boardpack::{}", data(&message))
}

/// How many warnings `build` and `pack` print in full: a portfolio can have
/// thousands, and then a build's own result would scroll out of sight.
const SHOWN_WARNINGS: usize = 20;

/// Warnings after a build or pack: every error-free problem in full when
/// there are few, else the first [`SHOWN_WARNINGS`] and where to see the rest.
fn print_warnings(warnings: &[Diagnostic]) {
    if warnings.len() <= SHOWN_WARNINGS {
        return print_all(warnings);
    }
    print_all(&warnings[..SHOWN_WARNINGS]);
    eprintln!(
        "… and {} more warning(s): run `boardpack check` to see them all ({} in all)",
        warnings.len() - SHOWN_WARNINGS,
        warnings.len()
    );
}

fn init(dir: &Path, month: Option<Month>, host: Host) -> Result<(), Error> {
    let made = boardpack::init(dir, month, host)?;
    let month = made.month;
    eprintln!(
        "created a boardpack report in {} ({} files), reporting {}",
        dir.display(),
        made.files.len(),
        month.long_name()
    );
    eprintln!(
        "every page names the organisation \"{}\", from the folder's name; if that is not its name, change `organisation` in {}",
        made.organisation,
        dir.join("boardpack.toml").display()
    );
    let when = if host == Host::Folder { "to publish" } else { "before the first push" };
    eprintln!("\n{when} ({}, encrypted):", host.title());
    for (command, why) in host.before_first_push(&made.site) {
        eprintln!("  # {why}\n  {command}");
    }
    let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
    eprintln!("\nnext: fill in content/{month}/kpis.toml and the commentary, then\n  {cd}boardpack serve --open");
    Ok(())
}

fn new(root: &Path, month: Option<Month>) -> Result<(), Error> {
    let (month, files, previous) = boardpack::new_month(root, month)?;
    eprintln!("started {} as a draft:", month.long_name());
    for f in files {
        eprintln!("  {}", f.display());
    }
    match previous {
        Some(p) => eprintln!("each KPI's value for {} is beside it in kpis.toml, as a comment", p.long_name()),
        None => eprintln!("there is no earlier month, so kpis.toml has no earlier values beside the KPIs"),
    }
    eprintln!("fill in kpis.toml, write the commentary, remove `draft = true`, then `boardpack build`");
    Ok(())
}

fn new_quarter(root: &Path, quarter: Option<&str>) -> Result<(), Error> {
    let started = boardpack::new_quarter(root, quarter)?;
    eprintln!("started {}:", started.quarter);
    for f in &started.files {
        eprintln!("  {}", f.display());
    }
    if !started.unreported.is_empty() {
        let months: Vec<String> = started.unreported.iter().map(|m| m.long_name()).collect();
        eprintln!("not reported yet: {} (the quarter's values leave them out, and say so)", months.join(", "));
    }
    eprintln!("write the commentary, then `boardpack check`; quarter values come from the months");
    Ok(())
}

/// One overwritten status line on a terminal; builds piped to a file or CI stay quiet.
fn show_progress(done: usize, total: usize) {
    if total >= 6 {
        eprint!("\r\x1b[2Krendered {done}/{total} months");
        if done == total {
            eprint!("\r\x1b[2K");
        }
    }
}

fn build(options: BuildOptions) -> Result<(), Error> {
    let summary = boardpack::build(&options)?;
    print_warnings(&summary.warnings);
    let mut reused = Vec::new();
    if summary.months_reused > 0 {
        reused.push(format!("{} unchanged month(s) taken from the previous build", summary.months_reused));
    }
    if summary.months_cached > 0 {
        reused.push(format!("{} month(s) from the cache", summary.months_cached));
    }
    if summary.pdfs_cached > 0 {
        reused.push(format!("{} PDF(s) from the cache", summary.pdfs_cached));
    }
    let reused = if reused.is_empty() { String::new() } else { format!(" ({})", reused.join(", ")) };
    let quarters = match summary.quarters {
        0 => String::new(),
        n => format!(" and {n} quarter(s)"),
    };
    eprintln!(
        "built {} month(s){quarters}, {} files, into {}{reused}",
        summary.months,
        summary.files,
        summary.output.display()
    );
    Ok(())
}

fn pack(options: &PackOptions) -> Result<(), Error> {
    let (packed, warnings) = boardpack::pack(options)?;
    print_warnings(&warnings);
    match packed {
        Packed::Report(pack) => eprintln!(
            "packed {}: {} files, {} KB, into {}",
            pack.month.long_name(),
            pack.entries,
            pack.bytes.div_ceil(1024),
            pack.path.display()
        ),
        Packed::Portfolio { month, overview, packs, skipped } => {
            for pack in &packs {
                eprintln!(
                    "packed {} files, {} KB, into {}",
                    pack.entries,
                    pack.bytes.div_ceil(1024),
                    pack.path.display()
                );
            }
            for name in &skipped {
                eprintln!("no pack for {name}: no report for {}", month.long_name());
            }
            eprintln!(
                "packed {} for {} companies, with the portfolio overview in {}",
                month.long_name(),
                packs.len(),
                overview.display()
            );
        }
    }
    Ok(())
}

fn pack_quarter(root: &Path, quarter: Option<&str>, output: Option<PathBuf>) -> Result<(), Error> {
    let (pack, warnings) = boardpack::pack_quarter(root, quarter, output)?;
    print_warnings(&warnings);
    eprintln!(
        "packed {}: {} files, {} KB, into {}",
        pack.quarter,
        pack.entries,
        pack.bytes.div_ceil(1024),
        pack.path.display()
    );
    Ok(())
}

/// What `seal` seals: a month, or a quarter (read against the report's
/// fiscal year once the project is loaded).
#[derive(Clone)]
enum Period {
    Month(Month),
    Quarter(String),
}

fn period(text: &str) -> Result<Period, String> {
    match text.parse::<Month>() {
        Ok(m) => Ok(Period::Month(m)),
        Err(_) if text.contains("-Q") => Ok(Period::Quarter(text.to_string())),
        Err(e) => Err(format!("{e}; or a quarter: 2026-Q3 (FY2027-Q1 with a fiscal year)")),
    }
}

fn seal_quarter(root: &Path, quarter: &str) -> Result<(), Error> {
    let summary = boardpack::seal_quarter(root, Some(quarter))?;
    print_all(&summary.warnings);
    if !summary.missing.is_empty() {
        let months: Vec<String> = summary.missing.iter().map(|m| m.long_name()).collect();
        eprintln!("sent without {}, which had no report: the quarter says so", months.join(", "));
    }
    eprintln!(
        "sealed {}: {} quarter values recorded in {}, the board pack as sent in {}\ncommit both: from now on check and build compare the quarter, and the months it was made from, with them",
        summary.quarter,
        summary.kpis,
        summary.record.display(),
        summary.pack.display()
    );
    Ok(())
}

fn check(root: &Path, strict: bool) -> ExitCode {
    let diagnostics = boardpack::check(root);
    print_all(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    eprintln!("checked {}: {errors} error(s), {warnings} warning(s)", root.display());
    if errors > 0 {
        ExitCode::from(1)
    } else if strict && warnings > 0 {
        eprintln!(
            "failed: --strict treats warnings as errors; fix the {warnings} warning(s) above, or run without --strict"
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn seal(root: PathBuf, month: Option<Month>) -> Result<(), Error> {
    let summary = boardpack::seal(&boardpack::SealOptions { root, month })?;
    print_all(&summary.warnings);
    eprintln!(
        "sealed {}: {} KPIs recorded in {}, the board pack as sent in {}\ncommit both: from now on check and build compare the month with them",
        summary.month.long_name(),
        summary.kpis,
        summary.record.display(),
        summary.pack.display()
    );
    Ok(())
}

fn verify(root: &Path, file: &Path) -> ExitCode {
    match boardpack::verify(root, file) {
        Ok(boardpack::Verdict::Sealed { month, company, what, manifest_ok }) => {
            let whose = company.map(|c| format!(" for {c}")).unwrap_or_default();
            let manifest = match manifest_ok {
                Some(true) => "; its manifest matches its contents",
                Some(false) => "; but its manifest does not match its contents",
                None => "",
            };
            println!(
                "{}: this is {what} sealed{whose} for {}, byte for byte{manifest}",
                file.display(),
                month.long_name()
            );
            ExitCode::SUCCESS
        }
        Ok(boardpack::Verdict::SealedQuarter { quarter, company, what, manifest_ok }) => {
            let whose = company.map(|c| format!(" for {c}")).unwrap_or_default();
            let manifest = match manifest_ok {
                Some(true) => "; its manifest matches its contents",
                Some(false) => "; but its manifest does not match its contents",
                None => "",
            };
            println!("{}: this is {what} sealed{whose} for {quarter}, byte for byte{manifest}", file.display());
            ExitCode::SUCCESS
        }
        Ok(boardpack::Verdict::NotSealed(reason)) => {
            println!("{}: NOT what the board received", file.display());
            for line in reason.lines() {
                println!("  {line}");
            }
            ExitCode::from(1)
        }
        Err(Error::Content(diagnostics)) => {
            print_all(&diagnostics);
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn serve(root: PathBuf, port: Option<u16>, open: bool, poll: bool) -> Result<(), Error> {
    let options = boardpack::ServeOptions { root, port, poll };
    boardpack::serve(&options, |addr, sources| {
        let url = format!("http://{addr}/");
        // The first line on stdout is the address, for scripts and tests.
        println!("serving {url}");
        eprintln!("watching {sources}; press Ctrl-C to stop");
        if open {
            open_browser(&url);
        }
    })
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("could not open a browser ({opener}: {e}); open {url} yourself");
    }
}

/// Prints what was computed, what was kept or left, and why.
fn measure(options: &boardpack::measure::MeasureOptions) -> Result<(), Error> {
    use boardpack::measure::Status;
    let summary = boardpack::measure::measure(options)?;
    print_all(&summary.warnings);
    let width =
        summary.kpis.iter().map(|k| k.id.len()).chain(summary.unmeasured.iter().map(String::len)).max().unwrap_or(0);
    let (mut written, mut left) = (0, 0);
    let name = summary.quarter.clone().unwrap_or_else(|| summary.month.long_name());
    eprintln!("measured {name} into {}:", summary.values_file.display());
    for k in &summary.kpis {
        let line = match &k.status {
            Status::Written { value, measured, .. } => {
                written += 1;
                format!("= {value}  {measured}")
            }
            Status::Kept { value, measured } => {
                left += 1;
                format!("kept the value typed by hand (computed {value}: {measured}; --overwrite replaces it)")
            }
            Status::NotComputed { reason } => {
                left += 1;
                format!("left as it was: {reason}")
            }
        };
        eprintln!("  {:width$}  {line}", k.id);
    }
    for id in &summary.unmeasured {
        left += 1;
        eprintln!("  {id:width$}  no value yet: boardpack has no method for it, so type it in by hand");
    }
    let evidence =
        if written > 0 { format!(" (evidence in {})", summary.evidence_dir.display()) } else { String::new() };
    eprintln!(
        "{written} computed{evidence}, {left} left for you{}",
        if summary.changed { "" } else { "; kpis.toml was already up to date" }
    );
    Ok(())
}

fn new_key(root: &Path, passphrase: bool) -> Result<(), Error> {
    let new = boardpack::new_key(root, passphrase)?;
    if passphrase {
        println!("salt = \"{}\"", new.secret);
        eprintln!(
            "put the line above under [publish] in boardpack.toml (or portfolio.toml), beside `encrypt = true`,\n\
             and set {} to a passphrase of five or more random words when you build.\n\
             Anyone can try guesses against a page of the site without limit: a key from `boardpack key new`\n\
             cannot be guessed, so give the board its link unless they must type what they open it with.",
            boardpack::PASSPHRASE_VAR
        );
        return Ok(());
    }
    println!("{}", new.secret);
    eprintln!(
        "a new site key is above: keep it secret, anyone who has it can read the report.\n\
         build with it:   {var}=… boardpack build   (in CI, a repository secret: gh secret set {var})\n\
         give the board:  {}\n\
         a new key changes every file of the site: links with the old key stop opening; copies already downloaded stay readable.",
        new.link.unwrap_or_default(),
        var = boardpack::KEY_VAR
    );
    Ok(())
}

fn schema(root: &Path, output: Option<PathBuf>) -> Result<(), Error> {
    for path in boardpack::write_schemas(root, output)? {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
