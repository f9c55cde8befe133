//! The VIP Reseller simulator over real HTTP, checked against `shared/specs/vip-reseller.md`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use madd_sandbox::vip::{signature, Config, Fault, VipSim};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const MISSING: &str = "Masih ada parameter yang kosong.";
const NO_SERVICE: &str = "Layanan tidak ditemukan atau saat ini tidak tersedia.";
const NO_BALANCE: &str = "Saldo Anda tidak cukup untuk melakukan pemesanan ini.";
const NO_TRX: &str = "Transaksi tidak ditemukan.";

struct Harness {
    sim: VipSim,
    /// `http://127.0.0.1:port/api/`
    api: String,
    root: String,
    http: reqwest::Client,
    key: String,
    sign: String,
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
    let sim = VipSim::new(config.clone());
    let addr = serve(sim.router()).await;
    Harness {
        sim,
        api: format!("http://{addr}/api/"),
        root: format!("http://{addr}"),
        http: reqwest::Client::new(),
        sign: signature(&config.api_id, &config.api_key),
        key: config.api_key,
    }
}

async fn test_sim() -> Harness {
    start(Config::for_tests()).await
}

impl Harness {
    async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("key", self.key.as_str()), ("sign", self.sign.as_str())];
        form.extend_from_slice(fields);
        self.http
            .post(format!("{}{endpoint}", self.api))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// A call answered with HTTP 200 and VIP's envelope.
    async fn call(&self, endpoint: &str, fields: &[(&str, &str)]) -> Value {
        let response = self.post(endpoint, fields).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert!(body["result"].is_boolean(), "{body}");
        assert!(body["message"].is_string(), "{body}");
        body
    }

    async fn data(&self, endpoint: &str, fields: &[(&str, &str)]) -> Value {
        let body = self.call(endpoint, fields).await;
        assert_eq!(body["result"], true, "{body}");
        body["data"].clone()
    }

    async fn error(&self, endpoint: &str, fields: &[(&str, &str)]) -> String {
        let body = self.call(endpoint, fields).await;
        assert_eq!(body["result"], false, "{body}");
        assert_eq!(body["data"], Value::Null, "{body}");
        body["message"].as_str().unwrap().to_string()
    }

    async fn status(&self, endpoint: &str, trxid: &str) -> Value {
        let data = self
            .data(endpoint, &[("type", "status"), ("trxid", trxid)])
            .await;
        assert_eq!(data.as_array().unwrap().len(), 1, "{data}");
        data[0].clone()
    }
}

