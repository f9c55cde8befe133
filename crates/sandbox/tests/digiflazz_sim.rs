//! The Digiflazz simulator over real HTTP, checked against `shared/specs/digiflazz.md`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use madd_sandbox::digiflazz::{catalogue, sign, webhook_signature, Config, DigiflazzSim, Fault};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

struct Harness {
    sim: DigiflazzSim,
    /// `http://127.0.0.1:port`
    root: String,
    http: reqwest::Client,
    username: String,
    key: String,
}

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

async fn start(config: Config) -> Harness {
    let sim = DigiflazzSim::new(config.clone());
    let addr = serve(sim.router()).await;
    Harness {
        sim,
        root: format!("http://{addr}"),
        http: reqwest::Client::new(),
        username: config.username,
        key: config.api_key,
    }
}

async fn test_sim() -> Harness {
    start(Config::for_tests()).await
}

fn dev_config() -> Config {
    Config {
        api_key: "dev-ffe134c0-bba4-11eb-8529-0242ac130003".into(),
        ..Config::for_tests()
    }
}

impl Harness {
    fn sign(&self, suffix: &str) -> String {
        sign(&self.username, &self.key, suffix)
    }

    /// Any JSON body; the HTTP status and the whole answer.
    async fn raw(&self, endpoint: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/v1/{endpoint}", self.root))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        (status, body)
    }

    /// `data` of an answer, with the HTTP status the rc calls for.
    async fn data(&self, endpoint: &str, body: &Value) -> Value {
        let (status, body) = self.raw(endpoint, body).await;
        let data = body["data"].clone();
        assert!(!data.is_null(), "no data: {body}");
        let rc: Option<u8> = data["rc"].as_str().and_then(|rc| rc.parse().ok());
        let expected = if rc.is_some_and(|rc| (40..=49).contains(&rc)) {
            400
        } else {
            200
        };
        assert_eq!(status, expected, "{body}");
        data
    }

    fn topup_body(&self, sku: &str, customer_no: &str, ref_id: &str) -> Value {
        json!({
            "username": self.username,
            "buyer_sku_code": sku,
            "customer_no": customer_no,
            "ref_id": ref_id,
            "sign": self.sign(ref_id),
        })
    }

    async fn topup(&self, sku: &str, customer_no: &str, ref_id: &str) -> Value {
        self.data("transaction", &self.topup_body(sku, customer_no, ref_id))
            .await
    }

    async fn test_topup(&self, customer_no: &str, ref_id: &str) -> Value {
        let mut body = self.topup_body("xld10", customer_no, ref_id);
        body["testing"] = json!(true);
        self.data("transaction", &body).await
    }

    async fn pasca(&self, commands: &str, customer_no: &str, ref_id: &str, testing: bool) -> Value {
        let mut body = self.topup_body("pln", customer_no, ref_id);
        body["commands"] = json!(commands);
        if testing {
            body["testing"] = json!(true);
        }
        self.data("transaction", &body).await
    }

    async fn balance_call(&self) -> Value {
        self.data(
            "cek-saldo",
            &json!({"cmd": "deposit", "username": self.username, "sign": self.sign("depo")}),
        )
        .await
    }

    async fn price_list(&self, extra: Value) -> Value {
        let mut body = json!({"cmd": "prepaid", "username": self.username,
                              "sign": self.sign("pricelist")});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.data("price-list", &body).await
    }

    async fn inquiry_pln(&self, customer_no: &str) -> Value {
        self.data(
            "inquiry-pln",
            &json!({"username": self.username, "customer_no": customer_no,
                    "sign": self.sign(customer_no)}),
        )
        .await
    }

    async fn control(&self, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/control", self.root))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{body}");
        response.json().await.unwrap()
    }
}

fn price_of(sku: &str) -> i64 {
    catalogue::product(sku).unwrap().price
}

// --- signs, refusals, HTTP status ------------------------------------------------------------

