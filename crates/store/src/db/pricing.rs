//! Markup rules and the price history they (and catalogue syncs) write.

use super::stored::stored_enum;
use super::{Conn, DbResult};

stored_enum! {
    /// What a markup rule (the store's or a tier's) applies to; the most specific wins.
    pub enum RuleScope {
        /// Every product (tier rules only; the store's default markup is a setting).
        Default = "default",
        Category = "category",
        Brand = "brand",
        Product = "product",
    }
}

impl RuleScope {
    /// What the seller reads.
    pub fn label_id(self) -> &'static str {
        match self {
            RuleScope::Default => "Semua produk",
            RuleScope::Category => "Kategori",
            RuleScope::Brand => "Brand",
            RuleScope::Product => "Produk",
        }
    }
}
use madd_domain::Rupiah;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkupRule {
    pub id: i64,
    /// `Category`, `Brand` or `Product`.
    pub scope: RuleScope,
    pub target: String,
    pub rate_bps: i64,
    pub min_markup: Rupiah,
}

pub async fn markup_rules(conn: &mut Conn) -> DbResult<Vec<MarkupRule>> {
    let rows = sqlx::query(
        "SELECT id, scope, target, rate_bps, min_markup FROM markup_rules ORDER BY scope, target",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MarkupRule {
                id: r.try_get("id")?,
                scope: RuleScope::decode(&r.try_get::<String, _>("scope")?)?,
                target: r.try_get("target")?,
                rate_bps: r.try_get("rate_bps")?,
                min_markup: Rupiah::new(r.try_get("min_markup")?),
            })
        })
        .collect()
}

pub async fn upsert_markup_rule(
    conn: &mut Conn,
    scope: RuleScope,
    target: &str,
    rate_bps: i64,
    min_markup: Rupiah,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO markup_rules (scope, target, rate_bps, min_markup, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, target) DO UPDATE SET \
         rate_bps = excluded.rate_bps, min_markup = excluded.min_markup, updated_at = excluded.updated_at",
    )
    .bind(scope.as_str())
    .bind(target)
    .bind(rate_bps)
    .bind(min_markup.amount())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn delete_markup_rule(conn: &mut Conn, id: i64) -> DbResult<Option<MarkupRule>> {
    let row = sqlx::query(
        "DELETE FROM markup_rules WHERE id = $1 RETURNING id, scope, target, rate_bps, min_markup",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(MarkupRule {
            id: r.try_get("id")?,
            scope: RuleScope::decode(&r.try_get::<String, _>("scope")?)?,
            target: r.try_get("target")?,
            rate_bps: r.try_get("rate_bps")?,
            min_markup: Rupiah::new(r.try_get("min_markup")?),
        })
    })
    .transpose()
}

/// A price-history row about to be written; `old_*` is `None` for a new product.
#[derive(Copy, Clone, Debug)]
pub struct NewPriceChange<'a> {
    pub product_code: &'a str,
    pub at: i64,
    pub old_cost: Option<Rupiah>,
    pub new_cost: Rupiah,
    pub old_price: Option<Rupiah>,
    pub new_price: Rupiah,
    pub reason: &'a str,
}

pub async fn insert_price_change(conn: &mut Conn, change: &NewPriceChange<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO price_history (product_code, at, old_cost, new_cost, old_price, new_price, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(change.product_code)
    .bind(change.at)
    .bind(change.old_cost.map(Rupiah::amount))
    .bind(change.new_cost.amount())
    .bind(change.old_price.map(Rupiah::amount))
    .bind(change.new_price.amount())
    .bind(change.reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceChange {
    pub product_code: String,
    pub at: i64,
    pub old_cost: Option<Rupiah>,
    pub new_cost: Rupiah,
    pub old_price: Option<Rupiah>,
    pub new_price: Rupiah,
    pub reason: String,
}

pub async fn price_history(
    conn: &mut Conn,
    product_code: Option<&str>,
    limit: i64,
) -> DbResult<Vec<PriceChange>> {
    let rows = sqlx::query(
        "SELECT product_code, at, old_cost, new_cost, old_price, new_price, reason FROM price_history \
         WHERE ($1 IS NULL OR product_code = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(product_code)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let money = |c: &str| -> DbResult<Option<Rupiah>> {
                Ok(r.try_get::<Option<i64>, _>(c)?.map(Rupiah::new))
            };
            Ok(PriceChange {
                product_code: r.try_get("product_code")?,
                at: r.try_get("at")?,
                old_cost: money("old_cost")?,
                new_cost: Rupiah::new(r.try_get("new_cost")?),
                old_price: money("old_price")?,
                new_price: Rupiah::new(r.try_get("new_price")?),
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Sets a product's price by hand (or after a rule change); `false` when no such product.
pub async fn set_product_price(
    conn: &mut Conn,
    code: &str,
    price: Rupiah,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query("UPDATE products SET price = $1, updated_at = $2 WHERE code = $3")
        .bind(price.amount())
        .bind(now)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// Refunds