fn as_i64(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

// --- envelope and authentication ---------------------------------------------------------

#[tokio::test]
async fn profile_envelope() {
    let h = test_sim().await;
    let body = h.call("profile", &[]).await;
    assert_eq!(body["result"], true);
    assert_eq!(body["message"], "Successfully got your account details.");
    let data = &body["data"];
    assert_eq!(data["username"], "maddstore");
    assert_eq!(data["balance"], 5_000_000);
    assert_eq!(data["level"], "Premium");
    assert_eq!(data["point"], 0);
    assert!(data["full_name"].is_string() && data["registered"].is_string());
}

#[tokio::test]
async fn authentication_errors_are_http_200() {
    let h = test_sim().await;
    let post = |fields: Vec<(&'static str, String)>| {
        let http = h.http.clone();
        let url = format!("{}profile", h.api);
        async move {
            let response = http.post(url).form(&fields).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["result"], false);
            assert_eq!(body["data"], Value::Null);
            body["message"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(post(vec![("key", h.key.clone())]).await, MISSING);
    assert_eq!(
        post(vec![("key", "nope".into()), ("sign", h.sign.clone())]).await,
        "API Key not registered."
    );
    assert_eq!(
        post(vec![("key", h.key.clone()), ("sign", "0".repeat(32))]).await,
        "API Signature not valid."
    );
    // The sign is the lowercase hex digest.
    assert_eq!(
        post(vec![
            ("key", h.key.clone()),
            ("sign", h.sign.to_uppercase())
        ])
        .await,
        "API Signature not valid."
    );
}

#[tokio::test]
async fn ip_whitelist() {
    let refused = start(Config {
        ip_whitelist: vec![IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3))],
        ..Config::for_tests()
    })
    .await;
    assert_eq!(
        refused.error("profile", &[]).await,
        "IP 127.0.0.1 is not permitted"
    );
    let allowed = start(Config {
        ip_whitelist: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ..Config::for_tests()
    })
    .await;
    allowed.data("profile", &[]).await;
}

#[tokio::test]
async fn multipart_bodies_are_accepted() {
    let h = test_sim().await;
    let mut body = String::new();
    for (name, value) in [
        ("key", h.key.as_str()),
        ("sign", &h.sign),
        ("type", "services"),
    ] {
        body.push_str(&format!(
            "--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--b0undary--\r\n");
    let response = h
        .http
        .post(format!("{}prepaid", h.api))
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"], true, "{body}");
    assert!(!body["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_type_and_missing_type() {
    let h = test_sim().await;
    assert_eq!(h.error("game-feature", &[]).await, MISSING);
    assert_eq!(
        h.error("prepaid", &[("type", "teleport")]).await,
        "Permintaan tidak valid."
    );
}

// --- catalogue -----------------------------------------------------------------------------

#[tokio::test]
async fn game_services_with_tiers_and_filters() {
    let h = test_sim().await;
    let body = h.call("game-feature", &[("type", "services")]).await;
    assert_eq!(body["message"], "Daftar layanan berhasil didapatkan.");
    let items = body["data"].as_array().unwrap();
    for item in items {
        for field in ["code", "game", "name", "server", "status"] {
            assert!(item[field].is_string(), "{field} in {item}");
        }
        let (b, p, s) = (
            as_i64(&item["price"]["basic"]),
            as_i64(&item["price"]["premium"]),
            as_i64(&item["price"]["special"]),
        );
        assert!(b > p && p > s, "{item}");
    }
    let find = |code: &str| items.iter().find(|i| i["code"] == code).unwrap().clone();
    assert_eq!(find("ML86-S1")["game"], "Mobile Legends B");
    assert_eq!(find("ML1048-S1")["price"]["premium"], 195_695);
    assert_eq!(
        find("ML14-S14")["price"],
        json!({"basic": 3310, "premium": 3260, "special": 3235})
    );
    for game in [
        "Mobile Legends B",
        "Free Fire",
        "Genshin Impact",
        "Honkai Star Rail",
        "PUBGM INDO",
        "Valorant",
    ] {
        assert!(items.iter().any(|i| i["game"] == game), "{game}");
    }
    assert!(items.iter().any(|i| i["name"] == "Weekly Diamond Pass"));
    assert!(items
        .iter()
        .any(|i| i["name"] == "Blessing of the Welkin Moon"));

    let genshin = h
        .data(
            "game-feature",
            &[("type", "services"), ("filter_game", "Genshin Impact")],
        )
        .await;
    let genshin = genshin.as_array().unwrap();
    assert!(!genshin.is_empty());
    assert!(genshin.iter().all(|i| i["game"] == "Genshin Impact"));
    let old_style = h
        .data(
            "game-feature",
            &[
                ("type", "services"),
                ("filter_type", "game"),
                ("filter_value", "Genshin Impact"),
            ],
        )
        .await;
    assert_eq!(old_style.as_array().unwrap(), genshin);
    let empty = h
        .data(
            "game-feature",
            &[("type", "services"), ("filter_status", "empty")],
        )
        .await;
    let codes: Vec<_> = empty
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["code"])
        .collect();
    assert_eq!(codes, [&json!("GI8080-S1")]);
}

#[tokio::test]
async fn prepaid_services_with_vip_fields_and_filters() {
    let h = test_sim().await;
    let items = h.data("prepaid", &[("type", "services")]).await;
    let items = items.as_array().unwrap();
    for item in items {
        for field in [
            "brand",
            "code",
            "name",
            "note",
            "status",
            "maintenace",
            "category",
            "prepost",
            "type",
        ] {
            assert!(item[field].is_string(), "{field} in {item}");
        }
        assert!(item["multi_trx"].is_boolean());
        assert!(item["price"]["special"].is_i64());
    }
    let xl = items.iter().find(|i| i["code"] == "XLDHR3").unwrap();
    assert_eq!(xl["name"], "XL HOTROD 3 GB / 30 Hari");
    assert_eq!(xl["maintenace"], "23:44 - 00:16");
    assert_eq!(xl["type"], "paket-internet");
    for brand in [
        "Telkomsel",
        "Indosat",
        "XL",
        "Axis",
        "Tri",
        "Smartfren",
        "by.U",
    ] {
        let pulsa = items
            .iter()
            .filter(|i| i["brand"] == brand && i["type"] == "pulsa-reguler")
            .count();
        assert_eq!(pulsa, 5, "{brand}");
    }
    for slug in ["saldo-emoney", "streaming-tv"] {
        assert!(items.iter().any(|i| i["type"] == slug), "{slug}");
    }

    let tokens = h
        .data(
            "prepaid",
            &[
                ("type", "services"),
                ("filter_type", "type"),
                ("filter_value", "token-pln"),
            ],
        )
        .await;
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 4);
    assert!(tokens.iter().all(|t| t["brand"] == "PLN"));
    let dana = h
        .data(
            "prepaid",
            &[
                ("type", "services"),
                ("filter_type", "brand"),
                ("filter_value", "DANA"),
            ],
        )
        .await;
    assert!(dana
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["type"] == "saldo-emoney"));
}

// --- nicknames -----------------------------------------------------------------------------

async fn nick(h: &Harness, code: &str, target: &str, zone: Option<&str>) -> Value {
    let mut fields = vec![("type", "get-nickname"), ("code", code), ("target", target)];
    if let Some(z) = zone {
        fields.push(("additional_target", z));
    }
    h.call("game-feature", &fields).await
}

#[tokio::test]
async fn nicknames_are_deterministic() {
    let h = test_sim().await;
    let itacimo = nick(&h, "mobile-legends", "123456780", Some("2345")).await;
    assert_eq!(itacimo["result"], true);
    assert_eq!(itacimo["data"], "Itacimo");
    assert_eq!(itacimo["message"], "Success.");
    assert_eq!(
        itacimo["country"],
        json!({"code": "ID", "name": "Indonesia"})
    );
    let xss = nick(&h, "mobile-legends", "123666660", Some("6666")).await;
    assert_eq!(xss["data"], "<script>alert(1)</script>");
    let genshin = nick(&h, "genshin-impact", "800000001", Some("os_asia")).await;
    assert_eq!(genshin["data"], "Aether");
    assert!(genshin.get("country").is_none());

    let a = nick(&h, "free-fire", "55512345", None).await;
    let b = nick(&h, "free-fire", "55512345", None).await;
    let c = nick(&h, "free-fire", "55512346", None).await;
    assert_eq!(a["result"], true);
    assert_eq!(a["data"], b["data"]);
    assert_ne!(a["data"], c["data"]);
    let riot = nick(&h, "valorant", "Madd#ID1", None).await;
    assert_eq!(riot["data"], "Madd#ID1");
}

#[tokio::test]
async fn unknown_accounts_and_bad_requests() {
    let h = test_sim().await;
    for (code, target, zone) in [
        ("mobile-legends", "923456780", Some("2345")),
        ("mobile-legends", "123456780", Some("9999")), // a known id on another zone
        ("mobile-legends", "12ab", Some("2345")),
        ("free-fire", "912345678", None),
        ("genshin-impact", "800000001", Some("os_mars")),
    ] {
        let answer = nick(&h, code, target, zone).await;
        assert_eq!(answer["result"], false, "{code} {target}");
        assert_eq!(answer["message"], "ID tidak ditemukan.");
        assert_eq!(answer["data"], Value::Null);
    }
    let no_zone = nick(&h, "mobile-legends", "123456780", None).await;
    assert_eq!(no_zone["message"], MISSING);
    let no_game = nick(&h, "tetris", "123456780", None).await;
    assert_eq!(no_game["message"], NO_SERVICE);
}

// --- orders --------------------------------------------------------------------------------

#[tokio::test]
async fn game_order_debits_the_tier_price_and_succeeds_with_an_sn() {
    let h = test_sim().await;
    let body = h
        .call(
            "game-feature",
            &[
                ("type", "order"),
                ("service", "ML1048-S1"),
                ("data_no", "136216325"),
                ("data_zone", "2685"),
            ],
        )
        .await;
    assert_eq!(body["result"], true);
    assert_eq!(body["message"], "Pesanan berhasil, pesanan akan diproses.");
    let order = &body["data"];
    let trxid = order["trxid"].as_str().unwrap().to_string();
    assert!(trxid.starts_with("VP") && trxid.len() == 9, "{trxid}");
    assert!(trxid[2..].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(order["data"], "136216325");
    assert_eq!(order["zone"], "2685");
    assert_eq!(order["service"], "Mobile Legends B - 1048 Diamonds");
    assert_eq!(order["status"], "waiting");
    assert_eq!(order["note"], "");
    assert_eq!(order["price"], 195_695);
    assert_eq!(order["balance"], 5_000_000 - 195_695);
    assert_eq!(h.sim.balance(), 5_000_000 - 195_695);

    let status = h.status("game-feature", &trxid).await;
    assert_eq!(status["status"], "success");
    let sn = status["note"].as_str().unwrap();
    assert_eq!(sn.len(), 16);
    assert!(sn.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(status["price"], 195_695);
    assert_eq!(h.sim.balance(), 5_000_000 - 195_695);

    let orders = h.sim.orders();
    assert_eq!(orders.len(), 1);
    let sim_order = &orders[0];
    assert_eq!(sim_order.trxid, trxid);
    assert_eq!(sim_order.kind, "game");
    assert_eq!(sim_order.service, "ML1048-S1");
    assert_eq!(sim_order.target, "136216325");
    assert_eq!(sim_order.zone.as_deref(), Some("2685"));
    assert_eq!(sim_order.status, "success");
    assert_eq!(sim_order.note, sn);
    assert_eq!(sim_order.price, 195_695);
    assert_eq!(sim_order.index, 0);
    assert_eq!(h.sim.order_requests(), 1);
}

#[tokio::test]
async fn basic_level_pays_basic() {
    let h = start(Config {
        level: "Basic".into(),
        ..Config::for_tests()
    })
    .await;
    let order = h
        .data(
            "game-feature",
            &[
                ("type", "order"),
                ("service", "ML14-S14"),
                ("data_no", "123456780"),
                ("data_zone", "2345"),
            ],
        )
        .await;
    assert_eq!(order["price"], 3310);
}

async fn prepaid_order(h: &Harness, service: &str, target: &str) -> String {
    let order = h
        .data(
            "prepaid",
            &[("type", "order"), ("service", service), ("data_no", target)],
        )
        .await;
    assert_eq!(order["status"], "waiting");
    assert!(
        order.get("zone").is_none(),
        "prepaid answers have no zone: {order}"
    );
    order["trxid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn target_ending_in_2_fails_and_is_refunded() {
    let h = test_sim().await;
    let trxid = prepaid_order(&h, "S10", "081234567892").await;
    let status = h.status("prepaid", &trxid).await;
    assert_eq!(status["status"], "error");
    assert_eq!(status["note"], "Nomor tujuan salah.");
    assert_eq!(h.sim.balance(), 5_000_000);
    assert_eq!(h.data("profile", &[]).await["balance"], 5_000_000);
}

#[tokio::test]
async fn pulsa_success_note_is_an_sn() {
    let h = test_sim().await;
    let trxid = prepaid_order(&h, "S10", "081234567890").await;
    let status = h.status("prepaid", &trxid).await;
    assert_eq!(status["status"], "success");
    assert_eq!(status["service"], "Telkomsel 10.000");
    let sn = status["note"].as_str().unwrap();
    assert!(sn.starts_with("0412") && sn.len() == 18, "{sn}");
    assert!(h.sim.balance() < 5_000_000 - 10_000);
}

#[tokio::test]
async fn pln_token_is_twenty_digits() {
    let h = test_sim().await;
    let trxid = prepaid_order(&h, "PLN50", "14234567890").await;
    let status = h.status("prepaid", &trxid).await;
    assert_eq!(status["status"], "success");
    let token = status["note"].as_str().unwrap();
    let digits: String = token.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 20, "{token}");
    assert_eq!(token.split('-').count(), 5, "{token}");
}

#[tokio::test]
async fn target_ending_in_3_is_held_until_released() {
    let h = test_sim().await;
    let held = prepaid_order(&h, "DANA20", "081234567893").await;
    let refused = prepaid_order(&h, "GOPAY10", "081234567813").await;
    let after_orders = h.sim.balance();
    for trxid in [&held, &refused] {
        let status = h.status("prepaid", trxid).await;
        assert_eq!(status["status"], "processing");
        assert_eq!(status["note"], "Pesanan sedang diproses.");
    }

    assert!(h.sim.release(&held, true));
    let status = h.status("prepaid", &held).await;
    assert_eq!(status["status"], "success");
    assert!(status["note"].as_str().unwrap().starts_with("0412"));
    assert_eq!(h.sim.balance(), after_orders);

    let price = as_i64(&h.status("prepaid", &refused).await["price"]);
    assert!(h.sim.release(&refused, false));
    assert_eq!(h.status("prepaid", &refused).await["status"], "error");
    assert_eq!(h.sim.balance(), after_orders + price);

    assert!(!h.sim.release(&held, false), "already final");
    assert!(!h.sim.release("VP0", true));
}

#[tokio::test]
async fn zone_game_without_zone_fails_with_wrong_zone() {
    let h = test_sim().await;
    let order = h
        .data(
            "game-feature",
            &[
                ("type", "order"),
                ("service", "ML86-S1"),
                ("data_no", "123456780"),
            ],
        )
        .await;
    let status = h
        .status("game-feature", order["trxid"].as_str().unwrap())
        .await;
    assert_eq!(status["status"], "error");
    assert_eq!(status["note"], "Zone tujuan salah.");
    assert_eq!(h.sim.balance(), 5_000_000);
}

#[tokio::test]
async fn order_refusals() {
    let h = test_sim().await;
    let order = |service: &'static str, target: &'static str| async move {
        let mut fields = vec![("type", "order")];
        if !service.is_empty() {
            fields.push(("service", service));
        }
        if !target.is_empty() {
            fields.push(("data_no", target));
        }
        fields
    };
    assert_eq!(h.error("prepaid", &order("S10", "").await).await, MISSING);
    assert_eq!(
        h.error("prepaid", &order("", "081234567890").await).await,
        MISSING
    );
    for (endpoint, service) in [
        ("prepaid", "NOPE"),
        ("prepaid", "TRIAON6"),        // empty
        ("game-feature", "GI8080-S1"), // empty
        ("game-feature", "S10"),       // a prepaid code on the game endpoint
    ] {
        assert_eq!(
            h.error(endpoint, &order(service, "081234567890").await)
                .await,
            NO_SERVICE,
            "{endpoint} {service}"
        );
    }

    h.sim.set_balance(1_000);
    assert_eq!(
        h.error("prepaid", &order("S10", "081234567890").await)
            .await,
        NO_BALANCE
    );
    assert_eq!(h.sim.balance(), 1_000);
    assert!(h.sim.orders().is_empty());
    assert_eq!(h.sim.order_requests(), 7);
}

#[tokio::test]
async fn status_by_trxid_and_by_limit() {
    let h = test_sim().await;
    assert_eq!(
        h.error("prepaid", &[("type", "status"), ("trxid", "VP0000001")])
            .await,
        NO_TRX
    );
    assert_eq!(h.error("prepaid", &[("type", "status")]).await, MISSING);
    let first = prepaid_order(&h, "S5", "081234567890").await;
    let game = h
        .data(
            "game-feature",
            &[
                ("type", "order"),
                ("service", "FF70-S1"),
                ("data_no", "1234567890"),
            ],
        )
        .await;
    let second = prepaid_order(&h, "I5", "085712345672").await;
    let third = prepaid_order(&h, "X5", "087812345673").await;

    // Each endpoint knows only its own orders.
    let game_trxid = game["trxid"].as_str().unwrap();
    assert_eq!(
        h.error("prepaid", &[("type", "status"), ("trxid", game_trxid)])
            .await,
        NO_TRX
    );
    assert_eq!(
        h.status("game-feature", game_trxid).await["service"],
        "Free Fire - 70 Diamonds"
    );

    let latest = h
        .data("prepaid", &[("type", "status"), ("limit", "2")])
        .await;
    let ids: Vec<_> = latest
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["trxid"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), second.as_str()]);
    for order in latest.as_array().unwrap() {
        for field in ["trxid", "data", "zone", "service", "status", "note"] {
            assert!(order[field].is_string(), "{field} in {order}");
        }
        assert!(order["price"].is_i64());
    }
    let all = h
        .data("prepaid", &[("type", "status"), ("limit", "50")])
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[2]["trxid"], first.as_str());
    let statuses: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["processing", "error", "success"]);
}

