//! The VIP Reseller client against a mock server answering with the payloads recorded in
//! `shared/specs/vip-reseller.md` (not the sandbox's: the sandbox is tested against the spec on
//! its own, so a shared mistake cannot hide here).

use std::time::Duration;

use madd_domain::{Rupiah, ServiceKind, SupplierStatus};
use maddstore::secret::Secret;
use maddstore::supplier::vip_reseller::{
    parse_callback, signature, CallbackError, PriceTier, VipConfig, VipReseller, PLN_POSTPAID_CODE,
};
use maddstore::supplier::{Nickname, PlaceOrder, Supplier, SupplierError};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

const API_ID: &str = "VIP12345";
const API_KEY: &str = "k3y-Very-Secret-123";

fn sign() -> String {
    signature(API_ID, &Secret::new(API_KEY))
}

fn client_for(server: &MockServer, base_path: &str, tier: PriceTier) -> VipReseller {
    VipReseller::new(
        VipConfig {
            base_url: format!("{}{base_path}", server.uri()).parse().unwrap(),
            api_id: API_ID.to_string(),
            api_key: Secret::new(API_KEY),
            tier,
        },
        reqwest::Client::new(),
    )
}

async fn setup() -> (MockServer, VipReseller) {
    let server = MockServer::start().await;
    let client = client_for(&server, "/api/", PriceTier::Premium);
    (server, client)
}

/// Matches a form body that holds `key`, the right `sign` and exactly the `fields` given.
struct Form(Vec<(&'static str, &'static str)>);

impl Match for Form {
    fn matches(&self, request: &Request) -> bool {
        let Ok(mut got) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&request.body)
        else {
            return false;
        };
        let mut want: Vec<(String, String)> = vec![
            ("key".to_string(), API_KEY.to_string()),
            ("sign".to_string(), sign()),
        ];
        want.extend(self.0.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        got.sort();
        want.sort();
        got == want
    }
}

fn form(fields: &[(&'static str, &'static str)]) -> Form {
    Form(fields.to_vec())
}

fn ok_json(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn fail(message: &str) -> ResponseTemplate {
    ok_json(json!({"result": false, "data": null, "message": message}))
}

async fn mount(server: &MockServer, endpoint: &str, fields: Form, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(format!("/api/{endpoint}")))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(fields)
        .respond_with(answer)
        .expect(1)
        .mount(server)
        .await;
}

