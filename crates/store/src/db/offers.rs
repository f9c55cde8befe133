//! Supplier offers: each supplier product, and the store product it delivers (migration 0018).

use madd_domain::{Category, Offer, Rupiah, SupplierId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{flag, Conn, DbResult};

/// How an offer came to belong to its product.
pub const OWN: &str = "own";
pub const AUTO: &str = "auto";
pub const SELLER: &str = "seller";
pub const NONE: &str = "none";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferRow {
    pub supplier: SupplierId,
    pub sku: String,
    pub product_code: Option<String>,
    pub brand: String,
    pub name: String,
    pub category: Category,
    pub cost: Rupiah,
    pub available: bool,
    /// `own` (the product was made from it), `auto` (matched on sync), `seller`, `none`.
    pub matched_by: String,
    pub rank: Option<i64>,
    pub note: Option<String>,
    pub updated_at: i64,
}

impl OfferRow {
    pub fn offer(&self) -> Offer {
        Offer {
            supplier: self.supplier,
            sku: self.sku.clone(),
            cost: self.cost,
            available: self.available,
            rank: self.rank,
        }
    }
}

const COLUMNS: &str = "supplier, sku, product_code, brand, name, category, cost, available, \
    matched_by, rank, note, updated_at";

fn from_row(r: &AnyRow) -> DbResult<OfferRow> {
    let supplier: String = r.try_get("supplier")?;
    let category: String = r.try_get("category")?;
    Ok(OfferRow {
        supplier: SupplierId::parse(&supplier)
            .ok_or_else(|| super::orders::corrupt("supplier", &supplier))?,
        sku: r.try_get("sku")?,
        product_code: r.try_get("product_code")?,
        brand: r.try_get("brand")?,
        name: r.try_get("name")?,
        category: category
            .parse()
            .map_err(|_| super::orders::corrupt("category", &category))?,
        cost: Rupiah::new(r.try_get("cost")?),
        available: r.try_get::<i64, _>("available")? != 0,
        matched_by: r.try_get("matched_by")?,
        rank: r.try_get("rank")?,
        note: r.try_get("note")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Writes a supplier product as the sync saw it. A new row belongs to `product_code` as
/// `matched_by`; an existing one keeps its product, match and rank (the seller's choices) —
/// unless `matched_by` is `own`, which always holds (the product is made from it).
pub async fn upsert_listed(conn: &mut Conn, o: &OfferRow, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO offers (supplier, sku, product_code, brand, name, category, cost, available, \
         matched_by, rank, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11) \
         ON CONFLICT (supplier, sku) DO UPDATE SET brand = excluded.brand, name = excluded.name, \
         category = excluded.category, cost = excluded.cost, available = excluded.available, \
         note = excluded.note, updated_at = excluded.updated_at, \
         product_code = CASE WHEN excluded.matched_by = 'own' THEN excluded.product_code \
             ELSE offers.product_code END, \
         matched_by = CASE WHEN excluded.matched_by = 'own' THEN 'own' ELSE offers.matched_by END",
    )
    .bind(o.supplier.as_str())
    .bind(&o.sku)
    .bind(&o.product_code)
    .bind(&o.brand)
    .bind(&o.name)
    .bind(o.category.as_str())
    .bind(o.cost.amount())
    .bind(flag(o.available))
    .bind(&o.matched_by)
    .bind(&o.note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets an automatic match (or its absence); a seller's match is left alone.
pub async fn set_auto_match(
    conn: &mut Conn,
    supplier: SupplierId,
    sku: &str,
    product_code: Option<&str>,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE offers SET product_code = $1, matched_by = $2 \
         WHERE supplier = $3 AND sku = $4 AND matched_by IN ('auto', 'none')",
    )
    .bind(product_code)
    .bind(if product_code.is_some() { AUTO } else { NONE })
    .bind(supplier.as_str())
    .bind(sku)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The seller's match: the offer delivers `product_code` (or nothing), from now on.
pub async fn set_seller_match(
    conn: &mut Conn,
    supplier: SupplierId,
    sku: &str,
    product_code: Option<&str>,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE offers SET product_code = $1, matched_by = 'seller', rank = NULL \
         WHERE supplier = $2 AND sku = $3 AND matched_by <> 'own'",
    )
    .bind(product_code)
    .bind(supplier.as_str())
    .bind(sku)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts one offer first among its product's offers (rank 1, the others unranked): the seller's
/// choice of where to buy. `None` takes every rank away (back to cheapest first).
pub async fn set_first(
    conn: &mut Conn,
    product_code: &str,
    first: Option<(SupplierId, &str)>,
) -> DbResult<()> {
    sqlx::query("UPDATE offers SET rank = NULL WHERE product_code = $1")
        .bind(product_code)
        .execute(&mut *conn)
        .await?;
    if let Some((supplier, sku)) = first {
        sqlx::query(
            "UPDATE offers SET rank = 1 WHERE product_code = $1 AND supplier = $2 AND sku = $3",
        )
        .bind(product_code)
        .bind(supplier.as_str())
        .bind(sku)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Offers of `supplier` the sync did not list: unavailable.
pub async fn mark_missing_unavailable(
    conn: &mut Conn,
    supplier: SupplierId,
    synced_at: i64,
) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE offers SET available = 0 WHERE supplier = $1 AND updated_at < $2 AND available <> 0",
    )
    .bind(supplier.as_str())
    .bind(synced_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn for_product(conn: &mut Conn, product_code: &str) -> DbResult<Vec<OfferRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM offers WHERE product_code = $1 ORDER BY supplier, sku");
    let rows = sqlx::query(&sql)
        .bind(product_code)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, supplier: SupplierId, sku: &str) -> DbResult<Option<OfferRow>> {
    let sql = format!("SELECT {COLUMNS} FROM offers WHERE supplier = $1 AND sku = $2");
    let row = sqlx::query(&sql)
        .bind(supplier.as_str())
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every offer, by product then supplier.
pub async fn all(conn: &mut Conn) -> DbResult<Vec<OfferRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM offers ORDER BY COALESCE(product_code, ''), supplier, sku");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

// ---------------------------------------------------------------------------------------------
// Paused suppliers

pub async fn paused(conn: &mut Conn) -> DbResult<Vec<SupplierId>> {
    let names: Vec<String> = sqlx::query_scalar("SELECT supplier FROM supplier_pauses")
        .fetch_all(&mut *conn)
        .await?;
    Ok(names.iter().filter_map(|n| SupplierId::parse(n)).collect())
}

pub async fn set_paused(
    conn: &mut Conn,
    supplier: SupplierId,
    paused: bool,
    actor: &str,
    now: i64,
) -> DbResult<()> {
    if paused {
        sqlx::query(
            "INSERT INTO supplier_pauses (supplier, paused_at, actor) VALUES ($1, $2, $3) \
             ON CONFLICT (supplier) DO NOTHING",
        )
        .bind(supplier.as_str())
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM supplier_pauses WHERE supplier = $1")
            .bind(supplier.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
