//! Vouchers and their uses (migration 0019). A use is taken with a conditional `UPDATE` in the
//! order's transaction, so racing checkouts never take more than the voucher allows.

use madd_domain::voucher::{Amount, Scope, Voucher};
use madd_domain::{Bps, Rupiah};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{flag, Conn, DbResult};

/// A voucher with how much of it is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoucherRow {
    pub voucher: Voucher,
    /// Uses taken (reserved by unpaid orders or spent by paid ones).
    pub used: i64,
    pub created_at: i64,
    pub created_by: String,
}

const COLUMNS: &str = "code, kind, value, cap, min_purchase, scope, scope_value, starts_at, \
    ends_at, total_uses, per_number, first_order_only, below_cost, active, used, created_at, created_by";

fn from_row(r: &AnyRow) -> DbResult<VoucherRow> {
    let kind: String = r.try_get("kind")?;
    let value: i64 = r.try_get("value")?;
    let cap = r.try_get::<Option<i64>, _>("cap")?.map(Rupiah::new);
    let amount = match kind.as_str() {
        "percent" => Amount::Percent {
            rate: Bps::new(
                u32::try_from(value).map_err(|_| super::orders::corrupt("rate", &kind))?,
            ),
            cap,
        },
        "fixed" => Amount::Fixed(Rupiah::new(value)),
        other => return Err(super::orders::corrupt("voucher kind", other)),
    };
    let scope_kind: String = r.try_get("scope")?;
    let scope_value: String = r.try_get("scope_value")?;
    let scope = Scope::parse(&scope_kind, &scope_value)
        .ok_or_else(|| super::orders::corrupt("voucher scope", &scope_kind))?;
    Ok(VoucherRow {
        voucher: Voucher {
            code: r.try_get("code")?,
            amount,
            min_purchase: Rupiah::new(r.try_get("min_purchase")?),
            scope,
            starts_at: r.try_get("starts_at")?,
            ends_at: r.try_get("ends_at")?,
            total_uses: r.try_get("total_uses")?,
            per_number: r.try_get("per_number")?,
            first_order_only: r.try_get::<i64, _>("first_order_only")? != 0,
            below_cost: r.try_get::<i64, _>("below_cost")? != 0,
            active: r.try_get::<i64, _>("active")? != 0,
        },
        used: r.try_get("used")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
    })
}

/// A new voucher; `false` when the code exists.
pub async fn insert(conn: &mut Conn, v: &Voucher, created_by: &str, now: i64) -> DbResult<bool> {
    let (kind, value, cap) = match v.amount {
        Amount::Percent { rate, cap } => ("percent", i64::from(rate.value()), cap),
        Amount::Fixed(a) => ("fixed", a.amount(), None),
    };
    let done = sqlx::query(
        "INSERT INTO vouchers (code, kind, value, cap, min_purchase, scope, scope_value, starts_at, \
         ends_at, total_uses, per_number, first_order_only, below_cost, active, used, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $16) \
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(&v.code)
    .bind(kind)
    .bind(value)
    .bind(cap.map(Rupiah::amount))
    .bind(v.min_purchase.amount())
    .bind(v.scope.kind())
    .bind(v.scope.value())
    .bind(v.starts_at)
    .bind(v.ends_at)
    .bind(v.total_uses)
    .bind(v.per_number)
    .bind(flag(v.first_order_only))
    .bind(flag(v.below_cost))
    .bind(flag(v.active))
    .bind(now)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut Conn, code: &str) -> DbResult<Option<VoucherRow>> {
    let sql = format!("SELECT {COLUMNS} FROM vouchers WHERE code = $1");
    let row = sqlx::query(&sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every voucher, newest first.
pub async fn list(conn: &mut Conn) -> DbResult<Vec<VoucherRow>> {
    let sql = format!("SELECT {COLUMNS} FROM vouchers ORDER BY created_at DESC, code");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn set_active(conn: &mut Conn, code: &str, active: bool) -> DbResult<bool> {
    let done = sqlx::query("UPDATE vouchers SET active = $1 WHERE code = $2")
        .bind(flag(active))
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes one use if any is left (the race-proof step).
pub async fn take_use(conn: &mut Conn, code: &str) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE vouchers SET used = used + 1 \
         WHERE code = $1 AND (total_uses IS NULL OR used < total_uses)",
    )
    .bind(code)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses of `code` by `whatsapp` that count (reserved or spent).
pub async fn uses_by_number(conn: &mut Conn, code: &str, whatsapp: &str) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM voucher_uses \
         WHERE code = $1 AND whatsapp = $2 AND state IN ('reserved', 'spent')",
    )
    .bind(code)
    .bind(whatsapp)
    .fetch_one(&mut *conn)
    .await?)
}

/// Whether `whatsapp` has ever paid for an order.
pub async fn has_bought(conn: &mut Conn, whatsapp: &str) -> DbResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM orders \
         WHERE whatsapp = $1 AND paid_at IS NOT NULL LIMIT 1) AS bought",
    )
    .bind(whatsapp)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

pub async fn record_use(
    conn: &mut Conn,
    order_id: i64,
    code: &str,
    whatsapp: &str,
    discount: Rupiah,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO voucher_uses (order_id, code, whatsapp, discount, state, created_at) \
         VALUES ($1, $2, $3, $4, 'reserved', $5)",
    )
    .bind(order_id)
    .bind(code)
    .bind(whatsapp)
    .bind(discount.amount())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
