//! Write stage: the site swapped in atomically, packs zipped, the project
//! cache that lets a build take what an earlier one made, and the encryption
//! of a private site.

pub(crate) mod archive;
pub(crate) mod cache;
pub(crate) mod encrypt;
pub(crate) mod manifest;
pub(crate) mod measure;
pub(crate) mod output;
pub(crate) mod staging;
pub(crate) mod swap;
pub(crate) mod target;
