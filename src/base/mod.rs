//! Foundations every stage stands on: errors and located diagnostics, months,
//! digests, the report's locale and words, and the status rules that the
//! catalogue's thresholds are checked against. Pure: nothing here touches the disk.

pub mod diagnostic;
pub(crate) mod digest;
pub(crate) mod error;
pub mod i18n;
pub mod locale;
pub(crate) mod method;
pub(crate) mod parallel;
pub mod period;
pub(crate) mod status;