#[tokio::test]
async fn statuses_move_with_the_configured_delays() {
    let waiting = start(Config {
        processing_after: Duration::from_secs(3600),
        complete_after: Duration::from_secs(7200),
        ..Config::for_tests()
    })
    .await;
    let trxid = prepaid_order(&waiting, "S5", "081234567890").await;
    assert_eq!(waiting.status("prepaid", &trxid).await["status"], "waiting");

    let processing = start(Config {
        processing_after: Duration::ZERO,
        complete_after: Duration::from_secs(3600),
        ..Config::for_tests()
    })
    .await;
    let trxid = prepaid_order(&processing, "S5", "081234567890").await;
    let status = processing.status("prepaid", &trxid).await;
    assert_eq!(status["status"], "processing");
    assert_eq!(status["note"], "Pesanan sedang diproses.");
    // An early release still ends it.
    assert!(processing.sim.release(&trxid, true));
    assert_eq!(
        processing.status("prepaid", &trxid).await["status"],
        "success"
    );
}

// --- postpaid ------------------------------------------------------------------------------

#[tokio::test]
async fn pln_postpaid_inquiry_and_payment() {
    let h = test_sim().await;
    let inquiry = h
        .call(
            "postpaid",
            &[
                ("type", "inq-pasca"),
                ("service", "PLNPASCA"),
                ("data_no", "531234560001"),
            ],
        )
        .await;
    assert_eq!(inquiry["result"], true);
    let data = &inquiry["data"];
    assert_eq!(data["data"]["no"], "531234560001");
    assert!(!data["data"]["name"].as_str().unwrap().is_empty());
    assert_eq!(
        data["price"],
        json!({"bill": 45_037, "admin": 2_500, "total": 47_537})
    );
    assert_eq!(data["balance"], 5_000_000);
    // The same number gives the same bill and name.
    let again = h
        .data(
            "postpaid",
            &[
                ("type", "inq-pasca"),
                ("service", "PLNPASCA"),
                ("data_no", "531234560001"),
            ],
        )
        .await;
    assert_eq!(&again, data);

    assert_eq!(
        h.error(
            "postpaid",
            &[
                ("type", "inq-pasca"),
                ("service", "PLNPASCA"),
                ("data_no", "531234560009"),
            ],
        )
        .await,
        "Tagihan tidak ditemukan."
    );
    assert_eq!(
        h.error(
            "postpaid",
            &[
                ("type", "inq-pasca"),
                ("service", "BPJS"),
                ("data_no", "531234560001"),
            ],
        )
        .await,
        NO_SERVICE
    );

    let paid = h
        .data(
            "postpaid",
            &[
                ("type", "pay-pasca"),
                ("service", "PLNPASCA"),
                ("data_no", "531234560001"),
            ],
        )
        .await;
    assert_eq!(paid["status"], "waiting");
    assert_eq!(paid["price"], 47_537);
    assert_eq!(h.sim.balance(), 5_000_000 - 47_537);
    let status = h.status("postpaid", paid["trxid"].as_str().unwrap()).await;
    assert_eq!(status["status"], "success");
    assert_eq!(status["service"], "PLN Pascabayar");
    assert!(status["note"].as_str().unwrap().starts_with("REF"));
    assert_eq!(h.sim.order_requests(), 1);
}

