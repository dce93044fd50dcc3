//! What `boardpack measure` writes into a month's folder: the values edited
//! into `kpis.toml` ([`values`]) and the evidence files beside it
//! ([`evidence`]), written as one set ([`set`]).

pub(crate) mod evidence;
pub(crate) mod set;
pub(crate) mod values;
