//! The deposit ledger of each supplier account and its reconciliation with the balance the
//! supplier reports.

use crate::app::App;
use crate::db::supplier_account;
use crate::error::{AppError, AppResult};
use crate::service::settings;
use madd_domain::{Rupiah, SupplierId};

/// The opening balance of the supplier account: a ledger entry, not a top-up (no fee, not in the
/// report's deposits).
pub const OPENING: &str = "opening";

/// A top-up of the supplier balance as the seller entered it.
#[derive(Copy, Clone, Debug)]
pub struct DepositInput<'a> {
    pub supplier: SupplierId,
    pub actor: &'a str,
    pub amount: Rupiah,
    pub method: &'a str,
    /// The real fee, when the seller typed it; otherwise the method's setting decides.
    pub fee: Option<Rupiah>,
    /// When the money left; `None` is now.
    pub at: Option<i64>,
    pub note: &'a str,
}

/// Records a top-up of the supplier balance; its fee follows the method's setting unless the
/// seller typed the real fee.
pub async fn record_deposit(app: &App, input: &DepositInput<'_>) -> AppResult<i64> {
    let &DepositInput {
        supplier,
        actor,
        amount,
        method,
        fee,
        at,
        note,
    } = input;
    if !amount.is_positive() {
        return Err(AppError::invalid(
            "invalid_amount",
            "Jumlah deposit harus lebih dari 0",
        ));
    }
    let known = method == OPENING || settings::DEPOSIT_METHODS.iter().any(|(m, _)| *m == method);
    if !known {
        return Err(AppError::invalid(
            "invalid_method",
            "Metode deposit tidak dikenal",
        ));
    }
    if fee.is_some_and(|f| f.is_negative()) {
        return Err(AppError::invalid(
            "invalid_fee",
            "Biaya tidak boleh negatif",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let fee = if method == OPENING {
        Rupiah::ZERO
    } else {
        match fee {
            Some(f) => f,
            None => settings::on(&mut tx, &app.config)
                .await?
                .deposit_fee(method)
                .of(amount),
        }
    };
    let deposit = supplier_account::NewDeposit {
        supplier,
        at: at.unwrap_or(now),
        amount,
        method,
        fee,
        note: note.trim(),
        actor,
    };
    let id = supplier_account::insert_deposit(&mut tx, &deposit, now).await?;
    tx.commit().await?;
    tracing::info!(%supplier, %amount, method, %fee, %actor, "deposit recorded");
    Ok(id)
}

/// Ledger vs VIP: `deposits − what the supplier kept for orders` should equal the balance VIP
/// reports (failed orders are given back by the supplier, so they are not charged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub deposits: Rupiah,
    pub charged: Rupiah,
    pub expected: Rupiah,
    pub reported: Option<(i64, Rupiah)>,
    /// `reported − expected`: positive means VIP holds more than the ledger explains.
    pub difference: Option<Rupiah>,
}

pub async fn reconcile_deposits(app: &App, supplier: SupplierId) -> AppResult<Reconciliation> {
    let mut conn = app.db.write().await?;
    let reported = supplier_account::last_known_balance(&mut conn, supplier).await?;
    let until = reported.map(|(at, _)| at + 1).unwrap_or(app.now_ms() + 1);
    let (deposits, charged) = supplier_account::ledger_totals(&mut conn, supplier, until).await?;
    let expected = deposits - charged;
    Ok(Reconciliation {
        deposits,
        charged,
        expected,
        difference: reported.map(|(_, b)| b - expected),
        reported,
    })
}
