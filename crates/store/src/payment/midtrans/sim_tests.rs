//! The client against the Midtrans simulator over real HTTP, in both of its HTTP modes (errors
//! in HTTP 200 bodies, or mirrored into the HTTP status): the client must read both alike.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use madd_domain::{Bps, PaymentCost, RailStatus, Rupiah};
use madd_sandbox::midtrans::{Config, FailNext, Faults, HttpMode, MidtransSim, TxStatus};
use madd_sandbox::qris;
use tokio::net::TcpListener;

use super::{Midtrans, MidtransConfig};
use crate::payment::gateway::{Gateway, GatewayError, NewPayment, PaymentEvent};
use crate::secret::Secret;

const MODES: [HttpMode; 2] = [HttpMode::BodyOnly, HttpMode::Mirror];

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// The store's notification endpoint: keeps the raw bodies, answers 200.
type Received = Arc<Mutex<Vec<Vec<u8>>>>;

async fn record(State(received): State<Received>, body: axum::body::Bytes) -> &'static str {
    received.lock().unwrap().push(body.to_vec());
    r#"{"status":"ok"}"#
}

struct Setup {
    sim: MidtransSim,
    midtrans: Midtrans,
    /// `http://127.0.0.1:port/sandbox/midtrans`
    base: String,
    notify_url: String,
    received: Received,
}

fn client(base: &str, key: &str, create_timeout: Duration) -> Midtrans {
    Midtrans::new(
        MidtransConfig {
            api_url: base.parse().unwrap(),
            server_key: Secret::new(key),
            acquirer: "gopay".into(),
            cost: PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::ZERO,
            },
            create_timeout,
        },
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    )
}

async fn setup() -> Setup {
    let received = Received::default();
    let store = Router::new()
        .route("/webhooks/midtrans", post(record))
        .with_state(received.clone());
    let notify_url = format!("{}/webhooks/midtrans", serve(store).await);
    let sim = MidtransSim::new(Config::for_tests());
    let base = format!(
        "{}/sandbox/midtrans",
        serve(Router::new().nest("/sandbox/midtrans", sim.router())).await
    );
    let midtrans = client(&base, &sim.config().server_key, Duration::from_secs(5));
    Setup {
        sim,
        midtrans,
        base,
        notify_url,
        received,
    }
}

impl Setup {
    fn payment(&self, merchant_ref: &str, amount: i64) -> NewPayment {
        let now_ms =
            i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                .unwrap();
        NewPayment {
            merchant_ref: merchant_ref.into(),
            amount: Rupiah::new(amount),
            item_code: "ML86".into(),
            item_name: "Mobile Legends 86 Diamonds".into(),
            customer_name: "Pelanggan".into(),
            customer_phone: Some("+6281234567890".into()),
            expires_at_ms: now_ms + 30 * 60_000,
            notify_url: self.notify_url.clone(),
            return_url: "http://127.0.0.1/o/x".into(),
        }
    }

    fn mode(&self, mode: HttpMode, faults: Faults) {
        self.sim.set_faults(Faults {
            http_mode: mode,
            ..faults
        });
    }

    /// Every notification the store received, through `verify`.
    fn verified(&self) -> Vec<PaymentEvent> {
        let headers = axum::http::HeaderMap::new();
        let bodies = self.received.lock().unwrap().clone();
        bodies
            .iter()
            .map(|b| self.midtrans.verify(&headers, b).unwrap())
            .collect()
    }
}