fn unavailable_detail(result: Result<impl std::fmt::Debug, SupplierError>) -> String {
    match result {
        Err(SupplierError::Unavailable { detail }) => {
            assert!(!detail.contains(API_KEY), "key leaked: {detail}");
            assert!(!detail.contains(&sign()), "sign leaked: {detail}");
            detail
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn profile_sends_key_and_md5_sign_as_a_form() {
    let server = MockServer::start().await;
    // Base URL without the trailing slash works the same.
    let client = client_for(&server, "/api", PriceTier::Special);
    mount(
        &server,
        "profile",
        form(&[]),
        ok_json(json!({
            "result": true,
            "data": {"full_name": "Madd Store", "username": "maddstore", "balance": 522,
                     "point": 0, "level": "Special", "registered": "2023-01-23 17:56:45"},
            "message": "Successfully got your account details."
        })),
    )
    .await;
    let profile = client.profile().await.unwrap();
    assert_eq!(profile.username, "maddstore");
    assert_eq!(profile.balance, Rupiah::new(522));
    assert_eq!(profile.level, "Special");
    // The sign is md5(API_ID + API_KEY), lowercase hex.
    assert_eq!(sign().len(), 32);
    assert_eq!(sign(), sign().to_lowercase());
}

#[tokio::test]
async fn profile_balance_as_a_numeric_string() {
    let (server, client) = setup().await;
    mount(
        &server,
        "profile",
        form(&[]),
        ok_json(json!({
            "result": true,
            "data": {"full_name": "X", "username": "x", "balance": "1500000", "point": 0,
                     "level": "Premium", "registered": "2023-01-23 17:56:45"},
            "message": "Successfully got your account details."
        })),
    )
    .await;
    assert_eq!(
        client.profile().await.unwrap().balance,
        Rupiah::new(1_500_000)
    );
}

#[tokio::test]
async fn wrong_credentials_are_rejected_with_the_message() {
    let (server, client) = setup().await;
    mount(
        &server,
        "profile",
        form(&[]),
        fail("API Signature not valid."),
    )
    .await;
    assert_eq!(
        client.profile().await,
        Err(SupplierError::Rejected {
            message: "API Signature not valid.".into()
        })
    );
}

#[tokio::test]
async fn services_of_every_kind_at_the_configured_tier() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[("type", "services")]),
        ok_json(json!({
            "result": true,
            "data": [
                {"code": "ML14-S14", "game": "Mobile Legends A",
                 "name": "14 Diamonds ( 13 + 1 Bonus )",
                 "price": {"basic": 3310, "premium": 3260, "special": 3235},
                 "server": "1", "status": "available"},
                {"code": "ML1048-S1", "game": "Mobile Legends B", "name": "1048 Diamonds",
                 "price": {"basic": "197000", "premium": "195695", "special": "195000"},
                 "server": "1", "status": "empty"},
                {"code": "BROKEN", "game": "Broken", "name": "no price", "status": "available"}
            ],
            "message": "Daftar layanan berhasil didapatkan."
        })),
    )
    .await;
    mount(
        &server,
        "prepaid",
        form(&[("type", "services")]),
        ok_json(json!({
            "result": true,
            "data": [
                {"brand": "XL", "code": "XLDHR3", "name": "XL HOTROD 3 GB / 30 Hari",
                 "note": "-", "price": {"basic": 27500, "premium": 27200, "special": 27000},
                 "status": "available", "multi_trx": true, "maintenace": "23:44 - 00:16",
                 "category": "Hotrod", "prepost": "prepaid", "type": "paket-internet"},
                {"brand": "PLN", "code": "PLN20", "name": "Token PLN 20.000",
                 "note": "Masukkan nomor meter", "price": {"basic": 20300, "premium": 20250,
                 "special": 20200}, "status": "available", "multi_trx": false,
                 "maintenace": "-", "category": "Token PLN", "prepost": "prepaid",
                 "type": "token-pln"}
            ],
            "message": "Daftar layanan berhasil didapatkan."
        })),
    )
    .await;

    let services = client.services().await.unwrap();
    let by_code = |code: &str| {
        services
            .iter()
            .find(|s| s.code == code)
            .unwrap_or_else(|| panic!("{code} missing"))
    };
    assert_eq!(services.len(), 5, "{services:?}");
    assert!(services.iter().all(|s| s.code != "BROKEN"));

    let ml = by_code("ML14-S14");
    assert_eq!(ml.brand, "Mobile Legends A");
    assert_eq!(ml.name, "14 Diamonds ( 13 + 1 Bonus )");
    assert_eq!(ml.kind, ServiceKind::Game);
    assert_eq!(ml.cost, Rupiah::new(3260));
    assert!(ml.available);
    assert_eq!(ml.prepaid_type, None);
    let empty = by_code("ML1048-S1");
    assert_eq!(empty.cost, Rupiah::new(195_695));
    assert!(!empty.available);

    let xl = by_code("XLDHR3");
    assert_eq!(xl.kind, ServiceKind::Prepaid);
    assert_eq!(xl.brand, "XL");
    assert_eq!(xl.cost, Rupiah::new(27_200));
    assert_eq!(xl.prepaid_type.as_deref(), Some("paket-internet"));
    assert_eq!(xl.note.as_deref(), Some("Maintenance 23:44 - 00:16"));
    let pln = by_code("PLN20");
    assert_eq!(pln.prepaid_type.as_deref(), Some("token-pln"));
    assert_eq!(pln.note.as_deref(), Some("Masukkan nomor meter"));

    let pasca = by_code(PLN_POSTPAID_CODE);
    assert_eq!(pasca.kind, ServiceKind::Postpaid);
    assert_eq!(pasca.brand, "PLN");
    assert_eq!(pasca.name, "PLN Pascabayar");
    assert_eq!(pasca.cost, Rupiah::ZERO);
}

#[tokio::test]
async fn basic_and_special_tiers_pick_their_column() {
    for (tier, want) in [(PriceTier::Basic, 3310), (PriceTier::Special, 3235)] {
        let server = MockServer::start().await;
        let client = client_for(&server, "/api/", tier);
        mount(
            &server,
            "game-feature",
            form(&[("type", "services")]),
            ok_json(
                json!({"result": true, "message": "Daftar layanan berhasil didapatkan.",
                "data": [{"code": "ML14-S14", "game": "Mobile Legends A",
                  "name": "14 Diamonds ( 13 + 1 Bonus )",
                  "price": {"basic": 3310, "premium": 3260, "special": 3235},
                  "server": "1", "status": "available"}]}),
            ),
        )
        .await;
        mount(
            &server,
            "prepaid",
            form(&[("type", "services")]),
            ok_json(json!({"result": true, "data": [], "message": "ok"})),
        )
        .await;
        let services = client.services().await.unwrap();
        assert_eq!(services[0].cost, Rupiah::new(want), "{tier}");
    }
}

