//! Madd Store: the application crate (storage, providers, services, web, workers, CLI).

pub mod messenger;
pub mod payment;
pub mod secret;
pub mod supplier;
