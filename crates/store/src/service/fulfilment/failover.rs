//! Which offer an order is bought from: the first one when it starts, and the next one after a
//! definite failure (rules in `madd_domain::offer`). Every choice is on the order's timeline.

use madd_domain::offer::{self, Skipped};
use madd_domain::Offer;

use super::*;
use crate::db::offers;

/// The product's offers, the suppliers' state and the offers this order already failed with.
async fn situation(
    tx: &mut Tx,
    order: &Order,
) -> AppResult<(Vec<Offer>, Vec<SupplierId>, Vec<(SupplierId, String)>)> {
    let mut listed: Vec<Offer> = offers::for_product(tx, &order.product_code)
        .await?
        .iter()
        .map(offers::OfferRow::offer)
        .collect();
    if listed.is_empty() {
        // A product from before offers were recorded: VIP under the product's own code.
        listed.push(Offer {
            supplier: SupplierId::VipReseller,
            sku: order.product_code.clone(),
            cost: order.cost,
            available: true,
            rank: None,
        });
    }
    let paused = offers::paused(tx).await?;
    let tried = supplier_attempts::for_order(tx, order.id)
        .await?
        .into_iter()
        .filter(|a| a.state == madd_domain::attempt::AttemptState::Failed)
        .map(|a| (a.supplier, a.sku))
        .collect();
    Ok((listed, paused, tried))
}

fn skipped_text(skipped: &[(&Offer, Skipped)]) -> String {
    skipped
        .iter()
        .filter_map(|(o, why)| match why {
            Skipped::Tried => None,
            Skipped::AtALoss { cost, price } => Some(format!(
                "{} {} dilewati: modal {cost} di atas harga jual {price}",
                o.supplier.label(),
                o.sku
            )),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Chooses the first offer for an order about to be placed. `None`: no offer can deliver it
/// now (all unavailable, paused, or at a loss); the order has failed, retryable.
pub(super) async fn choose_first(app: &App, order: &Order) -> AppResult<Option<Order>> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (listed, paused, tried) = situation(&mut tx, order).await?;
    let configured = app.suppliers.ids();
    let suppliers = offer::Suppliers {
        configured: &configured,
        paused: &paused,
    };
    let (next, skipped) = offer::next_offer(&listed, &suppliers, &tried, list_price(order));
    let Some(next) = next else {
        let mut reason = "tidak ada supplier yang bisa memproses produk ini sekarang".to_string();
        let skipped = skipped_text(&skipped);
        if !skipped.is_empty() {
            reason = format!("{reason} ({skipped})");
        }
        if order_status::mark_failed(&mut tx, order.id, &reason, true, now).await? {
            fail_notices(app, &mut tx, order, &reason, true, now).await?;
        }
        tx.commit().await?;
        app.wake_workers();
        return Ok(None);
    };
    if order_status::choose_offer(&mut tx, order.id, next.supplier, &next.sku, now).await? {
        supplier_requests::log_supplier_request(
            &mut tx,
            Some(order.id),
            now,
            "offer",
            "chosen",
            &format!(
                "{} {} (modal {}){}",
                next.supplier.label(),
                next.sku,
                next.cost,
                match skipped_text(&skipped) {
                    s if s.is_empty() => String::new(),
                    s => format!("; {s}"),
                }
            ),
        )
        .await?;
    }
    let chosen = orders::by_id(&mut tx, order.id).await?;
    tx.commit().await?;
    Ok(chosen)
}

/// The order's current attempt definitely failed (nothing bought, or a final error): on to the
/// next offer, or — when none is left, or the destination itself is wrong — the order fails
/// (then the refund rule applies). Runs in the caller's transaction; idempotent per attempt.
pub(super) async fn failover_or_fail(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    reason: &str,
    retryable: bool,
    customer_error: bool,
    now: i64,
) -> AppResult<()> {
    let from = current_supplier(order);
    let attempt = order.placement_attempts;
    if !customer_error {
        let (listed, paused, tried) = situation(tx, order).await?;
        let configured = app.suppliers.ids();
        let suppliers = offer::Suppliers {
            configured: &configured,
            paused: &paused,
        };
        let (next, skipped) = offer::next_offer(&listed, &suppliers, &tried, list_price(order));
        if let Some(next) = next {
            let from_sku = place_request(order).service;
            if order_status::fail_over(
                tx,
                order.id,
                attempt,
                (from, &from_sku),
                (next.supplier, &next.sku),
                now,
            )
            .await?
            {
                let skipped = skipped_text(&skipped);
                order_events::add_event(
                    tx,
                    order.id,
                    now,
                    "supplier",
                    "failover",
                    &format!(
                        "Gagal di {} ({reason}); dicoba di {} ({}){}",
                        from.label(),
                        next.supplier.label(),
                        next.sku,
                        if skipped.is_empty() {
                            String::new()
                        } else {
                            format!("; {skipped}")
                        }
                    ),
                )
                .await?;
                supplier_requests::log_supplier_request(
                    tx,
                    Some(order.id),
                    now,
                    "failover",
                    "next_offer",
                    &format!(
                        "attempt {attempt} at {} failed definitely ({reason}); next: {} {} (cost {})",
                        from.label(),
                        next.supplier.label(),
                        next.sku,
                        next.cost
                    ),
                )
                .await?;
                jobs::schedule(
                    tx,
                    JobKind::PlaceOrder,
                    order.id,
                    now,
                    now,
                    Some(&format!("place:{}:{}", order.id, attempt + 1)),
                )
                .await?;
                tracing::info!(order = %order.code, %from, to = %next.supplier, "failing over to the next offer");
            }
            return Ok(());
        }
    }
    order_status::clear_placement(tx, order.id, now).await?;
    if order_status::mark_failed(tx, order.id, reason, retryable, now).await? {
        fail_notices(app, tx, order, reason, retryable, now).await?;
    }
    Ok(())
}

/// What the order's item sold for before any voucher: the ceiling an offer's cost is held to.
/// (A voucher the seller let go below cost is the seller's choice, not a reason to refuse the
/// offer the price was made from.)
fn list_price(order: &Order) -> madd_domain::Rupiah {
    order.price + order.discount
}
