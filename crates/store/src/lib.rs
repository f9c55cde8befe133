//! Madd Store: the application crate (storage, providers, services, web, workers, CLI).

pub mod app;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod doctor;
pub mod error;
pub mod jobs;
pub mod messenger;
pub mod notify;
pub mod passwords;
pub mod payment;
pub mod providers;
pub mod secret;
pub mod service;
pub mod startup;
pub mod supplier;
pub mod telemetry;
pub mod web;
