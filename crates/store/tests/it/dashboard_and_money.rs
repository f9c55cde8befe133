//! The seller's dashboard and the money, on SQLite and PostgreSQL: the monthly report of a
//! hand-computed month (lines, CSV, page), access control over every admin route, CSRF, login
//! throttling, settings, deposits, the low-balance alert and Trakteer reconciliation.

use crate::common::{TestStore, SELLER};
use madd_domain::report::LineKey;
use madd_domain::{GameAccount, OrderCode, OrderStatus, PhoneNumber, Rupiah, ServiceKind};
use maddstore::db::orders::{self, NewOrder};
use maddstore::db::payments::{self, NewPayment, PaymentState};
use maddstore::service::reconcile;
use serde_json::json;

const ML: &str = "ML86-S1";
const ML_ID: &str = "123456780";
const ML_ZONE: &str = "2345";

/// Unix ms of a WIB wall-clock time.
fn wib(y: i32, m: u8, d: u8, h: u8, min: u8) -> i64 {
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
    let t = date
        .with_hms(h, min, 0)
        .unwrap()
        .assume_offset(maddstore::clock::WIB);
    maddstore::clock::to_millis(t)
}

struct Fixture {
    code: &'static str,
    product: (&'static str, &'static str),
    status: OrderStatus,
    due: i64,
    paid: i64,
    cost: i64,
    supplier_price: Option<i64>,
    delivered_at: Option<i64>,
    refund: Option<(i64, i64)>,
    expires_at: Option<i64>,
    /// (gross, net) of each payment.
    payments: Vec<(i64, Option<i64>)>,
}

