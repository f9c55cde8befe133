//! The client against the Tripay simulator over real HTTP: the unmodified client with only its
//! base URL pointed at `/sandbox/tripay/api-sandbox`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use madd_domain::{RailStatus, Rupiah};
use madd_sandbox::tripay::{Config, FailBody, FailNext, Faults, TripaySim};
use tokio::net::TcpListener;

use super::tests::config;
use super::*;

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

struct Harness {
    sim: TripaySim,
    tripay: Tripay,
    received: Received,
}

async fn start_with(sim_config: Config, timeout: Duration) -> Harness {
    let received: Received = Arc::default();
    let store = Router::new()
        .route(
            "/webhooks/tripay",
            post(
                |State(r): State<Received>, headers: HeaderMap, body: Bytes| async move {
                    r.lock().unwrap().push((headers, body));
                    r#"{"success":true}"#
                },
            ),
        )
        .with_state(received.clone());
    let store_url = serve(store).await;
    let sim = TripaySim::new(Config {
        callback_url: Some(format!("{store_url}/webhooks/tripay")),
        ..sim_config
    });
    let base = serve(Router::new().nest("/sandbox/tripay", sim.router())).await;
    let c = sim.config();
    let mut client_config = config(
        &format!("{base}/sandbox/tripay/api-sandbox"),
        &c.api_key,
        &c.private_key,
    );
    client_config.merchant_code = c.merchant_code.clone();
    client_config.create_timeout = timeout;
    Harness {
        tripay: Tripay::new(client_config, reqwest::Client::new()),
        sim,
        received,
    }
}

async fn start() -> Harness {
    start_with(Config::for_tests(), Duration::from_secs(5)).await
}

fn payment(merchant_ref: &str, amount: i64) -> NewPayment {
    NewPayment {
        merchant_ref: merchant_ref.into(),
        amount: Rupiah::new(amount),
        item_code: "ML86".into(),
        item_name: "Mobile Legends 86 Diamonds".into(),
        customer_name: "Pelanggan Madd Store".into(),
        customer_phone: Some("+6281234567890".into()),
        expires_at_ms: (time::OffsetDateTime::now_utc().unix_timestamp() + 1_800) * 1_000,
        notify_url: String::new(),
        return_url: "https://maddstore.example/order/MS-7K3Q9XW2".into(),
    }
}

#[tokio::test]
async fn create_pay_and_ask_the_status() {
    let h = start().await;
    let new = payment("MS-7K3Q9XW2-1", 20_000);
    let created = h.tripay.create(&new).await.unwrap();
    assert_eq!(created.amount, Rupiah::new(20_000));
    assert_eq!(
        (created.fee, created.fee_customer),
        (Some(Rupiah::new(890)), Rupiah::ZERO)
    );
    assert_eq!(
        created.expires_at_ms,
        Some(new.expires_at_ms / 1_000 * 1_000)
    );
    assert!(created
        .qr_string
        .as_deref()
        .is_some_and(|q| q.starts_with("000201")));
    assert!(created.checkout_url.is_some() && created.qr_url.is_some());
    let tx = h.sim.transaction(&created.reference).unwrap();
    assert_eq!(tx.customer_phone.as_deref(), Some("081234567890"));

    let pending = h
        .tripay
        .status(Some(&created.reference), &new.merchant_ref)
        .await
        .unwrap();
    assert_eq!(pending.status, RailStatus::Pending);

    h.sim.pay(&created.reference).await.unwrap();
    let paid = h
        .tripay
        .status(Some(&created.reference), &new.merchant_ref)
        .await
        .unwrap();
    assert_eq!(paid.status, RailStatus::Paid);
    assert_eq!(
        (paid.gross, paid.fee),
        (Rupiah::new(20_000), Some(Rupiah::new(890)))
    );
    assert!(paid.paid_at_ms.is_some());
    let found = h.tripay.status(None, &new.merchant_ref).await.unwrap();
    assert_eq!(
        (found.status, found.reference),
        (RailStatus::Paid, created.reference.clone())
    );

    // The simulator's callback verifies with the client's key on the bytes it sent.
    h.sim.wait_callbacks().await;
    let (headers, body) = h.received.lock().unwrap()[0].clone();
    let event = h.tripay.verify(&headers, &body).unwrap();
    assert_eq!(event.status, RailStatus::Paid);
    assert_eq!(event.merchant_ref.as_deref(), Some("MS-7K3Q9XW2-1"));
    assert_eq!(event.gross, Rupiah::new(20_000));
    assert_eq!(h.tripay.close(&created.reference).await, Ok(None));
}

