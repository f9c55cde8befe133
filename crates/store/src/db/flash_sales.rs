//! Flash sales and the units their unpaid orders hold (migration 0020).

use madd_domain::Rupiah;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult, Tx};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlashSale {
    pub id: i64,
    pub product_code: String,
    pub price: Rupiah,
    pub starts_at: i64,
    pub ends_at: i64,
    pub stock: i64,
    pub taken: i64,
    pub active: bool,
}

impl FlashSale {
    pub fn left(&self) -> i64 {
        (self.stock - self.taken).max(0)
    }

    /// On now and not switched off (it may be sold out).
    pub fn running(&self, now: i64) -> bool {
        self.active && self.starts_at <= now && now < self.ends_at
    }
}

const COLUMNS: &str = "id, product_code, price, starts_at, ends_at, stock, taken, active";

fn from_row(r: &AnyRow) -> DbResult<FlashSale> {
    Ok(FlashSale {
        id: r.try_get("id")?,
        product_code: r.try_get("product_code")?,
        price: Rupiah::new(r.try_get("price")?),
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        stock: r.try_get("stock")?,
        taken: r.try_get("taken")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// A sale the seller asked for: `price` for `stock` units of `product_code` in
/// `[starts_at, ends_at)`.
#[derive(Copy, Clone, Debug)]
pub struct NewFlashSale<'a> {
    pub product_code: &'a str,
    pub price: Rupiah,
    pub starts_at: i64,
    pub ends_at: i64,
    pub stock: i64,
    pub actor: &'a str,
}

pub async fn insert(conn: &mut Conn, sale: &NewFlashSale<'_>, now: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO flash_sales (product_code, price, starts_at, ends_at, stock, taken, active, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $7) RETURNING id",
    )
    .bind(sale.product_code)
    .bind(sale.price.amount())
    .bind(sale.starts_at)
    .bind(sale.ends_at)
    .bind(sale.stock)
    .bind(now)
    .bind(sale.actor)
    .fetch_one(&mut *conn)
    .await?)
}

/// Switched-on sales of `product_code` whose window overlaps `[from, until)`.
pub async fn overlapping(
    conn: &mut Conn,
    product_code: &str,
    from: i64,
    until: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM flash_sales WHERE product_code = $1 AND active = 1 \
         AND starts_at < $3 AND ends_at > $2",
    )
    .bind(product_code)
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?)
}

/// The product's sale running at `now`, if any (sold out or not).
pub async fn running(conn: &mut Conn, product_code: &str, now: i64) -> DbResult<Option<FlashSale>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM flash_sales WHERE product_code = $1 AND active = 1 \
         AND starts_at <= $2 AND ends_at > $2 ORDER BY id LIMIT 1"
    );
    let row = sqlx::query(&sql)
        .bind(product_code)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every sale running or to come at `now` (the storefront's), and the recent ones (the seller's).
pub async fn since(conn: &mut Conn, ended_after: i64) -> DbResult<Vec<FlashSale>> {
    let sql =
        format!("SELECT {COLUMNS} FROM flash_sales WHERE ends_at > $1 ORDER BY starts_at, id");
    let rows = sqlx::query(&sql)
        .bind(ended_after)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Holds one unit for an order: `false` when none is left (or the sale is not on).
pub async fn take_unit(conn: &mut Conn, sale_id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE flash_sales SET taken = taken + 1 WHERE id = $1 AND taken < stock AND active = 1 \
         AND starts_at <= $2 AND ends_at > $2",
    )
    .bind(sale_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_hold(tx: &mut Tx, order_id: i64, sale_id: i64, now: i64) -> DbResult<()> {
    tx.order_changed(order_id);
    sqlx::query(
        "INSERT INTO flash_sale_holds (order_id, sale_id, state, created_at) \
         VALUES ($1, $2, 'reserved', $3)",
    )
    .bind(order_id)
    .bind(sale_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE orders SET flash_sale_id = $1 WHERE id = $2")
        .bind(sale_id)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_active(conn: &mut Conn, id: i64, active: bool) -> DbResult<bool> {
    let done = sqlx::query("UPDATE flash_sales SET active = $1 WHERE id = $2")
        .bind(super::flag(active))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
