//! The seller's quick figures for a span of time — the dashboard's "hari ini" tiles and the chat
//! `laporan` read this one query, so the same word never shows two numbers.

use madd_domain::Rupiah;
use sqlx::Row;

use super::{Conn, DbResult};

/// What happened in `[from, until)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Orders created.
    pub created: i64,
    /// Orders paid in full (by `paid_at`).
    pub paid: i64,
    /// Orders delivered (by `delivered_at`).
    pub delivered: i64,
    /// *Omzet*: what the delivered orders charged, price plus admin fee (`amount_due`), as the
    /// monthly report's *Penjualan* counts it.
    pub revenue: Rupiah,
    /// What the supplier charged for them (its reported price, else the catalogue cost).
    pub cost: Rupiah,
}

impl Figures {
    /// *Laba kotor*: revenue less the supplier's cost (before payment and deposit fees).
    pub fn profit(&self) -> Rupiah {
        self.revenue - self.cost
    }
}

pub async fn between(conn: &mut Conn, from: i64, until: i64) -> DbResult<Figures> {
    let row = sqlx::query(
        "SELECT \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE created_at >= $1 AND created_at < $2) AS created, \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE paid_at >= $1 AND paid_at < $2) AS paid, \
           CAST(COUNT(*) AS BIGINT) AS delivered, \
           CAST(COALESCE(SUM(amount_due), 0) AS BIGINT) AS revenue, \
           CAST(COALESCE(SUM(COALESCE(supplier_price, cost)), 0) AS BIGINT) AS cost \
         FROM orders WHERE status = 'delivered' AND delivered_at >= $1 AND delivered_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Figures {
        created: row.try_get("created")?,
        paid: row.try_get("paid")?,
        delivered: row.try_get("delivered")?,
        revenue: Rupiah::new(row.try_get("revenue")?),
        cost: Rupiah::new(row.try_get("cost")?),
    })
}