#[tokio::test]
async fn a_lost_create_answer_is_found_by_merchant_ref() {
    let h = start().await;
    h.sim.set_faults(Faults {
        fail_next: Some(FailNext {
            count: 1,
            http: 500,
            body: FailBody::None,
            created: true,
        }),
        ..Faults::default()
    });
    let err = h
        .tripay
        .create(&payment("MS-LOST-1", 20_000))
        .await
        .unwrap_err();
    assert!(matches!(err, GatewayError::Unknown(_)), "{err:?}");
    let found = h.tripay.status(None, "MS-LOST-1").await.unwrap();
    assert_eq!(found.status, RailStatus::Pending);
    assert_eq!(
        found.reference,
        h.sim.transaction("MS-LOST-1").unwrap().reference
    );
    let none = h.tripay.status(None, "MS-NEVER-1").await.unwrap();
    assert_eq!(none.status, RailStatus::Unknown);
    let missing = h
        .tripay
        .status(Some("DEV-T12345000000ZZZZZ"), "MS-NEVER-1")
        .await
        .unwrap();
    assert_eq!(missing.status, RailStatus::Unknown);
}

#[tokio::test]
async fn unclear_answers_leave_the_outcome_unknown() {
    let h = start().await;
    for body in [FailBody::Html, FailBody::JsonError] {
        h.sim.set_faults(Faults {
            fail_next: Some(FailNext {
                count: 1,
                http: 502,
                body,
                created: false,
            }),
            ..Faults::default()
        });
        let err = h
            .tripay
            .create(&payment("MS-502-1", 20_000))
            .await
            .unwrap_err();
        assert!(matches!(err, GatewayError::Unknown(_)), "{body:?}: {err:?}");
    }
}

#[tokio::test]
async fn a_hanging_create_is_unknown_within_the_timeout() {
    let h = start_with(Config::for_tests(), Duration::from_millis(300)).await;
    h.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let started = Instant::now();
    let err = h
        .tripay
        .create(&payment("MS-HANG-1", 20_000))
        .await
        .unwrap_err();
    assert!(matches!(err, GatewayError::Unknown(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn clear_refusals_are_refused() {
    let h = start().await;
    let err = h
        .tripay
        .create(&payment("MS-BIG-1", 6_000_000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("Amount out of range")),
        "{err:?}"
    );

    let c = h.tripay.config().clone();
    let wrong_key = Tripay::new(
        TripayConfig {
            api_key: Secret::new("DEV-wrong"),
            ..c.clone()
        },
        reqwest::Client::new(),
    );
    let err = wrong_key
        .create(&payment("MS-KEY-1", 20_000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("Invalid API Key")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("DEV-wrong"));

    let wrong_private = Tripay::new(
        TripayConfig {
            private_key: Secret::new("wrong-private-key"),
            ..c
        },
        reqwest::Client::new(),
    );
    let err = wrong_private
        .create(&payment("MS-SIG-1", 20_000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("Invalid signature")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong-private-key"));
}

#[tokio::test]
async fn check_finds_the_channel_and_its_fee_side() {
    let h = start().await;
    assert_eq!(
        h.tripay.check().await.unwrap(),
        "Tripay menjawab; kanal QRIS aktif, biaya di pihak penjual"
    );
    h.sim.set_faults(Faults {
        channel_inactive: true,
        ..Faults::default()
    });
    let err = h.tripay.check().await.unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("inactive")),
        "{err:?}"
    );
    h.sim.set_faults(Faults {
        ip_block: true,
        ..Faults::default()
    });
    let err = h.tripay.check().await.unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("IP whitelist")),
        "{err:?}"
    );

    let on_buyer = start_with(
        Config {
            fee_on_customer: true,
            ..Config::for_tests()
        },
        Duration::from_secs(5),
    )
    .await;
    let err = on_buyer.tripay.check().await.unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("buyer")),
        "{err:?}"
    );
    // A create there answers the grown amount and the buyer's fee, for the store to refuse.
    let created = on_buyer
        .tripay
        .create(&payment("MS-FEE-1", 120_000))
        .await
        .unwrap();
    assert_eq!(
        (created.amount, created.fee_customer),
        (Rupiah::new(121_590), Rupiah::new(1_590))
    );

    let mut unknown_method = h.tripay.config().clone();
    unknown_method.method = "QRISX".into();
    h.sim.set_faults(Faults::default());
    let err = Tripay::new(unknown_method, reqwest::Client::new())
        .check()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::Refused(m) if m.contains("not enabled")),
        "{err:?}"
    );
}