#[tokio::test]
async fn nickname_found_with_zone_and_mobile_legends_country() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "get-nickname"),
            ("code", "mobile-legends"),
            ("target", "123456780"),
            ("additional_target", "2345"),
        ]),
        ok_json(
            json!({"result": true, "data": "Itacimo", "message": "Success.",
                       "country": {"code": "ID", "name": "Indonesia"}}),
        ),
    )
    .await;
    assert_eq!(
        client
            .nickname("mobile-legends", "123456780", Some("2345"))
            .await,
        Ok(Nickname::Found("Itacimo".into()))
    );
}

#[tokio::test]
async fn nickname_without_zone_sends_no_additional_target() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "get-nickname"),
            ("code", "free-fire"),
            ("target", "1234567890"),
        ]),
        ok_json(json!({"result": true, "data": "FF Player", "message": "Success."})),
    )
    .await;
    assert_eq!(
        client.nickname("free-fire", "1234567890", None).await,
        Ok(Nickname::Found("FF Player".into()))
    );
}

#[tokio::test]
async fn nickname_not_found_is_an_answer() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "get-nickname"),
            ("code", "free-fire"),
            ("target", "999999999"),
        ]),
        fail("ID tidak ditemukan."),
    )
    .await;
    assert_eq!(
        client.nickname("free-fire", "999999999", None).await,
        Ok(Nickname::NotFound {
            message: "ID tidak ditemukan.".into()
        })
    );
}

#[tokio::test]
async fn nickname_auth_and_maintenance_errors_are_rejections() {
    for message in [
        "API Key not registered.",
        "IP 1.2.3.4 is not permitted",
        "Ada pemeliharaan sistem API, coba lagi nanti.",
    ] {
        let (server, client) = setup().await;
        mount(
            &server,
            "game-feature",
            form(&[
                ("type", "get-nickname"),
                ("code", "free-fire"),
                ("target", "1234567890"),
            ]),
            fail(message),
        )
        .await;
        assert_eq!(
            client.nickname("free-fire", "1234567890", None).await,
            Err(SupplierError::Rejected {
                message: message.into()
            })
        );
    }
}

#[tokio::test]
async fn game_order_success() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "order"),
            ("service", "ML1048-S1"),
            ("data_no", "136216325"),
            ("data_zone", "2685"),
        ]),
        ok_json(json!({
            "result": true,
            "data": {"trxid": "VP1234567", "data": "136216325", "zone": "2685",
                     "service": "Mobile Legends B - 1048 Diamonds", "status": "waiting",
                     "note": "", "balance": 100000, "price": 195695},
            "message": "Pesanan berhasil, pesanan akan diproses."
        })),
    )
    .await;
    let order = client
        .place_order(&PlaceOrder {
            reference: "MS-TEST-1".into(),
            kind: ServiceKind::Game,
            service: "ML1048-S1".into(),
            target: "136216325".into(),
            zone: Some("2685".into()),
        })
        .await
        .unwrap();
    assert_eq!(order.trxid, "VP1234567");
    assert_eq!(order.target, "136216325");
    assert_eq!(order.zone.as_deref(), Some("2685"));
    assert_eq!(order.service, "Mobile Legends B - 1048 Diamonds");
    assert_eq!(order.status, SupplierStatus::Waiting);
    assert_eq!(order.note, "");
    assert_eq!(order.price, Some(Rupiah::new(195_695)));
    assert_eq!(order.balance, Some(Rupiah::new(100_000)));
}

