//! The reseller API (H2H) on both databases, driven by a Digiflazz buyer client written from
//! `shared/specs/digiflazz.md` alone (below: md5 signs, the `data` envelope, rc codes — no store
//! code): the documented test cases, real purchases through the sandbox suppliers with their
//! callbacks, saldo that never goes below zero under a crowd, one order for a `ref_id` however
//! often it is sent, the refusals, and callbacks signed, retried and logged.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestStore;
use madd_domain::PhoneNumber;

const SECRET: &str = "h2h-test-secret-0123456789abcdef0123456789";
const RESELLER: &str = "0813-7000-1000";

fn h2h_on(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_H2H_SECRET".into(), SECRET.into());
    // The test's receivers listen on this machine.
    env.insert("MADD_H2H_ALLOW_PRIVATE_CALLBACKS".into(), "true".into());
    env.insert("MADD_FULFILMENT".into(), "auto".into());
}

/// A Digiflazz buyer client, from the spec only.
struct Digiflazz {
    base: String,
    username: String,
    key: String,
    http: reqwest::Client,
    /// Sent as `X-Forwarded-For` (the store sits behind a local proxy in tests).
    from: String,
}

impl Digiflazz {
    fn sign(&self, suffix: &str) -> String {
        hex::encode(Md5::digest(format!(
            "{}{}{suffix}",
            self.username, self.key
        )))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/h2h/v1/{path}", self.base))
            .header("x-forwarded-for", &self.from)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap()["data"].clone())
    }

    async fn saldo(&self) -> i64 {
        let (_, data) = self
            .post(
                "cek-saldo",
                json!({"cmd": "deposit", "username": self.username, "sign": self.sign("depo")}),
            )
            .await;
        data["deposit"].as_i64().expect("a deposit figure")
    }

    async fn topup(
        &self,
        sku: &str,
        customer_no: &str,
        ref_id: &str,
        extra: Value,
    ) -> (u16, Value) {
        let mut body = json!({
            "username": self.username, "buyer_sku_code": sku, "customer_no": customer_no,
            "ref_id": ref_id, "sign": self.sign(ref_id),
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_default());
        self.post("transaction", body).await
    }
}

/// An approved reseller with H2H on, calling from 127.0.0.1, callbacks to `callback_url`.
async fn reseller(s: &TestStore, callback_url: &str, saldo: i64) -> (Digiflazz, String) {
    maddstore::service::tiers::approve(s.app(), RESELLER, "Konter Bot", "admin:test")
        .await
        .unwrap();
    let number = PhoneNumber::parse(RESELLER).unwrap();
    let c = maddstore::service::h2h::open(s.app(), &number)
        .await
        .unwrap();
    maddstore::service::h2h::set_access(s.app(), &c.username, "127.0.0.1", callback_url)
        .await
        .unwrap();
    if saldo > 0 {
        s.credit_saldo(&number, saldo).await;
    }
    let client = Digiflazz {
        base: s.url(""),
        username: c.username,
        key: c.key.expose().to_string(),
        http: s.http.clone(),
        from: "127.0.0.1".into(),
    };
    (client, c.webhook_secret.expose().to_string())
}

/// A callback receiver that answers every POST 200.
async fn taking_receiver() -> MockServer {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    receiver
}