async fn insert_fixture(s: &TestStore, f: &Fixture) {
    let app = s.app();
    let code = OrderCode::parse(f.code).unwrap();
    let account = GameAccount::from_trusted(ML_ID.into(), Some(ML_ZONE.into()));
    let phone = PhoneNumber::parse(crate::common::CUSTOMER).unwrap();
    let created = wib(2026, 2, 20, 9, 0);
    let mut conn = app.db.write().await.unwrap();
    let order = orders::insert(
        &mut conn,
        &NewOrder {
            code: &code,
            product_code: f.product.0,
            product_name: f.product.1,
            brand: "Test",
            kind: ServiceKind::Game,
            account: &account,
            nickname: None,
            whatsapp: &phone,
            cost: Rupiah::new(f.cost),
            price: Rupiah::new(f.due),
            fee: Rupiah::ZERO,
            amount_due: Rupiah::new(f.due),
            idempotency_key: None,
            now: created,
            expires_at: f.expires_at.unwrap_or(created + 3_600_000),
        },
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE orders SET status = $1, amount_paid = $2, supplier_price = $3, delivered_at = $4, \
         refund_amount = $5, refunded_at = $6 WHERE id = $7",
    )
    .bind(f.status.as_str())
    .bind(f.paid)
    .bind(f.supplier_price)
    .bind(f.delivered_at)
    .bind(f.refund.map(|r| r.0))
    .bind(f.refund.map(|r| r.1))
    .bind(order.id)
    .execute(&mut *conn)
    .await
    .unwrap();
    for (i, (gross, net)) in f.payments.iter().enumerate() {
        let tx = format!("{}-{i}", f.code);
        let p = payments::insert_once(
            &mut conn,
            &NewPayment {
                provider: "trakteer",
                transaction_id: &tx,
                state: PaymentState::Unmatched,
                source: "webhook",
                supporter_name: "Budi",
                message: f.code,
                quantity: gross / 1000,
                gross: Rupiah::new(*gross),
                net: net.map(Rupiah::new),
                price_reading: Some("total"),
                note: None,
                raw: "{}",
                paid_at: Some(created),
                received_at: created,
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert!(payments::attach(&mut conn, p.id, order.id).await.unwrap());
    }
}

/// The month's orders, each with what makes its figures what they are.
fn march_fixtures() -> Vec<Fixture> {
    let ml = ("ML86-S1", "Mobile Legends 86 Diamonds");
    let ff = ("FF140", "Free Fire 140 Diamonds");
    let pln = ("PLN100", "Token PLN 100.000");
    vec![
        // A: delivered 2 March, supplier charged 15 400 (not the catalogue's 15 500); fee 1 156.
        Fixture {
            code: "MS-0000000A",
            product: ml,
            status: OrderStatus::Delivered,
            due: 20_000,
            paid: 20_000,
            cost: 15_500,
            supplier_price: Some(15_400),
            delivered_at: Some(wib(2026, 3, 2, 10, 0)),
            refund: None,
            expires_at: None,
            payments: vec![(20_000, Some(18_844))],
        },
        // B: delivered 2 March, paid in two parts, 1 000 overpaid; no supplier price → cost
        // 40 000; fees 1 734 + 1 214.
        Fixture {
            code: "MS-0000000B",
            product: ff,
            status: OrderStatus::Delivered,
            due: 50_000,
            paid: 51_000,
            cost: 40_000,
            supplier_price: None,
            delivered_at: Some(wib(2026, 3, 2, 15, 0)),
            refund: None,
            expires_at: None,
            payments: vec![(30_000, Some(28_266)), (21_000, Some(19_786))],
        },
        // C: failed, refunded 98 000 of 100 000 on 10 March; Trakteer kept 5 780.
        Fixture {
            code: "MS-0000000C",
            product: pln,
            status: OrderStatus::Refunded,
            due: 100_000,
            paid: 100_000,
            cost: 95_000,
            supplier_price: None,
            delivered_at: None,
            refund: Some((98_000, wib(2026, 3, 10, 12, 0))),
            expires_at: None,
            payments: vec![(100_000, Some(94_220))],
        },
        // D: delivered 31 March 23:30 WIB (still March), payment without a net figure.
        Fixture {
            code: "MS-0000000D",
            product: ml,
            status: OrderStatus::Delivered,
            due: 10_000,
            paid: 10_000,
            cost: 7_000,
            supplier_price: Some(7_000),
            delivered_at: Some(wib(2026, 3, 31, 23, 30)),
            refund: None,
            expires_at: None,
            payments: vec![(10_000, None)],
        },
        // E: delivered 1 April 00:30 WIB (17:30 UTC on 31 March): April's.
        Fixture {
            code: "MS-0000000E",
            product: ml,
            status: OrderStatus::Delivered,
            due: 10_000,
            paid: 10_000,
            cost: 7_000,
            supplier_price: Some(7_000),
            delivered_at: Some(wib(2026, 4, 1, 0, 30)),
            refund: None,
            expires_at: None,
            payments: vec![(10_000, Some(9_422))],
        },
        // G: delivered 28 February 23:00 WIB: February's.
        Fixture {
            code: "MS-0000000G",
            product: ml,
            status: OrderStatus::Delivered,
            due: 10_000,
            paid: 10_000,
            cost: 7_000,
            supplier_price: Some(7_000),
            delivered_at: Some(wib(2026, 2, 28, 23, 0)),
            refund: None,
            expires_at: None,
            payments: vec![(10_000, Some(9_422))],
        },
        // F: underpaid 5 000, expired 15 March: customers' money, a note, not income.
        Fixture {
            code: "MS-0000000F",
            product: ff,
            status: OrderStatus::Expired,
            due: 50_000,
            paid: 5_000,
            cost: 40_000,
            supplier_price: None,
            delivered_at: None,
            refund: None,
            expires_at: Some(wib(2026, 3, 15, 9, 0)),
            payments: vec![(5_000, Some(4_711))],
        },
    ]
}

/// The hand-computed month (March 2026, WIB). See the comments for every figure.
async fn march_2026(s: &TestStore) {
    for f in &march_fixtures() {
        insert_fixture(s, f).await;
    }
    let app = s.app();
    // B's 1 000 overpaid went back to the customer on 2 April, after March was closed: March is
    // not rewritten (its overpayment line stays 1 000); April carries the −1 000.
    {
        let mut tx = app.db.begin().await.unwrap();
        let b = orders::by_code(&mut tx, &OrderCode::parse("MS-0000000B").unwrap())
            .await
            .unwrap()
            .unwrap();
        let ret = maddstore::db::overpayments::NewReturn {
            order_id: b.id,
            amount: Rupiah::new(1_000),
            method: "bank",
            note: "",
            actor: "admin:test",
        };
        assert!(
            maddstore::db::overpayments::record_return(&mut tx, &ret, wib(2026, 4, 2, 9, 0))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    march_deposits(app).await;
}

async fn march_deposits(app: &maddstore::app::App) {
    // Deposits: GoPay 200 000 (0.7 % = 1 400 + 2 000), bank 500 000 (free), GoPay 250 050
    // (1 750.35 → 1 750, + 2 000), and the opening balance (not a top-up: no fee, not listed).
    for (amount, method, at) in [
        (200_000, "gopay", wib(2026, 3, 1, 8, 0)),
        (500_000, "bank", wib(2026, 3, 5, 8, 0)),
        (250_050, "gopay", wib(2026, 3, 20, 8, 0)),
        (
            2_000_000,
            maddstore::service::deposits::OPENING,
            wib(2026, 3, 1, 7, 0),
        ),
        // Another month.
        (300_000, "gopay", wib(2026, 4, 2, 8, 0)),
    ] {
        let input = maddstore::service::deposits::DepositInput {
            supplier: madd_domain::SupplierId::VipReseller,
            actor: "admin:test",
            amount: Rupiah::new(amount),
            method,
            fee: None,
            at: Some(at),
            note: "",
        };
        maddstore::service::deposits::record_deposit(app, &input)
            .await
            .unwrap();
    }
}

// `overpaid_returned` is the one line the overpayment-return rule added: zero in March, because
// B's return was made in April, after March closed (see `march_2026`); every other figure stands.
const MARCH_CSV_SUMMARY: &str = "\
bagian,kunci,keterangan,jumlah,penjelasan
ringkasan,sales,Penjualan (pesanan sukses),80000,Harga + biaya admin yang ditagih untuk 3 pesanan yang sukses bulan ini.
ringkasan,overpaid,Kelebihan bayar,1000,Uang lebih yang dibayar pelanggan pada pesanan sukses; masuk laba selama tidak dikembalikan.
ringkasan,overpaid_returned,Kelebihan bayar dikembalikan,0,0 kali kelebihan bayar dikembalikan ke pelanggan; dihitung di bulan pengembalian atau di bulan pesanannya selesai bila lebih lambat.
ringkasan,refunded_received,Uang masuk pesanan refund,100000,Uang yang sempat dibayar untuk 1 pesanan yang direfund bulan ini.
ringkasan,refunds,Refund ke pelanggan,-98000,Uang yang dikembalikan ke pelanggan untuk pesanan yang direfund.
ringkasan,supplier_cost,Modal supplier,-62400,Harga yang dipotong supplier (VIP Reseller) untuk pesanan yang sukses.
ringkasan,payment_fees,Potongan pembayaran (Trakteer/QRIS),-9884,Selisih bruto − neto dari Trakteer (biaya platform + metode bayar) atas pembayaran pesanan di atas.
ringkasan,deposit_fees,Biaya deposit,-7150,\"Biaya 3 kali isi saldo supplier bulan ini (total deposit Rp950.050), menurut metodenya.\"
ringkasan,net_profit,Laba bersih,3566,Jumlah semua baris di atas: uang yang benar-benar tersisa bulan ini.
ringkasan,service_fee,Biaya layanan website,-1070,30% dari laba bersih (dibulatkan ke rupiah terdekat); nol bila tidak ada laba.
ringkasan,owner_profit,Laba pemilik,2496,Laba bersih dikurangi biaya layanan website: bagian pemilik toko.
";

fn march_csv() -> String {
    // Days with something on them; every other day is a row of zeros.
    let busy = [
        (1, "0,0,0,0,0,-3400,-3400"),
        (2, "2,0,71000,-55400,-4104,0,11496"),
        (10, "0,1,2000,0,-5780,0,-3780"),
        (20, "0,0,0,0,0,-3750,-3750"),
        (31, "1,0,10000,-7000,0,0,3000"),
    ];
    let mut csv = MARCH_CSV_SUMMARY.to_string();
    csv.push_str("\ntanggal,sukses,refund,pendapatan,modal_supplier,potongan_pembayaran,biaya_deposit,laba\n");
    for day in 1..=31 {
        let row = busy
            .iter()
            .find(|(d, _)| *d == day)
            .map(|(_, r)| *r)
            .unwrap_or("0,0,0,0,0,0,0");
        csv.push_str(&format!("2026-03-{day:02},{row}\n"));
    }
    csv.push_str(
        "\nkode_produk,produk,sukses,refund,pendapatan,modal_supplier,potongan_pembayaran,margin\n",
    );
    csv.push_str("FF140,Free Fire 140 Diamonds,1,0,51000,-40000,-2948,8052\n");
    csv.push_str("ML86-S1,Mobile Legends 86 Diamonds,2,0,30000,-22400,-1156,6444\n");
    csv.push_str("PLN100,Token PLN 100.000,0,1,2000,0,-5780,-3780\n");
    csv
}

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

async fn post(s: &TestStore, session: &str, path: &str, form: &[(&str, &str)]) -> u16 {
    s.http
        .post(s.url(path))
        .header("cookie", session)
        .form(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

both_backends!(a_hand_computed_month_adds_up, |s: TestStore| async move {
    march_2026(&s).await;
    let (session, csrf) = s.admin_login().await;
    // The service-fee share is a dashboard setting (25 % by default): 30 % for this month.
    assert_eq!(
        post(
            &s,
            &session,
            "/admin/settings",
            &[("csrf_token", &csrf), ("service_share_percent", "30")]
        )
        .await,
        303
    );
    // An unmatched payment received in March: a note, not income.
    {
        let mut conn = s.app().db.write().await.unwrap();
        payments::insert_once(
            &mut conn,
            &NewPayment {
                provider: "trakteer",
                transaction_id: "stray-1",
                state: PaymentState::Unmatched,
                source: "webhook",
                supporter_name: "Sari",
                message: "buat kak admin",
                quantity: 7,
                gross: Rupiah::new(7_000),
                net: Some(Rupiah::new(6_595)),
                price_reading: Some("total"),
                note: None,
                raw: "{}",
                paid_at: Some(wib(2026, 3, 12, 9, 0)),
                received_at: wib(2026, 3, 12, 9, 0),
            },
        )
        .await
        .unwrap();
    }

    let month = madd_domain::Month::parse("2026-03").unwrap();
    let report = maddstore::service::report::monthly_report(s.app(), month)
        .await
        .unwrap();
    assert_eq!(report.amount(LineKey::Sales), Rupiah::new(80_000));
    assert_eq!(report.amount(LineKey::Overpaid), Rupiah::new(1_000));
    assert_eq!(
        report.amount(LineKey::RefundedReceived),
        Rupiah::new(100_000)
    );
    assert_eq!(report.amount(LineKey::Refunds), Rupiah::new(-98_000));
    assert_eq!(report.amount(LineKey::SupplierCost), Rupiah::new(-62_400));
    assert_eq!(report.amount(LineKey::PaymentFees), Rupiah::new(-9_884));
    assert_eq!(report.amount(LineKey::DepositFees), Rupiah::new(-7_150));
    assert_eq!(report.net_profit(), Rupiah::new(3_566));
    // 30 % of 3 566 = 1 069.8 → 1 070 (half up).
    assert_eq!(report.amount(LineKey::ServiceFee), Rupiah::new(-1_070));
    assert_eq!(report.owner_profit(), Rupiah::new(2_496));
    assert_eq!(report.notes.len(), 3, "{:?}", report.notes);
    assert!(report.notes[0].contains("Rp5.000"), "{:?}", report.notes);
    assert!(report.notes[1].contains("Rp7.000"), "{:?}", report.notes);
    assert!(report.notes[2].starts_with("1 pembayaran tanpa angka neto"));

    // The CSV, as downloaded.
    let r = s
        .http
        .get(s.url("/admin/reports/2026-03/csv"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("laporan-2026-03.csv"));
    assert_eq!(r.text().await.unwrap(), march_csv());

    // The page: every line with its sentence, the notes, the chart.
    let (status, html) = get(&s, &session, "/admin/reports/2026-03").await;
    assert_eq!(status, 200);
    for needle in [
        "Laporan laba Maret 2026",
        "Rp 80.000",
        "-Rp 62.400",
        "-Rp 9.884",
        "-Rp 7.150",
        "Rp 3.566",
        "-Rp 1.070",
        "Rp 2.496",
        "Kelebihan bayar",
        "<svg class=\"chart\"",
        "Token PLN 100.000",
        "uang pelanggan, bukan pendapatan",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    // The CLI's table says the same.
    let table = maddstore::cli::report_table(&report);
    assert!(
        table.contains("Laba pemilik") && table.contains("Rp 2.496"),
        "{table}"
    );
    // April holds E, the April deposit, and the return of B's March overpayment.
    let april = maddstore::service::report::monthly_report(s.app(), month.next())
        .await
        .unwrap();
    assert_eq!(april.amount(LineKey::Sales), Rupiah::new(10_000));
    assert_eq!(april.amount(LineKey::DepositFees), Rupiah::new(-4_100));
    assert_eq!(april.amount(LineKey::Overpaid), Rupiah::ZERO);
    assert_eq!(april.amount(LineKey::OverpaidReturned), Rupiah::new(-1_000));
    s
});

/// `{code}` and friends → a value the route accepts.
fn concrete(path: &str, code: &str) -> String {
    path.replace("{code}", code)
        .replace("{id}", "1")
        .replace("{month}", "2026-03")
}

both_backends!(
    every_admin_route_refuses_anonymous_requests,
    |s: TestStore| async move {
        let routes = maddstore::web::protected_admin_routes();
        // The table is the router's: the money pages are in it.
        for needle in [
            "/admin/reports/{month}/csv",
            "/admin/settings",
            "/admin/deposits",
            "/admin/pricing/rules",
            "/admin/products/sync",
            "/admin/orders/{code}/overpayment",
        ] {
            assert!(
                routes.iter().any(|(_, p)| p == needle),
                "{needle} not in the route table"
            );
        }
        for (method, path) in &routes {
            let url = s.url(&concrete(path, "MS-00000000"));
            let r = match *method {
                "GET" => s.http.get(&url).send().await.unwrap(),
                _ => s
                    .http
                    .post(&url)
                    .form(&[("csrf_token", "x")])
                    .send()
                    .await
                    .unwrap(),
            };
            let status = r.status().as_u16();
            if *method == "GET" {
                assert_eq!(status, 303, "{method} {path}");
                let to = r.headers()["location"].to_str().unwrap();
                assert!(
                    to.starts_with("/admin/login?next=%2Fadmin"),
                    "{path} → {to}"
                );
            } else {
                assert_eq!(status, 401, "{method} {path}");
            }
        }
        // A path outside the table is nothing but a 404.
        let r = s.http.get(s.url("/admin/not-a-page")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        // The seller's WhatsApp link comes back to the order after login.
        let r = s
            .http
            .get(s.url("/admin/orders/MS-7K3Q9XW2"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            "/admin/login?next=%2Fadmin%2Forders%2FMS-7K3Q9XW2"
        );

        // Logged in, every page renders.
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        let (session, _) = s.admin_login().await;
        for (method, path) in routes.iter().filter(|(m, _)| *m == "GET") {
            let (status, html) = get(&s, &session, &concrete(path, &code)).await;
            let expected = if path == "/admin/reports" { 303 } else { 200 };
            assert_eq!(status, expected, "{method} {path}: {html}");
        }
        s
    }
);

both_backends!(
    forms_without_a_valid_csrf_token_change_nothing,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        let (session, csrf) = s.admin_login().await;
        let snapshot = || async {
            let mut v = Vec::new();
            for t in [
                "settings",
                "settings_audit",
                "deposits",
                "markup_rules",
                "order_events",
                "jobs",
                "price_history",
                "overpayment_returns",
                "catalogue_syncs",
            ] {
                v.push(
                    s.count(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}"))
                        .await,
                );
            }
            v.push(
                s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE enabled = 0")
                    .await,
            );
            v.push(
                s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE status <> 'paid'")
                    .await,
            );
            v
        };
        let before = snapshot().await;
        let form_for = |path: &str| -> Vec<(&'static str, &'static str)> {
            match path {
                "/admin/settings" => vec![("fee_percent", "5"), ("fulfilment", "auto")],
                "/admin/deposits" => vec![("amount", "100000"), ("method", "gopay")],
                "/admin/pricing/rules" => {
                    vec![("scope", "category"), ("target", "game"), ("percent", "50")]
                }
                p if p.ends_with("/refund") => vec![("method", "bank")],
                p if p.ends_with("/overpayment") => vec![("method", "bank"), ("amount", "1000")],
                _ => vec![],
            }
        };
        let posts: Vec<_> = maddstore::web::protected_admin_routes()
            .into_iter()
            .filter(|(m, _)| *m == "POST")
            .collect();
        assert!(posts.len() >= 10);
        for (_, path) in &posts {
            let url = concrete(path, &code).replace("/products/1/", &format!("/products/{ML}/"));
            for token in [None, Some("wrong-token")] {
                let mut form = form_for(path);
                if let Some(t) = token {
                    form.push(("csrf_token", t));
                }
                let status = post(&s, &session, &url, &form).await;
                assert_eq!(status, 403, "POST {url} with {token:?}");
            }
        }
        s.settle().await;
        assert_eq!(snapshot().await, before);
        // The same form with the token works (the test above is not vacuous).
        assert_eq!(
            post(
                &s,
                &session,
                "/admin/deposits",
                &[
                    ("csrf_token", &csrf),
                    ("amount", "100000"),
                    ("method", "gopay")
                ]
            )
            .await,
            303
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM deposits")
                .await,
            1
        );
        assert_eq!(
            s.count("SELECT CAST(fee AS BIGINT) FROM deposits").await,
            2_700,
            "0.7 % of 100 000 + Rp 2.000"
        );
        s
    }
);

both_backends!(
    ten_wrong_passwords_throttle_the_login,
    |s: TestStore| async move {
        // A real admin exists (admin_login creates "seller") and the session works.
        let _ = s.admin_login().await;
        // Failures count after the last success (a moment later, as in life).
        s.clock.advance(time::Duration::seconds(1));
        let form = s.http.get(s.url("/admin/login")).send().await.unwrap();
        let cookie = form
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("madd_login_csrf="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap();
        let token = cookie.trim_start_matches("madd_login_csrf=").to_string();
        let attempt = |password: &'static str| {
            s.http
                .post(s.url("/admin/login"))
                .header("cookie", &cookie)
                .form(&[
                    ("username", "seller"),
                    ("password", password),
                    ("csrf_token", token.as_str()),
                ])
                .send()
        };
        for i in 0..10 {
            assert_eq!(
                attempt("salah-salah-salah")
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
                401,
                "attempt {i}"
            );
        }
        // The right password is refused now too, for the rest of the window.
        assert_eq!(
            attempt("rahasia-admin-123")
                .await
                .unwrap()
                .status()
                .as_u16(),
            429
        );
        s.advance(time::Duration::minutes(16)).await;
        assert_eq!(
            attempt("rahasia-admin-123")
                .await
                .unwrap()
                .status()
                .as_u16(),
            303
        );
        s
    }
);

both_backends!(
    settings_follow_the_dashboard_and_are_audited,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        assert_eq!(
            post(
                &s,
                &session,
                "/admin/settings",
                &[
                    ("csrf_token", &csrf),
                    ("fulfilment", "auto"),
                    ("fee_percent", "1,4"),
                    ("fee_fixed", "Rp 2.000")
                ],
            )
            .await,
            303
        );
        // Saving the same values again writes no audit rows.
        assert_eq!(
            post(
                &s,
                &session,
                "/admin/settings",
                &[("csrf_token", &csrf), ("fulfilment", "auto")]
            )
            .await,
            303
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM settings_audit")
                .await,
            3
        );
        assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM settings_audit WHERE actor = 'admin:seller' AND key = 'fulfilment' AND old_value IS NULL AND new_value = 'auto'").await,
        1
    );
        // A bad value is refused and nothing changes.
        assert_eq!(
            post(
                &s,
                &session,
                "/admin/settings",
                &[
                    ("csrf_token", &csrf),
                    ("fee_percent", "abc"),
                    ("fulfilment", "manual")
                ]
            )
            .await,
            422
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM settings_audit")
                .await,
            3
        );
        let (_, page) = get(&s, &session, "/admin/settings").await;
        assert!(
            page.contains("admin:seller") && page.contains("→ 1.40"),
            "audit shown"
        );

        // The customer's fee follows: price + 1.4 % (up) + Rp 2.000, rounded up to the unit.
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let price = order["price"].as_i64().unwrap();
        let fee = (price * 140 + 9_999) / 10_000 + 2_000;
        assert_eq!(
            order["amount_due"].as_i64().unwrap(),
            (price + fee + 999) / 1000 * 1000
        );
        // Automatic fulfilment follows: paying delivers without the seller.
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        s
    }
);

both_backends!(
    low_balance_alerts_the_seller_once_per_crossing,
    |s: TestStore| async move {
        let low_alerts = || {
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE kind = 'seller_low_balance'",
            )
        };
        s.settle().await;
        assert_eq!(low_alerts().await, 0, "the sandbox starts well funded");
        s.sandbox().vip.set_balance(50_000);
        for _ in 0..3 {
            maddstore::service::balance::check_balance(s.app())
                .await
                .unwrap();
        }
        s.settle().await;
        assert_eq!(low_alerts().await, 1);
        assert!(s
            .inbox(SELLER)
            .iter()
            .any(|m| m.body.contains("Saldo VIP Reseller tinggal Rp50.000")));
        let view = maddstore::service::balance::balance_view(
            s.app(),
            madd_domain::SupplierId::VipReseller,
        )
        .await
        .unwrap();
        assert!(view.low);
        // Topped up, then low again: a second alert.
        s.sandbox().vip.set_balance(900_000);
        maddstore::service::balance::check_balance(s.app())
            .await
            .unwrap();
        s.sandbox().vip.set_balance(10_000);
        maddstore::service::balance::check_balance(s.app())
            .await
            .unwrap();
        maddstore::service::balance::check_balance(s.app())
            .await
            .unwrap();
        s.settle().await;
        assert_eq!(low_alerts().await, 2);
        // The dashboard shows it.
        let (session, _) = s.admin_login().await;
        let (_, html) = get(&s, &session, "/admin").await;
        assert!(
            html.contains("Saldo VIP Reseller di bawah"),
            "warning on the dashboard"
        );
        // Deposit reconciliation: ledger (opening 10 000) vs VIP's 10 000.
        let opening = maddstore::service::deposits::DepositInput {
            supplier: madd_domain::SupplierId::VipReseller,
            actor: "admin:seller",
            amount: Rupiah::new(10_000),
            method: maddstore::service::deposits::OPENING,
            fee: None,
            at: None,
            note: "",
        };
        maddstore::service::deposits::record_deposit(s.app(), &opening)
            .await
            .unwrap();
        let rec = maddstore::service::deposits::reconcile_deposits(
            s.app(),
            madd_domain::SupplierId::VipReseller,
        )
        .await
        .unwrap();
        assert_eq!(rec.expected, Rupiah::new(10_000));
        assert_eq!(rec.difference, Some(Rupiah::ZERO));
        s
    }
);

/// The webhook Trakteer would have sent for `support`, delivered by hand.
async fn deliver_webhook(s: &TestStore, support: &madd_sandbox::trakteer::Support) -> u16 {
    let body = json!({
        "created_at": support.created_at.format(&time::format_description::well_known::Rfc3339).unwrap(),
        "transaction_id": support.transaction_id,
        "type": "tip",
        "supporter_name": support.supporter_name,
        "supporter_message": support.message,
        "media": null,
        "unit": "Koin",
        "quantity": support.quantity.to_string(),
        "price": support.total,
        "net_amount": support.net_amount,
    });
    let token = s.app().config.trakteer.webhook_token.expose().to_string();
    s.http
        .post(s.url("/webhooks/trakteer"))
        .header("x-webhook-token", token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn pay_quietly(s: &TestStore, units: i64, message: &str) -> madd_sandbox::trakteer::Support {
    s.sandbox()
        .trakteer
        .pay(madd_sandbox::trakteer::PayRequest {
            quantity: units,
            display_name: "Budi".into(),
            message: message.into(),
            method: "qris".into(),
            email: None,
        })
        .unwrap()
}

both_backends!(
    reconciliation_records_a_missing_webhook_once,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        let due = order["amount_due"].as_i64().unwrap();
        s.sandbox().trakteer.set_webhook_enabled(false);
        let support = pay_quietly(&s, due / 1000, &code);
        s.settle().await;
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );

        // Too fresh: left to its webhook.
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!((r.recorded, r.too_recent), (0, 1));
        // After the grace period the API finds it.
        s.clock.advance(time::Duration::minutes(4));
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!(r.recorded, 1, "{r:?}");
        s.settle().await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Paid);
        assert_eq!(row.amount_paid.amount(), due);
        // Again: known.
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!((r.recorded, r.known), (0, 1));

        // The webhook arrives after all (twice): the same payment, not a second one.
        assert_eq!(deliver_webhook(&s, &support).await, 200);
        assert_eq!(deliver_webhook(&s, &support).await, 200);
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
                .await,
            1
        );
        assert_eq!(s.order_row(&code).await.amount_paid.amount(), due);
        let mut conn = s.app().db.write().await.unwrap();
        let (tx, source, net): (String, String, Option<i64>) =
            sqlx::query_as("SELECT transaction_id, source, net FROM payments")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        drop(conn);
        assert_eq!(tx, support.transaction_id, "the row took the webhook's id");
        assert_eq!(source, "reconcile");
        assert_eq!(net, Some(support.net_amount));
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!((r.recorded, r.known), (0, 1));
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE kind = 'payment_received'"
            )
            .await,
            1
        );
        s
    }
);

both_backends!(
    reconciliation_pairs_a_webhook_that_came_first,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        let due = order["amount_due"].as_i64().unwrap();
        // Webhook first (the normal path).
        s.pay(due / 1000, &code).await;
        // A second identical payment whose webhook never comes (the customer paid twice).
        s.sandbox().trakteer.set_webhook_enabled(false);
        let second = pay_quietly(&s, due / 1000, &code);
        s.clock.advance(time::Duration::minutes(4));
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!((r.paired, r.recorded), (1, 1), "{r:?}");
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
                .await,
            2
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments WHERE api_id IS NOT NULL")
                .await,
            1
        );
        assert_eq!(
            s.order_row(&code).await.amount_paid.amount(),
            2 * due,
            "both payments, each once"
        );
        // Runs again, and the late second webhook: nothing new.
        let r = reconcile::run(s.app()).await.unwrap();
        assert_eq!((r.recorded, r.known), (0, 2));
        assert_eq!(deliver_webhook(&s, &second).await, 200);
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
                .await,
            2
        );
        assert_eq!(s.order_row(&code).await.amount_paid.amount(), 2 * due);
        s
    }
);