#[tokio::test]
async fn create_pay_and_the_status_says_paid() {
    let s = setup().await;
    for (i, mode) in MODES.into_iter().enumerate() {
        s.mode(mode, Faults::default());
        let merchant_ref = format!("MS-PAY{i}-1");
        let created = s
            .midtrans
            .create(&s.payment(&merchant_ref, 20_000))
            .await
            .unwrap();
        assert_eq!(created.amount, Rupiah::new(20_000));
        let parsed = qris::parse(created.qr_string.as_deref().unwrap()).unwrap();
        assert_eq!(parsed.amount, Some(20_000));
        assert!(created
            .qr_url
            .as_deref()
            .unwrap()
            .starts_with(&format!("{}/v2/qris/", s.base)));
        assert!(created.expires_at_ms.is_some());
        let pending = s
            .midtrans
            .status(Some(&created.reference), &merchant_ref)
            .await
            .unwrap();
        assert_eq!(pending.status, RailStatus::Pending);

        s.sim.pay(&merchant_ref).await.unwrap();
        let paid = s
            .midtrans
            .status(Some(&created.reference), &merchant_ref)
            .await
            .unwrap();
        assert_eq!(
            (paid.status, paid.gross),
            (RailStatus::Paid, Rupiah::new(20_000))
        );
        assert_eq!(paid.reference, created.reference);
        assert_eq!(paid.merchant_ref.as_deref(), Some(merchant_ref.as_str()));
        assert!(paid.paid_at_ms.is_some());
        assert!(paid.raw.contains("\"settlement\""));
    }
    s.sim.wait_notifications().await;
    let statuses: Vec<RailStatus> = s.verified().iter().map(|e| e.status).collect();
    assert_eq!(statuses.len(), 4);
    assert_eq!(
        statuses
            .iter()
            .filter(|&&st| st == RailStatus::Paid)
            .count(),
        2
    );
}

#[tokio::test]
async fn a_lost_charge_answer_is_unknown_and_found_by_merchant_ref() {
    let s = setup().await;
    for (i, mode) in MODES.into_iter().enumerate() {
        let fail = FailNext {
            count: 1,
            status: 500,
            created: true,
        };
        s.mode(
            mode,
            Faults {
                fail_next: Some(fail),
                ..Faults::default()
            },
        );
        let merchant_ref = format!("MS-LOST{i}-1");
        let result = s.midtrans.create(&s.payment(&merchant_ref, 15_000)).await;
        assert!(
            matches!(result, Err(GatewayError::Unknown(_))),
            "{mode:?}: {result:?}"
        );
        let found = s.midtrans.status(None, &merchant_ref).await.unwrap();
        assert_eq!(
            (found.status, found.gross),
            (RailStatus::Pending, Rupiah::new(15_000))
        );
        assert_eq!(
            found.reference,
            s.sim.transaction(&merchant_ref).unwrap().transaction_id
        );

        let never = s
            .midtrans
            .status(None, &format!("MS-NEVER{i}-1"))
            .await
            .unwrap();
        assert_eq!(never.status, RailStatus::Unknown);
    }
}

