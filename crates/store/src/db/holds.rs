//! Limited units an order holds while it waits for its money — a voucher's use, a flash sale's
//! unit — and their one lifecycle: taken when the order is written (*reserved*), given back to
//! the pool when the order closes unpaid (*released*), or the customer's for good when it is
//! paid (*spent*). Each move is one conditional `UPDATE` on the hold, so an expiry racing a
//! payment, or a chat `batal` racing the expiry, moves it once.

use super::{Conn, DbResult};

/// Where a hold stands (the `state` column of both hold tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldState {
    Reserved,
    Released,
    Spent,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldState::Reserved => "reserved",
            HoldState::Released => "released",
            HoldState::Spent => "spent",
        }
    }
}

/// One kind of limited units: the table of an order's holds, and the pool they come from with
/// its counter of units out.
#[derive(Clone, Copy, Debug)]
pub struct Pool {
    /// The holds: `(order_id, <key>, state, settled_at)`.
    holds: &'static str,
    /// The hold's column naming its pool row.
    key: &'static str,
    pool: &'static str,
    pool_key: &'static str,
    /// The pool's count of units held or spent.
    counter: &'static str,
}

/// A voucher's uses (`voucher_uses` of `vouchers.used`).
pub const VOUCHER: Pool = Pool {
    holds: "voucher_uses",
    key: "code",
    pool: "vouchers",
    pool_key: "code",
    counter: "used",
};

/// A flash sale's units (`flash_sale_holds` of `flash_sales.taken`).
pub const FLASH_SALE: Pool = Pool {
    holds: "flash_sale_holds",
    key: "sale_id",
    pool: "flash_sales",
    pool_key: "id",
    counter: "taken",
};

/// The order closed unpaid: its hold goes back to the pool. `true` when one did. The hold moves
/// first, under its row lock, so two closings never give one unit back twice.
pub async fn release(conn: &mut Conn, pool: Pool, order_id: i64, now: i64) -> DbResult<bool> {
    let Pool {
        holds,
        key,
        pool: table,
        pool_key,
        counter,
    } = pool;
    let released: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE {holds} SET state = $1, settled_at = $2 WHERE order_id = $3 AND state = $4 \
         RETURNING CAST({key} AS TEXT)"
    ))
    .bind(HoldState::Released.as_str())
    .bind(now)
    .bind(order_id)
    .bind(HoldState::Reserved.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(released) = released else {
        return Ok(false);
    };
    sqlx::query(&format!(
        "UPDATE {table} SET {counter} = {counter} - 1 \
         WHERE CAST({pool_key} AS TEXT) = $1 AND {counter} > 0"
    ))
    .bind(&released)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The order was paid: its hold is spent for good (the pool's count stays).
pub async fn spend(conn: &mut Conn, pool: Pool, order_id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET state = $1, settled_at = $2 WHERE order_id = $3 AND state = $4",
        pool.holds
    ))
    .bind(HoldState::Spent.as_str())
    .bind(now)
    .bind(order_id)
    .bind(HoldState::Reserved.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