// --- faults --------------------------------------------------------------------------------

#[tokio::test]
async fn server_error_malformed_and_maintenance() {
    let h = test_sim().await;
    let order = [
        ("type", "order"),
        ("service", "S5"),
        ("data_no", "081234567890"),
    ];

    h.sim.set_fault(Fault::ServerError);
    assert_eq!(h.post("profile", &[]).await.status(), 500);
    assert_eq!(h.post("prepaid", &order).await.status(), 500);

    h.sim.set_fault(Fault::Malformed);
    let response = h.post("prepaid", &order).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    h.sim.set_fault(Fault::Maintenance);
    assert_eq!(
        h.error("prepaid", &order).await,
        "Ada pemeliharaan sistem API, coba lagi nanti."
    );

    assert!(h.sim.orders().is_empty(), "nothing processed under faults");
    assert_eq!(h.sim.balance(), 5_000_000);
    assert_eq!(h.sim.order_requests(), 3);

    h.sim.clear_fault();
    assert_eq!(h.sim.fault(), None);
    prepaid_order(&h, "S5", "081234567890").await;
}

#[tokio::test]
async fn fail_orders_accepts_and_charges_then_fails_and_refunds() {
    let h = test_sim().await;
    let before = prepaid_order(&h, "S10", "081234567890").await;
    h.sim.set_fault(Fault::FailOrders);
    let order = h
        .data(
            "prepaid",
            &[
                ("type", "order"),
                ("service", "S10"),
                ("data_no", "081234567890"),
            ],
        )
        .await;
    assert_eq!(order["status"], "waiting", "accepted as usual");
    let price = as_i64(&order["price"]);
    let charged = as_i64(&order["balance"]);
    let trxid = order["trxid"].as_str().unwrap().to_string();
    // Zero delays: the first status call shows the end.
    let status = h.status("prepaid", &trxid).await;
    assert_eq!(status["status"], "error");
    assert_eq!(status["note"], "Stok sedang kosong.");
    assert_eq!(h.sim.balance(), charged + price, "refunded");
    assert_eq!(h.status("prepaid", &before).await["status"], "success");
    // Even a target that would otherwise be held.
    let held = prepaid_order(&h, "S10", "081234567893").await;
    assert_eq!(h.status("prepaid", &held).await["status"], "error");
    let state: Value = h
        .http
        .post(format!("{}/control", h.root))
        .json(&json!({"action": "set_fault", "fault": "fail_orders"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["fault"], "fail_orders");
    h.sim.clear_fault();
    let fine = prepaid_order(&h, "S10", "081234567890").await;
    assert_eq!(h.status("prepaid", &fine).await["status"], "success");
}

#[tokio::test]
async fn drop_order_answer_records_and_charges_the_order() {
    let h = test_sim().await;
    h.sim.set_fault(Fault::DropOrderAnswer);
    let response = h
        .post(
            "game-feature",
            &[
                ("type", "order"),
                ("service", "ML86-S1"),
                ("data_no", "123456780"),
                ("data_zone", "2345"),
            ],
        )
        .await;
    assert_eq!(response.status(), 502);
    assert_eq!(h.sim.order_requests(), 1);
    let orders = h.sim.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].target, "123456780");
    assert_eq!(h.sim.balance(), 5_000_000 - orders[0].price);

    // Other calls still answer: the order can be found by the recent-orders search.
    let latest = h
        .data("game-feature", &[("type", "status"), ("limit", "5")])
        .await;
    assert_eq!(latest[0]["trxid"], orders[0].trxid.as_str());
    assert_eq!(latest[0]["data"], "123456780");
    assert_eq!(latest[0]["zone"], "2345");
    assert_eq!(
        latest[0]["service"],
        "Mobile Legends B - 86 Diamonds (78 + 8 Bonus)"
    );
}

