//! The seller's day (issue 25), on both databases: *Perlu tindakan* opens the dashboard and lists
//! one of every kind of thing waiting — a paid order to process, a failed order to refund, an
//! order stuck in *Diproses* past the watchdog, an open cash-out with its age, an unmatched
//! payment and a low supplier balance — each with its action, and says so plainly when empty.

use crate::common::{TestStore, CUSTOMER};
use madd_domain::{OrderStatus, PhoneNumber, RefundMethod, Rupiah};

const ML: &str = "ML86-S1";

async fn dashboard(s: &TestStore, session: &str) -> String {
    s.http
        .get(s.url("/admin"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The *Perlu tindakan* section of the dashboard.
fn attention(html: &str) -> &str {
    let start = html
        .find("id=\"perlu-tindakan\"")
        .expect("Perlu tindakan on the dashboard");
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// A paid Mobile Legends order for game id `target` (the simulator ends ids in 2 with a refusal
/// and never finishes ids in 3).
async fn paid_order(s: &TestStore, target: &str) -> String {
    let (status, order) = s
        .post_json(
            "/api/v1/orders",
            serde_json::json!({"product": ML, "target": target, "zone": "2345", "whatsapp": CUSTOMER}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
        .await;
    code
}

both_backends!(
    perlu_tindakan_comes_first_with_one_of_every_kind,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let empty = dashboard(&s, &session).await;
        assert!(
            attention(&empty).contains("id=\"nothing-to-do\""),
            "{empty}"
        );
        // First on the page: before the store switch and the figures.
        let top = empty.find("id=\"perlu-tindakan\"").unwrap();
        assert!(top < empty.find("id=\"store-switch\"").unwrap());
        assert!(top < empty.find("class=\"stats money\"").unwrap());

        // A paid order waiting for *Proses*.
        let to_process = paid_order(&s, "123456780").await;
        // A paid order the supplier refused for good: failed, waiting for a refund.
        let failed = paid_order(&s, "123456782").await;
        assert_eq!(s.process(&session, &csrf, &failed).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&failed).await.status, OrderStatus::Failed);
        // A paid order stuck in *Diproses* past the watchdog's time.
        let stuck = paid_order(&s, "123456783").await;
        assert_eq!(s.process(&session, &csrf, &stuck).await, 303);
        s.advance(time::Duration::minutes(20)).await;
        assert_eq!(s.order_row(&stuck).await.status, OrderStatus::Processing);
        // An open cash-out request.
        let owner = PhoneNumber::parse("081299998888").unwrap();
        s.credit_saldo(&owner, 50_000).await;
        let cash_out = maddstore::service::saldo::request_cash_out(
            s.app(),
            &owner,
            Rupiah::new(30_000),
            RefundMethod::Dana,
            "081299998888",
        )
        .await
        .unwrap();
        // An authentic payment that names no order.
        s.pay(7, "terima kasih").await;
        // A low supplier balance.
        s.sandbox().vip.set_balance(10_000);
        maddstore::service::balance::check_balance(s.app())
            .await
            .unwrap();

        let html = dashboard(&s, &session).await;
        let a = attention(&html);
        assert!(!a.contains("nothing-to-do"));
        assert!(a.contains(&format!("data-code=\"{to_process}\"")), "{a}");
        assert!(a.contains(&format!("/admin/orders/{failed}\"")), "{a}");
        assert!(a.contains("data-kind=\"order-failed\""));
        assert!(
            a.contains(&format!("/admin/orders/{stuck}\""))
                && a.contains("data-kind=\"order-processing\"")
        );
        assert!(
            a.contains(&format!("data-cash-out=\"{cash_out}\"")) && a.contains("Rp 30.000"),
            "{a}"
        );
        assert!(a.contains("data-kind=\"unmatched\"") && a.contains("1 pembayaran belum cocok"));
        assert!(
            a.contains("data-kind=\"balance\"")
                && a.contains("/admin/deposits?supplier=vip-reseller")
        );
        // Unmatched money is a warning, not good news.
        let unmatched = &a[a.find("data-kind=\"unmatched\"").unwrap() - 20..];
        assert!(
            unmatched.starts_with("<li class=\"warn\"")
                || unmatched.contains("class=\"warn\" data-kind=\"unmatched\"")
        );

        // Each action leads where the thing is done: the cash-out row on the saldo page, the
        // payment on the payments page, *Proses* places the order.
        for (path, anchor) in [
            ("/admin/saldo", format!("id=\"cash-out-{cash_out}\"")),
            ("/admin/payments", "terima kasih".to_string()),
            (
                &format!("/admin/orders/{failed}") as &str,
                "refund".to_string(),
            ),
        ] {
            let page = s
                .http
                .get(s.url(path))
                .header("cookie", &session)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains(&anchor), "{path}: {anchor} missing");
        }
        // Topped up, *Proses* places the waiting order.
        s.sandbox().vip.set_balance(5_000_000);
        assert_eq!(s.process(&session, &csrf, &to_process).await, 303);
        s.settle().await;
        assert_eq!(
            s.order_row(&to_process).await.status,
            OrderStatus::Delivered
        );
        s
    }
);
