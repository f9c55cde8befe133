//! A write transaction that knows which orders it changed, so that once it commits the orders
//! shown from memory ([`super::order_cache`]) are dropped before anyone can read them again.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::order_cache::OrderCache;
use super::{Conn, DbResult};

/// A write transaction (from [`super::Db::begin`]). Used as a connection (`&mut tx`) for
/// every statement; statements that change an order row take the `Tx` itself and name the order
/// ([`Tx::order_changed`]), which is how no such statement can run outside a transaction that
/// announces it.
pub struct Tx {
    inner: Option<sqlx::Transaction<'static, sqlx::Any>>,
    changed_orders: Vec<i64>,
    cache: Arc<OrderCache>,
}

impl Tx {
    pub(super) fn new(inner: sqlx::Transaction<'static, sqlx::Any>, cache: Arc<OrderCache>) -> Tx {
        Tx {
            inner: Some(inner),
            changed_orders: Vec::new(),
            cache,
        }
    }

    /// This transaction changes the order `id`.
    pub fn order_changed(&mut self, id: i64) {
        if !self.changed_orders.contains(&id) {
            self.changed_orders.push(id);
        }
    }

    pub async fn commit(mut self) -> DbResult<()> {
        let inner = self.inner.take().expect("a transaction is committed once");
        // The orders are announced when `self` drops, after the commit has answered — and
        // also when it failed or this future was dropped halfway: the commit may have landed
        // all the same, and forgetting an unchanged order only costs one read.
        inner.commit().await?;
        Ok(())
    }

    pub async fn rollback(mut self) -> DbResult<()> {
        self.changed_orders.clear();
        let inner = self.inner.take().expect("a transaction ends once");
        inner.rollback().await?;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        // Dropped still open: sqlx rolls it back, nothing changed.
        if self.inner.is_none() {
            self.cache.changed(&self.changed_orders);
        }
    }
}

impl Deref for Tx {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        self.inner.as_ref().expect("an open transaction")
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        self.inner.as_mut().expect("an open transaction")
    }
}

#[cfg(test)]
mod tests {
    /// Every statement in `db/` that changes an order row sits in a function that takes the
    /// transaction and names the order to it, so no change can leave a stale order in memory.
    #[test]
    fn every_order_update_announces_its_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/db");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            // The code, not its tests (which name the statements they look for).
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            for (at, _) in code
                .match_indices("UPDATE orders")
                .chain(code.match_indices("DELETE FROM orders"))
            {
                let start = code[..at].rfind("async fn ").unwrap_or_else(|| {
                    panic!("{}: an order update outside a function", path.display())
                });
                let function = &code[start..at];
                let name = function.split('(').next().unwrap_or_default();
                assert!(
                    function.contains("tx: &mut Tx") && function.contains("tx.order_changed("),
                    "{}: {name} changes an order without taking `tx: &mut Tx` and calling \
                     `tx.order_changed(id)` first",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 15, "only {checked} order updates found");
    }
}
