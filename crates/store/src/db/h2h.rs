//! The reseller API's records: accounts, transactions by `ref_id`, and the callback log.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

/// A reseller with H2H on (or turned off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub whatsapp: String,
    /// Their key and webhook secret's generation: a new one is a new key.
    pub generation: i64,
    pub allowlist: String,
    pub callback_url: String,
    pub enabled: bool,
}

fn account_of(r: &AnyRow) -> DbResult<Account> {
    Ok(Account {
        username: r.try_get("username")?,
        whatsapp: r.try_get("whatsapp")?,
        generation: r.try_get("generation")?,
        allowlist: r.try_get("allowlist")?,
        callback_url: r.try_get("callback_url")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

const ACCOUNT: &str = "SELECT username, whatsapp, generation, allowlist, callback_url, enabled \
     FROM h2h_accounts";

pub async fn account(conn: &mut Conn, username: &str) -> DbResult<Option<Account>> {
    let row = sqlx::query(&format!("{ACCOUNT} WHERE username = $1"))
        .bind(username)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(account_of).transpose()
}

pub async fn account_for(conn: &mut Conn, whatsapp: &str) -> DbResult<Option<Account>> {
    let row = sqlx::query(&format!("{ACCOUNT} WHERE whatsapp = $1"))
        .bind(whatsapp)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(account_of).transpose()
}

pub async fn accounts(conn: &mut Conn) -> DbResult<Vec<Account>> {
    let rows = sqlx::query(&format!("{ACCOUNT} ORDER BY username"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(account_of).collect()
}

/// Turns H2H on for `whatsapp` under `username` (a new account), or on again with the next
/// generation (a new key) when it has one.
pub async fn open_account(
    conn: &mut Conn,
    whatsapp: &str,
    username: &str,
    now: i64,
) -> DbResult<Account> {
    sqlx::query(
        "INSERT INTO h2h_accounts (username, whatsapp, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (whatsapp) DO UPDATE \
         SET generation = h2h_accounts.generation + 1, enabled = 1, updated_at = excluded.updated_at",
    )
    .bind(username)
    .bind(whatsapp)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(account_for(conn, whatsapp)
        .await?
        .expect("the account just written"))
}

pub async fn set_enabled(conn: &mut Conn, username: &str, on: bool, now: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE h2h_accounts SET enabled = $1, updated_at = $2 WHERE username = $3")
        .bind(i64::from(on))
        .bind(now)
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_access(
    conn: &mut Conn,
    username: &str,
    (allowlist, callback_url): (&str, &str),
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE h2h_accounts SET allowlist = $1, callback_url = $2, updated_at = $3 \
         WHERE username = $4",
    )
    .bind(allowlist)
    .bind(callback_url)
    .bind(now)
    .bind(username)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One transaction a reseller asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub id: i64,
    pub username: String,
    pub ref_id: String,
    pub sku: String,
    pub customer_no: String,
    pub order_id: Option<i64>,
    pub testing: bool,
    /// A pending test transaction's end (`Sukses`/`Gagal`).
    pub test_later: Option<String>,
    pub price: i64,
    /// The status the reseller was last told (an answer or a callback).
    pub told: String,
    pub cb_url: String,
    pub created_at: i64,
}

fn transaction_of(r: &AnyRow) -> DbResult<Transaction> {
    Ok(Transaction {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        ref_id: r.try_get("ref_id")?,
        sku: r.try_get("sku")?,
        customer_no: r.try_get("customer_no")?,
        order_id: r.try_get("order_id")?,
        testing: r.try_get::<i64, _>("testing")? != 0,
        test_later: r.try_get("test_later")?,
        price: r.try_get("price")?,
        told: r.try_get("told")?,
        cb_url: r.try_get("cb_url")?,
        created_at: r.try_get("created_at")?,
    })
}

const TX_COLUMNS: &str = "id, username, ref_id, sku, customer_no, order_id, testing, test_later, \
     price, told, cb_url, created_at";

pub async fn transaction(
    conn: &mut Conn,
    username: &str,
    ref_id: &str,
) -> DbResult<Option<Transaction>> {
    let row = sqlx::query(&format!(
        "SELECT {TX_COLUMNS} FROM h2h_transactions WHERE username = $1 AND ref_id = $2"
    ))
        .bind(username)
        .bind(ref_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(transaction_of).transpose()
}

pub async fn transaction_by_id(conn: &mut Conn, id: i64) -> DbResult<Option<Transaction>> {
    let row = sqlx::query(&format!("SELECT {TX_COLUMNS} FROM h2h_transactions WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(transaction_of).transpose()
}

/// The reseller transaction that made an order, if one did.
pub async fn transaction_of_order(conn: &mut Conn, order_id: i64) -> DbResult<Option<Transaction>> {
    let row = sqlx::query(&format!(
        "SELECT {TX_COLUMNS} FROM h2h_transactions WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(transaction_of).transpose()
}

/// The resellers whose API made the orders with ids in `from..=to` (a page of the orders list).
pub async fn resellers_of_orders(
    conn: &mut Conn,
    (from, to): (i64, i64),
) -> DbResult<std::collections::HashMap<i64, String>> {
    let rows = sqlx::query(
        "SELECT order_id, username FROM h2h_transactions WHERE order_id BETWEEN $1 AND $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("order_id")?, r.try_get("username")?)))
        .collect()
}

/// The reseller's latest transactions, newest first.
pub async fn transactions_of(
    conn: &mut Conn,
    username: &str,
    limit: i64,
) -> DbResult<Vec<Transaction>> {
    let rows = sqlx::query(&format!(
        "SELECT {TX_COLUMNS} FROM h2h_transactions WHERE username = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(username)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(transaction_of).collect()
}

/// A new transaction's record.
pub struct NewTransaction<'a> {
    pub username: &'a str,
    pub ref_id: &'a str,
    pub sku: &'a str,
    pub customer_no: &'a str,
    pub order_id: Option<i64>,
    pub test_later: Option<&'a str>,
    pub price: i64,
    pub told: &'a str,
    pub cb_url: &'a str,
}

/// Records a transaction; `None` when its `ref_id` is taken already (the caller reads that one).
pub async fn insert_transaction(
    conn: &mut Conn,
    t: &NewTransaction<'_>,
    now: i64,
) -> DbResult<Option<Transaction>> {
    let row = sqlx::query(&format!(
        "INSERT INTO h2h_transactions (username, ref_id, sku, customer_no, order_id, testing, \
         test_later, price, told, cb_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (username, ref_id) DO NOTHING RETURNING {TX_COLUMNS}"
    ))
    .bind(t.username)
    .bind(t.ref_id)
    .bind(t.sku)
    .bind(t.customer_no)
    .bind(t.order_id)
    .bind(i64::from(t.order_id.is_none()))
    .bind(t.test_later)
    .bind(t.price)
    .bind(t.told)
    .bind(t.cb_url)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(transaction_of).transpose()
}

/// Moves what the reseller was told from `from` to `to`; `false` when another worker did.
pub async fn set_told(conn: &mut Conn, id: i64, (from, to): (&str, &str), now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE h2h_transactions SET told = $1, updated_at = $2 WHERE id = $3 AND told = $4",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A callback to deliver, and how it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub id: i64,
    pub transaction_id: i64,
    pub username: String,
    pub event: String,
    pub url: String,
    pub body: String,
    /// `pending`, `delivered` or `failed` (out of tries).
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
}

fn callback_of(r: &AnyRow) -> DbResult<Callback> {
    Ok(Callback {
        id: r.try_get("id")?,
        transaction_id: r.try_get("transaction_id")?,
        username: r.try_get("username")?,
        event: r.try_get("event")?,
        url: r.try_get("url")?,
        body: r.try_get("body")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
    })
}

const CALLBACK: &str = "SELECT id, transaction_id, username, event, url, body, state, attempts, \
     created_at FROM h2h_callbacks";

pub struct NewCallback<'a> {
    pub transaction_id: i64,
    pub username: &'a str,
    pub event: &'a str,
    pub url: &'a str,
    pub body: &'a str,
}

pub async fn insert_callback(conn: &mut Conn, c: &NewCallback<'_>, now: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO h2h_callbacks (transaction_id, username, event, url, body, state, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) RETURNING id",
    )
    .bind(c.transaction_id)
    .bind(c.username)
    .bind(c.event)
    .bind(c.url)
    .bind(c.body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn callback(conn: &mut Conn, id: i64) -> DbResult<Option<Callback>> {
    let row = sqlx::query(&format!("{CALLBACK} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(callback_of).transpose()
}

/// A line of a reseller's delivery log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub id: i64,
    pub ref_id: String,
    pub state: String,
    pub attempts: i64,
    /// The last try: the receiver's status and the start of its answer.
    pub last: String,
}

/// The reseller's delivery log, newest first.
pub async fn log_of(conn: &mut Conn, username: &str, limit: i64) -> DbResult<Vec<LogLine>> {
    let rows = sqlx::query(
        "SELECT c.id, t.ref_id, c.state, c.attempts, COALESCE((SELECT \
         COALESCE(CAST(r.status AS TEXT), '-') || ' ' || r.answer FROM h2h_callback_tries r \
         WHERE r.callback_id = c.id ORDER BY r.id DESC LIMIT 1), '') AS last \
         FROM h2h_callbacks c JOIN h2h_transactions t ON t.id = c.transaction_id \
         WHERE c.username = $1 ORDER BY c.id DESC LIMIT $2",
    )
    .bind(username)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LogLine {
                id: r.try_get("id")?,
                ref_id: r.try_get("ref_id")?,
                state: r.try_get("state")?,
                attempts: r.try_get("attempts")?,
                last: r.try_get("last")?,
            })
        })
        .collect()
}

/// One try at delivering a callback: the receiver's HTTP status (`None`: no answer) and the
/// start of its answer or the error; the callback's state after it.
pub async fn record_try(
    conn: &mut Conn,
    id: i64,
    (status, answer): (Option<i64>, &str),
    state: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO h2h_callback_tries (callback_id, at, status, answer) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(now)
    .bind(status)
    .bind(answer)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE h2h_callbacks SET attempts = attempts + 1, state = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(state)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A try at a callback, for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Try {
    pub at: i64,
    pub status: Option<i64>,
    pub answer: String,
}

pub async fn tries(conn: &mut Conn, callback_id: i64) -> DbResult<Vec<Try>> {
    let rows = sqlx::query(
        "SELECT at, status, answer FROM h2h_callback_tries WHERE callback_id = $1 ORDER BY id",
    )
    .bind(callback_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Try {
                at: r.try_get("at")?,
                status: r.try_get("status")?,
                answer: r.try_get("answer")?,
            })
        })
        .collect()
}