/// An admin page's HTML, with the session cookie.
async fn admin_page(s: &TestStore, session: &str, path: &str) -> String {
    s.http
        .get(s.url(path))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Runs every job that is due, moving the clock on so the watch and the callbacks come due.
async fn later(s: &TestStore, seconds: i64) {
    s.settle().await;
    s.advance(time::Duration::seconds(seconds)).await;
    s.settle().await;
}

fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    header == format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The callbacks the receiver got: `(event, data)`, each checked for Digiflazz's headers and a
/// signature over the raw body that verifies with the reseller's secret.
async fn callbacks(receiver: &MockServer, secret: &str) -> Vec<(String, Value)> {
    let mut got = Vec::new();
    for r in receiver.received_requests().await.unwrap_or_default() {
        let header = |h: &str| {
            r.headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("user-agent"), "Digiflazz-Hookshot");
        assert!(
            verify(secret, &r.body, &header("x-hub-signature")),
            "the signature verifies over the raw body"
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        got.push((header("x-digiflazz-event"), body["data"].clone()));
    }
    got
}

both_backends!(
    the_documented_test_cases_answer_as_documented,
    h2h_on,
    |s: TestStore| async move {
        let receiver = taking_receiver().await;
        let (df, secret) = reseller(&s, &format!("{}/cb", receiver.uri()), 0).await;
        let testing = json!({"testing": true});
        let cases = [
            ("087800001230", "Sukses", "00", "1234567890", 990_000),
            ("087800001232", "Gagal", "02", "", 1_000_000),
            ("087800001233", "Pending", "03", "", 990_000),
            ("087800001234", "Pending", "03", "", 990_000),
        ];
        for (i, (number, status, rc, sn, saldo)) in cases.iter().enumerate() {
            let (http, data) = df
                .topup("xld10", number, &format!("test-{i}"), testing.clone())
                .await;
            assert_eq!(http, 200, "{data}");
            assert_eq!(data["status"], *status, "{number}: {data}");
            assert_eq!(data["rc"], *rc);
            assert_eq!(data["sn"], *sn);
            assert_eq!(data["price"], 10_000);
            assert_eq!(data["buyer_last_saldo"], *saldo);
            assert_eq!(data["ref_id"], format!("test-{i}"));
            assert_eq!(data["customer_no"], *number);
        }
        // No money moved.
        assert_eq!(df.saldo().await, 0);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            0
        );
        // The two pending ones end by callback: Sukses, then Gagal.
        later(&s, 5).await;
        let mut got = callbacks(&receiver, &secret).await;
        got.sort_by_key(|(_, d)| d["ref_id"].as_str().unwrap().to_string());
        let ends: Vec<_> = got
            .iter()
            .map(|(e, d)| {
                (
                    e.as_str(),
                    d["ref_id"].as_str().unwrap(),
                    d["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ends,
            [
                ("update", "test-2", "Sukses"),
                ("update", "test-3", "Gagal")
            ]
        );
        // The same ref_id again reads the transaction as it is now.
        let (_, again) = df
            .topup("xld10", "087800001233", "test-2", testing.clone())
            .await;
        assert_eq!(again["status"], "Sukses");
        // A number the table does not list, and a real SKU in testing mode.
        let (http, wrong) = df
            .topup("xld10", "087800001231", "test-9", testing.clone())
            .await;
        assert_eq!((http, wrong["rc"].as_str()), (200, Some("54")));
        s
    }
);

both_backends!(
    real_purchases_deliver_pend_and_refund_once,
    h2h_on,
    |s: TestStore| async move {
        let receiver = taking_receiver().await;
        let (df, secret) = reseller(&s, &format!("{}/cb", receiver.uri()), 100_000).await;
        // A delivered one: paid from saldo at once, bought, Sukses with its serial number.
        let (http, first) = df.topup("S10", "081234567890", "buy-1", json!({})).await;
        assert_eq!(http, 200, "{first}");
        // Pending as it is paid; the store's workers may have bought it already (Sukses).
        assert!(
            first["status"] == "Pending" || first["status"] == "Sukses",
            "{first}"
        );
        let price = first["price"].as_i64().unwrap();
        assert_eq!(first["buyer_last_saldo"], 100_000 - price);
        later(&s, 10).await;
        let (_, done) = df.topup("S10", "081234567890", "buy-1", json!({})).await;
        assert_eq!(done["status"], "Sukses", "{done}");
        assert_eq!(done["rc"], "00");
        assert!(!done["sn"].as_str().unwrap().is_empty(), "{done}");
        // Its callback said so, with the serial number.
        let got = callbacks(&receiver, &secret).await;
        let update = got
            .iter()
            .find(|(_, d)| d["ref_id"] == "buy-1")
            .expect("a callback for buy-1");
        assert_eq!(update.0, "update");
        assert_eq!(update.1["status"], "Sukses");
        assert_eq!(update.1["sn"], done["sn"]);
        // The seller sees whose bot bought it.
        let (session, _) = s.admin_login().await;
        let code: String = {
            let mut conn = s.app().db.read().await.unwrap();
            sqlx::query_scalar("SELECT code FROM orders ORDER BY id LIMIT 1")
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        };
        let page = admin_page(&s, &session, &format!("/admin/orders/{code}")).await;
        assert!(
            page.contains("id=\"h2h-origin\"")
                && page.contains(&df.username)
                && page.contains("buy-1"),
            "the order page names the reseller and the ref_id"
        );
        for list in ["/admin", "/admin/orders"] {
            let page = admin_page(&s, &session, list).await;
            assert!(
                page.contains(&format!("API {}", df.username)),
                "{list} names the reseller"
            );
        }

        // Refused by both suppliers (a number ending in 32): Gagal, the price back once.
        let before = df.saldo().await;
        let (_, failing) = df.topup("S10", "081234567832", "buy-2", json!({})).await;
        assert!(failing["rc"] == "03" || failing["rc"] == "02", "{failing}");
        for _ in 0..3 {
            later(&s, 30).await;
        }
        let (_, failed) = df.topup("S10", "081234567832", "buy-2", json!({})).await;
        assert_eq!(failed["status"], "Gagal", "{failed}");
        assert_eq!(failed["rc"], "02");
        assert_eq!(df.saldo().await, before, "the price came back exactly once");
        assert_eq!(failed["buyer_last_saldo"], before);
        let got = callbacks(&receiver, &secret).await;
        assert_eq!(
            got.iter().filter(|(_, d)| d["ref_id"] == "buy-2").count(),
            1,
            "one callback for its one change"
        );
        // The bot's number got no WhatsApp message for its purchases: callbacks tell it.
        assert!(
            s.inbox("6281370001000").is_empty(),
            "{:?}",
            s.inbox("6281370001000")
        );
        // The seller still hears of the paid orders.
        assert!(!s.inbox(crate::common::SELLER).is_empty());
        s
    }
);

both_backends!(
    a_crowd_spends_only_the_saldo_there_is,
    h2h_on,
    |s: TestStore| async move {
        let (df, _) = reseller(&s, "", 0).await;
        // The price, from the reseller's own price list.
        let (_, list) = df
            .post(
                "price-list",
                json!({"cmd": "prepaid", "username": df.username, "sign": df.sign("pricelist"), "code": "S10"}),
            )
            .await;
        let price = list[0]["price"].as_i64().expect("S10 in the price list");
        let owner = PhoneNumber::parse(RESELLER).unwrap();
        s.credit_saldo(&owner, 7 * price + price - 1).await;
        let df = std::sync::Arc::new(df);
        let answers = futures::future::join_all((0..100).map(|i| {
            let df = df.clone();
            async move {
                df.topup(
                    "S10",
                    &format!("0812345{:05}", 10_000 + i * 10),
                    &format!("crowd-{i}"),
                    json!({}),
                )
                .await
            }
        }))
        .await;
        let ok = answers
            .iter()
            .filter(|(_, d)| d["status"] == "Pending" || d["status"] == "Sukses")
            .count();
        let short = answers
            .iter()
            .filter(|(http, d)| {
                *http == 400 && d["rc"] == "44" && d["message"] == "Saldo tidak cukup"
            })
            .count();
        assert_eq!((ok, short), (7, 93), "{answers:?}");
        let balance = df.saldo().await;
        assert_eq!(balance, price - 1);
        let ledger = s
            .count(&format!(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM wallet_entries WHERE whatsapp = '{}'",
                owner.as_str()
            ))
            .await;
        assert_eq!(ledger, balance, "the ledger adds up to the balance");
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            7
        );
        s
    }
);

both_backends!(
    one_ref_id_sent_fifty_times_is_one_purchase,
    h2h_on,
    |s: TestStore| async move {
        let (df, _) = reseller(&s, "", 50_000).await;
        let df = std::sync::Arc::new(df);
        let answers = futures::future::join_all((0..50).map(|_| {
            let df = df.clone();
            async move { df.topup("S10", "081234567890", "same-ref", json!({})).await }
        }))
        .await;
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        assert_eq!(answers[0].0, 200);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            1
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM wallet_entries WHERE kind = 'spend'")
                .await,
            1
        );
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM supplier_attempts")
                .await,
            1,
            "one purchase"
        );
        // The same ref_id for something else is rc 49, and buys nothing.
        let (http, other) = df.topup("S10", "081234567899", "same-ref", json!({})).await;
        assert_eq!((http, other["rc"].as_str()), (400, Some("49")));
        s
    }
);

both_backends!(
    refusals_in_digiflazz_codes,
    |env: &mut BTreeMap<String, String>| {
        env.insert("MADD_H2H_SECRET".into(), SECRET.into());
    },
    |s: TestStore| async move {
        let (mut df, _) = reseller(&s, "", 20_000).await;
        let code = |r: &(u16, Value)| (r.0, r.1["rc"].as_str().unwrap_or_default().to_string());
        // Unknown SKU, and a price above max_price.
        assert_eq!(
            code(&df.topup("NOPE1", "081234567890", "r-1", json!({})).await),
            (400, "43".into())
        );
        assert_eq!(
            code(
                &df.topup("S10", "081234567890", "r-2", json!({"max_price": 100}))
                    .await
            ),
            (200, "69".into())
        );
        // A callback URL pointing inside: refused, for the account and per request.
        let username = df.username.clone();
        for inside in [
            "https://127.0.0.1/cb",
            "https://10.1.2.3/cb",
            "http://example.com/cb",
        ] {
            assert!(
                maddstore::service::h2h::set_access(s.app(), &username, "127.0.0.1", inside)
                    .await
                    .is_err(),
                "{inside}"
            );
        }
        let (http, refused) = df
            .topup(
                "S10",
                "081234567890",
                "r-3",
                json!({"cb_url": "https://10.0.0.5/x"}),
            )
            .await;
        assert_eq!((http, refused["rc"].as_str()), (400, Some("40")));
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            0
        );
        // An address not on the list.
        df.from = "203.0.113.9".into();
        let (http, ip) = df.topup("S10", "081234567890", "r-4", json!({})).await;
        assert_eq!((http, ip["rc"].as_str()), (400, Some("45")));
        assert!(ip["message"].as_str().unwrap().contains("203.0.113.9"));
        // A wrong signature.
        df.from = "127.0.0.1".into();
        df.key = "not-the-key".into();
        let (http, sign) = df.topup("S10", "081234567890", "r-5", json!({})).await;
        assert_eq!((http, sign["rc"].as_str()), (400, Some("41")));
        s
    }
);

