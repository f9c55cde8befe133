//! QRIS payloads, as the simulators build them and their pay pages read them: the domain's own
//! (the store's invoice reads the same format).

pub use madd_domain::qris::*;
