//! boardpack's integration tests: the real binary on fixture projects, checked
//! for what a reader of the report would notice. One test crate, so the PDF
//! engine is linked once, not once per file.

mod architecture;
mod authoring;
mod build;
mod cache_trust;
mod charts;
mod common;
mod diagnostics;
mod encrypt;
mod locale;
mod measure;
mod measure_trust;
mod modes;
mod output;
mod pack;
mod portfolio;
mod publish;
mod quarter_measure;
mod quarter_record;
mod quarters;
mod record;
mod safety;
mod sealed_as_sent;
mod serve_security;
mod verify_attacks;
mod words;