both_backends!(
    a_callback_refused_twice_arrives_on_the_third_try,
    h2h_on,
    |s: TestStore| async move {
        let receiver = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(2)
            .with_priority(1)
            .mount(&receiver)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(2)
            .mount(&receiver)
            .await;
        let (df, secret) = reseller(&s, &format!("{}/cb", receiver.uri()), 0).await;
        let (_, pending) = df
            .topup("xld10", "087800001233", "cb-1", json!({"testing": true}))
            .await;
        assert_eq!(pending["status"], "Pending");
        for _ in 0..4 {
            later(&s, 30).await;
        }
        let got = callbacks(&receiver, &secret).await;
        assert_eq!(got.len(), 3, "two refused, the third taken");
        assert!(got.iter().all(|(_, d)| d["status"] == "Sukses"));
        let mut conn = s.app().db.read().await.unwrap();
        let log = maddstore::db::h2h::log_of(&mut conn, &df.username, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].state.as_str(), log[0].attempts), ("delivered", 3));
        let tries = maddstore::db::h2h::tries(&mut conn, log[0].id)
            .await
            .unwrap();
        let statuses: Vec<_> = tries.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
        drop(conn);
        s
    }
);

/// The text of the element with `id` on a page (its first text).
fn text_of(page: &str, id: &str) -> String {
    page.split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no #{id} on the page: {page}"))
        .to_string()
}

