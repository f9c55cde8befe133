//! Local simulators of the store's outside services, faithful to `shared/specs/`: VIP Reseller,
//! Trakteer and a WhatsApp gateway (Cloud API and Fonnte). The demo mounts them under `/sandbox`;
//! tests start them on their own. Each simulator is a cheap-to-clone handle with an axum router
//! (routes relative to its mount point) and Rust methods for tests to inspect it and turn knobs.

pub mod trakteer;
pub mod vip;
pub mod whatsapp;
