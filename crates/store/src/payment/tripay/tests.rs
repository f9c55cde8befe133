//! The spec's worked examples (§2.1, §2.2, §4.2) and the lenient reading of answers.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use madd_domain::{Bps, PaymentCost, RailId, RailStatus, Rupiah};
use serde_json::{json, Value};
use url::Url;

use super::*;

const KEY: &str = "AbCdE-fGhIj-KlMnO-pQrSt-UvWxY";

/// The §2.2 callback, exactly 290 bytes.
const BODY: &str = r#"{"reference":"DEV-T12345123456ABCDE","merchant_ref":"MS-7K3Q9XW2-1","payment_method":"QRIS","payment_method_code":"QRIS2","total_amount":20000,"fee_merchant":890,"fee_customer":0,"total_fee":890,"amount_received":19110,"is_closed_payment":1,"status":"PAID","paid_at":1767236700,"note":null}"#;

pub(super) fn config(api_url: &str, api_key: &str, private_key: &str) -> TripayConfig {
    TripayConfig {
        api_url: Url::parse(api_url).unwrap(),
        api_key: Secret::new(api_key),
        private_key: Secret::new(private_key),
        merchant_code: "T12345".into(),
        method: "QRIS2".into(),
        customer_email: "orders@maddstore.example".into(),
        cost: PaymentCost {
            rate: Bps::new(70),
            fixed: Rupiah::new(750),
        },
        create_timeout: Duration::from_secs(5),
    }
}

fn tripay() -> Tripay {
    Tripay::new(
        config("http://127.0.0.1:9/api-sandbox", "DEV-x", KEY),
        reqwest::Client::new(),
    )
}

fn headers(signature: &str, event: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "X-Callback-Signature",
        HeaderValue::from_str(signature).unwrap(),
    );
    headers.insert("X-Callback-Event", HeaderValue::from_str(event).unwrap());
    headers
}

#[test]
fn create_signatures_match_the_worked_examples() {
    // The docs' own example.
    assert_eq!(
        create_signature(
            "ytf6ooi2gmlNPfpchd94jDOk8hRWOu",
            "T0001",
            "INV55567",
            1_500_000
        ),
        "9f167eba844d1fcb369404e2bda53702e2f78f7aa12e91da6715414e65b8c86a"
    );
    let ours = create_signature(KEY, "T12345", "MS-7K3Q9XW2-1", 20_000);
    assert_eq!(
        ours,
        "1a78298447cc5473e2ec99f6bdd94fd8ab4291cf31d0829b3776b89eba5c5edd"
    );
    // The classic mistake, the amount written with decimals, signs another message.
    let wrong = hmac_hex(KEY, b"T12345MS-7K3Q9XW2-120000.00");
    assert_eq!(
        wrong,
        "ec8bbbf2e14d1011c5437e82098753c62e4d91f46cb861986f54b6ee2f156ef6"
    );
    assert_ne!(ours, wrong);
}

#[test]
fn the_290_byte_callback_verifies_on_its_raw_bytes() {
    assert_eq!(BODY.len(), 290);
    let digest = "dcc51afae5db21ded22576d946d6ac6d7ad1f697cb6216770ed8d680c5f26e4b";
    assert_eq!(callback_signature(KEY, BODY.as_bytes()), digest);
    let event = tripay()
        .verify(&headers(digest, "payment_status"), BODY.as_bytes())
        .unwrap();
    assert_eq!(
        event,
        PaymentEvent {
            rail: RailId::Tripay,
            reference: "DEV-T12345123456ABCDE".into(),
            merchant_ref: Some("MS-7K3Q9XW2-1".into()),
            status: RailStatus::Paid,
            gross: Rupiah::new(20_000),
            fee: Some(Rupiah::new(890)),
            paid_at_ms: Some(1_767_236_700_000),
            raw: BODY.into(),
        }
    );
    // Upper-case hex digits are the same signature.
    let upper = headers(&digest.to_ascii_uppercase(), "payment_status");
    assert!(tripay().verify(&upper, BODY.as_bytes()).is_ok());
}

#[test]
fn a_re_serialised_body_is_refused() {
    // What Python's default `json.dumps` writes for the same JSON: other bytes, another digest.
    let python = BODY.replace("\":", "\": ").replace(",\"", ", \"");
    let python_digest = "d9fa7cb0b15189b93b448a3c32b90960117646c7ea9273c3357a96dcbb7dd756";
    assert_eq!(callback_signature(KEY, python.as_bytes()), python_digest);
    let raw_digest = "dcc51afae5db21ded22576d946d6ac6d7ad1f697cb6216770ed8d680c5f26e4b";
    let t = tripay();
    assert_eq!(
        t.verify(&headers(python_digest, "payment_status"), BODY.as_bytes()),
        Err(WebhookError::Forged)
    );
    assert_eq!(
        t.verify(&headers(raw_digest, "payment_status"), python.as_bytes()),
        Err(WebhookError::Forged)
    );
}