#[test]
fn the_documented_sign_and_webhook_signature() {
    assert_eq!(
        sign("username", "apikey", "depo"),
        "e251663c764fe6136a8f9c6861720241"
    );
    assert_eq!(
        webhook_signature("secret", br#"{"data":{"ref_id":"r1"}}"#),
        "sha1=e03e679a098edfd4931952b6e2816e5a73715fe0"
    );
}

#[tokio::test]
async fn each_endpoint_checks_its_own_sign_suffix() {
    let h = test_sim().await;
    let user = h.username.clone();
    let cases = [
        ("cek-saldo", json!({"cmd": "deposit"}), "depo"),
        ("price-list", json!({"cmd": "prepaid"}), "pricelist"),
        ("price-list", json!({"cmd": "pasca"}), "pricelist"),
        (
            "deposit",
            json!({"amount": 200000, "bank": "BCA", "owner_name": "Madd"}),
            "deposit",
        ),
        (
            "transaction",
            json!({"buyer_sku_code": "ML86", "customer_no": "12345678901", "ref_id": "sig-1"}),
            "sig-1",
        ),
        (
            "inquiry-pln",
            json!({"customer_no": "32123456789"}),
            "32123456789",
        ),
    ];
    for (endpoint, fields, suffix) in cases {
        let mut body = fields.clone();
        body["username"] = json!(user);
        // Another endpoint's suffix is a wrong sign.
        body["sign"] = json!(h.sign("something-else"));
        let refused = h.data(endpoint, &body).await;
        assert_eq!(refused["rc"], "41", "{endpoint}: {refused}");
        assert_eq!(refused["message"], "Signature Anda salah");
        assert_eq!(refused["status"], "Gagal");
        // The sign is the lowercase hex digest.
        body["sign"] = json!(h.sign(suffix).to_uppercase());
        assert_eq!(h.data(endpoint, &body).await["rc"], "41", "{endpoint}");

        body["sign"] = json!(h.sign(suffix));
        let (status, answer) = h.raw(endpoint, &body).await;
        assert_eq!(status, 200, "{endpoint}: {answer}");
        assert_ne!(answer["data"]["rc"], "41", "{endpoint}: {answer}");
    }
    assert_eq!(h.sim.counts().transactions, 1, "only the well-signed topup");
}

#[tokio::test]
async fn unknown_username_and_payload_errors() {
    let h = test_sim().await;
    let refused = h
        .data(
            "cek-saldo",
            &json!({"cmd": "deposit", "username": "someone", "sign": sign("someone", &h.key, "depo")}),
        )
        .await;
    assert_eq!(refused["rc"], "42");

    let good = h.topup_body("ML86", "12345678901", "p-1");
    let broken = [
        ("buyer_sku_code", Value::Null),
        ("customer_no", json!(12345678901_i64)),
        ("ref_id", json!("")),
        ("testing", json!("true")),
        ("max_price", json!("50000")),
        ("allow_dot", json!(1)),
        ("username", Value::Null),
    ];
    for (field, value) in broken {
        let mut body = good.clone();
        body[field] = value;
        let refused = h.data("transaction", &body).await;
        assert_eq!(refused["rc"], "40", "{field}: {refused}");
        assert_eq!(refused["status"], "Gagal");
    }
    let (status, body) = h
        .http
        .post(format!("{}/v1/transaction", h.root))
        .body("ref_id=1&sign=2")
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(status, 400);
    let body: Value = body.json().await.unwrap();
    assert_eq!(body["data"]["rc"], "40");
    let wrong_cmd = h
        .data(
            "price-list",
            &json!({"cmd": "price-list", "username": h.username, "sign": h.sign("pricelist")}),
        )
        .await;
    assert_eq!(wrong_cmd["rc"], "40");
    assert_eq!(h.sim.counts().transactions, 0);
    assert_eq!(h.sim.balance(), 1_000_000);
}

#[tokio::test]
async fn ip_allow_list() {
    let refused = start(Config {
        ip_whitelist: vec![IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3))],
        ..Config::for_tests()
    })
    .await;
    let data = refused.balance_call().await;
    assert_eq!(data["rc"], "45");
    assert_eq!(data["message"], "IP Anda tidak kami kenali: 127.0.0.1");
    assert_eq!(data["status"], "Gagal");

    let allowed = start(Config {
        ip_whitelist: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ..Config::for_tests()
    })
    .await;
    assert_eq!(allowed.balance_call().await["deposit"], 1_000_000);
}

// --- balance and price list ------------------------------------------------------------------

