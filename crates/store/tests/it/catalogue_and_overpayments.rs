//! Catalogue sync from the dashboard and overpayment returns, on SQLite and PostgreSQL.

use crate::common::TestStore;
use madd_domain::report::LineKey;
use madd_domain::{OrderStatus, PaymentCost, Rupiah};
use madd_sandbox::vip::Fault;
use maddstore::service::catalog_sync;

const ML: &str = "ML86-S1";
const ML_ID: &str = "123456780";
const ML_ZONE: &str = "2345";

async fn get(s: &TestStore, session: &str, path: &str) -> (u16, String) {
    let r = s
        .http
        .get(s.url(path))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// POSTs a form; `(status, location)`.
async fn post(s: &TestStore, session: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = s
        .http
        .post(s.url(path))
        .header("cookie", session)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (r.status().as_u16(), location)
}

async fn sync_job(s: &TestStore) -> (i64, i64) {
    let mut conn = s.app().db.write().await.unwrap();
    sqlx::query_as(
        "SELECT run_at, CAST(COUNT(*) OVER () AS BIGINT) FROM jobs WHERE kind = 'sync_catalogue'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

both_backends!(
    the_catalogue_syncs_from_the_dashboard_through_one_job,
    |s: TestStore| async move {
        let start = s.app().now_ms();
        // Queued at startup, one interval ahead (`serve` syncs an empty catalogue itself).
        let (run_at, n) = sync_job(&s).await;
        assert_eq!((run_at, n), (start + catalog_sync::INTERVAL_MS, 1));
        let (session, csrf) = s.admin_login().await;
        let (status, html) = get(&s, &session, "/admin/products").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Belum pernah disinkronkan dari dasbor"),
            "{html}"
        );
        assert!(html.contains("Sinkronkan katalog"));

        // The supplier is down: the request still answers at once (it only queues the job), and
        // the job logs the failure for the page.
        s.sandbox().vip.set_fault(Fault::ServerError);
        let (status, to) = post(
            &s,
            &session,
            "/admin/products/sync",
            &[("csrf_token", &csrf)],
        )
        .await;
        assert_eq!((status, to.as_str()), (303, "/admin/products?done=sync"));
        s.settle().await;
        s.sandbox().vip.clear_fault();
        let (_, html) = get(&s, &session, "/admin/products").await;
        assert!(
            html.contains("gagal: Katalog supplier tidak bisa diambil"),
            "{html}"
        );
        // A failed run comes back sooner than the interval.
        let (run_at, n) = sync_job(&s).await;
        assert_eq!((run_at, n), (s.app().now_ms() + catalog_sync::RETRY_MS, 1));

        // The store's stored cost of ML is stale (the supplier "raised" it by Rp 3.000 since),
        // and its markup is zero: the sync must record the change and keep the margin guard.
        {
            let mut conn = s.app().db.write().await.unwrap();
            sqlx::query("UPDATE products SET cost = cost - 3000 WHERE code = $1")
                .bind(ML)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let (status, _) = post(
            &s,
            &session,
            "/admin/pricing/rules",
            &[
                ("csrf_token", &csrf),
                ("scope", "product"),
                ("target", ML),
                ("percent", "0"),
                ("min", "0"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let history = || {
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM price_history WHERE product_code = 'ML86-S1' AND reason = 'sinkron supplier'")
        };
        let before = history().await;

        // Asked twice before the worker gets to it: still one job, brought forward to now.
        for _ in 0..2 {
            let (status, _) = post(
                &s,
                &session,
                "/admin/products/sync",
                &[("csrf_token", &csrf)],
            )
            .await;
            assert_eq!(status, 303);
        }
        s.settle().await;
        assert_eq!(sync_job(&s).await.1, 1, "one sync job, ever");
        assert_eq!(
            history().await,
            before + 1,
            "the cost change is in the price history"
        );
        let mut conn = s.app().db.write().await.unwrap();
        let p = maddstore::db::products::get(&mut conn, ML)
            .await
            .unwrap()
            .unwrap();
        let (total, available, unavailable): (i64, i64, i64) = sqlx::query_as(
            "SELECT total, available, marked_unavailable FROM catalogue_syncs WHERE error IS NULL ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let products: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM products")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let guard = PaymentCost {
            rate: madd_domain::Bps::new(578),
            fixed: Rupiah::ZERO,
        };
        assert!(guard.net(p.price) >= p.cost, "margin guard: {p:?}");
        assert_eq!(total, products);
        assert!(available > 0 && available <= total);
        assert_eq!(unavailable, 0);
        let (_, html) = get(&s, &session, "/admin/products").await;
        assert!(
            html.contains(&format!(
                "<b>{total}</b> produk, <span class=\"ok\">{available} tersedia</span>, {} kosong",
                total - available
            )),
            "{html}"
        );
        assert!(html.contains("Sinkron otomatis berikutnya"));
        // The next run is one interval after this one, and comes by itself.
        let (run_at, _) = sync_job(&s).await;
        assert_eq!(run_at, s.app().now_ms() + catalog_sync::INTERVAL_MS);
        let runs = || s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM catalogue_syncs");
        let n = runs().await;
        s.advance(time::Duration::hours(6)).await;
        assert_eq!(runs().await, n + 1, "the periodic run");
        assert_eq!(sync_job(&s).await.1, 1);
        s
    }
);

/// An order paid `extra_units` × Rp 1.000 more than due, still `paid` (manual fulfilment).
async fn overpaid_order(s: &TestStore, extra_units: i64) -> (String, i64) {
    let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
    let code = order["code"].as_str().unwrap().to_string();
    let due = order["amount_due"].as_i64().unwrap();
    s.pay(due / 1000 + extra_units, &code).await;
    let row = s.order_row(&code).await;
    assert_eq!(row.status, OrderStatus::Paid);
    assert_eq!(row.amount_paid.amount(), due + extra_units * 1000);
    (code, due)
}

both_backends!(
    an_overpayment_goes_back_from_the_order_page,
    |s: TestStore| async move {
        let (code, due) = overpaid_order(&s, 3).await;
        let (session, csrf) = s.admin_login().await;
        let page = format!("/admin/orders/{code}");
        let path = format!("/admin/orders/{code}/overpayment");
        let (_, html) = get(&s, &session, &page).await;
        assert!(
            html.contains("Kelebihan bayar") && html.contains("Rp 3.000"),
            "{html}"
        );
        assert!(html.contains("Kembalikan kelebihan"));

        // More than overpaid, nothing, or an unknown method: refused, nothing written.
        for (amount, method) in [
            ("3001", "bank"),
            ("0", "bank"),
            ("abc", "bank"),
            ("1000", "cek"),
        ] {
            let (status, _) = post(
                &s,
                &session,
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("method", method),
                    ("amount", amount),
                ],
            )
            .await;
            assert_eq!(status, 422, "{amount} {method}");
        }
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM overpayment_returns")
                .await,
            0
        );

        // Part of it, while the order is paid: the status stays, the timeline says who and how.
        let (status, to) = post(
            &s,
            &session,
            &path,
            &[
                ("csrf_token", &csrf),
                ("method", "bank"),
                ("amount", "Rp 1.000"),
                ("note", "BCA <b>123</b>"),
            ],
        )
        .await;
        assert_eq!(
            (status, to),
            (303, format!("/admin/orders/{code}?done=overpaid"))
        );
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);
        let (_, html) = get(&s, &session, &format!("{page}?done=overpaid")).await;
        assert!(html.contains("Pengembalian kelebihan bayar dicatat."));
        assert!(
            html.contains("dikembalikan Rp 1.000, sisa Rp 2.000"),
            "{html}"
        );
        assert!(
            html.contains("Kelebihan bayar Rp1.000 dikembalikan via Transfer bank: BCA &#60;b&#62;123&#60;/b&#62;")
                || html.contains("Kelebihan bayar Rp1.000 dikembalikan via Transfer bank: BCA &lt;b&gt;123&lt;/b&gt;"),
            "timeline, escaped: {html}"
        );
        assert!(!html.contains("<b>123"));
        assert!(
            html.contains("penjual (seller)"),
            "who did it, in Indonesian"
        );

        // Delivered, the rest goes back too; then there is nothing left to return.
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        let (status, _) = post(
            &s,
            &session,
            &path,
            &[
                ("csrf_token", &csrf),
                ("method", "gopay"),
                ("amount", "2000"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        let (status, _) = post(
            &s,
            &session,
            &path,
            &[("csrf_token", &csrf), ("method", "gopay"), ("amount", "1")],
        )
        .await;
        assert_eq!(status, 409);
        let (_, html) = get(&s, &session, &page).await;
        assert!(
            !html.contains("Kembalikan kelebihan"),
            "no form once all went back"
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM order_events WHERE kind = 'overpaid_returned' AND actor = 'admin:seller'").await,
            2
        );

        // The month: the overpayment is counted and so is what went back; nothing is left as
        // profit from it.
        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(r.amount(LineKey::Sales), Rupiah::new(due));
        assert_eq!(r.amount(LineKey::Overpaid), Rupiah::new(3_000));
        assert_eq!(r.amount(LineKey::OverpaidReturned), Rupiah::new(-3_000));
        let items: Rupiah = r
            .lines
            .iter()
            .take_while(|l| l.key != LineKey::NetProfit)
            .map(|l| l.amount)
            .sum();
        assert_eq!(items, r.net_profit());
        let day_income: Rupiah = r.days.iter().map(|d| d.income).sum();
        assert_eq!(day_income, Rupiah::new(due));

        // An order that was not overpaid has no form, and the route refuses it.
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let exact = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &exact)
            .await;
        let (_, html) = get(&s, &session, &format!("/admin/orders/{exact}")).await;
        assert!(!html.contains("Kembalikan kelebihan"));
        let (status, _) = post(
            &s,
            &session,
            &format!("/admin/orders/{exact}/overpayment"),
            &[
                ("csrf_token", &csrf),
                ("method", "bank"),
                ("amount", "1000"),
            ],
        )
        .await;
        assert_eq!(status, 409);
        s
    }
);

both_backends!(
    a_failed_order_refunds_only_what_the_return_left,
    |s: TestStore| async move {
        // A user id ending in 2: the sandbox supplier answers "Nomor tujuan salah.".
        let order = s.order(ML, "123456782", Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        let due = order["amount_due"].as_i64().unwrap();
        s.pay(due / 1000 + 2, &code).await;
        let (session, csrf) = s.admin_login().await;
        let (status, _) = post(
            &s,
            &session,
            &format!("/admin/orders/{code}/overpayment"),
            &[
                ("csrf_token", &csrf),
                ("method", "dana"),
                ("amount", "2000"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Failed);
        let refund = format!("/admin/orders/{code}/refund");
        let (status, _) = post(
            &s,
            &session,
            &refund,
            &[
                ("csrf_token", &csrf),
                ("method", "dana"),
                ("amount", &(due + 1).to_string()),
            ],
        )
        .await;
        assert_eq!(status, 422, "the returned 2 000 is not refundable again");
        // An empty amount: everything still held.
        let (status, _) = post(
            &s,
            &session,
            &refund,
            &[("csrf_token", &csrf), ("method", "dana")],
        )
        .await;
        assert_eq!(status, 303);
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Refunded);
        // The report: the money in (due + 2 000) minus the refund (due) minus the return (2 000).
        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(
            r.amount(LineKey::RefundedReceived),
            Rupiah::new(due + 2_000)
        );
        assert_eq!(r.amount(LineKey::Refunds), Rupiah::new(-due));
        assert_eq!(r.amount(LineKey::OverpaidReturned), Rupiah::new(-2_000));
        assert_eq!(
            r.days.iter().map(|d| d.income).sum::<Rupiah>(),
            Rupiah::ZERO
        );
        s
    }
);

both_backends!(
    asking_for_a_balance_check_brings_the_periodic_job_forward,
    |s: TestStore| async move {
        let pending = "SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE kind = 'check_balance' AND state = 'pending'";
        s.settle().await;
        assert_eq!(s.count(pending).await, 1, "one periodic balance job");
        let checks = "SELECT CAST(COUNT(*) AS BIGINT) FROM balance_checks";
        let before = s.count(checks).await;
        for _ in 0..3 {
            maddstore::service::balance::request_balance_check(s.app())
                .await
                .unwrap();
            s.settle().await;
        }
        assert_eq!(
            s.count(checks).await,
            before + 3,
            "each request checked the balance"
        );
        assert_eq!(
            s.count(pending).await,
            1,
            "still one balance job, not one per request"
        );
        s
    }
);

both_backends!(
    asking_for_a_reconciliation_brings_the_periodic_job_forward,
    |s: TestStore| async move {
        let pending = "SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE kind = 'reconcile_payments' AND state = 'pending'";
        s.settle().await;
        assert_eq!(s.count(pending).await, 1);
        for _ in 0..3 {
            maddstore::service::reconcile::request(s.app())
                .await
                .unwrap();
            s.settle().await;
        }
        assert_eq!(s.count(pending).await, 1, "still one reconciliation job");
        s
    }
);
