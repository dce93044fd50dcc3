//! Load stage: reads a root (one report or a portfolio) from disk into plain data,
//! checking it as it goes; every problem becomes a located diagnostic.

pub(crate) mod catalogue;
pub(crate) mod config;
pub(crate) mod exports;
pub(crate) mod file;
pub(crate) mod fonts;
pub(crate) mod git;
pub(crate) mod inputs;
pub(crate) mod measuring;
pub(crate) mod portfolio;
pub(crate) mod project;
pub(crate) mod record;
pub(crate) mod staging;
pub(crate) mod theme;
pub(crate) mod toml_file;
pub(crate) mod values;
pub(crate) mod workspace;
