//! boardpack's integration tests: the real binary on fixture projects, checked
//! for what a reader of the report would notice. One test crate, so the PDF
//! engine is linked once, not once per file.

mod architecture;
mod authoring;
mod build;
mod charts;
mod common;
mod diagnostics;
mod locale;
mod measure;
mod output;
mod pack;
mod portfolio;
mod publish;
mod record;
mod safety;
mod serve_security;
