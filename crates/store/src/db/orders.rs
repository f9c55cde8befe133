//! Orders and their timeline. Every status change is a conditional `UPDATE … WHERE status = …`,
//! so two processes racing for the same move cannot both win: the loser sees zero rows changed.

use std::collections::HashMap;

use madd_domain::{
    GameAccount, OrderCode, OrderStatus, PhoneNumber, Rupiah, ServiceKind, SupplierStatus,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{flag, Conn, DbError, DbResult};

/// An order as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub code: OrderCode,
    pub status: OrderStatus,
    pub product_code: String,
    pub product_name: String,
    pub brand: String,
    pub kind: ServiceKind,
    pub account: GameAccount,
    pub nickname: Option<String>,
    pub whatsapp: PhoneNumber,
    /// What the supplier charged when the order was made (the catalogue price then).
    pub cost: Rupiah,
    pub price: Rupiah,
    pub fee: Rupiah,
    pub amount_due: Rupiah,
    pub amount_paid: Rupiah,
    pub created_at: i64,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
    /// Set (and committed) before every supplier order request: if an attempt ends without a
    /// recorded answer, the next one must reconcile through the supplier's status list first.
    pub placement_started_at: Option<i64>,
    pub placement_attempts: i64,
    pub supplier_trxid: Option<String>,
    pub supplier_status: Option<SupplierStatus>,
    pub supplier_note: Option<String>,
    pub supplier_price: Option<Rupiah>,
    pub serial_number: Option<String>,
    pub delivered_at: Option<i64>,
    pub failure_reason: Option<String>,
    pub failure_retryable: bool,
    pub refund_method: Option<String>,
    pub refund_note: Option<String>,
    pub updated_at: i64,
}

impl Order {
    pub fn shortfall(&self) -> Rupiah {
        (self.amount_due - self.amount_paid).max(Rupiah::ZERO)
    }
}

pub struct NewOrder<'a> {
    pub code: &'a OrderCode,
    pub product_code: &'a str,
    pub product_name: &'a str,
    pub brand: &'a str,
    pub kind: ServiceKind,
    pub account: &'a GameAccount,
    pub nickname: Option<&'a str>,
    pub whatsapp: &'a PhoneNumber,
    pub cost: Rupiah,
    pub price: Rupiah,
    pub fee: Rupiah,
    pub amount_due: Rupiah,
    pub idempotency_key: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "id, code, status, product_code, product_name, brand, kind, target, zone, \
    nickname, whatsapp, cost, price, fee, amount_due, amount_paid, created_at, expires_at, paid_at, \
    placement_started_at, placement_attempts, supplier_trxid, supplier_status, supplier_note, \
    supplier_price, serial_number, delivered_at, failure_reason, failure_retryable, refund_method, \
    refund_note, updated_at";

fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("{what} '{value}'"))
}