#[tokio::test]
async fn prepaid_order_goes_to_prepaid_without_zone() {
    let (server, client) = setup().await;
    mount(
        &server,
        "prepaid",
        form(&[
            ("type", "order"),
            ("service", "XLDHR3"),
            ("data_no", "087812345670"),
        ]),
        ok_json(json!({
            "result": true,
            "data": {"trxid": "VP7654321", "data": "087812345670",
                     "service": "XL HOTROD 3 GB / 30 Hari", "status": "waiting", "note": "",
                     "balance": "72800", "price": "27200"},
            "message": "Pesanan berhasil, pesanan akan diproses."
        })),
    )
    .await;
    let order = client
        .place_order(&PlaceOrder {
            reference: "MS-TEST-1".into(),
            kind: ServiceKind::Prepaid,
            service: "XLDHR3".into(),
            target: "087812345670".into(),
            zone: Some("ignored".into()),
        })
        .await
        .unwrap();
    assert_eq!(order.zone, None);
    assert_eq!(order.price, Some(Rupiah::new(27_200)));
    assert_eq!(order.balance, Some(Rupiah::new(72_800)));
}

#[tokio::test]
async fn insufficient_balance_is_rejected_with_the_exact_message() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "order"),
            ("service", "ML1048-S1"),
            ("data_no", "136216325"),
            ("data_zone", "2685"),
        ]),
        fail("Saldo Anda tidak cukup untuk melakukan pemesanan ini."),
    )
    .await;
    let err = client
        .place_order(&PlaceOrder {
            reference: "MS-TEST-1".into(),
            kind: ServiceKind::Game,
            service: "ML1048-S1".into(),
            target: "136216325".into(),
            zone: Some("2685".into()),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SupplierError::Rejected {
            message: "Saldo Anda tidak cukup untuk melakukan pemesanan ini.".into()
        }
    );
    assert!(err.is_retryable_rejection());
}

#[tokio::test]
async fn postpaid_inquiry_and_payment() {
    let (server, client) = setup().await;
    mount(
        &server,
        "postpaid",
        form(&[
            ("type", "inq-pasca"),
            ("service", "PLNPASCA"),
            ("data_no", "531234567890"),
        ]),
        ok_json(json!({
            "result": true,
            "data": {"data": {"no": "531234567890", "name": "BUDI SANTOSO"},
                     "service": "PLN Pascabayar", "balance": 500000,
                     "price": {"bill": 152000, "admin": 2500, "total": 154500}},
            "message": "Cek tagihan berhasil."
        })),
    )
    .await;
    mount(
        &server,
        "postpaid",
        form(&[
            ("type", "pay-pasca"),
            ("service", "PLNPASCA"),
            ("data_no", "531234567890"),
        ]),
        ok_json(json!({
            "result": true,
            "data": {"trxid": "VP2223334", "status": "waiting", "note": "",
                     "price": {"bill": 152000, "admin": 2500, "total": 154500}},
            "message": "Pesanan berhasil, pesanan akan diproses."
        })),
    )
    .await;
    let bill = client
        .postpaid_inquiry("PLNPASCA", "531234567890")
        .await
        .unwrap();
    assert_eq!(bill.customer_no, "531234567890");
    assert_eq!(bill.customer_name, "BUDI SANTOSO");
    assert_eq!(bill.bill, Rupiah::new(152_000));
    assert_eq!(bill.admin, Rupiah::new(2_500));
    assert_eq!(bill.total, Rupiah::new(154_500));

    let paid = client
        .place_order(&PlaceOrder {
            reference: "MS-TEST-1".into(),
            kind: ServiceKind::Postpaid,
            service: "PLNPASCA".into(),
            target: "531234567890".into(),
            zone: None,
        })
        .await
        .unwrap();
    assert_eq!(paid.trxid, "VP2223334");
    // Fields the answer leaves out come from the request.
    assert_eq!(paid.target, "531234567890");
    assert_eq!(paid.service, "PLNPASCA");
    assert_eq!(paid.price, Some(Rupiah::new(154_500)));
}

#[tokio::test]
async fn postpaid_bill_not_found_is_rejected() {
    let (server, client) = setup().await;
    mount(
        &server,
        "postpaid",
        form(&[
            ("type", "inq-pasca"),
            ("service", "PLNPASCA"),
            ("data_no", "531234567899"),
        ]),
        fail("Tagihan tidak ditemukan."),
    )
    .await;
    assert_eq!(
        client.postpaid_inquiry("PLNPASCA", "531234567899").await,
        Err(SupplierError::Rejected {
            message: "Tagihan tidak ditemukan.".into()
        })
    );
}

