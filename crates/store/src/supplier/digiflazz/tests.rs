//! The client against Digiflazz's documented payloads and quirks (digiflazz.md), served by
//! wiremock: signatures, a body that decides whatever the HTTP status, numbers as strings, an
//! error object where a list was expected, the documented test cases.

use super::*;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer, testing: bool) -> Digiflazz {
    Digiflazz::new(
        DigiflazzConfig {
            api_url: url::Url::parse(&format!("{}/v1", server.uri())).unwrap(),
            username: "username".into(),
            api_key: Secret::new("apikey"),
            testing,
        },
        reqwest::Client::new(),
    )
}

#[test]
fn the_documented_signature() {
    // digiflazz.md §1: md5("username"+"apikey"+"depo").
    assert_eq!(
        sign("username", "apikey", "depo"),
        "e251663c764fe6136a8f9c6861720241"
    );
}

#[tokio::test]
async fn balance_and_a_refusal_sent_as_http_400() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/cek-saldo"))
        .and(body_partial_json(
            json!({"cmd": "deposit", "username": "username",
            "sign": "e251663c764fe6136a8f9c6861720241"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"deposit": 500000}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client(&server, false).balance().await, Ok(500_000));

    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"data": {"rc": "45", "message": "IP Anda tidak kami kenali: 103.18.34.217", "status": "Gagal"}}),
        ))
        .mount(&refusing)
        .await;
    assert_eq!(
        client(&refusing, false).balance().await,
        Err(DigiflazzError::Refused {
            rc: "45".into(),
            message: "IP Anda tidak kami kenali: 103.18.34.217".into()
        })
    );
}

#[tokio::test]
async fn the_price_list_with_its_quirks() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/price-list"))
        .and(body_partial_json(json!({"cmd": "prepaid", "sign": sign("username", "apikey", "pricelist")})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"product_name": "Xl 100.000", "category": "Pulsa", "brand": "XL", "type": "Umum",
             "seller_name": "PT. ABC", "price": 98000, "buyer_sku_code": "X100",
             "buyer_product_status": true, "seller_product_status": true,
             "unlimited_stock": true, "stock": 0, "multi": true,
             "start_cut_off": "0:0", "end_cut_off": "0:0", "desc": "Pulsa Xl Rp 100.000"},
            {"product_name": "MOBILELEGEND - 86 Diamond", "category": "Games", "brand": "MOBILE LEGENDS",
             "type": "Umum", "seller_name": "Lu***", "price": "19850", "buyer_sku_code": "ML86",
             "buyer_product_status": true, "seller_product_status": false,
             "unlimited_stock": false, "stock": "3", "desc": ""}
        ]})))
        .mount(&server)
        .await;
    let list = client(&server, false).price_list(false).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].price, 98_000);
    assert!(list[0].available());
    assert_eq!(
        (list[1].price, list[1].stock),
        (19_850, 3),
        "numbers sent as strings"
    );
    assert!(!list[1].available(), "the seller's side is down");

    // Asked again too soon: an error object where the list should be.
    let limited = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"rc": "83",
            "message": "Anda telah mencapai limitasi pengecekan pricelist"}})),
        )
        .mount(&limited)
        .await;
    assert!(matches!(
        client(&limited, false).price_list(false).await,
        Err(DigiflazzError::Refused { rc, .. }) if rc == "83"
    ));
}

#[tokio::test]
async fn the_documented_test_cases() {
    let server = MockServer::start().await;
    let answer = |customer: &str, status: &str, rc: &str, sn: &str| {
        ResponseTemplate::new(200).set_body_json(json!({"data": {
            "ref_id": format!("ref-{customer}"), "customer_no": customer, "buyer_sku_code": "xld10",
            "message": format!("Transaksi {status}"), "status": status, "rc": rc, "sn": sn,
            "buyer_last_saldo": 990000, "price": 10000}}))
    };
    for (customer, status, rc, sn) in [
        ("087800001230", "Sukses", "00", "1234567890"),
        ("087800001232", "Gagal", "02", ""),
        ("087800001233", "Pending", "03", ""),
    ] {
        Mock::given(method("POST"))
            .and(path("/v1/transaction"))
            .and(body_partial_json(
                json!({"customer_no": customer, "testing": true,
                "ref_id": format!("ref-{customer}"),
                "sign": sign("username", "apikey", &format!("ref-{customer}"))}),
            ))
            .respond_with(answer(customer, status, rc, sn))
            .mount(&server)
            .await;
    }
    let c = client(&server, true);
    let done = c
        .topup("xld10", "087800001230", "ref-087800001230", None)
        .await
        .unwrap();
    assert_eq!(
        done.outcome,
        Outcome::Delivered {
            sn: "1234567890".into()
        }
    );
    assert_eq!(done.price, 10_000);
    let failed = c
        .topup("xld10", "087800001232", "ref-087800001232", None)
        .await
        .unwrap();
    assert!(matches!(
        failed.outcome,
        Outcome::Failed {
            formed: true,
            customer_error: false,
            ..
        }
    ));
    let pending = c
        .topup("xld10", "087800001233", "ref-087800001233", None)
        .await
        .unwrap();
    assert_eq!(pending.outcome, Outcome::Pending);
}

#[tokio::test]
async fn a_rejection_before_any_transaction_and_an_unclear_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"buyer_sku_code": "NOPE"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "ref_id": "r1", "status": "Gagal", "rc": "43", "message": "SKU tidak ditemukan"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"buyer_sku_code": "HTML"})))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
        .mount(&server)
        .await;
    let c = client(&server, false);
    assert_eq!(
        c.topup("NOPE", "0812", "r1", None).await,
        Err(DigiflazzError::Refused {
            rc: "43".into(),
            message: "SKU tidak ditemukan".into()
        })
    );
    // Unknown outcome: the caller re-checks with the same ref_id before anything else.
    assert!(matches!(
        c.topup("HTML", "0812", "r2", None).await,
        Err(DigiflazzError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_pln_name_check() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/inquiry-pln"))
        .and(body_partial_json(json!({"customer_no": "1234554321",
            "sign": sign("username", "apikey", "1234554321")})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "message": "Transaksi Sukses", "status": "Sukses", "rc": "00",
            "customer_no": "1234554321", "meter_no": "1234554321", "subscriber_id": "523300817840",
            "name": "DAVID", "segment_power": "R1 /000001300"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/inquiry-pln"))
        .and(body_partial_json(json!({"customer_no": "99999999999"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "message": "Nomor Tujuan Salah", "status": "Gagal", "rc": "54", "customer_no": "99999999999",
            "name": ""}})))
        .mount(&server)
        .await;
    let c = client(&server, false);
    let owner = c.inquiry_pln("1234554321").await.unwrap().unwrap();
    assert_eq!(owner.name, "DAVID");
    assert_eq!(owner.segment_power, "R1 /000001300");
    assert_eq!(c.inquiry_pln("99999999999").await, Ok(None));
}
