//! The supplier account: deposits made to it and the balance checks read from it.

use super::{Conn, DbResult};
use madd_domain::{Rupiah, SupplierId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
    pub id: i64,
    pub at: i64,
    pub amount: Rupiah,
    pub method: String,
    pub fee: Rupiah,
    pub note: String,
    pub actor: String,
    pub supplier: SupplierId,
}

fn deposit_row(r: &AnyRow) -> DbResult<Deposit> {
    Ok(Deposit {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        amount: Rupiah::new(r.try_get("amount")?),
        method: r.try_get("method")?,
        fee: Rupiah::new(r.try_get("fee")?),
        note: r.try_get("note")?,
        actor: r.try_get("actor")?,
        supplier: supplier_of(r)?,
    })
}

fn supplier_of(r: &AnyRow) -> DbResult<SupplierId> {
    let s: String = r.try_get("supplier")?;
    SupplierId::parse(&s).ok_or_else(|| crate::db::orders::corrupt("supplier", &s))
}

/// A ledger entry about to be stored: its fee and date already settled.
#[derive(Copy, Clone, Debug)]
pub struct NewDeposit<'a> {
    pub supplier: SupplierId,
    pub at: i64,
    pub amount: Rupiah,
    pub method: &'a str,
    pub fee: Rupiah,
    pub note: &'a str,
    pub actor: &'a str,
}

pub async fn insert_deposit(conn: &mut Conn, deposit: &NewDeposit<'_>, now: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO deposits (at, amount, method, fee, note, actor, created_at, supplier) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(deposit.at)
    .bind(deposit.amount.amount())
    .bind(deposit.method)
    .bind(deposit.fee.amount())
    .bind(deposit.note)
    .bind(deposit.actor)
    .bind(now)
    .bind(deposit.supplier.as_str())
    .fetch_one(&mut *conn)
    .await?)
}

/// Deposits in `[from, until)`, oldest first.
pub async fn deposits(conn: &mut Conn, from: i64, until: i64) -> DbResult<Vec<Deposit>> {
    let rows = sqlx::query(
        "SELECT id, at, amount, method, fee, note, actor, supplier FROM deposits \
         WHERE at >= $1 AND at < $2 ORDER BY at, id",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(deposit_row).collect()
}

// ---------------------------------------------------------------------------------------------
// Supplier balance

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceCheck {
    pub supplier: SupplierId,
    pub at: i64,
    pub balance: Option<Rupiah>,
    pub error: Option<String>,
}

pub async fn insert_balance_check(
    conn: &mut Conn,
    supplier: SupplierId,
    at: i64,
    balance: Option<Rupiah>,
    error: Option<&str>,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO balance_checks (at, balance, error, supplier) VALUES ($1, $2, $3, $4)",
    )
    .bind(at)
    .bind(balance.map(Rupiah::amount))
    .bind(error)
    .bind(supplier.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The latest check, successful or not.
pub async fn last_balance_check(
    conn: &mut Conn,
    supplier: SupplierId,
) -> DbResult<Option<BalanceCheck>> {
    let row = sqlx::query(
        "SELECT at, balance, error, supplier FROM balance_checks WHERE supplier = $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(supplier.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(BalanceCheck {
            supplier: supplier_of(&r)?,
            at: r.try_get("at")?,
            balance: r.try_get::<Option<i64>, _>("balance")?.map(Rupiah::new),
            error: r.try_get("error")?,
        })
    })
    .transpose()
}

/// The latest balance the supplier reported (a successful check).
pub async fn last_known_balance(
    conn: &mut Conn,
    supplier: SupplierId,
) -> DbResult<Option<(i64, Rupiah)>> {
    let row = sqlx::query(
        "SELECT at, balance FROM balance_checks WHERE balance IS NOT NULL AND supplier = $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(supplier.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("at")?, Rupiah::new(r.try_get("balance")?))))
        .transpose()
}

/// The ledger's side of the deposit reconciliation, all time up to `until`:
/// `(Σ deposits, Σ what the supplier charged for orders it did not give back)`.
pub async fn ledger_totals(
    conn: &mut Conn,
    supplier: SupplierId,
    until: i64,
) -> DbResult<(Rupiah, Rupiah)> {
    let deposits: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deposits \
         WHERE at < $1 AND supplier = $2",
    )
    .bind(until)
    .bind(supplier.as_str())
    .fetch_one(&mut *conn)
    .await?;
    // The supplier debits an order when it accepts it and gives the money back when the order
    // ends in error: what stays charged is every accepted order that did not fail.
    let charged: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(COALESCE(supplier_price, cost)), 0) AS BIGINT) FROM orders \
         WHERE supplier_trxid IS NOT NULL AND status IN ('processing', 'delivered') \
         AND COALESCE(supplier, 'vip-reseller') = $1",
    )
    .bind(supplier.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok((Rupiah::new(deposits), Rupiah::new(charged)))
}

// ---------------------------------------------------------------------------------------------
// Markup rules and prices