#[tokio::test]
async fn http_500_is_unavailable() {
    let (server, client) = setup().await;
    mount(
        &server,
        "profile",
        form(&[]),
        ResponseTemplate::new(500).set_body_string("<html>Internal Server Error</html>"),
    )
    .await;
    let detail = unavailable_detail(client.profile().await);
    assert!(detail.contains("500"), "{detail}");
}

#[tokio::test]
async fn malformed_json_is_unavailable() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[
            ("type", "order"),
            ("service", "ML86-S1"),
            ("data_no", "123456780"),
            ("data_zone", "2345"),
        ]),
        ResponseTemplate::new(200).set_body_string("{\"result\": true, \"data\": {\"trx"),
    )
    .await;
    let detail = unavailable_detail(
        client
            .place_order(&PlaceOrder {
                reference: "MS-TEST-1".into(),
                kind: ServiceKind::Game,
                service: "ML86-S1".into(),
                target: "123456780".into(),
                zone: Some("2345".into()),
            })
            .await,
    );
    assert!(detail.contains("malformed"), "{detail}");
}

#[tokio::test]
async fn an_order_answer_without_trxid_is_unavailable_not_rejected() {
    let (server, client) = setup().await;
    mount(
        &server,
        "prepaid",
        form(&[
            ("type", "order"),
            ("service", "S5"),
            ("data_no", "081234567890"),
        ]),
        ok_json(json!({"result": true, "data": {"status": "waiting"}, "message": "ok"})),
    )
    .await;
    unavailable_detail(
        client
            .place_order(&PlaceOrder {
                reference: "MS-TEST-1".into(),
                kind: ServiceKind::Prepaid,
                service: "S5".into(),
                target: "081234567890".into(),
                zone: None,
            })
            .await,
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_as_unavailable() {
    let (server, client) = setup().await;
    let client = client.with_timeout(Duration::from_millis(100));
    mount(
        &server,
        "profile",
        form(&[]),
        ok_json(json!({"result": true, "data": {}, "message": ""}))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let detail = unavailable_detail(client.profile().await);
    assert!(detail.contains("timed out"), "{detail}");
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    // Bind then drop a listener so the port is (very likely) closed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = VipReseller::new(
        VipConfig {
            base_url: format!("http://127.0.0.1:{port}/api/").parse().unwrap(),
            api_id: API_ID.into(),
            api_key: Secret::new(API_KEY),
            tier: PriceTier::Basic,
        },
        reqwest::Client::new(),
    );
    unavailable_detail(client.profile().await);
}

#[tokio::test]
async fn status_by_trxid() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[("type", "status"), ("trxid", "VP1234567")]),
        ok_json(json!({
            "result": true,
            "data": [{"trxid": "VP1234567", "data": "136216325", "zone": "2685",
                      "service": "Mobile Legends B - 1048 Diamonds", "status": "success",
                      "note": "SN 1234-5678", "price": 195695}],
            "message": "Detail transaksi berhasil didapatkan."
        })),
    )
    .await;
    let order = client
        .order_status(ServiceKind::Game, "VP1234567")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, SupplierStatus::Success);
    assert_eq!(order.note, "SN 1234-5678");
    assert_eq!(order.price, Some(Rupiah::new(195_695)));
    assert_eq!(order.balance, None);
}

#[tokio::test]
async fn status_of_an_unknown_trxid_is_none() {
    let (server, client) = setup().await;
    mount(
        &server,
        "prepaid",
        form(&[("type", "status"), ("trxid", "VP0000000")]),
        fail("Transaksi tidak ditemukan."),
    )
    .await;
    mount(
        &server,
        "game-feature",
        form(&[("type", "status"), ("trxid", "VP0000001")]),
        ok_json(json!({"result": true, "data": [],
                       "message": "Detail transaksi berhasil didapatkan."})),
    )
    .await;
    assert_eq!(
        client.order_status(ServiceKind::Prepaid, "VP0000000").await,
        Ok(None)
    );
    assert_eq!(
        client.order_status(ServiceKind::Game, "VP0000001").await,
        Ok(None)
    );
}

#[tokio::test]
async fn status_answering_another_order_is_not_ours() {
    let (server, client) = setup().await;
    mount(
        &server,
        "game-feature",
        form(&[("type", "status"), ("trxid", "VP1")]),
        ok_json(json!({"result": true, "message": "ok", "data": [
            {"trxid": "VP2", "data": "1", "zone": "", "service": "x", "status": "success",
             "note": "", "price": 1}]})),
    )
    .await;
    assert_eq!(
        client.order_status(ServiceKind::Game, "VP1").await,
        Ok(None)
    );
}

