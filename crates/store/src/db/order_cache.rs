//! Orders in memory for the pages that show one order again and again: the invoice and the
//! status poll it makes every two seconds while the buyer waits. A crowd of buyers waiting on
//! their invoices would otherwise cost a database read each, every two seconds.
//!
//! Never what a decision is made on: every change to an order happens in a write transaction
//! that reads the row itself. This is only for showing an order.
//!
//! Why a cached order is never older than what this process has committed: every statement that
//! changes an order row takes a [`crate::db::Tx`] and names the order, and the transaction's
//! commit drops those orders from here before it returns ([`OrderCache::changed`]). A read that
//! raced such a commit (it began before the commit was announced) is not kept: each fill carries
//! the change count seen before its query ([`OrderCache::ticket`]), and a fill is kept only when
//! no change was announced since. Another process's changes (several store processes on one
//! PostgreSQL) are not announced here; an entry lives at most `ttl` for that (see
//! [`OrderCache::for_backend`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::orders::Order;
use crate::db::Backend;

/// The most orders held; a full cache drops its expired entries, then everything.
const CAPACITY: usize = 4096;

#[derive(Debug)]
pub struct OrderCache {
    ttl: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Changes announced so far.
    changes: u64,
    by_code: HashMap<String, Entry>,
    code_of: HashMap<i64, String>,
}

#[derive(Debug)]
struct Entry {
    order: Arc<Order>,
    read_at: Instant,
}

/// The change count before a read; [`OrderCache::fill`] keeps the read only if it still holds.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

impl OrderCache {
    pub fn new(ttl: Duration) -> OrderCache {
        OrderCache {
            ttl,
            state: Mutex::default(),
        }
    }

    /// On SQLite this process is the only one that changes orders (the CLI's commands do not), so
    /// an entry lives until its order changes, with a minute as a backstop. On PostgreSQL other
    /// store processes change orders unannounced, so an entry lives a second — the same bound as
    /// the catalogue's poll of its version row.
    pub fn for_backend(backend: Backend) -> OrderCache {
        OrderCache::new(match backend {
            Backend::Sqlite => Duration::from_secs(60),
            Backend::Postgres => Duration::from_secs(1),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-written in a way that
        // matters (the worst is a missing entry), so a poisoned lock is used as it is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The order with this code, when held and fresh.
    pub fn get(&self, code: &str) -> Option<Arc<Order>> {
        let state = self.state();
        let entry = state.by_code.get(code)?;
        (entry.read_at.elapsed() < self.ttl).then(|| entry.order.clone())
    }

    /// Take before reading an order from the database; hand to [`OrderCache::fill`] after.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.state().changes)
    }

    /// Keeps an order read after `ticket` was taken, unless some order changed in between.
    pub fn fill(&self, ticket: Ticket, order: Arc<Order>, read_at: Instant) {
        let mut state = self.state();
        if state.changes != ticket.0 {
            return;
        }
        if state.by_code.len() >= CAPACITY {
            let ttl = self.ttl;
            state.by_code.retain(|_, e| e.read_at.elapsed() < ttl);
            if state.by_code.len() >= CAPACITY {
                state.by_code.clear();
            }
            let State {
                by_code, code_of, ..
            } = &mut *state;
            code_of.retain(|_, code| by_code.contains_key(code));
        }
        state.code_of.insert(order.id, order.code.to_string());
        state
            .by_code
            .insert(order.code.to_string(), Entry { order, read_at });
    }

    /// These orders changed (their transaction has committed): forget them, and refuse every
    /// read that started before now.
    pub fn changed(&self, ids: &[i64]) {
        if ids.is_empty() {
            return;
        }
        let mut state = self.state();
        state.changes += 1;
        for id in ids {
            if let Some(code) = state.code_of.remove(id) {
                state.by_code.remove(&code);
            }
        }
    }

    /// How many orders are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.state().by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::orders::tests::order_with;

    fn cache() -> OrderCache {
        OrderCache::new(Duration::from_secs(60))
    }

    #[test]
    fn a_filled_order_is_served_until_it_changes() {
        let c = cache();
        let o = Arc::new(order_with(7, "MS-AAAA1111"));
        let t = c.ticket();
        c.fill(t, o.clone(), Instant::now());
        assert_eq!(c.get("MS-AAAA1111").map(|o| o.id), Some(7));
        c.changed(&[8]);
        assert!(c.get("MS-AAAA1111").is_some(), "another order changed");
        c.changed(&[7]);
        assert!(c.get("MS-AAAA1111").is_none());
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let c = cache();
        let t = c.ticket();
        // The commit lands while the read is in flight: what the read saw may be older.
        c.changed(&[7]);
        c.fill(t, Arc::new(order_with(7, "MS-AAAA1111")), Instant::now());
        assert!(c.get("MS-AAAA1111").is_none());
        // A read that began after the change is kept.
        let t = c.ticket();
        c.fill(t, Arc::new(order_with(7, "MS-AAAA1111")), Instant::now());
        assert!(c.get("MS-AAAA1111").is_some());
    }

    #[test]
    fn entries_expire() {
        let c = OrderCache::new(Duration::from_millis(50));
        let t = c.ticket();
        let long_ago = Instant::now() - Duration::from_millis(60);
        c.fill(t, Arc::new(order_with(7, "MS-AAAA1111")), long_ago);
        assert!(c.get("MS-AAAA1111").is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c = cache();
        for id in 0..(CAPACITY as i64 + 10) {
            let t = c.ticket();
            // Eight characters of the code alphabet, from the id.
            let code: String = (0..8)
                .map(|i| {
                    b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[((id >> (5 * i)) & 31) as usize] as char
                })
                .collect();
            let code = format!("MS-{code}");
            c.fill(t, Arc::new(order_with(id, &code)), Instant::now());
        }
        assert!(c.len() <= CAPACITY);
        assert!(c.state().code_of.len() <= CAPACITY);
    }
}
