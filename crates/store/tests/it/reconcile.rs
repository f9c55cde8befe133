//! Reconciling supplier orders of unknown outcome (issue 8; vip-reseller.md §5; DESIGN.md
//! invariants 2 and 9), each on SQLite and PostgreSQL: VIP's status list is read back past the
//! attempt, only an exact match (same account, same service word for word) is adopted, an older
//! order of unknown outcome holds back a younger one for the same account and product, and an
//! attempt the list cannot reach goes to the seller instead of being bought again.

use std::collections::{BTreeMap, HashSet};

use crate::common::{TestStore, SELLER};
use madd_domain::{OrderStatus, ServiceKind};
use madd_sandbox::vip::Fault;
use maddstore::db::order_events;
use maddstore::db::order_status;
use maddstore::db::orders::Order;
use maddstore::db::supplier_requests;
use maddstore::supplier::PlaceOrder;
use supplier_requests::SupplierRequest;

const ZONE: &str = "2345";
/// A named sandbox account (nickname `Itacimo`); ending in 0, its orders succeed.
const ACCOUNT: &str = "123456780";
const ML5: &str = "ML5-S1";
const ML86: &str = "ML86-S1";
/// "2195 Diamonds (…)": the old substring test took it for "5 Diamonds".
const ML2195: &str = "ML2195-S1";

/// Sixty orders are made through the API from one address: no per-client limit.
fn unlimited(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
}

/// Makes and pays an order; returns its code.
async fn paid_order(s: &TestStore, product: &str, target: &str) -> String {
    let order = s.order(product, target, Some(ZONE)).await;
    let code = order["code"].as_str().unwrap().to_string();
    s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
        .await;
    assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);
    code
}

/// The seller's "process", and whatever it sets off now.
async fn process(s: &TestStore, code: &str) {
    maddstore::service::fulfilment::process(s.app(), code, "test")
        .await
        .unwrap();
    s.settle().await;
}

/// Buys on the sandbox directly, as the seller on VIP's own site (or another system) would: a
/// supplier order the store never recorded.
async fn buy_directly(s: &TestStore, service: &str, target: &str) -> String {
    s.app()
        .suppliers
        .primary()
        .place_order(&PlaceOrder {
            reference: "MS-OUTSIDE-1".into(),
            kind: ServiceKind::Game,
            service: service.into(),
            target: target.into(),
            zone: Some(ZONE.into()),
        })
        .await
        .unwrap()
        .trxid
}

async fn supplier_log(s: &TestStore, order: &Order) -> Vec<SupplierRequest> {
    let mut conn = s.app().db.write().await.unwrap();
    supplier_requests::supplier_requests(&mut conn, order.id)
        .await
        .unwrap()
}

fn has(log: &[SupplierRequest], action: &str, outcome: &str) -> bool {
    log.iter()
        .any(|r| r.action == action && r.outcome == outcome)
}

/// The order was delivered with the sandbox purchase it recorded, and that purchase is exactly
/// what the order asked for: same service, account, serial number and cost.
async fn assert_delivered_own_purchase(s: &TestStore, code: &str) -> String {
    let row = s.order_row(code).await;
    assert_eq!(row.status, OrderStatus::Delivered, "{row:?}");
    let trxid = row.supplier_trxid.clone().expect("trxid recorded");
    let sim = s.sandbox().vip.order(&trxid).expect("a sandbox order");
    assert_eq!(sim.service, row.product_code, "{code} adopted {sim:?}");
    assert_eq!(sim.target, row.account.target());
    assert_eq!(sim.zone.as_deref(), row.account.zone());
    assert_eq!(sim.status, "success");
    assert_eq!(row.serial_number.as_deref(), Some(sim.note.as_str()));
    assert_eq!(row.supplier_price.map(|p| p.amount()), Some(sim.price));
    trxid
}

both_backends!(
    sixty_lost_answers_make_sixty_supplier_orders,
    unlimited,
    |s: TestStore| async move {
        let mut codes = Vec::new();
        for i in 0..60 {
            // Distinct accounts, all ending in 0: every sandbox order succeeds.
            codes.push(paid_order(&s, ML5, &format!("1{i:07}0")).await);
        }
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        for code in &codes {
            process(&s, code).await;
        }
        assert_eq!(s.sandbox().vip.orders().len(), 60, "every attempt bought");
        for code in &codes {
            let row = s.order_row(code).await;
            assert_eq!(row.status, OrderStatus::Processing);
            assert!(row.supplier_trxid.is_none() && row.placement_started_at.is_some());
        }

        s.sandbox().vip.clear_fault();
        s.advance(time::Duration::minutes(1)).await;
        s.advance(time::Duration::minutes(1)).await;

        assert_eq!(s.sandbox().vip.orders().len(), 60, "nothing bought twice");
        assert_eq!(s.sandbox().vip.order_requests(), 60);
        let mut trxids = HashSet::new();
        for code in &codes {
            let trxid = assert_delivered_own_purchase(&s, code).await;
            assert!(trxids.insert(trxid), "a purchase adopted twice");
        }
        // The oldest purchase is not among VIP's latest 50: its order had to look further back.
        let first = s.order_row(&codes[0]).await;
        let log = supplier_log(&s, &first).await;
        assert!(has(&log, "reconcile", "wider"), "{log:?}");
        assert!(has(&log, "reconcile", "found"), "{log:?}");
        assert!(!has(&log, "reconcile", "not_found"), "{log:?}");
        s
    }
);

