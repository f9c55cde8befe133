//! The store's integration tests, in one binary (one link, and every test runs beside every
//! other instead of binary after binary). Each module covers one subject; `common` is the
//! harness: a real store on a random port over a fresh database — a copy of a database migrated
//! once per run — with the sandbox providers and a clock the test moves.

#[macro_use]
mod common;
mod attempt_races;
mod backup;
mod bills_and_holds;
mod browser;
mod browser_price_lines;
mod browser_qris;
mod catalogue_and_overpayments;
mod chat;
mod chat_crowd;
mod check_package;
mod closed_store;
mod curation;
mod dashboard_and_money;
mod demo;
mod doctor;
mod failover;
mod flash_sales;
mod flow;
mod h2h;
mod hang_up;
mod harness;
mod health;
mod hostile_input;
mod job_lanes;
mod login_flood;
mod logs;
mod metrics;
mod migration_sets;
mod no_secrets_in_logs;
mod outbox_template;
mod overload;
mod qris_rails;
mod quotes;
mod rail_costs;
mod reconcile;
mod reviews;
mod saldo;
mod sandbox_access;
mod scale_out;
mod seller_day;
mod shared_links;
mod shutdown;
mod storage;
mod storefront;
mod suppliers_page;
mod tiers;
mod trakteer_client;
mod vip_reseller_client;
mod vouchers;
mod whatsapp_clients;
mod whatsapp_lost_answer;
