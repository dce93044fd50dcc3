//! boardpack: monthly engineering KPIs and commentary in, a board-ready report out.
//!
//! The pipeline is the architecture, one stage after another, each importing
//! only from the stages before it (a test holds the code to that):
//!
//! 1. **load** — [`workspace`] decides once whether a root is one report
//!    ([`project`]) or a portfolio ([`portfolio`]); [`config`], [`catalogue`]
//!    and [`theme`] read their files. Every problem becomes a located
//!    [`diagnostic::Diagnostic`].
//! 2. **compute** — [`report`] turns values into statuses, changes and history
//!    windows; the rules live in [`status`] and [`period`].
//! 3. **render** — [`render`] makes each month's view models once and hands
//!    them to sibling renderers: the HTML pages, the PDF (Typst templates of
//!    the theme fed the month as data) and the single-file report; [`chart`],
//!    [`markdown`] and [`export`] supply charts, commentary and data files.
//! 4. **write** — [`output`] swaps the site in atomically; [`archive`] writes
//!    packs; [`cache`] reuses PDFs of the previous build.
//!
//! The commands — [`build()`], [`check()`], [`pack()`], [`serve()`], [`init()`],
//! [`new_month()`], [`seal()`], [`verify()`], [`write_schemas()`] — run the
//! stages; [`measure`] computes a month's values from exported data before them. Only the load and
//! write stages, the commands and `serve` touch the disk.

mod archive;
mod audit;
mod build;
mod cache;
mod catalogue;
mod chart;
mod config;
pub mod diagnostic;
mod digest;
mod error;
mod export;
mod fonts;
pub mod i18n;
pub mod locale;
mod markdown;
pub mod measure;
mod output;
mod pack;
mod parallel;
pub mod period;
mod portfolio;
mod project;
mod record;
mod render;
mod report;
mod rules;
mod scaffold;
mod schema;
mod seal;
mod serve;
mod status;
mod theme;
mod values;
mod workspace;

pub use build::{build, check, BuildOptions, BuildSummary};
pub use catalogue::BUILTIN_TOML as BUILTIN_CATALOGUE;
pub use error::{describe, Error};
pub use pack::{pack, PackOptions, PackSummary, Packed};
pub use render::Progress;
pub use scaffold::{init, new_month};
pub use schema::write_schemas;
pub use seal::{seal, verify, SealOptions, SealSummary, Verdict};
pub use serve::{serve, ServeOptions};