#[tokio::test]
async fn balance_and_price_lists() {
    let h = test_sim().await;
    assert_eq!(h.balance_call().await, json!({"deposit": 1_000_000}));

    let list = h.price_list(json!({})).await;
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), catalogue::PREPAID.len());
    let ml86 = items
        .iter()
        .find(|i| i["buyer_sku_code"] == "ML86")
        .unwrap();
    assert_eq!(ml86["product_name"], "MOBILE LEGENDS 86 Diamond");
    assert_eq!(ml86["category"], "Games");
    assert_eq!(ml86["brand"], "MOBILE LEGENDS");
    assert_eq!(ml86["type"], "Umum");
    assert_eq!(ml86["price"], price_of("ML86"));
    for field in [
        "buyer_product_status",
        "seller_product_status",
        "unlimited_stock",
        "multi",
    ] {
        assert!(ml86[field].is_boolean(), "{field}");
    }
    assert!(ml86["stock"].is_i64());
    for field in ["start_cut_off", "end_cut_off", "desc", "seller_name"] {
        assert!(ml86[field].is_string(), "{field}");
    }
    let ff720 = items
        .iter()
        .find(|i| i["buyer_sku_code"] == "FF720")
        .unwrap();
    assert_eq!(ff720["seller_product_status"], false);
    let pubg = items
        .iter()
        .find(|i| i["buyer_sku_code"] == "PUBG660")
        .unwrap();
    assert_eq!(
        (&pubg["unlimited_stock"], &pubg["stock"]),
        (&json!(false), &json!(0))
    );
    let tsel = items
        .iter()
        .find(|i| i["buyer_sku_code"] == "TSEL10")
        .unwrap();
    assert_eq!(
        (&tsel["category"], &tsel["brand"], &tsel["product_name"]),
        (
            &json!("Pulsa"),
            &json!("TELKOMSEL"),
            &json!("Telkomsel 10.000")
        )
    );
    let pln = items
        .iter()
        .find(|i| i["buyer_sku_code"] == "PLN20")
        .unwrap();
    assert_eq!(
        (&pln["category"], &pln["product_name"]),
        (&json!("PLN"), &json!("PLN 20.000"))
    );

    let one = h.price_list(json!({"code": "tsel10"})).await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let ff = h.price_list(json!({"brand": "free fire"})).await;
    assert!(ff
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["brand"] == "FREE FIRE"));
    assert!(ff.as_array().unwrap().len() >= 7);

    let pasca = h
        .data(
            "price-list",
            &json!({"cmd": "pasca", "username": h.username, "sign": h.sign("pricelist")}),
        )
        .await;
    let pasca = pasca.as_array().unwrap();
    assert_eq!(pasca.len(), 1);
    assert_eq!(pasca[0]["buyer_sku_code"], "pln");
    assert_eq!(pasca[0]["category"], "Pascabayar");
    assert_eq!(pasca[0]["admin"], 2500);
    assert!(pasca[0]["commission"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn the_full_price_list_again_too_soon_is_rc_83() {
    let h = start(Config {
        price_list_every: Duration::from_secs(300),
        ..Config::for_tests()
    })
    .await;
    assert!(h.price_list(json!({})).await.is_array());
    let limited = h.price_list(json!({})).await;
    assert_eq!(
        limited["rc"], "83",
        "an object where the list was: {limited}"
    );
    assert_eq!(
        limited["message"],
        "Anda telah mencapai limitasi pengecekan pricelist"
    );
    // One code is not the full list; the pasca list is counted on its own.
    assert!(h.price_list(json!({"code": "ML86"})).await.is_array());
    assert!(h.price_list(json!({"cmd": "pasca"})).await.is_array());
    // Without a limit, as the tests profile has it.
    let free = test_sim().await;
    assert!(free.price_list(json!({})).await.is_array());
    assert!(free.price_list(json!({})).await.is_array());
}

// --- development key -------------------------------------------------------------------------

#[tokio::test]
async fn the_documented_prepaid_test_cases() {
    let h = start(dev_config()).await;
    let ok = h.test_topup("087800001230", "t-0").await;
    assert_eq!(ok["status"], "Sukses");
    assert_eq!(ok["rc"], "00");
    assert_eq!(ok["sn"], "1234567890");
    assert_eq!(ok["price"], 10_000);
    assert_eq!(ok["buyer_last_saldo"], 990_000);
    assert_eq!(ok["buyer_sku_code"], "xld10");
    assert_eq!(ok["customer_no"], "087800001230");
    assert_eq!(ok["ref_id"], "t-0");
    assert!(ok["tele"].is_string() && ok["wa"].is_string());

    let failed = h.test_topup("087800001232", "t-2").await;
    assert_eq!(
        (&failed["status"], &failed["rc"]),
        (&json!("Gagal"), &json!("02"))
    );
    assert_eq!(failed["buyer_last_saldo"], 1_000_000);

    let pending = h.test_topup("087800001233", "t-3").await;
    assert_eq!(
        (&pending["status"], &pending["rc"]),
        (&json!("Pending"), &json!("03"))
    );
    assert_eq!(pending["buyer_last_saldo"], 990_000);
    assert_eq!(pending["sn"], "");
    assert!(h.sim.release("t-3", true));
    let done = h.test_topup("087800001233", "t-3").await;
    assert_eq!(
        (&done["status"], &done["sn"]),
        (&json!("Sukses"), &json!("1234567890"))
    );

    let pending = h.test_topup("087800001234", "t-4").await;
    assert_eq!(pending["status"], "Pending");
    assert!(h.sim.release("t-4", false));
    let failed = h.test_topup("087800001234", "t-4").await;
    assert_eq!(
        (&failed["status"], &failed["buyer_last_saldo"]),
        (&json!("Gagal"), &json!(1_000_000))
    );

    // Testing is no real charge.
    assert_eq!(h.sim.balance(), 1_000_000);
    assert_eq!(h.sim.counts().transactions, 4);
    assert!(h.sim.transactions().iter().all(|t| t.testing));
}

#[tokio::test]
async fn a_development_key_answers_only_testing_transactions() {
    let h = start(dev_config()).await;
    // Right sign, no testing flag: rc 41 all the same.
    let refused = h.topup("xld10", "087800001230", "d-1").await;
    assert_eq!(refused["rc"], "41");
    assert_eq!(refused["message"], "Signature Anda salah");
    // A real SKU in testing mode: rc 41 too.
    let mut body = h.topup_body("ML86", "12345678901", "d-2");
    body["testing"] = json!(true);
    assert_eq!(h.data("transaction", &body).await["rc"], "41");
    assert_eq!(h.sim.counts().transactions, 0);
    // A production key ignores the flag.
    let prod = test_sim().await;
    let mut body = prod.topup_body("ML86", "12345678901", "d-3");
    body["testing"] = json!(true);
    let data = prod.data("transaction", &body).await;
    assert_eq!(data["status"], "Sukses");
    assert_eq!(prod.sim.balance(), 1_000_000 - price_of("ML86"));
}

#[tokio::test]
async fn the_documented_postpaid_test_cases() {
    let h = start(dev_config()).await;
    let inquiry = h.pasca("inq-pasca", "530000000001", "pt-1", true).await;
    assert_eq!(inquiry["status"], "Sukses");
    assert_eq!(inquiry["rc"], "00");
    assert_eq!(inquiry["customer_name"], "Nama Pelanggan Pertama");
    assert_eq!(inquiry["admin"], 2_500);
    assert_eq!(inquiry["price"], 10_000);
    assert_eq!(inquiry["selling_price"], 11_000);
    assert_eq!(inquiry["desc"]["lembar_tagihan"], 1);
    assert_eq!(inquiry["desc"]["detail"][0]["nilai_tagihan"], "8000");
    assert_eq!(inquiry["desc"]["detail"][0]["denda"], "500");
    assert!(inquiry.get("sn").is_none());
    let paid = h.pasca("pay-pasca", "530000000001", "pt-1", true).await;
    assert_eq!(paid["status"], "Sukses");
    assert_eq!(paid["sn"], "S1234554321N");
    assert!(paid["desc"]["detail"][0]["meter_awal"].is_string());
    assert_eq!(paid["buyer_last_saldo"], 990_000);

    let two = h.pasca("inq-pasca", "530000000002", "pt-2", true).await;
    assert_eq!(
        (
            &two["admin"],
            &two["price"],
            &two["selling_price"],
            &two["desc"]["lembar_tagihan"]
        ),
        (&json!(5_000), &json!(23_000), &json!(25_000), &json!(2))
    );

    let no_bill = h.pasca("inq-pasca", "530000000003", "pt-3", true).await;
    assert_eq!(
        (&no_bill["status"], &no_bill["rc"]),
        (&json!("Gagal"), &json!("02"))
    );

    h.pasca("inq-pasca", "530000000006", "pt-6", true).await;
    let failed = h.pasca("pay-pasca", "530000000006", "pt-6", true).await;
    assert_eq!(failed["status"], "Gagal");

    h.pasca("inq-pasca", "630000000002", "pt-7", true).await;
    let pending = h.pasca("pay-pasca", "630000000002", "pt-7", true).await;
    assert_eq!(pending["status"], "Pending");
    assert!(h.sim.release("pt-7", true));
    let status = h.pasca("status-pasca", "630000000002", "pt-7", true).await;
    assert_eq!(status["status"], "Sukses");
    assert_eq!(status["desc"]["lembar_tagihan"], 2);

    h.pasca("inq-pasca", "630000000006", "pt-8", true).await;
    assert_eq!(
        h.pasca("pay-pasca", "630000000006", "pt-8", true).await["status"],
        "Pending"
    );
    assert!(h.sim.release("pt-8", false));
    assert_eq!(
        h.pasca("status-pasca", "630000000006", "pt-8", true).await["status"],
        "Gagal"
    );
    assert_eq!(h.sim.balance(), 1_000_000);
}

// --- prepaid transactions --------------------------------------------------------------------

#[tokio::test]
async fn the_same_ref_id_is_a_status_check_and_charges_once() {
    let h = test_sim().await;
    let first = h.topup("ML86", "1234567892345", "r-1").await;
    assert_eq!(first["status"], "Sukses");
    assert_eq!(first["rc"], "00");
    assert_eq!(first["message"], "Transaksi Sukses");
    assert_eq!(first["price"], price_of("ML86"));
    assert_eq!(first["buyer_last_saldo"], 1_000_000 - price_of("ML86"));
    assert_eq!(first["sn"].as_str().unwrap().len(), 16);
    // Any case of the SKU is the same request.
    let again = h.topup("ml86", "1234567892345", "r-1").await;
    assert_eq!(again, first);
    assert_eq!(h.sim.balance(), 1_000_000 - price_of("ML86"));
    let counts: Value = h
        .http
        .get(format!("{}/control/counts", h.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        counts,
        json!({"transactions": 1, "transaction_calls": 2, "webhooks_sent": 0})
    );
    let t = h.sim.transaction("r-1").unwrap();
    assert_eq!(
        (t.sku.as_str(), t.status, t.rc.as_str()),
        ("ML86", "Sukses", "00")
    );
}

#[tokio::test]
async fn the_same_ref_id_for_another_request_is_rc_49() {
    let h = test_sim().await;
    h.topup("ML86", "12345678901", "r-49").await;
    for (sku, customer) in [("ML172", "12345678901"), ("ML86", "12345678902")] {
        let refused = h.topup(sku, customer, "r-49").await;
        assert_eq!(refused["rc"], "49", "{refused}");
        assert_eq!(refused["status"], "Gagal");
        assert_eq!(refused["ref_id"], "r-49");
    }
    // Used by a postpaid inquiry, it is taken too.
    assert_eq!(
        h.pasca("inq-pasca", "531234560001", "r-49", false).await["rc"],
        "49"
    );
    assert_eq!(h.sim.balance(), 1_000_000 - price_of("ML86"));
    assert_eq!(h.sim.counts().transactions, 1);
}

#[tokio::test]
async fn refusals_that_form_no_transaction() {
    let h = test_sim().await;
    h.sim.set_balance(1_000);
    let poor = h.topup("ML86", "12345678901", "n-1").await;
    assert_eq!(poor["rc"], "44");
    assert_eq!(poor["message"], "Saldo tidak cukup");
    assert_eq!(poor["buyer_last_saldo"], 1_000);
    assert_eq!(h.sim.balance(), 1_000);
    assert!(h.sim.transaction("n-1").is_none());
    // Nothing formed: the same ref_id works once there is money.
    h.sim.set_balance(1_000_000);
    assert_eq!(
        h.topup("ML86", "12345678901", "n-1").await["status"],
        "Sukses"
    );

    assert_eq!(h.topup("NOPE1", "12345678901", "n-2").await["rc"], "43");

    let mut body = h.topup_body("ML86", "12345678901", "n-3");
    body["max_price"] = json!(price_of("ML86") - 1);
    let dear = h.data("transaction", &body).await;
    assert_eq!(dear["rc"], "69");
    body["max_price"] = json!(price_of("ML86"));
    assert_eq!(h.data("transaction", &body).await["status"], "Sukses");

    assert_eq!(h.sim.counts().transactions, 2);
    assert_eq!(h.sim.counts().transaction_calls, 5);
}

#[tokio::test]
async fn out_of_stock_is_rc_68() {
    let h = test_sim().await;
    for (sku, ref_id) in [("FF720", "o-1"), ("PUBG660", "o-2")] {
        let refused = h.topup(sku, "123456789", ref_id).await;
        assert_eq!(refused["rc"], "68", "{sku}: {refused}");
        assert_eq!(refused["message"], "Stok habis");
    }
    assert!(h.sim.set_available("ml86", false));
    assert!(!h.sim.available("ML86"));
    assert_eq!(h.topup("ML86", "123456789", "o-3").await["rc"], "68");
    let listed = h.price_list(json!({"code": "ML86"})).await;
    assert_eq!(listed[0]["unlimited_stock"], false);
    assert_eq!(listed[0]["stock"], 0);
    assert!(h.sim.set_available("ML86", true));
    assert_eq!(
        h.topup("ML86", "123456789", "o-3").await["status"],
        "Sukses"
    );
    assert!(h.sim.set_available("FF720", true));
    assert_eq!(
        h.topup("FF720", "123456789", "o-1").await["status"],
        "Sukses"
    );
    assert!(!h.sim.set_available("NOPE", true));
    assert_eq!(
        h.sim.balance(),
        1_000_000 - price_of("ML86") - price_of("FF720")
    );
}

#[tokio::test]
async fn outcomes_by_the_last_two_digits() {
    let h = test_sim().await;
    let failed = h.topup("TSEL10", "081234567832", "d-32").await;
    assert_eq!(
        (&failed["status"], &failed["rc"]),
        (&json!("Gagal"), &json!("02"))
    );
    assert_eq!(failed["message"], "Transaksi Gagal");
    assert_eq!(failed["buyer_last_saldo"], 1_000_000);
    assert_eq!(failed["price"], price_of("TSEL10"));
    assert_eq!(h.sim.balance(), 1_000_000);

    let pending = h.topup("TSEL10", "081234567833", "d-33").await;
    assert_eq!(
        (&pending["status"], &pending["rc"]),
        (&json!("Pending"), &json!("03"))
    );
    assert_eq!(pending["sn"], "");
    let held = 1_000_000 - price_of("TSEL10");
    assert_eq!(pending["buyer_last_saldo"], held);
    let refunding = h.topup("TSEL10", "081234567834", "d-34").await;
    assert_eq!(refunding["status"], "Pending");
    assert_eq!(h.sim.balance(), held - price_of("TSEL10"));

    // Held until released (tests profile).
    assert_eq!(
        h.topup("TSEL10", "081234567833", "d-33").await["status"],
        "Pending"
    );
    assert!(h.sim.release("d-33", true));
    assert!(h.sim.release("d-34", false));
    assert!(!h.sim.release("d-34", true), "already final");
    let done = h.topup("TSEL10", "081234567833", "d-33").await;
    assert_eq!(
        (&done["status"], &done["rc"]),
        (&json!("Sukses"), &json!("00"))
    );
    assert_eq!(done["sn"].as_str().unwrap().len(), 16);
    let refunded = h.topup("TSEL10", "081234567834", "d-34").await;
    assert_eq!(
        (&refunded["status"], &refunded["rc"]),
        (&json!("Gagal"), &json!("02"))
    );
    assert_eq!(refunded["buyer_last_saldo"], held);
    assert_eq!(h.sim.balance(), held);
}

#[tokio::test]
async fn a_pln_token_sn_names_the_meter_owner() {
    let h = test_sim().await;
    let done = h.topup("PLN20", "32123456789", "pln-1").await;
    assert_eq!(done["status"], "Sukses");
    let sn = done["sn"].as_str().unwrap();
    let parts: Vec<&str> = sn.split('/').collect();
    assert_eq!(parts.len(), 5, "{sn}");
    let token: Vec<&str> = parts[0].split('-').collect();
    assert_eq!(token.len(), 5);
    assert!(token
        .iter()
        .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(parts[1], "BUDI-SANTOSO");
    assert_eq!(parts[2], "R1");
    assert_eq!(parts[3], "1300VA");
    assert!(parts[4].ends_with("KWH"));
}

// --- webhooks --------------------------------------------------------------------------------

type Hook = (HeaderMap, Bytes);

async fn receiver() -> (String, mpsc::UnboundedReceiver<Hook>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app =
        Router::new()
            .route(
                "/webhooks/digiflazz",
                post(
                    |State(tx): State<mpsc::UnboundedSender<Hook>>,
                     headers: HeaderMap,
                     body: Bytes| async move {
                        let _ = tx.send((headers, body));
                        "ok"
                    },
                ),
            )
            .with_state(tx);
    let addr = serve(app).await;
    (format!("http://{addr}/webhooks/digiflazz"), rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Hook>) -> (HeaderMap, Bytes, Value) {
    let (headers, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("webhook within 5 s")
        .expect("receiver open");
    let json = serde_json::from_slice(&body).unwrap();
    (headers, body, json)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

async fn with_webhooks(config: Config) -> (Harness, mpsc::UnboundedReceiver<Hook>) {
    let (url, rx) = receiver().await;
    let h = start(Config {
        webhook_url: Some(url),
        ..config
    })
    .await;
    (h, rx)
}

#[tokio::test]
async fn webhooks_create_then_update_signed_over_the_exact_bytes() {
    let (h, mut rx) = with_webhooks(Config::for_tests()).await;
    let secret = h.sim.config().webhook_secret.clone();
    let pending = h.topup("ML86", "1234567892333", "w-1").await;
    assert_eq!(pending["status"], "Pending");

    let (headers, body, created) = next(&mut rx).await;
    assert_eq!(header(&headers, "x-digiflazz-event"), "create");
    assert_eq!(header(&headers, "user-agent"), "Digiflazz-Hookshot");
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(
        header(&headers, "x-hub-signature"),
        webhook_signature(&secret, &body)
    );
    assert_eq!(
        uuid::Uuid::parse_str(header(&headers, "x-digiflazz-delivery"))
            .unwrap()
            .get_version_num(),
        4
    );
    assert_eq!(created["data"], pending);

    assert!(h.sim.release("w-1", true));
    let (headers, body, updated) = next(&mut rx).await;
    assert_eq!(header(&headers, "x-digiflazz-event"), "update");
    let signature = header(&headers, "x-hub-signature");
    assert!(signature.starts_with("sha1="));
    assert_eq!(signature, webhook_signature(&secret, &body));
    assert_ne!(signature, webhook_signature("another-secret", &body));
    let data = &updated["data"];
    assert_eq!(data["ref_id"], "w-1");
    assert_eq!(data["status"], "Sukses");
    assert_eq!(data["rc"], "00");
    assert_eq!(data["sn"].as_str().unwrap().len(), 16);
    assert_eq!(data["price"], price_of("ML86"));
    assert_eq!(*data, h.topup("ML86", "1234567892333", "w-1").await);
    assert_eq!(h.sim.counts().webhooks_sent, 2);
}

#[tokio::test]
async fn pending_ends_by_itself_after_pending_for() {
    let (h, mut rx) = with_webhooks(Config {
        pending_for: Some(Duration::from_millis(50)),
        ..Config::for_tests()
    })
    .await;
    h.topup("ML86", "1234567892334", "w-2").await;
    let (_, _, created) = next(&mut rx).await;
    assert_eq!(created["data"]["status"], "Pending");
    let (headers, _, updated) = next(&mut rx).await;
    assert_eq!(header(&headers, "x-digiflazz-event"), "update");
    assert_eq!(updated["data"]["status"], "Gagal");
    assert_eq!(updated["data"]["buyer_last_saldo"], 1_000_000);
    assert_eq!(h.sim.balance(), 1_000_000);
}

#[tokio::test]
async fn duplicate_and_dropped_webhooks() {
    let (h, mut rx) = with_webhooks(Config::for_tests()).await;
    h.sim.set_duplicate_webhooks(true);
    h.topup("ML86", "12345678901", "w-dup").await;
    let (first_headers, first, _) = next(&mut rx).await;
    let (second_headers, second, _) = next(&mut rx).await;
    assert_eq!(first, second, "the same bytes twice");
    assert_eq!(
        header(&first_headers, "x-hub-signature"),
        header(&second_headers, "x-hub-signature")
    );
    assert_eq!(
        header(&first_headers, "x-digiflazz-delivery"),
        header(&second_headers, "x-digiflazz-delivery")
    );
    h.sim.set_duplicate_webhooks(false);

    h.sim.set_drop_webhooks(true);
    h.topup("ML86", "12345678901", "w-dropped").await;
    h.sim.set_drop_webhooks(false);
    h.topup("ML86", "12345678901", "w-after").await;
    let (_, _, after) = next(&mut rx).await;
    assert_eq!(
        after["data"]["ref_id"], "w-after",
        "the dropped one never came"
    );
    assert_eq!(h.sim.counts().webhooks_sent, 3);
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn a_requests_cb_url_and_the_pasca_user_agent() {
    let (url, mut rx) = receiver().await;
    let h = test_sim().await;
    h.pasca("inq-pasca", "531234560033", "w-pasca", false).await;
    let mut body = h.topup_body("pln", "531234560033", "w-pasca");
    body["commands"] = json!("pay-pasca");
    body["cb_url"] = json!(url);
    let pending = h.data("transaction", &body).await;
    assert_eq!(pending["status"], "Pending");
    let (headers, _, created) = next(&mut rx).await;
    assert_eq!(header(&headers, "user-agent"), "Digiflazz-Pasca-Hookshot");
    assert_eq!(header(&headers, "x-digiflazz-event"), "create");
    assert_eq!(created["data"], pending);
    h.sim.release("w-pasca", true);
    let (_, _, updated) = next(&mut rx).await;
    assert_eq!(updated["data"]["status"], "Sukses");
    assert!(updated["data"]["sn"].as_str().unwrap().len() >= 16);
}

#[tokio::test]
async fn no_signature_header_without_a_secret() {
    let (h, mut rx) = with_webhooks(Config {
        webhook_secret: String::new(),
        ..Config::for_tests()
    })
    .await;
    h.topup("ML86", "12345678901", "w-nosig").await;
    let (headers, _, _) = next(&mut rx).await;
    assert!(headers.get("x-hub-signature").is_none());
}

// --- faults and forced rcs -------------------------------------------------------------------

#[tokio::test]
async fn server_error_and_malformed_process_nothing() {
    let h = test_sim().await;
    h.sim.set_fault(Fault::ServerError);
    let response = h
        .http
        .post(format!("{}/v1/transaction", h.root))
        .json(&h.topup_body("ML86", "12345678901", "f-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert!(response.text().await.unwrap().contains("<html>"));

    h.sim.set_fault(Fault::Malformed);
    let response = h
        .http
        .post(format!("{}/v1/transaction", h.root))
        .json(&h.topup_body("ML86", "12345678901", "f-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    let counts = h.sim.counts();
    assert_eq!((counts.transactions, counts.transaction_calls), (0, 2));
    assert_eq!(h.sim.balance(), 1_000_000);
}

#[tokio::test]
async fn drop_answer_processes_the_transaction_but_answers_502() {
    let h = test_sim().await;
    h.sim.set_fault(Fault::DropAnswer);
    let response = h
        .http
        .post(format!("{}/v1/transaction", h.root))
        .json(&h.topup_body("ML86", "12345678901", "f-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(h.sim.transaction("f-2").unwrap().status, "Sukses");
    assert_eq!(h.sim.balance(), 1_000_000 - price_of("ML86"));
    // Other endpoints answer.
    assert_eq!(
        h.balance_call().await["deposit"],
        1_000_000 - price_of("ML86")
    );
    h.sim.clear_fault();
    let recheck = h.topup("ML86", "12345678901", "f-2").await;
    assert_eq!(recheck["status"], "Sukses");
    assert_eq!(h.sim.balance(), 1_000_000 - price_of("ML86"));
}

#[tokio::test]
async fn a_slow_answer_times_out_but_the_transaction_exists() {
    let h = test_sim().await;
    h.sim.set_fault(Fault::Slow(Duration::from_secs(5)));
    let result = h
        .http
        .post(format!("{}/v1/transaction", h.root))
        .timeout(Duration::from_millis(200))
        .json(&h.topup_body("ML86", "12345678901", "f-3"))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert_eq!(h.sim.transaction("f-3").unwrap().status, "Sukses");
}

#[tokio::test]
async fn forced_rcs_follow_the_formed_column() {
    let h = test_sim().await;
    h.sim.force_rc(Some("55")).unwrap();
    let formed = h.topup("ML86", "12345678901", "x-55").await;
    assert_eq!(
        (&formed["status"], &formed["rc"]),
        (&json!("Gagal"), &json!("55"))
    );
    assert_eq!(formed["message"], "Produk Sedang Gangguan");
    assert!(h.sim.transaction("x-55").is_some(), "formed: recorded");
    assert_eq!(h.sim.balance(), 1_000_000, "nothing kept");

    h.sim.force_rc(Some("62")).unwrap();
    let refused = h.topup("ML86", "12345678901", "x-62").await;
    assert_eq!(refused["rc"], "62");
    assert!(h.sim.transaction("x-62").is_none(), "not formed");

    h.sim.force_rc(Some("47")).unwrap();
    assert_eq!(h.topup("ML86", "12345678901", "x-47").await["rc"], "47");

    h.sim.force_rc(Some("03")).unwrap();
    let pending = h.topup("ML86", "12345678901", "x-03").await;
    assert_eq!(pending["status"], "Pending");
    h.sim.force_rc(Some("99")).unwrap();
    let router = h.topup("ML86", "12345678901", "x-99").await;
    assert_eq!(
        (&router["status"], &router["rc"]),
        (&json!("Pending"), &json!("99"))
    );
    assert_eq!(h.sim.balance(), 1_000_000 - 2 * price_of("ML86"));

    // Existing transactions are unaffected by the knob.
    h.sim.force_rc(Some("01")).unwrap();
    assert_eq!(h.topup("ML86", "12345678901", "x-55").await["rc"], "55");
    assert!(h.sim.force_rc(Some("46")).is_err());
    h.sim.force_rc(None).unwrap();
    assert_eq!(
        h.topup("ML86", "12345678901", "x-ok").await["status"],
        "Sukses"
    );
}

// --- PLN name check --------------------------------------------------------------------------

#[tokio::test]
async fn pln_name_check() {
    let h = test_sim().await;
    let named = h.inquiry_pln("32123456789").await;
    assert_eq!(named["status"], "Sukses");
    assert_eq!(named["rc"], "00");
    assert_eq!(named["name"], "BUDI SANTOSO");
    assert_eq!(named["segment_power"], "R1 /000001300");
    assert_eq!(named["meter_no"], "32123456789");
    assert_eq!(named["customer_no"], "32123456789");
    assert!(named["subscriber_id"].is_string());

    let generated = h.inquiry_pln("14234567890").await;
    assert_eq!(generated["status"], "Sukses");
    let name = generated["name"].as_str().unwrap();
    assert!(!name.is_empty() && name == name.to_uppercase());
    assert!(["R1 /000000900", "R1 /000001300", "R1 /000002200"]
        .contains(&generated["segment_power"].as_str().unwrap()));
    assert_eq!(h.inquiry_pln("14234567890").await, generated, "stable");

    for unknown in ["14234567899", "1423456789", "1423456789012", "1423456789a"] {
        let data = h.inquiry_pln(unknown).await;
        assert_eq!(data["status"], "Gagal", "{unknown}");
        assert_eq!(data["rc"], "54");
        assert_eq!(data["message"], "IDPEL/No Meter salah");
        assert_eq!(data["name"], "");
    }

    h.sim.force_rc(Some("86")).unwrap();
    let limited = h.inquiry_pln("32123456789").await;
    assert_eq!(
        (&limited["status"], &limited["rc"]),
        (&json!("Gagal"), &json!("86"))
    );
}

// --- postpaid --------------------------------------------------------------------------------

#[tokio::test]
async fn postpaid_inquiry_pay_and_status() {
    let h = test_sim().await;
    let inquiry = h.pasca("inq-pasca", "531234560001", "pp-1", false).await;
    assert_eq!(inquiry["status"], "Sukses");
    assert_eq!(inquiry["buyer_sku_code"], "pln");
    assert_eq!(inquiry["admin"], 2_500);
    assert_eq!(inquiry["selling_price"], 45_037 + 2_500);
    assert_eq!(inquiry["price"], 45_037 + 2_500 - 1_000);
    assert_eq!(inquiry["desc"]["detail"][0]["nilai_tagihan"], "45037");
    assert_eq!(inquiry["periode"].as_str().unwrap().len(), 6);
    assert!(inquiry["customer_name"].as_str().unwrap().len() > 3);
    assert_eq!(h.sim.balance(), 1_000_000, "an inquiry charges nothing");

    // Not paid yet: no payment to report.
    assert_eq!(
        h.pasca("status-pasca", "531234560001", "pp-1", false).await["rc"],
        "50"
    );

    let paid = h.pasca("pay-pasca", "531234560001", "pp-1", false).await;
    assert_eq!(paid["status"], "Sukses");
    assert_eq!(paid["rc"], "00");
    assert_eq!(paid["sn"].as_str().unwrap().len(), 16);
    assert_eq!(paid["buyer_last_saldo"], 1_000_000 - 46_537);
    assert_eq!(h.sim.balance(), 1_000_000 - 46_537);
    assert_eq!(
        h.pasca("pay-pasca", "531234560001", "pp-1", false).await,
        paid
    );
    assert_eq!(
        h.pasca("status-pasca", "531234560001", "pp-1", false).await,
        paid
    );
    assert_eq!(h.sim.balance(), 1_000_000 - 46_537, "paid once");

    // Payment must follow an inquiry of the same number; a ref_id is used once.
    assert_eq!(
        h.pasca("pay-pasca", "531234560001", "pp-none", false).await["rc"],
        "50"
    );
    assert_eq!(
        h.pasca("pay-pasca", "531234560002", "pp-1", false).await["rc"],
        "49"
    );
    assert_eq!(
        h.pasca("inq-pasca", "531234560001", "pp-1", false).await["rc"],
        "49"
    );

    let no_bill = h.pasca("inq-pasca", "531234560009", "pp-2", false).await;
    assert_eq!(
        (&no_bill["status"], &no_bill["rc"]),
        (&json!("Gagal"), &json!("54"))
    );

    h.pasca("inq-pasca", "531234560032", "pp-3", false).await;
    let failed = h.pasca("pay-pasca", "531234560032", "pp-3", false).await;
    assert_eq!(failed["status"], "Gagal");
    assert_eq!(h.sim.balance(), 1_000_000 - 46_537);

    h.sim.set_balance(100);
    h.pasca("inq-pasca", "531234560001", "pp-4", false).await;
    assert_eq!(
        h.pasca("pay-pasca", "531234560001", "pp-4", false).await["rc"],
        "44"
    );
}

// --- deposit ---------------------------------------------------------------------------------

#[tokio::test]
async fn deposit_tickets() {
    let h = test_sim().await;
    let ask = |bank_key: &str, bank: &str| {
        let mut body = json!({"username": h.username, "amount": 1_000_000,
                              "owner_name": "Madd Store", "sign": h.sign("deposit")});
        body[bank_key] = json!(bank);
        body
    };
    let ticket = h.data("deposit", &ask("Bank", "BCA")).await;
    assert_eq!(ticket["rc"], "00");
    assert_eq!(ticket["bank"], "BCA");
    assert_eq!(ticket["payment_method"], "Bank Transfer");
    assert!(ticket["account_no"].is_string());
    let amount = ticket["amount"].as_i64().unwrap();
    assert!((1_000_001..=1_000_999).contains(&amount), "{amount}");
    assert_eq!(ticket["notes"].as_str().unwrap().len(), 7);
    let va = h.data("deposit", &ask("bank", "shopeepay")).await;
    assert_eq!(va["payment_method"], "Virtual Account");
    assert_eq!(
        h.data("deposit", &ask("bank", "BANK ANTAH")).await["rc"],
        "64"
    );
    let mut missing = ask("bank", "BRI");
    missing["amount"] = json!(0);
    assert_eq!(h.data("deposit", &missing).await["rc"], "40");
    assert_eq!(h.sim.deposit_tickets().len(), 2);
    assert_eq!(h.sim.balance(), 1_000_000, "a ticket is not money");
}

// --- control page ----------------------------------------------------------------------------

#[tokio::test]
async fn control_page_escapes_and_hides_the_key() {
    let h = test_sim().await;
    h.topup("ML86", "<script>alert(1)</script>33", "<b>ref</b>")
        .await;
    let html = h
        .http
        .get(format!("{}/", h.root))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Digiflazz sandbox"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;33"));
    assert!(html.contains("&lt;b&gt;ref&lt;/b&gt;"));
    assert!(!html.contains("<script>"));
    assert!(
        !html.contains("sandbox-digiflazz-key"),
        "the key is not shown"
    );
    assert!(!html.contains("sandbox-digiflazz-secret"), "nor the secret");
    assert!(
        html.contains("Selesaikan: Sukses"),
        "a release button for the pending one"
    );
    assert!(html.contains(r#"action="/control""#));
}

#[tokio::test]
async fn control_knobs_by_json_and_form() {
    let h = test_sim().await;
    let state = h
        .control(json!({"action": "set_balance", "balance": 1234}))
        .await;
    assert_eq!(
        (&state["ok"], &state["balance"]),
        (&json!(true), &json!(1234))
    );
    let state = h
        .control(json!({"action": "set_fault", "fault": "slow", "slow_ms": 5}))
        .await;
    assert_eq!(state["fault"], "slow (5 ms)");
    assert_eq!(h.sim.fault(), Some(Fault::Slow(Duration::from_millis(5))));
    h.control(json!({"action": "set_fault", "fault": "drop_answer"}))
        .await;
    assert_eq!(h.sim.fault(), Some(Fault::DropAnswer));
    h.control(json!({"action": "set_fault", "fault": "none"}))
        .await;
    assert_eq!(h.sim.fault(), None);
    let state = h.control(json!({"action": "force_rc", "rc": "55"})).await;
    assert_eq!(state["forced_rc"], "55");
    h.control(json!({"action": "force_rc", "rc": ""})).await;
    assert_eq!(h.sim.forced_rc(), None);
    let state = h
        .control(json!({"action": "set_available", "sku": "ML86", "available": false}))
        .await;
    assert!(state["unavailable"]
        .as_array()
        .unwrap()
        .contains(&json!("ML86")));
    h.control(json!({"action": "drop_webhooks", "enabled": true}))
        .await;
    let state = h
        .control(json!({"action": "duplicate_webhooks", "enabled": "true"}))
        .await;
    assert_eq!(
        (&state["drop_webhooks"], &state["duplicate_webhooks"]),
        (&json!(true), &json!(true))
    );
    let state = h
        .control(json!({"action": "set_webhook_url", "webhook_url": "http://127.0.0.1:9/hook"}))
        .await;
    assert_eq!(state["webhook_url"], "http://127.0.0.1:9/hook");

    for bad in [
        json!({"action": "explode"}),
        json!({"action": "force_rc", "rc": "46"}),
        json!({"action": "set_available", "sku": "NOPE"}),
        json!({"action": "release", "ref_id": "none"}),
    ] {
        let response = h
            .http
            .post(format!("{}/control", h.root))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }

    h.sim.set_balance(1_000_000);
    h.sim.set_drop_webhooks(false);
    h.topup("TSEL10", "081234567833", "k-1").await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let released = no_redirects
        .post(format!("{}/control", h.root))
        .form(&[
            ("action", "release"),
            ("ref_id", "k-1"),
            ("success", "false"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 303);
    assert_eq!(released.headers()["location"], "/");
    assert_eq!(h.sim.transaction("k-1").unwrap().status, "Gagal");
    assert_eq!(h.sim.balance(), 1_000_000);
}

#[tokio::test]
async fn mounted_in_the_sandbox() {
    let sandbox = madd_sandbox::Sandbox::new(
        madd_sandbox::Profile::Tests,
        "http://127.0.0.1:1",
        "http://127.0.0.1:1",
        "token",
    );
    assert_eq!(
        sandbox.digiflazz.webhook_url().as_deref(),
        Some("http://127.0.0.1:1/webhooks/digiflazz")
    );
    const { assert!(madd_sandbox::Simulators::ALL.digiflazz) };
    let only = madd_sandbox::Simulators {
        vip: false,
        digiflazz: true,
        trakteer: false,
        midtrans: false,
        tripay: false,
        whatsapp: false,
    };
    assert!(only.any());
    assert!(madd_sandbox::is_provider_api("/digiflazz/v1/transaction"));
    assert!(!madd_sandbox::is_provider_api("/digiflazz/control"));
    assert!(!madd_sandbox::is_provider_api("/digiflazz/v1/../control"));

    let addr = serve(Router::new().nest("/sandbox", sandbox.router())).await;
    let http = reqwest::Client::new();
    let config = sandbox.digiflazz.config();
    let body: Value = http
        .post(format!("http://{addr}/sandbox/digiflazz/v1/cek-saldo"))
        .json(&json!({"cmd": "deposit", "username": config.username,
                      "sign": sign(&config.username, &config.api_key, "depo")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["deposit"], 1_000_000);
    let index = http
        .get(format!("http://{addr}/sandbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("Digiflazz: saldo, transaksi &amp; gangguan"));
    let page = http
        .get(format!("http://{addr}/sandbox/digiflazz/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the trailing slash leads to the page");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"action="/sandbox/digiflazz/control""#),
        "{html}"
    );
    assert!(html.contains("/sandbox/digiflazz/v1"));
}