fn from_row(row: &AnyRow) -> DbResult<Order> {
    let code: String = row.try_get("code")?;
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("kind")?;
    let whatsapp: String = row.try_get("whatsapp")?;
    let supplier_status: Option<String> = row.try_get("supplier_status")?;
    let money = |c: &str| -> DbResult<Rupiah> { Ok(Rupiah::new(row.try_get::<i64, _>(c)?)) };
    Ok(Order {
        id: row.try_get("id")?,
        code: OrderCode::parse(&code).ok_or_else(|| corrupt("order code", &code))?,
        status: status.parse().map_err(|_| corrupt("status", &status))?,
        product_code: row.try_get("product_code")?,
        product_name: row.try_get("product_name")?,
        brand: row.try_get("brand")?,
        kind: kind.parse().map_err(|_| corrupt("kind", &kind))?,
        account: GameAccount::from_trusted(row.try_get("target")?, row.try_get("zone")?),
        nickname: row.try_get("nickname")?,
        whatsapp: PhoneNumber::parse(&whatsapp).map_err(|_| corrupt("whatsapp", &whatsapp))?,
        cost: money("cost")?,
        price: money("price")?,
        fee: money("fee")?,
        amount_due: money("amount_due")?,
        amount_paid: money("amount_paid")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        paid_at: row.try_get("paid_at")?,
        placement_started_at: row.try_get("placement_started_at")?,
        placement_attempts: row.try_get("placement_attempts")?,
        supplier_trxid: row.try_get("supplier_trxid")?,
        supplier_status: match supplier_status {
            None => None,
            Some(s) => {
                Some(SupplierStatus::parse(&s).ok_or_else(|| corrupt("supplier status", &s))?)
            }
        },
        supplier_note: row.try_get("supplier_note")?,
        supplier_price: row
            .try_get::<Option<i64>, _>("supplier_price")?
            .map(Rupiah::new),
        serial_number: row.try_get("serial_number")?,
        delivered_at: row.try_get("delivered_at")?,
        failure_reason: row.try_get("failure_reason")?,
        failure_retryable: row.try_get::<i64, _>("failure_retryable")? != 0,
        refund_method: row.try_get("refund_method")?,
        refund_note: row.try_get("refund_note")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn insert(conn: &mut Conn, o: &NewOrder<'_>) -> DbResult<Order> {
    let sql = format!(
        "INSERT INTO orders (code, status, product_code, product_name, brand, kind, target, zone, \
         nickname, whatsapp, cost, price, fee, amount_due, amount_paid, idempotency_key, created_at, \
         expires_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $16, $17, $16) \
         RETURNING {COLUMNS}"
    );
    let row = bind_new(sqlx::query(&sql), o).fetch_one(&mut *conn).await?;
    from_row(&row)
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a new order's 17 values in the order of `insert`'s columns.
fn bind_new<'q>(query: AnyQuery<'q>, o: &NewOrder<'q>) -> AnyQuery<'q> {
    query
        .bind(o.code.as_str())
        .bind(OrderStatus::AwaitingPayment.as_str())
        .bind(o.product_code)
        .bind(o.product_name)
        .bind(o.brand)
        .bind(o.kind.as_str())
        .bind(o.account.target())
        .bind(o.account.zone())
        .bind(o.nickname)
        .bind(o.whatsapp.as_str())
        .bind(o.cost.amount())
        .bind(o.price.amount())
        .bind(o.fee.amount())
        .bind(o.amount_due.amount())
        .bind(o.idempotency_key)
        .bind(o.now)
        .bind(o.expires_at)
}

pub async fn by_code(conn: &mut Conn, code: &OrderCode) -> DbResult<Option<Order>> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE code = $1");
    let row = sqlx::query(&sql)
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> DbResult<Option<Order>> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_idempotency_key(conn: &mut Conn, key: &str) -> DbResult<Option<Order>> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE idempotency_key = $1");
    let row = sqlx::query(&sql)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_supplier_trxid(conn: &mut Conn, trxid: &str) -> DbResult<Option<Order>> {
    let sql = format!("SELECT {COLUMNS} FROM orders WHERE supplier_trxid = $1");
    let row = sqlx::query(&sql)
        .bind(trxid)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Orders still waiting for money with exactly this amount due, created in `[since, until]`:
/// candidates for a payment whose message lost the order code.
pub async fn awaiting_with_amount(
    conn: &mut Conn,
    amount_due: Rupiah,
    since: i64,
    until: i64,
) -> DbResult<Vec<Order>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM orders WHERE status = 'awaiting_payment' AND amount_due = $1 \
         AND created_at >= $2 AND created_at <= $3 ORDER BY id"
    );
    let rows = sqlx::query(&sql)
        .bind(amount_due.amount())
        .bind(since)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Code, WhatsApp number or game id (substring).
    pub search: Option<String>,
    pub limit: i64,
    /// Created at or after (unix ms).
    pub from: Option<i64>,
    /// Created before (unix ms).
    pub until: Option<i64>,
    /// Product code or name (substring).
    pub product: Option<String>,
}

pub async fn list(conn: &mut Conn, filter: &OrderFilter) -> DbResult<Vec<Order>> {
    let search = filter
        .search
        .as_deref()
        .map(|s| format!("%{}%", s.trim().to_uppercase()));
    let sql = format!(
        "SELECT {COLUMNS} FROM orders WHERE ($1 IS NULL OR status = $1) \
         AND ($2 IS NULL OR UPPER(code) LIKE $2 OR whatsapp LIKE $2 OR UPPER(target) LIKE $2) \
         AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5) \
         AND ($6 IS NULL OR UPPER(product_code) LIKE $6 OR UPPER(product_name) LIKE $6) \
         ORDER BY id DESC LIMIT $3"
    );
    let product = filter
        .product
        .as_deref()
        .map(|s| format!("%{}%", s.trim().to_uppercase()));
    let rows = sqlx::query(&sql)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(search)
        .bind(if filter.limit > 0 { filter.limit } else { 100 })
        .bind(filter.from)
        .bind(filter.until)
        .bind(product)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_by_status(conn: &mut Conn) -> DbResult<Vec<(OrderStatus, i64)>> {
    let rows = sqlx::query(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM orders GROUP BY status ORDER BY status",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let s: String = r.try_get("status")?;
            let st = s.parse().map_err(|_| corrupt("status", &s))?;
            Ok((st, r.try_get::<i64, _>("n")?))
        })
        .collect()
}

/// Adds a payment to an order that still takes payments and settles it in the same statement:
/// paid in full (`amount_paid ≥ amount_due`, as `madd_domain::Settlement` says) → `paid`, else
/// `underpaid`. One statement, so concurrent payments for one order add up instead of one
/// overwriting the other (the row lock orders them). `None` when the order no longer takes
/// payments; then the money is recorded with [`add_late_payment`].
pub async fn add_payment(
    conn: &mut Conn,
    id: i64,
    amount: Rupiah,
    now: i64,
) -> DbResult<Option<(OrderStatus, Rupiah)>> {
    let row = sqlx::query(
        "UPDATE orders SET amount_paid = amount_paid + $1, \
         status = CASE WHEN amount_paid + $1 >= amount_due THEN 'paid' ELSE 'underpaid' END, \
         paid_at = CASE WHEN amount_paid + $1 >= amount_due THEN $2 ELSE paid_at END, \
         updated_at = $2 \
         WHERE id = $3 AND status IN ('awaiting_payment', 'underpaid') RETURNING status, amount_paid",
    )
    .bind(amount.amount())
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let s: String = r.try_get("status")?;
        let status = s.parse().map_err(|_| corrupt("status", &s))?;
        Ok((status, Rupiah::new(r.try_get("amount_paid")?)))
    })
    .transpose()
}

/// Money that arrived after the order stopped taking payments: counted, kept for the seller.
pub async fn add_late_payment(
    conn: &mut Conn,
    id: i64,
    amount: Rupiah,
    now: i64,
) -> DbResult<Rupiah> {
    let total: i64 = sqlx::query_scalar(
        "UPDATE orders SET amount_paid = amount_paid + $1, updated_at = $2 WHERE id = $3 \
         RETURNING amount_paid",
    )
    .bind(amount.amount())
    .bind(now)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Rupiah::new(total))
}