both_backends!(
    one_account_two_products_each_adopts_its_own_purchase,
    |s: TestStore| async move {
        let small = paid_order(&s, ML5, ACCOUNT).await;
        let big = paid_order(&s, ML2195, ACCOUNT).await;
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        process(&s, &small).await;
        // The second answer is lost a little later, so the small order looks first and sees the
        // big purchase, newer than its own, at the top of VIP's list.
        s.advance(time::Duration::seconds(1)).await;
        process(&s, &big).await;
        assert_eq!(s.sandbox().vip.orders().len(), 2);
        s.sandbox().vip.clear_fault();
        s.advance(time::Duration::milliseconds(4_500)).await;
        s.advance(time::Duration::minutes(1)).await;

        assert_eq!(s.sandbox().vip.orders().len(), 2, "nothing bought twice");
        assert_eq!(s.sandbox().vip.order_requests(), 2);
        let a = assert_delivered_own_purchase(&s, &small).await;
        let b = assert_delivered_own_purchase(&s, &big).await;
        assert_ne!(a, b);
        for code in [&small, &big] {
            let log = supplier_log(&s, &s.order_row(code).await).await;
            assert!(has(&log, "reconcile", "found"), "{log:?}");
        }
        s
    }
);

both_backends!(
    one_account_one_product_twice_is_bought_twice_not_more,
    |s: TestStore| async move {
        let first = paid_order(&s, ML86, ACCOUNT).await;
        let second = paid_order(&s, ML86, ACCOUNT).await;
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        process(&s, &first).await;
        process(&s, &second).await;
        // The first order's purchase is unknown: the second one waits instead of buying, so the
        // first one's lost purchase cannot be taken for it.
        assert_eq!(s.sandbox().vip.orders().len(), 1, "the second order waits");
        let waiting = s.order_row(&second).await;
        assert_eq!(waiting.status, OrderStatus::Processing);
        assert!(waiting.placement_started_at.is_none());
        assert!(has(&supplier_log(&s, &waiting).await, "place", "waiting"));

        // Still dropping answers: the first is reconciled, then the second is placed and its
        // answer is lost too.
        for _ in 0..5 {
            s.advance(time::Duration::minutes(1)).await;
            if s.sandbox().vip.orders().len() == 2 {
                break;
            }
        }
        assert_eq!(s.sandbox().vip.orders().len(), 2);
        assert!(s.order_row(&second).await.supplier_trxid.is_none());
        s.sandbox().vip.clear_fault();
        s.advance(time::Duration::minutes(1)).await;
        s.advance(time::Duration::minutes(1)).await;

        let sim = s.sandbox().vip.orders();
        assert_eq!(sim.len(), 2, "no re-buy");
        assert_eq!(s.sandbox().vip.order_requests(), 2);
        assert_eq!(
            assert_delivered_own_purchase(&s, &first).await,
            sim[0].trxid
        );
        assert_eq!(
            assert_delivered_own_purchase(&s, &second).await,
            sim[1].trxid
        );
        s
    }
);

both_backends!(
    an_attempt_the_list_cannot_reach_goes_to_the_seller,
    |s: TestStore| async move {
        let code = paid_order(&s, ML5, ACCOUNT).await;
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        process(&s, &code).await;
        s.sandbox().vip.clear_fault();
        // 500 newer orders (the most one status answer lists) push the lost purchase out of
        // every list the store can ask for. Callbacks off: nobody needs them here.
        s.sandbox().vip.set_callback_url(None);
        for i in 0..maddstore::service::fulfilment::LOOKBACK_LIMITS[3] {
            buy_directly(&s, ML5, &format!("2{i:07}0")).await;
        }
        assert_eq!(s.sandbox().vip.order_requests(), 501);
        let before = s.inbox(SELLER).len();

        s.advance(time::Duration::minutes(1)).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Processing);
        assert!(row.supplier_trxid.is_none());
        let log = supplier_log(&s, &row).await;
        assert!(has(&log, "reconcile", "unresolved"), "{log:?}");
        assert!(!has(&log, "reconcile", "not_found"), "{log:?}");
        let events = {
            let mut conn = s.app().db.write().await.unwrap();
            order_events::events(&mut conn, row.id).await.unwrap()
        };
        assert!(
            events
                .iter()
                .any(|e| e.kind == "stuck" && e.detail.contains("Perlu dicek")),
            "{events:?}"
        );
        let seller = s.inbox(SELLER);
        assert!(
            seller[before..]
                .iter()
                .any(|m| m.body.contains(&code) && m.body.contains("perlu dicek")),
            "{seller:?}"
        );

        // Never placed again, however long it waits.
        for _ in 0..4 {
            s.advance(time::Duration::hours(12)).await;
        }
        assert_eq!(s.sandbox().vip.order_requests(), 501);
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Processing);
        assert!(row.supplier_trxid.is_none());
        s
    }
);

