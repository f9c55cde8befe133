//! Postpaid bills (PLN Pascabayar). The customer sees the name, the bill, the admin fee and the
//! total before paying. Like nickname lookups, the request handler never asks the supplier: it
//! queues an inquiry job and waits briefly for the worker's answer.
//!
//! Pricing: the order's `cost` is the inquired total (bill + PLN admin, what the supplier charges
//! on `pay-pasca`); its price is quoted like every product's (`service::quote`): the total plus the
//! store's minimum markup, never below the floor that covers the payment cut. An order uses an
//! answer at most [`FRESH_MS`] old, so the amount paid is the amount shown.

use std::time::Duration;

use crate::app::App;
use crate::db::postpaid::Bill;
use crate::db::postpaid::InquiryState;
use crate::db::products::Product;
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{JobKind, Outcome};
use crate::service::lookup;
use crate::supplier::SupplierError;

/// The error code of an inquiry still waiting for the supplier's answer.
pub const PENDING: &str = "inquiry_pending";

/// An inquiry answer is reused (and an order may be made from it) for this long.
pub const FRESH_MS: i64 = 10 * 60 * 1000;

/// The bill of `customer_no` for a postpaid product, asked through the job queue.
pub async fn inquire(
    app: &App,
    product: &Product,
    customer_no: &str,
    wait: Duration,
) -> AppResult<Bill> {
    let now = app.now_ms();
    let id = lookup::ask(app, JobKind::PostpaidInquiry, "inquiry", async |tx| {
        crate::db::postpaid::request_inquiry(tx, &product.code, customer_no, now, now - FRESH_MS)
            .await
    })
    .await?;
    let state = lookup::await_answer(app, wait, || async {
        let mut conn = app.db.read().await?;
        Ok(crate::db::postpaid::inquiry(&mut conn, id)
            .await?
            .map(|i| i.state)
            .filter(|s| *s != InquiryState::Pending))
    })
    .await?;
    match state {
        Some(InquiryState::Found(bill)) => Ok(bill),
        Some(InquiryState::NotFound(message)) => {
            // The supplier's own words ("Tagihan tidak ditemukan.") are for the log.
            tracing::info!(%message, "no postpaid bill");
            let what = "Tagihan untuk nomor ini (mungkin sudah dibayar)".to_string();
            Err(AppError::not_found("bill_not_found", what))
        }
        Some(InquiryState::Failed(_)) => Err(unavailable()),
        // Not answered within `wait`: the caller may look again (the chat does, without waiting).
        Some(InquiryState::Pending) | None => Err(AppError::Unavailable {
            code: PENDING,
            message: "Tagihan sedang dicek. Tunggu sebentar ya.".into(),
        }),
    }
}

fn unavailable() -> AppError {
    AppError::Unavailable {
        code: "inquiry_unavailable",
        message: "Cek tagihan sedang tidak bisa dilakukan. Coba lagi sebentar lagi.".into(),
    }
}

/// The inquiry job.
pub async fn perform(app: &App, id: i64) -> AppResult<Outcome> {
    let inquiry = {
        let mut conn = app.db.write().await?;
        crate::db::postpaid::inquiry(&mut conn, id).await?
    };
    let Some(inquiry) = inquiry else {
        return Ok(Outcome::Done);
    };
    if inquiry.state != InquiryState::Pending {
        return Ok(Outcome::Done);
    }
    let state = match app
        .suppliers
        .primary()
        .postpaid_inquiry(&inquiry.product_code, &inquiry.customer_no)
        .await
    {
        Ok(b) if b.total.is_positive() => InquiryState::Found(Bill {
            customer_name: b.customer_name,
            bill: b.bill,
            admin: b.admin,
            total: b.total,
        }),
        Ok(_) => InquiryState::NotFound("tidak ada tagihan".into()),
        // VIP answers "no bill" as a refusal: that is an answer about the number.
        Err(SupplierError::Rejected { message }) => InquiryState::NotFound(message),
        Err(SupplierError::Unavailable { detail }) => InquiryState::Failed(detail),
    };
    let mut conn = app.db.write().await?;
    crate::db::postpaid::resolve_inquiry(&mut conn, id, &state, app.now_ms()).await?;
    drop(conn);
    crate::service::lookup::answered(app).await?;
    Ok(Outcome::Done)
}

pub async fn give_up(app: &App, id: i64, error: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    crate::db::postpaid::resolve_inquiry(
        &mut conn,
        id,
        &InquiryState::Failed(error.into()),
        app.now_ms(),
    )
    .await?;
    drop(conn);
    crate::service::lookup::answered(app).await?;
    Ok(())
}
