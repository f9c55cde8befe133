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

/// What [`one_of_every_kind`] left waiting.
struct Waiting {
    to_process: String,
    failed: String,
    stuck: String,
    cash_out: i64,
}

/// Seeds one of every kind of thing *Perlu tindakan* lists: a paid order waiting for *Proses*,
/// a failed one waiting for a refund, one stuck in *Diproses* past the watchdog, an open
/// cash-out, a payment that names no order and a low VIP balance.
async fn one_of_every_kind(s: &TestStore, session: &str, csrf: &str) -> Waiting {
    // A paid order waiting for *Proses*.
    let to_process = paid_order(s, "123456780").await;
    // A paid order the supplier refused for good: failed, waiting for a refund.
    let failed = paid_order(s, "123456782").await;
    assert_eq!(s.process(session, csrf, &failed).await, 303);
    s.settle().await;
    assert_eq!(s.order_row(&failed).await.status, OrderStatus::Failed);
    // A paid order stuck in *Diproses* past the watchdog's time.
    let stuck = paid_order(s, "123456783").await;
    assert_eq!(s.process(session, csrf, &stuck).await, 303);
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
    Waiting {
        to_process,
        failed,
        stuck,
        cash_out,
    }
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

        let Waiting {
            to_process,
            failed,
            stuck,
            cash_out,
        } = one_of_every_kind(&s, &session, &csrf).await;

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

/// Where `css`'s element starts, in CSS pixels from the top of the page.
async fn top_of(c: &fantoccini::Client, css: &str) -> f64 {
    c.execute(
        "const e = document.querySelector(arguments[0]);
         return e ? e.getBoundingClientRect().top + window.scrollY : -1;",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap()
    .as_f64()
    .unwrap()
}

/// The seller signs in on a phone: the first screen holds *Perlu tindakan*'s heading and its
/// first item, and every kind of waiting thing is listed.
async fn phone_opens_on_every_kind(c: &fantoccini::Client, s: &TestStore) {
    use crate::browser::{click, fill, screenshots, set_viewport, wait_text};
    use fantoccini::Locator;
    set_viewport(c, 390, 844).await;
    c.goto(&s.url("/admin/login")).await.unwrap();
    fill(c, "input[name=username]", "seller").await;
    fill(c, "input[name=password]", "rahasia-admin-123").await;
    click(
        c,
        Locator::Css("form[action='/admin/login'] button[type=submit]"),
    )
    .await;
    wait_text(
        c,
        "perlu-tindakan",
        "Perlu tindakan",
        crate::browser::PAGE_WAIT,
    )
    .await;
    screenshots(c, "perlu-tindakan-every-kind").await;

    // The first screen: the heading and the first thing to do are above the fold, and every
    // kind is listed.
    assert!(top_of(c, "#perlu-tindakan-h").await < 200.0);
    assert!(top_of(c, "#perlu-tindakan li").await < 844.0);
    for kind in [
        "balance",
        "unmatched",
        "cash-out",
        "order-paid",
        "order-failed",
        "order-processing",
    ] {
        assert!(
            top_of(c, &format!("#perlu-tindakan [data-kind='{kind}']")).await > 0.0,
            "{kind} is in Perlu tindakan"
        );
    }
}

/// *Perlu tindakan* no longer lists `kind`.
async fn gone(c: &fantoccini::Client, kind: &str) {
    let html = c.source().await.unwrap();
    let start = html.find("id=\"perlu-tindakan\"").unwrap();
    let end = html[start..].find("</section>").unwrap() + start;
    assert!(
        !html[start..end].contains(&format!("data-kind=\"{kind}\"")),
        "{kind} is still waiting"
    );
}

/// On the seller's phone (390 × 844), *Perlu tindakan* opens the dashboard with one of every
/// kind of waiting thing, and each one's button does what it says, until nothing is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perlu_tindakan_on_a_phone_each_action_works() {
    use crate::browser::{click, fill, screenshots, start_browser, wait_text};
    use fantoccini::Locator;
    const WAIT: std::time::Duration = crate::browser::PAGE_WAIT;

    let s = TestStore::start(crate::common::Backend::Sqlite, |_| {}).await;
    let (session, csrf) = s.admin_login().await;
    let w = one_of_every_kind(&s, &session, &csrf).await;
    let browser = start_browser().await;
    let c = &browser.client;
    phone_opens_on_every_kind(c, &s).await;

    // An open cash-out: "Bayar / tolak" opens its row; paid with the transfer's reference.
    click(
        c,
        Locator::Css(&format!("a[data-cash-out='{}']", w.cash_out)),
    )
    .await;
    let row = format!("#cash-out-{}", w.cash_out);
    fill(c, &format!("{row} input[name=reference]"), "DANA-778899").await;
    click(c, Locator::Css(&format!("{row} input[name=sent]"))).await;
    click(
        c,
        Locator::Css(&format!("button[data-pay='{}']", w.cash_out)),
    )
    .await;
    wait_text(c, "main", "DANA-778899", WAIT).await;
    c.goto(&s.url("/admin")).await.unwrap();
    gone(c, "cash-out").await;

    // A payment that names no order: "Cocokkan" opens the payments page; the seller puts it in
    // the payer's saldo.
    click(c, Locator::Css("[data-kind='unmatched'] a")).await;
    fill(c, "form.attach input[name=whatsapp]", "0812-9999-7777").await;
    click(c, Locator::Css("button[data-saldo]")).await;
    wait_text(c, "main", "dimasukkan ke saldo pelanggan", WAIT).await;
    c.goto(&s.url("/admin")).await.unwrap();
    gone(c, "unmatched").await;

    // A failed order: "Buka" opens it; the seller records the refund.
    click(
        c,
        Locator::Css("[data-kind='order-failed'] a.button.primary"),
    )
    .await;
    wait_text(c, "main", &w.failed, WAIT).await;
    click(
        c,
        Locator::Css(&format!(
            "form[action='/admin/orders/{}/refund'] button",
            w.failed
        )),
    )
    .await;
    wait_text(c, "main", "Refund dicatat", WAIT).await;
    assert_eq!(s.order_row(&w.failed).await.status, OrderStatus::Refunded);

    // An order stuck in Diproses: "Buka" opens it, where the supplier is asked again.
    c.goto(&s.url("/admin")).await.unwrap();
    click(
        c,
        Locator::Css("[data-kind='order-processing'] a.button.primary"),
    )
    .await;
    wait_text(c, "main", &w.stuck, WAIT).await;
    click(
        c,
        Locator::Css(&format!(
            "form[action='/admin/orders/{}/recheck'] button",
            w.stuck
        )),
    )
    .await;
    wait_text(c, "main", "Status supplier dicek ulang", WAIT).await;

    // A low balance: "Isi saldo" opens the deposit page for that supplier; topped up, the
    // warning goes.
    c.goto(&s.url("/admin")).await.unwrap();
    click(c, Locator::Css("[data-kind='balance'] a")).await;
    wait_text(c, "main", "VIP", WAIT).await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("/admin/deposits?supplier=vip-reseller"));
    s.sandbox().vip.set_balance(5_000_000);
    maddstore::service::balance::check_balance(s.app())
        .await
        .unwrap();

    // The paid order: one tap on "Proses" and it is delivered.
    c.goto(&s.url("/admin")).await.unwrap();
    gone(c, "balance").await;
    click(
        c,
        Locator::Css(&format!("button[data-code='{}']", w.to_process)),
    )
    .await;
    // The click returns before the browser's POST lands: its answer is the order's page.
    wait_text(c, "main", "Pesanan dikirim ke supplier", WAIT).await;
    s.settle().await;
    assert_eq!(
        s.order_row(&w.to_process).await.status,
        OrderStatus::Delivered
    );
    c.goto(&s.url("/admin")).await.unwrap();
    for kind in ["order-paid", "order-failed"] {
        gone(c, kind).await;
    }
    screenshots(c, "perlu-tindakan-after").await;
    drop(browser);
    s.stop().await;
}
