//! The `boardpack` command: parses arguments, calls the library, maps the result
//! to an exit code (0 success, 1 content or build error, 2 bad usage).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use boardpack::diagnostic::Diagnostic;
use boardpack::period::Month;
use boardpack::{BuildOptions, Error};

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
    /// Create a new report project, ready to build.
    #[command(after_help = "Example:\n  boardpack init acme-board-report\n  boardpack init --month 2026-10 .")]
    Init {
        /// The folder to create (it must be new or empty).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The first reporting month, YYYY-MM (default: the current month).
        #[arg(long)]
        month: Option<Month>,
    },
    /// Start the next month: its values file and commentary stubs.
    #[command(
        after_help = "Example:\n  boardpack new            # the month after the latest one\n  boardpack new 2026-12"
    )]
    New {
        /// The month to create, YYYY-MM (default: the month after the latest).
        month: Option<Month>,
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
    #[command(after_help = "Example:\n  boardpack build\n  boardpack build --root my-report --output /tmp/site")]
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
    },
    /// Write the month's board pack: PDF, single-file HTML, charts, data, in one zip.
    #[command(
        after_help = "Example:\n  boardpack pack                       # the latest month, into dist/\n  boardpack pack --month 2026-09 --output ~/board"
    )]
    Pack {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The month to pack, YYYY-MM (default: the latest).
        #[arg(long)]
        month: Option<Month>,
        /// The folder to write the zip into (default: dist/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
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
        after_help = "Example:\n  boardpack measure              # the latest month in content/\n  boardpack measure 2026-10 --overwrite\n\nReads data/YYYY-MM/deployments.csv, incidents.csv and work-items.csv and the\nrepositories in [measure] (see FORMAT.md), writes each computed value into\ncontent/YYYY-MM/kpis.toml with how it was computed, and the rows behind it\ninto content/YYYY-MM/evidence/KPI.csv. Values typed by hand are kept unless\n--overwrite. Nothing is written if any input has an error."
    )]
    Measure {
        /// The month to measure, YYYY-MM (default: the latest month in content/).
        month: Option<Month>,
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
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  boardpack completions bash > ~/.local/share/bash-completion/completions/boardpack\n  boardpack completions zsh > \"${fpath[1]}/_boardpack\"\n  boardpack completions fish > ~/.config/fish/completions/boardpack.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { dir, month } => init(&dir, month),
        Command::New { month, root } => new(&root, month),
        Command::Check { root, strict } => return check(&root, strict),
        Command::Build { root, output, force } => {
            let progress = std::io::stderr().is_terminal().then_some(show_progress as boardpack::render::Progress);
            build(BuildOptions { root, output, force, progress })
        }
        Command::Pack { root, month, output } => pack(boardpack::pack::PackOptions { root, month, output }),
        Command::Serve { root, port, open, poll } => serve(root, port, open, poll),
        Command::Schema { root, output } => schema(&root, output),
        Command::Measure { month, root, overwrite } => {
            measure(&boardpack::measure::MeasureOptions { root, month, overwrite })
        }
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
            eprintln!("{}", paint(&format!("error: {e}")));
            ExitCode::from(1)
        }
    }
}

/// Colour only for a person at a terminal, and never when NO_COLOR is set.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Adds terminal colour to rendered diagnostics, line by line.
fn paint(text: &str) -> String {
    if !colour() {
        return text.to_string();
    }
    let (red, yellow, blue, cyan, bold, reset) =
        ("\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[36m", "\x1b[1m", "\x1b[0m");
    let mut marker = red;
    text.lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("error:") {
                marker = red;
                format!("{red}error{reset}{bold}:{rest}{reset}")
            } else if let Some(rest) = line.strip_prefix("warning:") {
                marker = yellow;
                format!("{yellow}warning{reset}{bold}:{rest}{reset}")
            } else if line.trim_start().starts_with("-->") || line.trim_end().ends_with(" |") {
                format!("{blue}{line}{reset}")
            } else if let Some(i) = line.find(" | ").filter(|_| line.contains('^')) {
                format!("{blue}{}{reset}{marker}{}{reset}", &line[..i + 3], &line[i + 3..])
            } else if line.trim_start().starts_with("= help:") {
                format!("{cyan}{line}{reset}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{}", paint(&d.to_string()));
    }
}

