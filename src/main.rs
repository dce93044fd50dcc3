//! The `boardpack` command: parses arguments, calls the library, maps the result
//! to an exit code (0 success, 1 content or build error, 2 bad usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use boardpack::diagnostic::Diagnostic;
use boardpack::{BuildOptions, Error};

/// Turn monthly engineering KPIs and commentary into a board-ready report.
#[derive(Parser)]
#[command(name = "boardpack", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the report site into the output folder.
    ///
    /// Example: boardpack build --root my-report --output /tmp/site
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
    /// Check the project for mistakes without writing anything.
    ///
    /// Example: boardpack check --strict
    Check {
        /// The report project (the folder holding boardpack.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Treat warnings as errors (for CI).
        #[arg(long)]
        strict: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { root, output, force } => build(BuildOptions { root, output, force }),
        Command::Check { root, strict } => check(&root, strict),
    }
}

fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

fn build(options: BuildOptions) -> ExitCode {
    match boardpack::build(&options) {
        Ok(summary) => {
            print_all(&summary.warnings);
            eprintln!("built {} month(s), {} files, into {}", summary.months, summary.files, summary.output.display());
            ExitCode::SUCCESS
        }
        Err(Error::Content(diagnostics)) => {
            print_all(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("build stopped: {errors} error(s); the output folder was not touched");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn check(root: &std::path::Path, strict: bool) -> ExitCode {
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
