//! Compute stage: statuses, changes and history windows, the audit of the
//! board's record, and the rules a report must meet. Pure.

pub(crate) mod audit;
pub(crate) mod commentary;
pub(crate) mod measure;
pub(crate) mod quarter;
pub(crate) mod recompute;
pub(crate) mod report;
pub(crate) mod rules;