both_backends!(
    the_seller_turns_it_on_and_the_reseller_keeps_it,
    |env: &mut BTreeMap<String, String>| {
        env.insert("MADD_H2H_SECRET".into(), SECRET.into());
    },
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let post = |path: &'static str, form: Vec<(&'static str, String)>| {
            let (s, session, csrf) = (&s, session.clone(), csrf.clone());
            async move {
                let mut form = form;
                form.push(("csrf_token", csrf));
                s.http
                    .post(s.url(path))
                    .header("cookie", session)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Not yet a reseller: refused, nothing made.
        let refused = post("/admin/h2h/open", vec![("whatsapp", RESELLER.into())]).await;
        assert_eq!(refused.status().as_u16(), 409);
        maddstore::service::tiers::approve(s.app(), RESELLER, "Konter Bot", "admin:test")
            .await
            .unwrap();
        // Turned on: the page shows the username, key and secret once.
        let shown = post("/admin/h2h/open", vec![("whatsapp", RESELLER.into())])
            .await
            .text()
            .await
            .unwrap();
        let (username, key) = (text_of(&shown, "h2h-username"), text_of(&shown, "h2h-key"));
        let again = admin_page(&s, &session, "/admin/h2h").await;
        assert!(
            again.contains(&username) && !again.contains(&key),
            "shown once only"
        );
        // Its saldo, from the seller; its address list.
        let added = post(
            "/admin/h2h/saldo",
            vec![("whatsapp", RESELLER.into()), ("amount", "25.000".into())],
        )
        .await;
        assert_eq!(added.status().as_u16(), 303);
        let access = post(
            "/admin/h2h/access",
            vec![
                ("username", username.clone()),
                ("allowlist", "127.0.0.1".into()),
                ("callback_url", String::new()),
            ],
        )
        .await;
        assert_eq!(access.status().as_u16(), 303);
        let df = Digiflazz {
            base: s.url(""),
            username: username.clone(),
            key: key.clone(),
            http: s.http.clone(),
            from: "127.0.0.1".into(),
        };
        assert_eq!(df.saldo().await, 25_000);
        // The reseller makes a new key on /akun/h2h: the old one stops working.
        let token = s.sign_in(RESELLER).await;
        let page = s
            .http
            .post(s.url("/akun/h2h/kunci"))
            .header("cookie", format!("madd_customer={token}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let new_key = text_of(&page, "h2h-key");
        assert_ne!(new_key, key);
        let (http, old) = df
            .post(
                "cek-saldo",
                json!({"cmd": "deposit", "username": username, "sign": df.sign("depo")}),
            )
            .await;
        assert_eq!((http, old["rc"].as_str()), (400, Some("41")));
        let df = Digiflazz { key: new_key, ..df };
        assert_eq!(df.saldo().await, 25_000);
        // Turned off: the username is unknown to the API.
        let closed = post("/admin/h2h/close", vec![("username", username.clone())]).await;
        assert_eq!(closed.status().as_u16(), 303);
        let (http, off) = df
            .post(
                "cek-saldo",
                json!({"cmd": "deposit", "username": username, "sign": df.sign("depo")}),
            )
            .await;
        assert_eq!((http, off["rc"].as_str()), (400, Some("42")));
        s
    }
);

both_backends!(
    inquiry_pln_names_the_meters_owner,
    |env: &mut BTreeMap<String, String>| {
        h2h_on(env);
        // Digiflazz checks PLN meters.
        env.insert("MADD_SUPPLIERS".into(), "vip-reseller,digiflazz".into());
    },
    |s: TestStore| async move {
        let (df, _) = reseller(&s, "", 0).await;
        let ask = |meter: &'static str| {
            let df = &df;
            async move {
                df.post(
                    "inquiry-pln",
                    json!({"username": df.username, "customer_no": meter, "sign": df.sign(meter)}),
                )
                .await
            }
        };
        let (http, owner) = ask("32123456789").await;
        assert_eq!(http, 200, "{owner}");
        assert_eq!(owner["status"], "Sukses");
        assert_eq!(owner["name"], "BUDI SANTOSO");
        assert_eq!(owner["customer_no"], "32123456789");
        assert!(
            !owner["segment_power"].as_str().unwrap().is_empty(),
            "{owner}"
        );
        // A meter the sandbox does not know (ending in 9), and a sign over another number.
        let (_, unknown) = ask("32123456799").await;
        assert_eq!(unknown["status"], "Gagal", "{unknown}");
        assert_eq!(unknown["rc"], "54", "{unknown}");
        let (http, forged) = df
            .post(
                "inquiry-pln",
                json!({"username": df.username, "customer_no": "32123456789", "sign": df.sign("1")}),
            )
            .await;
        assert_eq!((http, forged["rc"].as_str()), (400, Some("41")));
        s
    }
);