#[tokio::test]
async fn status_auth_error_is_rejected_not_none() {
    let (server, client) = setup().await;
    mount(
        &server,
        "postpaid",
        form(&[("type", "status"), ("trxid", "VP1")]),
        fail("API Key not registered."),
    )
    .await;
    assert!(matches!(
        client.order_status(ServiceKind::Postpaid, "VP1").await,
        Err(SupplierError::Rejected { .. })
    ));
}

#[tokio::test]
async fn recent_orders_by_limit_newest_first() {
    let (server, client) = setup().await;
    mount(
        &server,
        "prepaid",
        form(&[("type", "status"), ("limit", "2")]),
        ok_json(json!({
            "result": true,
            "data": [
                {"trxid": "VP3", "data": "081234567890", "zone": "", "service": "Telkomsel 5.000",
                 "status": "processing", "note": "sedang diproses", "price": "5350"},
                {"trxid": "VP2", "data": "081234567892", "zone": "", "service": "Telkomsel 5.000",
                 "status": "error", "note": "Nomor tujuan salah.", "price": 5350}
            ],
            "message": "Detail transaksi berhasil didapatkan."
        })),
    )
    .await;
    let orders = client.recent_orders(ServiceKind::Prepaid, 2).await.unwrap();
    let ids: Vec<_> = orders.iter().map(|o| o.trxid.as_str()).collect();
    assert_eq!(ids, ["VP3", "VP2"]);
    assert_eq!(orders[0].status, SupplierStatus::Processing);
    assert_eq!(orders[0].zone, None);
    assert_eq!(orders[1].status, SupplierStatus::Error);
    assert_eq!(orders[1].note, "Nomor tujuan salah.");
    assert_eq!(orders[1].price, Some(Rupiah::new(5350)));
}

const CALLBACK_ITEM: &str = r#"{"trxid": "VP1234567", "data": "136216325", "zone": "2685",
    "service": "Mobile Legends B - 1048 Diamonds", "status": "success", "note": "SN 998877",
    "price": 195695}"#;

fn key() -> Secret {
    Secret::new(API_KEY)
}

