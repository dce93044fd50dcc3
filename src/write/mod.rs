//! Write stage: the site swapped in atomically, packs zipped, the project
//! cache that lets a build take what an earlier one made, and the encryption
//! of a private site.

pub(crate) mod archive;
pub(crate) mod cache;
pub(crate) mod encrypt;
pub(crate) mod output;
