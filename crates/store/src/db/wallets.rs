//! Customer saldo: one wallet per WhatsApp number, an append-only ledger beside it. Every change
//! writes its entry and moves the balance in the caller's transaction; a debit moves the balance
//! only if it stays at or above zero (a guarded UPDATE, so racing spends cannot overdraw on either
//! database), and an order gets at most one refund and one spend (a unique index).

use madd_domain::{PhoneNumber, Rupiah};
use sqlx::Row;

use super::stored::stored_enum;
use super::{Conn, DbResult};

stored_enum! {
    /// Why saldo moved.
    pub enum EntryKind {
        /// A paid order that failed, refunded to saldo (once per order).
        Refund = "refund",
        /// An order paid (fully or partly) from saldo (once per order).
        Spend = "spend",
        /// The seller's own credit or debit, with a note.
        Manual = "manual",
        /// An overpayment given back to saldo.
        Overpayment = "overpayment",
        /// A payment for an order that had expired (and could not be taken up again).
        LatePayment = "late_payment",
        /// Paid out to the customer's e-wallet or bank account by the seller.
        CashOut = "cash_out",
        /// A payment that matched no order, put into saldo by the seller (`note`: `bayar #<id>`).
        Payment = "payment",
        /// A top-up the customer paid (`note`: `bayar #<payment id>`).
        TopUp = "topup",
    }
}

impl EntryKind {
    /// What the customer reads.
    pub fn label_id(self) -> &'static str {
        match self {
            EntryKind::Refund => "Refund pesanan gagal",
            EntryKind::Spend => "Bayar pesanan",
            EntryKind::Manual => "Dari penjual",
            EntryKind::Overpayment => "Kelebihan bayar",
            EntryKind::LatePayment => "Bayar setelah kedaluwarsa",
            EntryKind::CashOut => "Ditarik",
            EntryKind::Payment => "Pembayaran masuk saldo",
            EntryKind::TopUp => "Isi saldo",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    /// Positive: credit; negative: debit.
    pub amount: Rupiah,
    pub kind: EntryKind,
    pub order_id: Option<i64>,
    pub note: String,
    pub created_at: i64,
}

/// One movement of saldo.
pub struct Movement<'a> {
    pub owner: &'a PhoneNumber,
    /// Positive for a credit, negative for a debit; never zero.
    pub amount: Rupiah,
    pub kind: EntryKind,
    pub order_id: Option<i64>,
    pub note: &'a str,
    pub actor: &'a str,
}

/// What became of a movement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moved {
    /// Done; the new balance.
    Done(Rupiah),
    /// This order already had its entry of this kind: nothing moved.
    AlreadyDone,
    /// A debit larger than the balance: nothing may be kept of the caller's transaction.
    Insufficient(Rupiah),
}

/// Writes the entry and moves the balance, in the caller's transaction.
pub async fn apply(conn: &mut Conn, m: &Movement<'_>, now: i64) -> DbResult<Moved> {
    debug_assert!(m.amount != Rupiah::ZERO);
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO wallet_entries (whatsapp, amount, kind, order_id, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(m.owner.as_str())
    .bind(m.amount.amount())
    .bind(m.kind.as_str())
    .bind(m.order_id)
    .bind(m.note)
    .bind(m.actor)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok(Moved::AlreadyDone);
    }
    if m.amount.is_positive() {
        let balance: i64 = sqlx::query_scalar(
            "INSERT INTO wallets (whatsapp, balance, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (whatsapp) DO UPDATE SET balance = wallets.balance + excluded.balance, \
             updated_at = excluded.updated_at RETURNING balance",
        )
        .bind(m.owner.as_str())
        .bind(m.amount.amount())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        return Ok(Moved::Done(Rupiah::new(balance)));
    }
    let take = -m.amount.amount();
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE wallets SET balance = balance - $1, updated_at = $2 \
         WHERE whatsapp = $3 AND balance >= $1 RETURNING balance",
    )
    .bind(take)
    .bind(now)
    .bind(m.owner.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match balance {
        Some(b) => Ok(Moved::Done(Rupiah::new(b))),
        None => Ok(Moved::Insufficient(balance_of(conn, m.owner).await?)),
    }
}

