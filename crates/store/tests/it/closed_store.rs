//! The seller's `tutup` as customers see it over HTTP: a banner on every storefront page (in
//! both languages), order forms disabled and refused by the server, the JSON catalogue still
//! readable — and all of it gone after `buka`. On SQLite and PostgreSQL.

use crate::common::{TestStore, SELLER};
use madd_sandbox::whatsapp::sign;
use serde_json::json;

const BANNER_ID: &str = "Toko sedang tutup";
const BANNER_EN: &str = "The store is closed";

/// The seller types `text` to the store (a signed Cloud webhook), answered before this returns.
async fn seller_says(s: &TestStore, id: &str, text: &str) {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281299990001", "phone_number_id": "1234567890"},
            "contacts": [{"profile": {"name": "Seller"}, "wa_id": SELLER}],
            "messages": [{"from": SELLER, "id": id, "timestamp": "1749416383", "type": "text",
                          "text": {"body": text}}]
        }}]}]
    })
    .to_string();
    let secret = s.app().config.whatsapp.app_secret.expose().to_string();
    let status = s
        .http
        .post(s.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&secret, body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    s.settle().await;
}

async fn page(s: &TestStore, path: &str, lang: &str) -> (u16, String) {
    let r = s
        .http
        .get(s.url(path))
        .header("cookie", format!("madd_lang={lang}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_form(s: &TestStore, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = s.http.post(s.url(path)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Every storefront page a customer can open.
fn pages(code: &str) -> Vec<String> {
    vec![
        "/".into(),
        "/?q=mobile".into(),
        "/produk/mobile-legends-b".into(),
        "/pulsa".into(),
        "/pulsa?nomor=0812-3456-7890".into(),
        "/pln/tagihan".into(),
        "/cek".into(),
        format!("/order/{code}"),
    ]
}

/// Pages whose order form the banner disables.
const ORDER_FORMS: [&str; 3] = [
    "/produk/mobile-legends-b",
    "/pulsa?nomor=0812-3456-7890",
    "/pln/tagihan",
];

const CHECKOUT: [(&str, &str); 4] = [
    ("product", "ML86-S1"),
    ("target", "123456780"),
    ("zone", "2345"),
    ("whatsapp", "0812-3456-7890"),
];

both_backends!(
    closed_store_shows_a_banner_and_disables_ordering,
    |s: TestStore| async move {
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = order["code"].as_str().unwrap().to_string();
        for path in pages(&code) {
            let (status, html) = page(&s, &path, "id").await;
            assert_eq!(status, 200, "{path}");
            assert!(!html.contains(BANNER_ID), "open store, {path}");
        }

        seller_says(&s, "wamid.close", "tutup").await;
        for path in pages(&code) {
            let (status, html) = page(&s, &path, "id").await;
            assert_eq!(status, 200, "{path}");
            assert!(
                html.contains("class=\"closed-banner\"") && html.contains(BANNER_ID),
                "banner on {path}"
            );
            let (_, html) = page(&s, &path, "en").await;
            assert!(html.contains(BANNER_EN), "English banner on {path}");
        }
        for path in ORDER_FORMS {
            let (_, html) = page(&s, path, "id").await;
            assert!(
                html.contains("type=\"submit\" data-working=\"Memproses…\" disabled>"),
                "order button disabled on {path}"
            );
        }
        // The server refuses whatever a form still sends.
        // …before queueing any work: no nickname check, no order.
        let jobs = s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs").await;
        let (status, html) = post_form(&s, "/checkout", &CHECKOUT).await;
        assert_eq!(status, 409);
        assert!(html.contains("tutup sementara"), "{html}");
        let mut order_form = CHECKOUT.to_vec();
        order_form.push(("idempotency_key", "k-closed-1"));
        let (status, _) = post_form(&s, "/order", &order_form).await;
        assert_eq!(status, 409);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs").await,
            jobs
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            1
        );
        // The catalogue stays readable for API clients.
        let (status, products) = s.get_json("/api/v1/products").await;
        assert_eq!(status, 200);
        assert!(
            products.to_string().contains("ML86-S1"),
            "catalogue listed while closed"
        );

        seller_says(&s, "wamid.open", "buka").await;
        for path in pages(&code) {
            let (_, html) = page(&s, &path, "id").await;
            assert!(!html.contains(BANNER_ID), "banner gone on {path}");
        }
        for path in ORDER_FORMS {
            let (_, html) = page(&s, path, "id").await;
            assert!(!html.contains("\" disabled>"), "button enabled on {path}");
        }
        let (status, html) = post_form(&s, "/checkout", &CHECKOUT).await;
        assert_eq!(status, 200, "{html}");
        s
    }
);
