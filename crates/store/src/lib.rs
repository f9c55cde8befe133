//! Madd Store: the application crate (storage, providers, services, web, workers, CLI).

pub mod clock;
pub mod config;
pub mod db;
pub mod messenger;
pub mod payment;
pub mod secret;
pub mod supplier;
pub mod app;
pub mod error;
pub mod jobs;
pub mod notify;
pub mod service;