#[tokio::test]
async fn slow_answers_time_out_but_the_order_exists() {
    let h = test_sim().await;
    h.sim.set_fault(Fault::Slow(Duration::from_millis(500)));
    let result = h
        .http
        .post(format!("{}prepaid", h.api))
        .timeout(Duration::from_millis(50))
        .form(&[
            ("key", h.key.as_str()),
            ("sign", h.sign.as_str()),
            ("type", "order"),
            ("service", "S5"),
            ("data_no", "081234567890"),
        ])
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert_eq!(h.sim.orders().len(), 1);

    h.sim.set_fault(Fault::Slow(Duration::from_millis(20)));
    let profile = h.data("profile", &[]).await;
    assert!(profile["balance"].as_i64().unwrap() < 5_000_000);
}

// --- callbacks -----------------------------------------------------------------------------

type Received = mpsc::UnboundedSender<(Option<String>, Value)>;

async fn receiver() -> (String, mpsc::UnboundedReceiver<(Option<String>, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/vip/callback",
            post(
                |State(tx): State<Received>, headers: HeaderMap, body: String| async move {
                    let signature = headers
                        .get("x-client-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let _ = tx.send((signature, serde_json::from_str(&body).unwrap()));
                    "ok"
                },
            ),
        )
        .with_state(tx);
    let addr = serve(app).await;
    (format!("http://{addr}/vip/callback"), rx)
}

async fn next(
    rx: &mut mpsc::UnboundedReceiver<(Option<String>, Value)>,
) -> (Option<String>, Value) {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("callback within 5 s")
        .expect("receiver open")
}

#[tokio::test]
async fn callbacks_are_signed_and_follow_every_status_change() {
    let (url, mut rx) = receiver().await;
    let h = start(Config {
        callback_url: Some(url),
        ..Config::for_tests()
    })
    .await;
    let trxid = prepaid_order(&h, "PLN20", "14234567890").await;

    let (signature, processing) = next(&mut rx).await;
    assert_eq!(signature.as_deref(), Some(h.sign.as_str()));
    assert_eq!(processing["data"]["trxid"], trxid.as_str());
    assert_eq!(processing["data"]["status"], "processing");

    let (signature, done) = next(&mut rx).await;
    assert_eq!(signature.as_deref(), Some(h.sign.as_str()));
    let data = &done["data"];
    assert_eq!(data["trxid"], trxid.as_str());
    assert_eq!(data["status"], "success");
    assert_eq!(data["data"], "14234567890");
    assert_eq!(data["service"], "Token PLN 20.000");
    assert_eq!(data["zone"], "");
    assert!(data["price"].is_i64());
    assert_eq!(
        data["note"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .count(),
        20
    );
}

#[tokio::test]
async fn callbacks_arrive_on_time_without_anyone_polling() {
    let (url, mut rx) = receiver().await;
    let h = start(Config {
        callback_url: Some(url),
        processing_after: Duration::from_millis(20),
        complete_after: Duration::from_millis(40),
        ..Config::for_tests()
    })
    .await;
    let trxid = prepaid_order(&h, "S25", "081234567892").await;
    let (_, processing) = next(&mut rx).await;
    assert_eq!(processing["data"]["status"], "processing");
    let (_, done) = next(&mut rx).await;
    assert_eq!(done["data"]["trxid"], trxid.as_str());
    assert_eq!(done["data"]["status"], "error");
    assert_eq!(done["data"]["note"], "Nomor tujuan salah.");
    assert_eq!(h.sim.balance(), 5_000_000);
}

#[tokio::test]
async fn callbacks_for_release_and_after_setting_the_url() {
    let (url, mut rx) = receiver().await;
    let h = test_sim().await;
    let trxid = prepaid_order(&h, "S5", "081234567893").await;
    // Nothing is sent without a URL.
    assert_eq!(h.status("prepaid", &trxid).await["status"], "processing");
    h.sim.set_callback_url(Some(url));
    assert!(h.sim.release(&trxid, false));
    let (signature, body) = next(&mut rx).await;
    assert_eq!(signature.as_deref(), Some(signature_of_demo().as_str()));
    assert_eq!(body["data"]["trxid"], trxid.as_str());
    assert_eq!(body["data"]["status"], "error");
    assert!(rx.try_recv().is_err(), "processing was not re-sent");
}

fn signature_of_demo() -> String {
    signature("sandbox-vip", "sandbox-key")
}

// --- control page --------------------------------------------------------------------------

#[tokio::test]
async fn control_page_escapes_what_clients_sent() {
    let h = test_sim().await;
    prepaid_order(&h, "S5", "<script>alert(1)</script>").await;
    let page = h.http.get(format!("{}/", h.root)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("VIP Reseller sandbox"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("sandbox-key"), "the API key is not shown");
    assert!(html.contains(r#"action="/control""#));
}

#[tokio::test]
async fn control_knobs_by_json_and_form() {
    let h = test_sim().await;
    let control = format!("{}/control", h.root);
    let state: Value = h
        .http
        .post(&control)
        .json(&json!({"action": "set_balance", "balance": 1234}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["ok"], true);
    assert_eq!(state["balance"], 1234);
    assert_eq!(h.sim.balance(), 1234);

    let state: Value = h
        .http
        .post(&control)
        .json(&json!({"action": "set_fault", "fault": "slow", "slow_ms": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["fault"], "slow (5 ms)");
    assert_eq!(h.sim.fault(), Some(Fault::Slow(Duration::from_millis(5))));

    let bad = h
        .http
        .post(&control)
        .json(&json!({"action": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    h.sim.clear_fault();
    h.sim.set_balance(100_000);
    let trxid = prepaid_order(&h, "S5", "081234567893").await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let released = no_redirects
        .post(&control)
        .form(&[
            ("action", "release"),
            ("trxid", &trxid),
            ("success", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 303);
    assert_eq!(released.headers()["location"], "/");
    assert_eq!(h.sim.order(&trxid).unwrap().status, "success");

    let fault = no_redirects
        .post(&control)
        .form(&[
            ("action", "set_fault"),
            ("fault", "drop_order_answer"),
            ("slow_ms", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), 303);
    assert_eq!(h.sim.fault(), Some(Fault::DropOrderAnswer));
}

#[tokio::test]
async fn works_when_nested_under_a_prefix() {
    let sim = VipSim::new(Config::for_tests());
    let addr = serve(Router::new().nest("/sandbox/vip", sim.router())).await;
    let http = reqwest::Client::new();
    let sign = sim.signature().to_string();
    let body: Value = http
        .post(format!("http://{addr}/sandbox/vip/api/profile"))
        .form(&[("key", "sandbox-key"), ("sign", sign.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"], true);
    let html = http
        .get(format!("http://{addr}/sandbox/vip"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"action="/sandbox/vip/control""#), "{html}");
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("http://{addr}/sandbox/vip/control"))
        .form(&[("action", "clear_fault")])
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.headers()["location"], "/sandbox/vip");
}