both_backends!(
    refund_and_retry_from_the_order_page,
    |s: TestStore| async move {
        // A user id ending in 2: the sandbox supplier answers "Nomor tujuan salah.".
        let order = s.order(ML, "123456782", Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        let due = order["amount_due"].as_i64().unwrap();
        s.pay(due / 1000, &code).await;
        let (session, csrf) = s.admin_login().await;
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Failed);
        let path = format!("/admin/orders/{code}/refund");
        assert_eq!(
            post(
                &s,
                &session,
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("method", "gopay"),
                    ("amount", "999999999"),
                    ("note", "x")
                ]
            )
            .await,
            422,
            "more than was paid"
        );
        assert_eq!(
            post(
                &s,
                &session,
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("method", "gopay"),
                    ("amount", "5.000"),
                    ("note", "ke 0812 <b>")
                ]
            )
            .await,
            303
        );
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Refunded);
        assert_eq!(row.refund_method.as_deref(), Some("gopay"));
        let (_, html) = get(&s, &session, &format!("/admin/orders/{code}")).await;
        assert!(
            html.contains("Refund Rp5.000 via gopay: ke 0812 &#60;b&#62;")
                || html.contains("Refund Rp5.000 via gopay: ke 0812 &lt;b&gt;"),
            "timeline names the refund, escaped: {html}"
        );
        assert!(!html.contains("0812 <b>"));
        assert!(html.contains("penjual (seller)"), "who did it");
        // Every source is on the timeline, in the seller's words.
        for kind in [
            "<i>Pembayaran</i>",
            "<i>Supplier</i>",
            "<i>WhatsApp</i>",
            "<i>Status</i>",
        ] {
            assert!(html.contains(kind), "{kind}: {html}");
        }
        assert!(html.contains("Pesan ke supplier"), "{html}");
        assert!(!html.contains("order_created"), "no code names: {html}");
        // The refunded order is in this month's report with what went back.
        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(r.amount(LineKey::Refunds), Rupiah::new(-5_000));
        assert_eq!(r.amount(LineKey::RefundedReceived), Rupiah::new(due));
        // Filters on the orders list.
        let (_, list) = get(&s, &session, "/admin/orders?status=refunded&product=ml86").await;
        assert!(list.contains(&code));
        let (_, list) = get(&s, &session, "/admin/orders?status=delivered").await;
        assert!(!list.contains(&code));
        let (_, list) = get(&s, &session, "/admin/orders?from=2000-01-01&to=2000-01-02").await;
        assert!(!list.contains(&code));
        s
    }
);

