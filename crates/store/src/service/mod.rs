//! The store's use cases. Each one commits its state change together with the jobs it calls
//! for; outside services are only called from jobs (see [`crate::jobs`]).

pub mod catalog;
pub mod chat;
pub mod fulfilment;
pub mod money;
pub mod nickname;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod postpaid;
pub mod pricing;
pub mod reconcile;
pub mod settings;