#[tokio::test]
async fn a_hanging_charge_is_unknown_within_the_create_timeout() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let impatient = client(
        &s.base,
        &s.sim.config().server_key,
        Duration::from_millis(300),
    );
    let started = Instant::now();
    let result = impatient.create(&s.payment("MS-HANG-1", 20_000)).await;
    assert!(
        matches!(result, Err(GatewayError::Unknown(_))),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_the_right_one_checks_out() {
    let s = setup().await;
    assert_eq!(
        s.midtrans.check().await.unwrap(),
        "Midtrans menjawab; server key diterima"
    );
    let wrong = client(&s.base, "SB-Mid-server-wrong", Duration::from_secs(5));
    for mode in MODES {
        s.mode(mode, Faults::default());
        let created = wrong.create(&s.payment("MS-KEY-1", 20_000)).await;
        assert!(
            matches!(&created, Err(GatewayError::Refused(r)) if r.contains("401")),
            "{created:?}"
        );
        let checked = wrong.check().await;
        assert!(
            matches!(&checked, Err(GatewayError::Refused(r)) if r.contains("sandbox")),
            "{checked:?}"
        );
        let status = wrong.status(None, "MS-KEY-1").await;
        assert!(
            matches!(status, Err(GatewayError::Refused(_))),
            "{status:?}"
        );
    }
    assert!(s.sim.transactions().is_empty());
}

#[tokio::test]
async fn close_expires_a_pending_payment_and_reports_a_settled_one_paid() {
    let s = setup().await;
    for (i, mode) in MODES.into_iter().enumerate() {
        s.mode(mode, Faults::default());
        let open = format!("MS-CLOSE{i}-1");
        let created = s.midtrans.create(&s.payment(&open, 20_000)).await.unwrap();
        let closed = s.midtrans.close(&created.reference).await.unwrap().unwrap();
        assert_eq!(closed.status, RailStatus::Expired, "{mode:?}");
        assert_eq!(s.sim.transaction(&open).unwrap().status, TxStatus::Expire);

        let paid = format!("MS-CLOSE{i}-2");
        let created = s.midtrans.create(&s.payment(&paid, 25_000)).await.unwrap();
        s.sim.pay(&paid).await.unwrap();
        let closed = s.midtrans.close(&created.reference).await.unwrap().unwrap();
        assert_eq!(
            (closed.status, closed.gross),
            (RailStatus::Paid, Rupiah::new(25_000)),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn refusals_and_odd_answers_from_the_simulator() {
    let s = setup().await;
    for (i, mode) in MODES.into_iter().enumerate() {
        s.mode(
            mode,
            Faults {
                force_deny: true,
                ..Faults::default()
            },
        );
        let denied = s
            .midtrans
            .create(&s.payment(&format!("MS-ODD{i}-1"), 20_000))
            .await;
        assert!(
            matches!(denied, Err(GatewayError::Refused(_))),
            "{denied:?}"
        );

        s.mode(
            mode,
            Faults {
                qris_disabled: true,
                ..Faults::default()
            },
        );
        let disabled = s
            .midtrans
            .create(&s.payment(&format!("MS-ODD{i}-2"), 20_000))
            .await;
        assert!(
            matches!(&disabled, Err(GatewayError::Refused(r)) if r.contains("402")),
            "{disabled:?}"
        );

        s.mode(
            mode,
            Faults {
                omit_qr_string: true,
                omit_expiry_time: true,
                ..Faults::default()
            },
        );
        let bare = s
            .midtrans
            .create(&s.payment(&format!("MS-ODD{i}-3"), 20_000))
            .await
            .unwrap();
        assert_eq!((bare.qr_string, bare.expires_at_ms), (None, None));
        assert!(bare.qr_url.is_some());
        let again = s
            .midtrans
            .create(&s.payment(&format!("MS-ODD{i}-3"), 20_000))
            .await;
        assert!(
            matches!(&again, Err(GatewayError::Refused(r)) if r.contains("406")),
            "{again:?}"
        );

        let fail = FailNext {
            count: 1,
            status: 502,
            created: false,
        };
        s.mode(
            mode,
            Faults {
                fail_next: Some(fail),
                ..Faults::default()
            },
        );
        let gateway = s
            .midtrans
            .create(&s.payment(&format!("MS-ODD{i}-4"), 20_000))
            .await;
        assert!(
            matches!(gateway, Err(GatewayError::Unknown(_))),
            "{gateway:?}"
        );
        let fail = FailNext {
            count: 1,
            status: 503,
            created: false,
        };
        s.mode(
            mode,
            Faults {
                fail_next: Some(fail),
                ..Faults::default()
            },
        );
        let status = s.midtrans.status(None, &format!("MS-ODD{i}-3")).await;
        assert!(
            matches!(status, Err(GatewayError::Unknown(_))),
            "{status:?}"
        );
    }
}

#[tokio::test]
async fn knobbed_notifications_are_caught_by_verify() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        tamper: true,
        ..Faults::default()
    });
    s.midtrans
        .create(&s.payment("MS-TAMPER-1", 20_000))
        .await
        .unwrap();
    s.sim.wait_notifications().await;
    let headers = axum::http::HeaderMap::new();
    let body = s.received.lock().unwrap().pop().unwrap();
    assert!(s.midtrans.verify(&headers, &body).is_err());

    s.sim.set_faults(Faults {
        bad_amount: true,
        ..Faults::default()
    });
    s.midtrans
        .create(&s.payment("MS-TAMPER-2", 20_000))
        .await
        .unwrap();
    s.sim.wait_notifications().await;
    let body = s.received.lock().unwrap().pop().unwrap();
    let event = s.midtrans.verify(&headers, &body).unwrap();
    assert_eq!(
        event.gross,
        Rupiah::new(21_000),
        "authentic, yet not the amount asked"
    );
}
