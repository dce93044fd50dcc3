//! boardpack: monthly engineering KPIs and commentary in, a board-ready report out.
//!
//! # The pipeline
//!
//! The folder tree under `src/` is the pipeline: a module's stage is the first
//! segment of its path, and a module imports only from its own stage or the
//! ones before it (`tests/it/architecture.rs` reads the stages from the paths
//! and holds the code to that). This is the one place the stages are described.
//!
//! 1. **[`base`]** — what every stage stands on: [`Error`], located
//!    [`diagnostic`]s, reporting months ([`period`]), the report's [`locale`]
//!    and words ([`i18n`]), digests, and the status rules the catalogue's
//!    thresholds are checked against. Pure.
//! 2. **[`load`]** — `workspace` decides once whether a root is one report
//!    (`project`) or a portfolio (`portfolio`); `config`, `catalogue`,
//!    `values`, `record`, `theme` and `fonts` read their files; `measuring`
//!    reads what `measure` computes from: the `exports` and `git` history.
//!    Reads the disk.
//! 3. **[`compute`]** — `report` turns values into statuses, changes and
//!    history windows; `audit` checks the board's record against what was
//!    sealed; `rules` finds what a report must get right beyond parsing;
//!    `measure` holds the methods that compute KPIs from exports. Pure.
//! 4. **[`render`]** — each month's view models made once and handed to
//!    sibling renderers: the HTML pages, the PDF (Typst templates fed the month
//!    as data) and the single-file report; charts, commentary Markdown and data
//!    files. Pure: what it makes leaves through a `Destination`.
//! 5. **[`write`]** — the site swapped in atomically, packs zipped, the
//!    project cache, what `measure` computed, and an encrypted site's files
//!    sealed on their way to the disk. Writes the disk, and only under the
//!    output folder, the project's `.boardpack/`, or (for `measure`) the
//!    month's `kpis.toml` and `evidence/`.
//! 6. **[`commands`]** — `build`, `check`, `pack`, `seal` (of months and quarters), `verify`, `serve`,
//!    `init`, `new`, `schema`, `measure` and `key`: orchestration over the stages.
//!    `measure` computes a month's values from exported data before the rest.

mod base;
mod commands;
mod compute;
mod load;
mod render;
mod write;

pub use base::error::{describe, Error};
pub use base::{diagnostic, i18n, locale, period};
pub use commands::build::{build, BuildOptions, BuildSummary};
pub use commands::check::check;
pub use commands::hosting::Host;
pub use commands::key::{new_key, NewKey, KEY_VAR, PASSPHRASE_VAR};
pub use commands::measure;
pub use commands::pack::{pack, PackOptions, PackSummary, Packed};
pub use commands::publish::refuse_unprotected;
pub use commands::quarter_pack::{pack_quarter, seal_quarter, QuarterPackSummary, QuarterSealSummary};
pub use commands::scaffold::{init, new_month, new_quarter, Initialised, NewQuarter};
pub use commands::schema::write_schemas;
pub use commands::seal::{seal, verify, SealOptions, SealSummary, Verdict};
pub use commands::serve::{serve, ServeOptions};
pub use load::catalogue::BUILTIN_TOML as BUILTIN_CATALOGUE;
pub use render::Progress;