both_backends!(
    another_products_purchase_is_never_adopted,
    |s: TestStore| async move {
        let small = paid_order(&s, ML5, ACCOUNT).await;
        let big = paid_order(&s, ML86, ACCOUNT).await;
        // The ML86 order is bought, its answer lost.
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        process(&s, &big).await;
        s.sandbox().vip.clear_fault();
        let bought = s.sandbox().vip.orders();
        assert_eq!(bought.len(), 1);

        // The ML5 order's attempt was cut off before it reached VIP (a killed process): marked
        // started, nothing bought, the placement job still queued.
        let row = s.order_row(&small).await;
        {
            let now = s.app().now_ms();
            let mut tx = s.app().db.begin().await.unwrap();
            assert!(
                order_status::claim_for_processing(&mut tx, row.id, false, now)
                    .await
                    .unwrap()
            );
            assert!(
                order_status::mark_placement_started(&mut tx, row.id, 0, now)
                    .await
                    .unwrap()
            );
            maddstore::jobs::queue::schedule(
                &mut tx,
                maddstore::jobs::queue::JobKind::PlaceOrder,
                row.id,
                now,
                now,
                None,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        s.settle().await;
        // The only purchase for this account is another product's: not ours, so the ML5 order
        // is bought now.
        assert_delivered_own_purchase(&s, &small).await;
        let log = supplier_log(&s, &row).await;
        assert!(has(&log, "reconcile", "not_found"), "{log:?}");
        assert!(!has(&log, "reconcile", "found"), "{log:?}");

        // And the ML86 order finds its own purchase, not a new one.
        s.advance(time::Duration::minutes(1)).await;
        assert_eq!(
            assert_delivered_own_purchase(&s, &big).await,
            bought[0].trxid
        );
        let sim = s.sandbox().vip.orders();
        assert_eq!(sim.len(), 2);
        let services: Vec<&str> = sim.iter().map(|o| o.service.as_str()).collect();
        assert_eq!(services, [ML86, ML5]);
        s
    }
);

both_backends!(
    a_purchase_older_than_the_attempt_is_not_taken_for_it,
    |s: TestStore| async move {
        // Long ago, someone bought this account's ML5 on VIP directly (the store never recorded
        // it); then the store delivered an order of its own, whose trxid it recorded.
        let old = buy_directly(&s, ML5, ACCOUNT).await;
        let earlier = paid_order(&s, ML86, "100000010").await;
        process(&s, &earlier).await;
        let anchor = assert_delivered_own_purchase(&s, &earlier).await;
        s.advance(time::Duration::minutes(2)).await;

        // Now an ML5 order for that account is cut off before it reaches VIP.
        let code = paid_order(&s, ML5, ACCOUNT).await;
        let row = s.order_row(&code).await;
        {
            let now = s.app().now_ms();
            let mut tx = s.app().db.begin().await.unwrap();
            assert!(
                order_status::claim_for_processing(&mut tx, row.id, false, now)
                    .await
                    .unwrap()
            );
            assert!(
                order_status::mark_placement_started(&mut tx, row.id, 0, now)
                    .await
                    .unwrap()
            );
            maddstore::jobs::queue::schedule(
                &mut tx,
                maddstore::jobs::queue::JobKind::PlaceOrder,
                row.id,
                now,
                now,
                None,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        s.settle().await;

        // The recorded trxid is older than the attempt, and so is everything listed after it:
        // the old purchase cannot be this attempt's. Nothing newer matches, so it is bought.
        let log = supplier_log(&s, &row).await;
        let decision = log
            .iter()
            .find(|r| r.action == "reconcile")
            .expect("a reconcile entry");
        assert_eq!(decision.outcome, "not_found", "{log:?}");
        assert!(decision.detail.contains(&anchor), "{}", decision.detail);
        let trxid = assert_delivered_own_purchase(&s, &code).await;
        assert_ne!(trxid, old);
        assert_eq!(s.sandbox().vip.orders().len(), 3);
        s
    }
);