pub async fn balance_of(conn: &mut Conn, owner: &PhoneNumber) -> DbResult<Rupiah> {
    let balance: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM wallets WHERE whatsapp = $1")
            .bind(owner.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(Rupiah::new(balance.unwrap_or(0)))
}

/// The newest `limit` entries of a wallet, newest first.
pub async fn entries(conn: &mut Conn, owner: &PhoneNumber, limit: i64) -> DbResult<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT id, amount, kind, order_id, note, created_at FROM wallet_entries \
         WHERE whatsapp = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(owner.as_str())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                id: r.try_get("id")?,
                amount: Rupiah::new(r.try_get("amount")?),
                kind: EntryKind::decode(&r.try_get::<String, _>("kind")?)?,
                order_id: r.try_get("order_id")?,
                note: r.try_get("note")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The saldo an order was refunded or paid with (`kind`), if any.
pub async fn of_order(conn: &mut Conn, order_id: i64, kind: EntryKind) -> DbResult<Option<Rupiah>> {
    let amount: Option<i64> =
        sqlx::query_scalar("SELECT amount FROM wallet_entries WHERE order_id = $1 AND kind = $2")
            .bind(order_id)
            .bind(kind.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(amount.map(|a| Rupiah::new(a.abs())))
}

/// Wallets whose balance is not the sum of their entries (should never be any), and the total
/// saldo the store owes its customers.
pub async fn audit(conn: &mut Conn) -> DbResult<(Vec<(String, i64, i64)>, Rupiah)> {
    let rows = sqlx::query(
        "SELECT w.whatsapp AS whatsapp, w.balance AS balance, \
         CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS total \
         FROM wallets w LEFT JOIN wallet_entries e ON e.whatsapp = w.whatsapp \
         GROUP BY w.whatsapp, w.balance",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut wrong = Vec::new();
    let mut owed = 0i64;
    for r in &rows {
        let (who, balance, total): (String, i64, i64) = (
            r.try_get("whatsapp")?,
            r.try_get("balance")?,
            r.try_get("total")?,
        );
        owed += balance;
        if balance != total {
            wrong.push((who, balance, total));
        }
    }
    Ok((wrong, Rupiah::new(owed)))
}

/// Saldo over `[from, until)`: what was held before, what came in, what went out.
pub async fn movements(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<(Rupiah, Rupiah, Rupiah)> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN created_at < $1 THEN amount ELSE 0 END), 0) AS BIGINT) AS opening, \
         CAST(COALESCE(SUM(CASE WHEN created_at >= $1 AND created_at < $2 AND amount > 0 THEN amount ELSE 0 END), 0) AS BIGINT) AS credits, \
         CAST(COALESCE(SUM(CASE WHEN created_at >= $1 AND created_at < $2 AND amount < 0 THEN -amount ELSE 0 END), 0) AS BIGINT) AS debits \
         FROM wallet_entries",
    )
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?;
    Ok((
        Rupiah::new(row.try_get("opening")?),
        Rupiah::new(row.try_get("credits")?),
        Rupiah::new(row.try_get("debits")?),
    ))
}

/// Trakteer's cut on payments credited to saldo in `[from, until)`, with when they were credited.
pub async fn credit_fees(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<Vec<madd_domain::report::CreditFee>> {
    let rows = sqlx::query(
        "SELECT e.created_at AS at, CAST(COALESCE(p.gross - p.net, 0) AS BIGINT) AS fee \
         FROM wallet_entries e JOIN payments p ON e.note = 'bayar #' || CAST(p.id AS TEXT) \
         WHERE e.kind IN ('payment', 'topup') AND e.created_at >= $1 AND e.created_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(madd_domain::report::CreditFee {
                at: r.try_get("at")?,
                fee: Rupiah::new(r.try_get("fee")?),
            })
        })
        .collect()
}
