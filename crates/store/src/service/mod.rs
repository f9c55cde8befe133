//! The store's use cases. Each one commits its state change together with the jobs it calls
//! for; outside services are only called from jobs (see [`crate::jobs`]).

pub mod balance;
pub mod catalog;
pub mod catalog_sync;
pub mod catalogue_snapshot;
pub mod chat;
pub mod curation;
pub mod daily_backup;
pub mod deposits;
pub mod flash_sales;
pub mod fulfilment;
pub mod h2h;
pub mod lookup;
pub mod nickname;
pub mod offers;
pub mod order_writer;
pub mod orders;
pub mod outbox;
pub mod overpayment;
pub mod payment_pairing;
pub mod payments;
pub mod postpaid;
pub mod pricing;
pub mod quote;
pub mod rails;
pub mod reconcile;
pub mod refunds;
pub mod report;
pub mod reviews;
pub mod saldo;
pub mod settings;
pub mod sign_in;
pub mod store_checks;
pub mod store_switch;
pub mod tiers;
pub mod vouchers;