#[test]
fn an_escaped_slash_body_is_verified_on_its_raw_bytes() {
    let escaped = BODY.replace(r#""note":null"#, r#""note":"QRIS\/ShopeePay""#);
    let digest = "c752180595c60424f63e4b78911ff81d51e811a008ed9a2ecc79a95041c86afd";
    assert_eq!(callback_signature(KEY, escaped.as_bytes()), digest);
    let event = tripay()
        .verify(&headers(digest, "payment_status"), escaped.as_bytes())
        .unwrap();
    assert_eq!(event.raw, escaped);
    // A compact re-serialisation keeps the order but writes `QRIS/ShopeePay`: other bytes.
    let compact = escaped.replace(r"\/", "/");
    assert!(compact.ends_with(r#""note":"QRIS/ShopeePay"}"#));
    let compact_digest = "150ee26b2c219890155c62a2f01056f5a138632b0c43a43889c5895324119682";
    assert_eq!(callback_signature(KEY, compact.as_bytes()), compact_digest);
    assert_eq!(
        tripay().verify(
            &headers(compact_digest, "payment_status"),
            escaped.as_bytes()
        ),
        Err(WebhookError::Forged)
    );
}

#[test]
fn authentic_callbacks_that_are_not_ours_to_act_on_are_ignored() {
    let t = tripay();
    let signed = |body: &str, event: &str| {
        t.verify(
            &headers(&callback_signature(KEY, body.as_bytes()), event),
            body.as_bytes(),
        )
    };
    assert!(matches!(
        signed(BODY, "something_else"),
        Err(WebhookError::Ignored(_))
    ));
    let mut no_event = headers(&callback_signature(KEY, BODY.as_bytes()), "x");
    no_event.remove("x-callback-event");
    assert!(matches!(
        t.verify(&no_event, BODY.as_bytes()),
        Err(WebhookError::Ignored(_))
    ));
    let open = BODY.replace(r#""is_closed_payment":1"#, r#""is_closed_payment":0"#);
    assert!(matches!(
        signed(&open, "payment_status"),
        Err(WebhookError::Ignored(_))
    ));
    assert!(matches!(
        signed("not json", "payment_status"),
        Err(WebhookError::Unreadable(_))
    ));
    let odd = BODY.replace(r#""status":"PAID""#, r#""status":"SETTLED""#);
    assert!(matches!(
        signed(&odd, "payment_status"),
        Err(WebhookError::Unreadable(_))
    ));
    // Missing signature, and a store without a private key, believe nothing.
    let mut unsigned = headers("x", "payment_status");
    unsigned.remove("x-callback-signature");
    assert_eq!(
        t.verify(&unsigned, BODY.as_bytes()),
        Err(WebhookError::Forged)
    );
    let keyless = Tripay::new(
        config("http://127.0.0.1:9/api", "DEV-x", ""),
        reqwest::Client::new(),
    );
    let digest = callback_signature("", BODY.as_bytes());
    assert_eq!(
        keyless.verify(&headers(&digest, "payment_status"), BODY.as_bytes()),
        Err(WebhookError::Forged)
    );
}

#[test]
fn a_callback_with_numbers_as_strings_is_read() {
    let body = r#"{"reference":"DEV-T12345123456ABCDE","merchant_ref":"MS-7K3Q9XW2-1","total_amount":"20000","total_fee":"890","is_closed_payment":"1","status":"EXPIRED","paid_at":null,"note":null}"#;
    let event = tripay()
        .verify(
            &headers(&callback_signature(KEY, body.as_bytes()), "payment_status"),
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(event.status, RailStatus::Expired);
    assert_eq!(
        (event.gross, event.fee),
        (Rupiah::new(20_000), Some(Rupiah::new(890)))
    );
    assert_eq!(event.paid_at_ms, None);
}

/// The §4.2 answer, verbatim.
fn create_answer() -> Value {
    json!({
      "success": true,
      "message": "",
      "data": {
        "reference": "DEV-T12345123456ABCDE",
        "merchant_ref": "MS-7K3Q9XW2-1",
        "payment_selection_type": "static",
        "payment_method": "QRIS2",
        "payment_name": "QRIS",
        "customer_name": "Pelanggan Madd Store",
        "customer_email": "orders@maddstore.example",
        "customer_phone": "081234567890",
        "callback_url": "https://maddstore.example/webhooks/tripay",
        "return_url": "https://maddstore.example/order/MS-7K3Q9XW2",
        "amount": 20000,
        "fee_merchant": 890,
        "fee_customer": 0,
        "total_fee": 890,
        "amount_received": 19110,
        "pay_code": null,
        "pay_url": null,
        "checkout_url": "https://tripay.co.id/checkout/DEV-T12345123456ABCDE",
        "status": "UNPAID",
        "expired_time": 1767240000,
        "order_items": [ { "sku": "ML86", "name": "Mobile Legends 86 Diamonds", "price": 20000, "quantity": 1,
                           "subtotal": 20000, "product_url": null, "image_url": null } ],
        "instructions": [ { "title": "Pembayaran via QRIS", "steps": [ "…" ] } ],
        "qr_string": "SANDBOX MODE",
        "qr_url": "https://tripay.co.id/qr/DEV-T12345123456ABCDE"
      }
    })
}

#[test]
fn the_specs_create_answer_is_read_and_sandbox_mode_is_no_payload() {
    let created = values::created(&create_answer()["data"], "MS-7K3Q9XW2-1").unwrap();
    assert_eq!(
        created,
        CreatedPayment {
            reference: "DEV-T12345123456ABCDE".into(),
            qr_string: None,
            qr_url: Some("https://tripay.co.id/qr/DEV-T12345123456ABCDE".into()),
            checkout_url: Some("https://tripay.co.id/checkout/DEV-T12345123456ABCDE".into()),
            expires_at_ms: Some(1_767_240_000_000),
            amount: Rupiah::new(20_000),
            fee: Some(Rupiah::new(890)),
            fee_customer: Rupiah::ZERO,
        }
    );
    let mut real = create_answer();
    real["data"]["qr_string"] = json!("00020101021226…6304ABCD");
    let created = values::created(&real["data"], "MS-7K3Q9XW2-1").unwrap();
    assert_eq!(
        created.qr_string.as_deref(),
        Some("00020101021226…6304ABCD")
    );
    real["data"]["qr_string"] = json!("");
    assert_eq!(
        values::created(&real["data"], "MS-7K3Q9XW2-1")
            .unwrap()
            .qr_string,
        None
    );
}

#[test]
fn answers_with_numbers_as_strings_are_read() {
    let mut answer = create_answer();
    let data = &mut answer["data"];
    data["amount"] = json!("20000");
    data["fee_merchant"] = json!("890");
    data["fee_customer"] = json!("0");
    data["expired_time"] = json!("1767240000");
    let created = values::created(data, "MS-7K3Q9XW2-1").unwrap();
    assert_eq!(
        (created.amount, created.fee),
        (Rupiah::new(20_000), Some(Rupiah::new(890)))
    );
    assert_eq!(created.expires_at_ms, Some(1_767_240_000_000));

    // Detail as the docs show it: `paid_at` a string.
    let mut detail = create_answer()["data"].clone();
    detail["status"] = json!("PAID");
    detail["paid_at"] = json!("1582856000");
    detail["total_fee"] = json!("890");
    let event = values::event(detail.as_object().unwrap(), &["amount"], String::new()).unwrap();
    assert_eq!(event.status, RailStatus::Paid);
    assert_eq!(event.paid_at_ms, Some(1_582_856_000_000));
    assert_eq!(event.fee, Some(Rupiah::new(890)));
}

#[test]
fn every_status_word_maps() {
    for (word, status) in [
        ("UNPAID", RailStatus::Pending),
        ("PAID", RailStatus::Paid),
        ("EXPIRED", RailStatus::Expired),
        ("FAILED", RailStatus::Failed),
        ("REFUND", RailStatus::Refunded),
        (" paid ", RailStatus::Paid),
    ] {
        assert_eq!(rail_status(word), Some(status), "{word}");
    }
    assert_eq!(rail_status("SETTLEMENT"), None);
}

#[test]
fn the_gateway_shape() {
    let t = tripay();
    assert_eq!(t.rail(), RailId::Tripay);
    assert!(!t.confirms_by_status());
    assert_eq!(t.acknowledgement(), (StatusCode::OK, r#"{"success":true}"#));
    assert_eq!(t.refusal().0, StatusCode::UNAUTHORIZED);
    assert!(!format!("{:?}", t.config()).contains(KEY));
}
