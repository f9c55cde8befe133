//! Orders and their timeline. Every status change is a conditional `UPDATE … WHERE status = …`,
//! so two processes racing for the same move cannot both win: the loser sees zero rows changed.

use super::{Conn, DbError, DbResult, Tx};
use madd_domain::receipt::{Receipt, VoucherLine};
use madd_domain::{
    GameAccount, OrderCode, OrderStatus, PhoneNumber, Rupiah, ServiceKind, SupplierId,
    SupplierStatus, Tier,
};
use sqlx::any::AnyRow;
use sqlx::Row;

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
    /// What the item sold for: the list price less `discount`.
    pub price: Rupiah,
    /// What a voucher or a flash sale took off the buyer's tier price, and the voucher.
    pub discount: Rupiah,
    pub voucher: Option<String>,
    /// The rest of the price lines the confirmation card showed ([`Order::receipt`]): the guest
    /// price, what the voucher promised, the floor, the buyer's tier and whether a flash sale
    /// priced it. `None` on orders made before they were kept.
    pub list_price: Option<Rupiah>,
    pub voucher_worth: Option<Rupiah>,
    pub price_floor: Option<Rupiah>,
    pub tier: Tier,
    pub on_sale: bool,
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
    /// The supplier of the current (or last) attempt and the SKU it buys there; `None` until
    /// the first attempt is chosen.
    pub supplier: Option<SupplierId>,
    pub supplier_sku: Option<String>,
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
    /// What went back to the customer, once refunded.
    pub refund_amount: Option<Rupiah>,
    pub updated_at: i64,
}

impl Order {
    /// The domain's answer for this order (see `OrderStatus::can_process`).
    pub fn can_process(&self) -> bool {
        self.status
            .can_process(self.failure_retryable, self.supplier_trxid.is_some())
    }

    pub fn can_recheck(&self) -> bool {
        self.status.can_recheck(self.supplier_trxid.is_some())
    }

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
    nickname, whatsapp, cost, price, discount, voucher, list_price, voucher_worth, price_floor, tier, \
    flash_sale_id, fee, amount_due, amount_paid, created_at, expires_at, paid_at, \
    placement_started_at, placement_attempts, supplier, supplier_sku, supplier_trxid, supplier_status, supplier_note, \
    supplier_price, serial_number, delivered_at, failure_reason, failure_retryable, refund_method, \
    refund_note, refund_amount, updated_at";

pub(crate) fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("{what} '{value}'"))
}

