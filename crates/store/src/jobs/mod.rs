//! Durable background jobs, in parts that depend one way:
//!
//! - [`kind`]: what a job is — its stored name, its lane of workers, its attempts (data only);
//! - [`queue`]: queueing in the caller's transaction, dedupe, leases, backoff, per-lane wake-ups.
//!   Services import this and nothing else of `jobs`;
//! - [`wake`]: the per-lane wake-up signals the application's state holds (data only);
//! - [`runner`]: claims due jobs and runs them through the [`runner::Handlers`] table it is
//!   given; it knows no kind's meaning;
//! - [`registry`]: the one table — each kind's handler and give-up, and the periodic jobs. The
//!   only part that imports services.
//!
//! Every process runs some workers; on PostgreSQL several processes share the queue safely (row
//! claiming with `SKIP LOCKED`, leases for crashed workers, handlers that are idempotent).

pub mod kind;
pub mod queue;
pub mod registry;
pub mod runner;
pub mod wake;