/// `paid → processing` (or a retryable `failed → processing`): the one guard that makes a
/// supplier order happen at most once, however many clicks, retries and workers race for it.
pub async fn claim_for_processing(
    conn: &mut Conn,
    id: i64,
    allow_retry: bool,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'processing', failure_reason = NULL, failure_retryable = 0, \
         updated_at = $1 \
         WHERE id = $2 AND (status = 'paid' OR ($3 = 1 AND status = 'failed' AND failure_retryable = 1 \
         AND supplier_trxid IS NULL))",
    )
    .bind(now)
    .bind(id)
    .bind(flag(allow_retry))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the start of a supplier request; committed before the request is sent.
/// Compare-and-set on the attempt counter the caller read: if another worker started an attempt
/// in between, this one backs off instead of placing a second order.
pub async fn mark_placement_started(
    conn: &mut Conn,
    id: i64,
    seen_attempts: i64,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET placement_started_at = $1, placement_attempts = placement_attempts + 1, \
         updated_at = $1 WHERE id = $2 AND status = 'processing' AND supplier_trxid IS NULL \
         AND placement_attempts = $3",
    )
    .bind(now)
    .bind(id)
    .bind(seen_attempts)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets an attempt that the supplier definitely refused, so a retry may place it again.
pub async fn clear_placement(conn: &mut Conn, id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE orders SET placement_started_at = NULL, updated_at = $1 \
         WHERE id = $2 AND supplier_trxid IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Attaches the supplier's order to ours (once) and notes when: a trxid recorded before an
/// attempt started marks how far back the supplier's list must be read (see
/// [`recorded_trxids`]).
pub async fn record_supplier_order(
    conn: &mut Conn,
    id: i64,
    trxid: &str,
    status: SupplierStatus,
    note: &str,
    price: Option<Rupiah>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET supplier_trxid = $1, supplier_status = $2, supplier_note = $3, \
         supplier_price = $4, supplier_recorded_at = $5, updated_at = $5 \
         WHERE id = $6 AND supplier_trxid IS NULL",
    )
    .bind(trxid)
    .bind(status.as_str())
    .bind(note)
    .bind(price.map(Rupiah::amount))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_supplier_status(
    conn: &mut Conn,
    id: i64,
    status: SupplierStatus,
    note: &str,
    price: Option<Rupiah>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE orders SET supplier_status = $1, supplier_note = $2, \
         supplier_price = COALESCE($3, supplier_price), updated_at = $4 WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(note)
    .bind(price.map(Rupiah::amount))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn mark_delivered(conn: &mut Conn, id: i64, serial: &str, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'delivered', serial_number = $1, delivered_at = $2, \
         updated_at = $2 WHERE id = $3 AND status = 'processing'",
    )
    .bind(serial)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    reason: &str,
    retryable: bool,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'failed', failure_reason = $1, failure_retryable = $2, \
         updated_at = $3 WHERE id = $4 AND status = 'processing'",
    )
    .bind(reason)
    .bind(flag(retryable))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_refunded(
    conn: &mut Conn,
    id: i64,
    method: &str,
    note: &str,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'refunded', refund_method = $1, refund_note = $2, \
         updated_at = $3 WHERE id = $4 AND status = 'failed'",
    )
    .bind(method)
    .bind(note)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn expire(conn: &mut Conn, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'expired', updated_at = $1 \
         WHERE id = $2 AND status IN ('awaiting_payment', 'underpaid') AND expires_at <= $1",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the payment deadline (a customer paying the rest of an underpaid order gets time).
pub async fn extend_expiry(conn: &mut Conn, id: i64, expires_at: i64) -> DbResult<()> {
    sqlx::query("UPDATE orders SET expires_at = $1 WHERE id = $2 AND expires_at < $1")
        .bind(expires_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One line of an order's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEvent {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(
    conn: &mut Conn,
    order_id: i64,
    at: i64,
    actor: &str,
    kind: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO order_events (order_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut Conn, order_id: i64) -> DbResult<Vec<OrderEvent>> {
    let rows = sqlx::query(
        "SELECT at, actor, kind, detail FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OrderEvent {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Logs a supplier request and its answer (never the credentials).
pub async fn log_supplier_request(
    conn: &mut Conn,
    order_id: Option<i64>,
    at: i64,
    action: &str,
    outcome: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO supplier_requests (order_id, at, action, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(at)
    .bind(action)
    .bind(outcome)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierRequest {
    pub at: i64,
    pub action: String,
    pub outcome: String,
    pub detail: String,
}

pub async fn supplier_requests(conn: &mut Conn, order_id: i64) -> DbResult<Vec<SupplierRequest>> {
    let rows = sqlx::query(
        "SELECT at, action, outcome, detail FROM supplier_requests WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SupplierRequest {
                at: r.try_get("at")?,
                action: r.try_get("action")?,
                outcome: r.try_get("outcome")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Among `trxids`, those attached to some order, with when each was recorded (`None` for a row
/// that has no time).
pub async fn recorded_trxids(
    conn: &mut Conn,
    trxids: &[&str],
) -> DbResult<HashMap<String, Option<i64>>> {
    let mut found = HashMap::new();
    for chunk in trxids.chunks(100) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT supplier_trxid, supplier_recorded_at FROM orders WHERE supplier_trxid IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for trxid in chunk {
            query = query.bind(*trxid);
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(
                row.try_get::<String, _>("supplier_trxid")?,
                row.try_get::<Option<i64>, _>("supplier_recorded_at")?,
            );
        }
    }
    Ok(found)
}

/// Whether the store recorded any supplier order of `kind` before `before` (ms).
pub async fn recorded_before(conn: &mut Conn, kind: ServiceKind, before: i64) -> DbResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM orders \
         WHERE kind = $1 AND supplier_recorded_at < $2 LIMIT 1) AS anchors",
    )
    .bind(kind.as_str())
    .bind(before)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The oldest order older than `order` for the same product and account whose supplier outcome
/// is unknown: still processing, a placement started, no trxid recorded. While there is one,
/// `order` must not be placed (a lost purchase could otherwise be taken for the wrong order and
/// then bought again).
pub async fn older_unknown_outcome(conn: &mut Conn, order: &Order) -> DbResult<Option<OrderCode>> {
    let code: Option<String> = sqlx::query_scalar(
        "SELECT code FROM orders WHERE id < $1 AND status = 'processing' \
         AND placement_started_at IS NOT NULL AND supplier_trxid IS NULL \
         AND product_code = $2 AND target = $3 AND COALESCE(zone, '') = $4 \
         ORDER BY id LIMIT 1",
    )
    .bind(order.id)
    .bind(&order.product_code)
    .bind(order.account.target())
    .bind(order.account.zone().unwrap_or(""))
    .fetch_optional(&mut *conn)
    .await?;
    code.map(|c| OrderCode::parse(&c).ok_or_else(|| corrupt("order code", &c)))
        .transpose()
}

/// Inserts several new orders in one statement (a group commit's orders), returning them keyed
/// by nothing but their codes: the answer's row order is not guaranteed, so callers match by
/// code. Fails whole on any conflict (idempotency key, order code): the caller then writes the
/// orders one by one.
pub async fn insert_many(conn: &mut Conn, orders: &[NewOrder<'_>]) -> DbResult<Vec<Order>> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    // Columns as in `insert`: amount_paid 0; updated_at (bound last) = created_at.
    let rows = super::values_rows(
        orders.len(),
        1,
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
    );
    let sql = format!(
        "INSERT INTO orders (code, status, product_code, product_name, brand, kind, target, zone, \
         nickname, whatsapp, cost, price, fee, amount_due, amount_paid, idempotency_key, created_at, \
         expires_at, updated_at) VALUES {rows} RETURNING {COLUMNS}"
    );
    let mut query = sqlx::query(&sql);
    for o in orders {
        query = bind_new(query, o).bind(o.now);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

/// One timeline entry, for [`add_events`].
pub struct NewEvent<'a> {
    pub order_id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub kind: &'a str,
    pub detail: &'a str,
}

/// Several timeline entries in one statement.
pub async fn add_events(conn: &mut Conn, events: &[NewEvent<'_>]) -> DbResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = super::values_rows(events.len(), 1, "(?, ?, ?, ?, ?)");
    let sql = format!("INSERT INTO order_events (order_id, at, actor, kind, detail) VALUES {rows}");
    let mut query = sqlx::query(&sql);
    for e in events {
        query = query
            .bind(e.order_id)
            .bind(e.at)
            .bind(e.actor)
            .bind(e.kind)
            .bind(e.detail);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
