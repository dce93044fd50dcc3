//! The commands: each is orchestration over the stages before it.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod hosting;
pub(crate) mod key;
pub mod measure;
pub(crate) mod pack;
pub(crate) mod publish;
pub(crate) mod quarter_pack;
pub(crate) mod scaffold;
pub(crate) mod schema;
pub(crate) mod seal;
pub(crate) mod serve;
pub(crate) mod site;