async fn product_row(s: &TestStore, code: &str) -> maddstore::db::products::Product {
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::products::get(&mut conn, code)
        .await
        .unwrap()
        .unwrap()
}

both_backends!(
    markup_rules_reprice_with_the_margin_guard,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let before = product_row(&s, ML).await;
        // A zero markup on this product: the guard still keeps the price above cost + Trakteer's cut.
        assert_eq!(
            post(
                &s,
                &session,
                "/admin/pricing/rules",
                &[
                    ("csrf_token", &csrf),
                    ("scope", "product"),
                    ("target", ML),
                    ("percent", "0"),
                    ("min", "0")
                ]
            )
            .await,
            303
        );
        let after = product_row(&s, ML).await;
        let guard = madd_domain::PaymentCost {
            rate: madd_domain::Bps::new(578),
            fixed: Rupiah::ZERO,
        };
        assert!(guard.net(after.price) >= after.cost, "{after:?}");
        assert!(after.price <= before.price);
        assert!(s.count(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM price_history WHERE product_code = '{ML}' AND reason LIKE 'aturan markup%'")).await >= (after.price != before.price) as i64);
        // Disable and enable from the products page.
        assert_eq!(
            post(
                &s,
                &session,
                &format!("/admin/products/{ML}/toggle"),
                &[("csrf_token", &csrf)]
            )
            .await,
            303
        );
        assert!(!product_row(&s, ML).await.enabled);
        let (status, _) = s.post_json("/api/v1/orders", json!({"product": ML, "target": ML_ID, "zone": ML_ZONE, "whatsapp": "081234567890"})).await;
        assert_ne!(status, 201, "a disabled product is not sold");
        s
    }
);

both_backends!(
    retry_after_a_retryable_supplier_error,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        // The supplier balance is empty: VIP refuses ("saldo"), which the seller can fix.
        s.sandbox().vip.set_balance(0);
        let (session, csrf) = s.admin_login().await;
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Failed, "{row:?}");
        assert!(row.failure_retryable);
        let (_, html) = get(&s, &session, &format!("/admin/orders/{code}")).await;
        assert!(html.contains("Ulangi ke supplier"));
        // Topped up, the seller retries from the order page.
        s.sandbox().vip.set_balance(5_000_000);
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        assert_eq!(s.sandbox().vip.order_requests(), 2);
        s
    }
);