fn current_month() -> Month {
    // Days since the epoch → civil year and month (UTC), without a date crate.
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Month::new(u16::try_from(year).unwrap_or(2000), u8::try_from(month).unwrap_or(1))
        .unwrap_or_else(|| Month::new(2000, 1).expect("2000-01 is a valid month"))
}

fn init(dir: &Path, month: Option<Month>) -> Result<(), Error> {
    let month = month.unwrap_or_else(current_month);
    let files = boardpack::scaffold::init(dir, month)?;
    eprintln!(
        "created a boardpack report in {} ({} files), reporting {}",
        dir.display(),
        files.len(),
        month.long_name()
    );
    let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
    eprintln!("next: fill in content/{month}/kpis.toml and the commentary, then\n  {cd}boardpack serve --open");
    Ok(())
}

fn new(root: &Path, month: Option<Month>) -> Result<(), Error> {
    let (month, files) = boardpack::scaffold::new_month(root, month)?;
    eprintln!("started {}:", month.long_name());
    for f in files {
        eprintln!("  {}", f.display());
    }
    eprintln!(
        "fill in kpis.toml (last month's values are in the comments), write the commentary, then `boardpack build`"
    );
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
    print_all(&summary.warnings);
    let reused = match summary.pdfs_reused {
        0 => String::new(),
        n => format!(" ({n} PDF(s) unchanged, reused from the last build)"),
    };
    eprintln!("built {} month(s), {} files, into {}{reused}", summary.months, summary.files, summary.output.display());
    Ok(())
}

fn pack(options: boardpack::pack::PackOptions) -> Result<(), Error> {
    if boardpack::portfolio::is_portfolio(&options.root) {
        let summary = boardpack::pack::pack_portfolio(&options)?;
        print_all(&summary.warnings);
        for pack in &summary.packs {
            eprintln!("packed {} files, {} KB, into {}", pack.entries, pack.bytes.div_ceil(1024), pack.path.display());
        }
        for name in &summary.skipped {
            eprintln!("no pack for {name}: no report for {}", summary.month.long_name());
        }
        eprintln!(
            "packed {} for {} companies, with the portfolio overview in {}",
            summary.month.long_name(),
            summary.packs.len(),
            summary.overview.display()
        );
        return Ok(());
    }
    let summary = boardpack::pack::pack(&options)?;
    print_all(&summary.warnings);
    eprintln!(
        "packed {}: {} files, {} KB, into {}",
        summary.month.long_name(),
        summary.entries,
        summary.bytes.div_ceil(1024),
        summary.path.display()
    );
    Ok(())
}

fn check(root: &Path, strict: bool) -> ExitCode {
    let diagnostics = boardpack::check(root);
    print_all(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    eprintln!("checked {}: {errors} error(s), {warnings} warning(s)", root.display());
    if errors > 0 || (strict && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn serve(root: PathBuf, port: Option<u16>, open: bool, poll: bool) -> Result<(), Error> {
    let sources = match boardpack::portfolio::is_portfolio(&root) {
        true => "portfolio.toml, companies/ and themes/",
        false => "boardpack.toml, content/ and themes/",
    };
    let options = boardpack::serve::ServeOptions { root, port, poll };
    boardpack::serve::serve(&options, |addr| {
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
    let width = summary.kpis.iter().map(|k| k.id.len()).max().unwrap_or(0);
    let (mut written, mut left) = (0, 0);
    eprintln!("measured {} into {}:", summary.month.long_name(), summary.values_file.display());
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
    let evidence = summary.values_file.with_file_name(boardpack::measure::evidence::EVIDENCE_DIR);
    eprintln!(
        "{written} computed (evidence in {}), {left} left for you{}",
        evidence.display(),
        if summary.changed { "" } else { "; kpis.toml was already up to date" }
    );
    Ok(())
}

fn schema(root: &Path, output: Option<PathBuf>) -> Result<(), Error> {
    let catalogue = match boardpack::project::load(root).project {
        Some(p) => p.catalogue,
        None => boardpack::catalogue::Catalogue::builtin(),
    };
    let dir = output.unwrap_or_else(|| root.join(boardpack::scaffold::SCHEMA_DIR));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io { path: dir.clone(), source: e })?;
    for (name, text) in boardpack::schema::all(&catalogue) {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::Io { path: path.clone(), source: e })?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