fn from_row(row: &AnyRow) -> DbResult<Order> {
    let code: String = row.try_get("code")?;
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("kind")?;
    let whatsapp: String = row.try_get("whatsapp")?;
    let supplier_status: Option<String> = row.try_get("supplier_status")?;
    let money = |c: &str| -> DbResult<Rupiah> { Ok(Rupiah::new(row.try_get::<i64, _>(c)?)) };
    let maybe_money = |c: &str| -> DbResult<Option<Rupiah>> {
        Ok(row.try_get::<Option<i64>, _>(c)?.map(Rupiah::new))
    };
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
        discount: money("discount")?,
        voucher: row.try_get("voucher")?,
        list_price: maybe_money("list_price")?,
        voucher_worth: maybe_money("voucher_worth")?,
        price_floor: maybe_money("price_floor")?,
        tier: match row.try_get::<Option<String>, _>("tier")? {
            None => Tier::Guest,
            Some(t) => Tier::parse(&t).ok_or_else(|| corrupt("tier", &t))?,
        },
        on_sale: row.try_get::<Option<i64>, _>("flash_sale_id")?.is_some(),
        fee: money("fee")?,
        amount_due: money("amount_due")?,
        amount_paid: money("amount_paid")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        paid_at: row.try_get("paid_at")?,
        placement_started_at: row.try_get("placement_started_at")?,
        placement_attempts: row.try_get("placement_attempts")?,
        supplier: match row.try_get::<Option<String>, _>("supplier")? {
            None => None,
            Some(s) => Some(SupplierId::parse(&s).ok_or_else(|| corrupt("supplier", &s))?),
        },
        supplier_sku: row.try_get("supplier_sku")?,
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
        refund_amount: row
            .try_get::<Option<i64>, _>("refund_amount")?
            .map(Rupiah::new),
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

/// How the reseller API's orders' idempotency keys start (`h2h:{username}:{ref_id}`).
pub const RESELLER_API_KEY_PREFIX: &str = "h2h:";

/// Whether the reseller API made this order.
pub async fn made_by_reseller_api(conn: &mut Conn, id: i64) -> DbResult<bool> {
    let key: Option<Option<String>> =
        sqlx::query_scalar("SELECT idempotency_key FROM orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(key
        .flatten()
        .is_some_and(|k| k.starts_with(RESELLER_API_KEY_PREFIX)))
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

/// Paid orders neither delivered nor refunded, paid at or before `paid_before`: the watchdog's
/// (`alerted`: only those the seller has been alerted of, or only those not yet).
pub async fn overdue(
    conn: &mut Conn,
    paid_before: i64,
    alerted: bool,
    limit: i64,
) -> DbResult<Vec<Order>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM orders WHERE status IN ('paid', 'processing') AND paid_at <= $1 \
         AND (watchdog_alerted_at IS NOT NULL) = ($2 = 1) ORDER BY paid_at LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(paid_before)
        .bind(super::flag(alerted))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
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
        super::backend_of(conn),
        orders.len(),
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

/// An order's price lines beyond its price and fee, as its quote decided them.
pub struct PriceLines<'a> {
    pub list: Rupiah,
    pub tier: Tier,
    pub discount: Rupiah,
    pub voucher: Option<&'a str>,
    pub voucher_worth: Rupiah,
    pub floor: Rupiah,
}

/// Records the price lines the confirmation card showed (in the order's transaction, right
/// after insert), so the invoice and its messages read the same ones.
pub async fn set_price_lines(tx: &mut Tx, id: i64, p: &PriceLines<'_>) -> DbResult<Order> {
    tx.order_changed(id);
    let sql = format!(
        "UPDATE orders SET list_price = $1, tier = $2, discount = $3, voucher = $4, \
         voucher_worth = $5, price_floor = $6 WHERE id = $7 RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(p.list.amount())
        .bind((p.tier != Tier::Guest).then_some(p.tier.as_str()))
        .bind(p.discount.amount())
        .bind(p.voucher)
        .bind(p.voucher.map(|_| p.voucher_worth.amount()))
        .bind(p.floor.amount())
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    from_row(&row)
}

impl Order {
    /// The order's price, line by line, as its confirmation card showed it.
    pub fn receipt(&self) -> Receipt {
        let tier_price = self.price + self.discount;
        Receipt {
            list: self.list_price.unwrap_or(tier_price),
            tier: self.tier,
            tier_price,
            sale: self.on_sale.then_some(self.price),
            voucher: self.voucher.as_ref().filter(|_| self.discount.is_positive()).map(|code| VoucherLine {
                code: code.clone(),
                off: self.discount,
                worth: self.voucher_worth.unwrap_or(self.discount),
            }),
            fee: self.fee,
            total: self.amount_due,
            floor: self.price_floor.unwrap_or(Rupiah::ZERO),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An unpaid pulsa order with this id and code, for tests of code that only holds orders.
    pub(crate) fn order_with(id: i64, code: &str) -> Order {
        Order {
            id,
            code: OrderCode::parse(code).expect("a valid order code"),
            status: OrderStatus::AwaitingPayment,
            product_code: "S5".into(),
            product_name: "Pulsa 5.000".into(),
            brand: "Telkomsel".into(),
            kind: ServiceKind::Prepaid,
            account: GameAccount::from_trusted("081299999999".into(), None),
            nickname: None,
            whatsapp: PhoneNumber::parse("081399999999").expect("a valid number"),
            cost: Rupiah::new(5_100),
            price: Rupiah::new(5_500),
            discount: Rupiah::ZERO,
            voucher: None,
            list_price: None,
            voucher_worth: None,
            price_floor: None,
            tier: Tier::Guest,
            on_sale: false,
            fee: Rupiah::ZERO,
            amount_due: Rupiah::new(5_500),
            amount_paid: Rupiah::ZERO,
            created_at: 0,
            expires_at: 3_600_000,
            paid_at: None,
            placement_started_at: None,
            placement_attempts: 0,
            supplier: None,
            supplier_sku: None,
            supplier_trxid: None,
            supplier_status: None,
            supplier_note: None,
            supplier_price: None,
            serial_number: None,
            delivered_at: None,
            failure_reason: None,
            failure_retryable: false,
            refund_method: None,
            refund_note: None,
            refund_amount: None,
            updated_at: 0,
        }
    }
}