#[test]
fn callback_with_object_data() {
    let body = format!(r#"{{"data": {CALLBACK_ITEM}}}"#);
    let order = parse_callback(Some(&sign()), body.as_bytes(), API_ID, &key()).unwrap();
    assert_eq!(order.trxid, "VP1234567");
    assert_eq!(order.target, "136216325");
    assert_eq!(order.zone.as_deref(), Some("2685"));
    assert_eq!(order.status, SupplierStatus::Success);
    assert_eq!(order.note, "SN 998877");
    assert_eq!(order.price, Some(Rupiah::new(195_695)));
}

#[test]
fn callback_with_one_element_array_data() {
    let body = format!(r#"{{"data": [{CALLBACK_ITEM}]}}"#);
    let upper = sign().to_uppercase();
    let order = parse_callback(Some(&upper), body.as_bytes(), API_ID, &key()).unwrap();
    assert_eq!(order.trxid, "VP1234567");
}

#[test]
fn callback_signature_must_match() {
    let body = format!(r#"{{"data": {CALLBACK_ITEM}}}"#);
    assert_eq!(
        parse_callback(None, body.as_bytes(), API_ID, &key()),
        Err(CallbackError::MissingSignature)
    );
    assert_eq!(
        parse_callback(Some("  "), body.as_bytes(), API_ID, &key()),
        Err(CallbackError::MissingSignature)
    );
    let wrong = signature(API_ID, &Secret::new("another-key"));
    assert_eq!(
        parse_callback(Some(&wrong), body.as_bytes(), API_ID, &key()),
        Err(CallbackError::BadSignature)
    );
    // A bad signature is refused before the body is even read.
    assert_eq!(
        parse_callback(Some("x"), b"not json", API_ID, &key()),
        Err(CallbackError::BadSignature)
    );
    let empty_key = signature(API_ID, &Secret::default());
    assert_eq!(
        parse_callback(
            Some(&empty_key),
            body.as_bytes(),
            API_ID,
            &Secret::default()
        ),
        Err(CallbackError::BadSignature)
    );
}

#[test]
fn malformed_callbacks() {
    for body in [
        "not json",
        "{}",
        r#"{"data": null}"#,
        r#"{"data": []}"#,
        r#"{"data": [{"trxid": "a", "status": "success"}, {"trxid": "b", "status": "success"}]}"#,
        r#"{"data": {"trxid": "VP1", "status": "teleported"}}"#,
        r#"{"data": {"status": "success"}}"#,
    ] {
        let result = parse_callback(Some(&sign()), body.as_bytes(), API_ID, &key());
        assert!(
            matches!(result, Err(CallbackError::Malformed(_))),
            "{body}: {result:?}"
        );
    }
}

/// The client against the sandbox: the pairing the demo and the store's own tests run on.
mod against_the_sandbox {
    use std::net::SocketAddr;
    use std::time::Duration;

    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::HeaderMap;
    use axum::routing::post;
    use axum::Router;
    use madd_domain::{Rupiah, ServiceKind, SupplierStatus};
    use madd_sandbox::vip::{Config, Fault, VipSim};
    use maddstore::secret::Secret;
    use maddstore::supplier::vip_reseller::{
        parse_callback, PriceTier, VipConfig, VipReseller, PLN_POSTPAID_CODE,
    };
    use maddstore::supplier::{Nickname, PlaceOrder, Supplier, SupplierError, SupplierOrder};
    use tokio::net::TcpListener;
    use tokio::sync::mpsc;

    async fn serve(app: Router) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        addr
    }

    async fn start(config: Config) -> (VipSim, VipReseller) {
        let sim = VipSim::new(config.clone());
        let addr = serve(sim.router()).await;
        let client = VipReseller::new(
            VipConfig {
                base_url: format!("http://{addr}/api").parse().unwrap(),
                api_id: config.api_id,
                api_key: Secret::new(config.api_key),
                tier: config.level.parse().unwrap(),
            },
            reqwest::Client::new(),
        );
        (sim, client)
    }

    fn ml86() -> PlaceOrder {
        PlaceOrder {
            reference: "MS-TEST-1".into(),
            kind: ServiceKind::Game,
            service: "ML86-S1".into(),
            target: "123456780".into(),
            zone: Some("2345".into()),
        }
    }

    #[tokio::test]
    async fn catalogue_account_and_a_game_order() {
        let (sim, client) = start(Config::for_tests()).await;
        assert_eq!(client.tier(), PriceTier::Premium);
        let profile = client.profile().await.unwrap();
        assert_eq!(profile.balance, Rupiah::new(5_000_000));
        assert_eq!(profile.level, "Premium");

        let services = client.services().await.unwrap();
        let find = |code: &str| services.iter().find(|s| s.code == code).unwrap();
        assert_eq!(find("ML1048-S1").cost, Rupiah::new(195_695));
        assert_eq!(find("ML1048-S1").kind, ServiceKind::Game);
        assert!(!find("GI8080-S1").available);
        let xl = find("XLDHR3");
        assert_eq!(xl.prepaid_type.as_deref(), Some("paket-internet"));
        assert_eq!(xl.note.as_deref(), Some("Maintenance 23:44 - 00:16"));
        assert_eq!(find(PLN_POSTPAID_CODE).kind, ServiceKind::Postpaid);

        assert_eq!(
            client
                .nickname("mobile-legends", "123456780", Some("2345"))
                .await,
            Ok(Nickname::Found("Itacimo".into()))
        );
        assert!(matches!(
            client.nickname("free-fire", "912345678", None).await,
            Ok(Nickname::NotFound { .. })
        ));

        let placed = client.place_order(&ml86()).await.unwrap();
        assert_eq!(placed.status, SupplierStatus::Waiting);
        assert_eq!(placed.zone.as_deref(), Some("2345"));
        let price = placed.price.unwrap();
        assert_eq!(placed.balance, Some(Rupiah::new(5_000_000) - price));
        let done = client
            .order_status(ServiceKind::Game, &placed.trxid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.status, SupplierStatus::Success);
        assert_eq!(done.note.len(), 16);
        assert_eq!(
            client
                .order_status(ServiceKind::Prepaid, &placed.trxid)
                .await,
            Ok(None)
        );
        assert_eq!(sim.order_requests(), 1);
    }

    #[tokio::test]
    async fn rejections_and_unavailability() {
        let (sim, client) = start(Config::for_tests()).await;
        sim.set_balance(10);
        assert_eq!(
            client.place_order(&ml86()).await,
            Err(SupplierError::Rejected {
                message: "Saldo Anda tidak cukup untuk melakukan pemesanan ini.".into()
            })
        );
        sim.set_fault(Fault::Maintenance);
        let maintenance = client
            .nickname("mobile-legends", "123456780", Some("2345"))
            .await
            .unwrap_err();
        assert!(matches!(maintenance, SupplierError::Rejected { .. }));
        assert!(maintenance.is_retryable_rejection());
        for fault in [Fault::ServerError, Fault::Malformed] {
            sim.set_fault(fault);
            assert!(matches!(
                client.profile().await,
                Err(SupplierError::Unavailable { .. })
            ));
        }
        sim.set_fault(Fault::Slow(Duration::from_millis(500)));
        let hurried = client.clone().with_timeout(Duration::from_millis(50));
        assert!(matches!(
            hurried.profile().await,
            Err(SupplierError::Unavailable { .. })
        ));
    }

    #[tokio::test]
    async fn an_unanswered_order_is_found_by_recent_orders() {
        let (sim, client) = start(Config::for_tests()).await;
        sim.set_fault(Fault::DropOrderAnswer);
        assert!(matches!(
            client.place_order(&ml86()).await,
            Err(SupplierError::Unavailable { .. })
        ));
        let recent = client.recent_orders(ServiceKind::Game, 10).await.unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].target, "123456780");
        assert_eq!(recent[0].zone.as_deref(), Some("2345"));
        assert_eq!(sim.order_requests(), 1);
        assert_eq!(sim.orders()[0].trxid, recent[0].trxid);
    }

    #[tokio::test]
    async fn postpaid_bill_and_payment() {
        let (sim, client) = start(Config::for_tests()).await;
        let bill = client
            .postpaid_inquiry(PLN_POSTPAID_CODE, "531234560001")
            .await
            .unwrap();
        assert_eq!(bill.total, Rupiah::new(47_537));
        assert!(!bill.customer_name.is_empty());
        assert!(matches!(
            client
                .postpaid_inquiry(PLN_POSTPAID_CODE, "531234560009")
                .await,
            Err(SupplierError::Rejected { .. })
        ));
        let paid = client
            .place_order(&PlaceOrder {
                reference: "MS-TEST-1".into(),
                kind: ServiceKind::Postpaid,
                service: PLN_POSTPAID_CODE.into(),
                target: "531234560001".into(),
                zone: None,
            })
            .await
            .unwrap();
        assert_eq!(paid.price, Some(bill.total));
        let done = client
            .order_status(ServiceKind::Postpaid, &paid.trxid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.status, SupplierStatus::Success);
        assert_eq!(sim.balance(), 5_000_000 - 47_537);
    }

    #[tokio::test]
    async fn sandbox_callbacks_pass_parse_callback() {
        type Parsed = mpsc::UnboundedSender<SupplierOrder>;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let receiver = Router::new()
            .route(
                "/callback",
                post(
                    |State(tx): State<Parsed>, headers: HeaderMap, body: Bytes| async move {
                        let signature = headers
                            .get("x-client-signature")
                            .and_then(|v| v.to_str().ok());
                        let key = Secret::new("sandbox-key");
                        let order = parse_callback(signature, &body, "sandbox-vip", &key)
                            .expect("a valid callback");
                        let _ = tx.send(order);
                        "ok"
                    },
                ),
            )
            .with_state(tx);
        let receiver = serve(receiver).await;
        let (_sim, client) = start(Config {
            callback_url: Some(format!("http://{receiver}/callback")),
            ..Config::for_tests()
        })
        .await;
        let placed = client
            .place_order(&PlaceOrder {
                reference: "MS-TEST-1".into(),
                kind: ServiceKind::Prepaid,
                service: "PLN20".into(),
                target: "14234567890".into(),
                zone: None,
            })
            .await
            .unwrap();
        let mut last = None;
        while last
            .as_ref()
            .is_none_or(|o: &SupplierOrder| !o.status.is_terminal())
        {
            last = Some(
                tokio::time::timeout(Duration::from_secs(5), rx.recv())
                    .await
                    .expect("callback within 5 s")
                    .unwrap(),
            );
        }
        let done = last.unwrap();
        assert_eq!(done.trxid, placed.trxid);
        assert_eq!(done.status, SupplierStatus::Success);
        assert_eq!(done.zone, None);
        assert_eq!(done.note.chars().filter(char::is_ascii_digit).count(), 20);
    }
}
