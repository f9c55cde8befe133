//! Finding out whether a placement whose answer was lost reached VIP: paging back through VIP's order list, adopting only an exact match, and handing the rest to the seller (never placing twice).

use super::*;

/// The `limit`s the supplier's latest orders are read with, one after another, while the list does
/// not yet reach back past the attempt. The last is the cap: the most orders VIP's sandbox lists
/// in one answer (500, `MAX_LIMIT` in the sandbox's VIP routes).
pub const LOOKBACK_LIMITS: [u32; 4] = [50, 100, 200, 500];

/// A trxid recorded at least this long before an attempt started is an anchor: older than the
/// attempt even if the clocks of the store's processes differ a little.
pub(super) const ANCHOR_MARGIN_MS: i64 = 60_000;

/// How soon an order held back by an older one of unknown outcome (same product and account)
/// looks again.
pub(super) const WAIT_FOR_OLDER_MS: i64 = 30_000;

/// What the supplier's list says about an attempt of unknown outcome.
pub(super) enum LookedBack {
    /// The attempt's purchase: adopt it.
    Found {
        found: SupplierOrder,
        detail: String,
    },
    /// The list provably covers the attempt and holds no purchase of it: place the order again.
    Absent { detail: String },
    /// The list cannot be shown to reach the attempt: the seller must look (never re-placed).
    Unresolved { detail: String, for_seller: String },
}

/// Reads the supplier's latest orders back past the attempt that started at `started` (see the
/// module documentation) and looks for its purchase there.
pub(super) async fn look_back(
    app: &App,
    order: &Order,
    started: i64,
) -> AppResult<Result<LookedBack, SupplierError>> {
    let anchor_before = started - ANCHOR_MARGIN_MS;
    let recorded_before = {
        let mut conn = app.db.write().await?;
        supplier_requests::recorded_before(&mut conn, order.kind, anchor_before).await?
    };
    let wanted = OrderedService {
        code: &order.product_code,
        brand: &order.brand,
        name: &order.product_name,
    };
    let cap = LOOKBACK_LIMITS[LOOKBACK_LIMITS.len() - 1];
    let mut asked = LOOKBACK_LIMITS[0];
    loop {
        let Some(vip) = app.suppliers.get(madd_domain::SupplierId::VipReseller) else {
            return Ok(Err(SupplierError::Unavailable {
                detail: "VIP Reseller is not configured".into(),
            }));
        };
        let listed = match vip.recent_orders(order.kind, asked).await {
            Ok(listed) => listed,
            Err(e) => return Ok(Err(e)),
        };
        let recorded = {
            let ids: Vec<&str> = listed.iter().map(|o| o.trxid.as_str()).collect();
            let mut conn = app.db.write().await?;
            supplier_requests::recorded_trxids(&mut conn, &ids).await?
        };
        // This account's purchase of this product, not yet taken by another order.
        let is_ours = |c: &SupplierOrder| {
            rules::same_account(
                order.account.target(),
                order.account.zone(),
                &c.target,
                c.zone.as_deref(),
            ) && wanted.matches(&c.service)
                && !recorded.contains_key(&c.trxid)
        };
        let first_anchor = listed
            .iter()
            .position(|o| matches!(recorded.get(&o.trxid), Some(Some(at)) if *at < anchor_before));
        let seen = format!("limit {asked}: {} listed", listed.len());
        match rules::lookback(listed.len(), asked, first_anchor, recorded_before, cap) {
            Lookback::Covered(n) => {
                return Ok(Ok(covered(order, &listed, n, first_anchor, &seen, is_ours)));
            }
            Lookback::Wider => match rules::next_limit(&LOOKBACK_LIMITS, asked) {
                Some(next) => {
                    log(
                        app,
                        order.id,
                        "reconcile",
                        "wider",
                        &format!(
                            "{seen}; no order recorded before the attempt among them; asking {next}"
                        ),
                    )
                    .await?;
                    asked = next;
                }
                None => break,
            },
            Lookback::Unresolved => {
                return Ok(Ok(unresolved(&listed, asked, &seen, is_ours)));
            }
        }
    }
    // The ladder ended below the cap (not with the constants above).
    Ok(Ok(LookedBack::Unresolved {
        detail: format!("limit {asked}: no larger limit to ask; not placing it again"),
        for_seller: "perlu dicek: daftar pesanan VIP tidak bisa dibaca cukup jauh; tidak akan \
                     dipesan ulang otomatis"
            .to_string(),
    }))
}

/// The list reaches back past the attempt within its first `n` orders: the attempt's purchase is
/// among them, or it was never made.
fn covered(
    order: &Order,
    listed: &[SupplierOrder],
    n: usize,
    first_anchor: Option<usize>,
    seen: &str,
    is_ours: impl Fn(&SupplierOrder) -> bool,
) -> LookedBack {
    let reach = match first_anchor {
        Some(i) => format!(
            "reached {} (recorded before the attempt) at position {}",
            listed[i].trxid,
            i + 1
        ),
        None => "the list ended: every order seen".to_string(),
    };
    // Oldest first: the first matching purchase after the attempt started.
    let ours = listed[..n].iter().rev().find(|c| is_ours(c));
    match ours {
        Some(found) => LookedBack::Found {
            detail: format!(
                "{seen}; {reach}; same account and service: {}",
                describe(found)
            ),
            found: found.clone(),
        },
        None => LookedBack::Absent {
            detail: format!(
                "{seen}; {reach}; none of the {n} newer orders is this account's \
                 {} ({}): not bought, placing it",
                order.product_name, order.product_code
            ),
        },
    }
}

/// The list cannot be shown to reach the attempt: the seller is told which listed orders could
/// be its purchase.
fn unresolved(
    listed: &[SupplierOrder],
    asked: u32,
    seen: &str,
    is_ours: impl Fn(&SupplierOrder) -> bool,
) -> LookedBack {
    let candidates: Vec<&str> = listed
        .iter()
        .filter(|c| is_ours(c))
        .map(|c| c.trxid.as_str())
        .collect();
    let why = if listed.len() < asked as usize {
        "the list ended without an order the store recorded before the attempt"
    } else {
        "the cap was reached without an order recorded before the attempt"
    };
    let detail = format!(
        "{seen}; {why}: cannot tell whether the attempt bought it; not placing it \
         again (candidates: {})",
        if candidates.is_empty() {
            "none".to_string()
        } else {
            candidates.join(", ")
        }
    );
    let for_seller = format!(
        "perlu dicek: {} pesanan terakhir di VIP belum mencapai waktu pemesanan ini{}; \
         tidak akan dipesan ulang otomatis",
        listed.len(),
        if candidates.is_empty() {
            String::new()
        } else {
            format!(", kemungkinan {}", candidates.join(", "))
        }
    );
    LookedBack::Unresolved { detail, for_seller }
}
