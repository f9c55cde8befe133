//! Verified reviews: only the customer of a delivered order reviews it, once, through the link
//! in the delivery message; the game page shows it masked and escaped with the average; the
//! seller hides it with a reason — on SQLite and PostgreSQL.

use crate::common::{TestStore, CUSTOMER};
use madd_domain::{OrderCode, OrderStatus};
use serde_json::json;

const ML: &str = "ML86-S1";

async fn paid_order(s: &TestStore) -> String {
    let (status, order) = s
        .post_json(
            "/api/v1/orders",
            json!({"product": ML, "target": "123456780", "zone": "2345",
                   "whatsapp": "0812-3456-7890"}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
        .await;
    assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);
    code
}

async fn delivered_order(s: &TestStore) -> String {
    let code = paid_order(s).await;
    maddstore::service::fulfilment::process(s.app(), &code, "test")
        .await
        .unwrap();
    s.settle().await;
    assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
    code
}

async fn get(s: &TestStore, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut r = s.http.get(s.url(path));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(
    s: &TestStore,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, String) {
    let mut r = s.http.post(s.url(path)).form(form);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn reviews(s: &TestStore) -> i64 {
    s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM reviews")
        .await
}

fn game_slug(s: &TestStore) -> String {
    let catalogue = s.app().catalogue.peek();
    madd_domain::text::slug(catalogue.product(ML).expect("ML in the catalogue").game())
}

both_backends!(
    a_delivered_orders_customer_reviews_once_and_the_seller_can_hide_it,
    |s: TestStore| async move {
        let code = delivered_order(&s).await;
        // The link is the last line of the delivery message.
        let delivery = s
            .inbox(CUSTOMER)
            .into_iter()
            .map(|m| m.body)
            .find(|b| b.contains("SUKSES") && b.contains(&code))
            .expect("delivery message");
        let line = delivery.lines().last().unwrap();
        assert!(line.starts_with("Beri ulasan: http"), "{delivery}");
        let link = &line[line.find("/ulasan/").unwrap()..];
        assert!(link.starts_with(&format!("/ulasan/{code}/")), "{link}");

        let (status, page) = get(&s, link, None).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("type=\"radio\" name=\"stars\""), "{page}");

        // Mistakes: errors beside the fields, nothing stored.
        for (stars, text) in [("0", "ok"), ("6", "ok"), ("", "ok")] {
            let (status, page) = post(&s, link, None, &[("stars", stars), ("text", text)]).await;
            assert_eq!(status, 422, "{stars}: {page}");
            assert!(page.contains("id=\"err-stars\""), "{page}");
        }
        let long = "x".repeat(2_000);
        let (status, page) = post(&s, link, None, &[("stars", "5"), ("text", &long)]).await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"err-text\""), "{page}");
        assert!(page.contains("280 karakter"));
        assert_eq!(reviews(&s).await, 0);

        // Accepted once.
        let said = "Cepat <script>alert(1)</script> mantap";
        let (status, page) = post(&s, link, None, &[("stars", "4"), ("text", said)]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Terima kasih"), "{page}");
        assert_eq!(reviews(&s).await, 1);
        // A second one is refused and changes nothing.
        let (status, page) = post(&s, link, None, &[("stars", "1"), ("text", "lagi")]).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("sudah diulas"), "{page}");
        assert_eq!(reviews(&s).await, 1);
        assert_eq!(
            s.count("SELECT CAST(stars AS BIGINT) FROM reviews").await,
            4
        );
        let (status, page) = get(&s, link, None).await;
        assert_eq!(status, 200);
        assert!(page.contains("sudah diulas"));

        // On the game page: the placeholder, and the reviews page it loads.
        let slug = game_slug(&s);
        let (status, game_page) = get(&s, &format!("/produk/{slug}"), None).await;
        assert_eq!(status, 200);
        assert!(game_page.contains(&format!("data-reviews=\"/produk/{slug}/ulasan\"")));
        let (status, shown) = get(&s, &format!("/produk/{slug}/ulasan"), None).await;
        assert_eq!(status, 200, "{shown}");
        assert!(shown.contains("id=\"ulasan-list\""));
        assert!(shown.contains("0812****7890"), "{shown}");
        assert!(!shown.contains("081234567890") && !shown.contains("6281234567890"));
        assert!(shown.contains("★★★★☆"), "{shown}");
        assert!(shown.contains("<b>4,0</b> / 5 dari 1 ulasan"), "{shown}");
        assert!(
            shown.contains("Cepat &#60;script&#62;alert(1)&#60;/script&#62; mantap"),
            "{shown}"
        );
        assert!(!shown.contains("<script>alert"), "{shown}");
        let (status, _) = get(&s, "/produk/no-such-game/ulasan", None).await;
        assert_eq!(status, 404);

        // The seller hides it: a reason is required; hidden, it leaves the game page and stays
        // in the seller's list with who and why.
        let (session, csrf) = s.admin_login().await;
        let (status, list) = get(&s, "/admin/reviews", Some(&session)).await;
        assert_eq!(status, 200);
        assert!(
            list.contains(&format!("href=\"/admin/orders/{code}\"")),
            "{list}"
        );
        assert!(list.contains("Sembunyikan"));
        let (status, _) = post(
            &s,
            "/admin/reviews/hide",
            Some(&session),
            &[("csrf_token", &csrf), ("code", &code), ("reason", "  ")],
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = post(
            &s,
            "/admin/reviews/hide",
            Some(&session),
            &[("csrf_token", "wrong"), ("code", &code), ("reason", "spam")],
        )
        .await;
        assert!(status == 403 || status == 400, "{status}");
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM reviews WHERE hidden_at IS NULL")
                .await,
            1
        );
        let (status, _) = post(
            &s,
            "/admin/reviews/hide",
            Some(&session),
            &[
                ("csrf_token", &csrf),
                ("code", &code),
                ("reason", "kata kasar"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, shown) = get(&s, &format!("/produk/{slug}/ulasan"), None).await;
        assert!(!shown.contains("0812****7890"), "{shown}");
        assert!(shown.contains("Belum ada ulasan"), "{shown}");
        let (_, list) = get(&s, "/admin/reviews", Some(&session)).await;
        assert!(list.contains(&code));
        assert!(
            list.contains("Disembunyikan") && list.contains("kata kasar"),
            "{list}"
        );
        assert!(list.contains("Tampilkan lagi"));
        assert_eq!(reviews(&s).await, 1);

        // … and shows it again.
        let (status, _) = post(
            &s,
            "/admin/reviews/show",
            Some(&session),
            &[("csrf_token", &csrf), ("code", &code)],
        )
        .await;
        assert_eq!(status, 303);
        let (_, shown) = get(&s, &format!("/produk/{slug}/ulasan"), None).await;
        assert!(shown.contains("0812****7890"), "{shown}");
        s
    }
);

both_backends!(
    forged_unknown_and_undelivered_links_store_nothing,
    |s: TestStore| async move {
        let delivered = delivered_order(&s).await;
        let code = OrderCode::parse(&delivered).unwrap();
        let token = maddstore::service::reviews::token(s.app(), &code)
            .await
            .unwrap();
        let form = [("stars", "5"), ("text", "mantap")];

        // A forged token, a token of the wrong length, another order's token.
        let mut forged = token.clone().into_bytes();
        forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap();
        for bad in [forged.as_str(), "abc", &"0".repeat(200)] {
            let path = format!("/ulasan/{delivered}/{bad}");
            assert_eq!(get(&s, &path, None).await.0, 404, "{bad}");
            assert_eq!(post(&s, &path, None, &form).await.0, 404, "{bad}");
        }
        // An unknown code, even with its own valid token.
        let unknown = OrderCode::parse("MS-AAAAAAAA").unwrap();
        let unknown_token = maddstore::service::reviews::token(s.app(), &unknown)
            .await
            .unwrap();
        let (status, page) = post(
            &s,
            &format!("/ulasan/{unknown}/{unknown_token}"),
            None,
            &form,
        )
        .await;
        assert_eq!(status, 404, "{page}");
        assert!(page.contains("Link ulasan tidak ditemukan"), "{page}");

        // Paid, not delivered: a valid link is refused, nothing stored.
        let paid = paid_order(&s).await;
        let paid_token =
            maddstore::service::reviews::token(s.app(), &OrderCode::parse(&paid).unwrap())
                .await
                .unwrap();
        assert_ne!(paid_token, token);
        let path = format!("/ulasan/{paid}/{paid_token}");
        let (status, page) = get(&s, &path, None).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("belum selesai"), "{page}");
        assert_eq!(post(&s, &path, None, &form).await.0, 409);
        // The delivered order's token does not open the paid one.
        assert_eq!(
            post(&s, &format!("/ulasan/{paid}/{token}"), None, &form)
                .await
                .0,
            404
        );
        assert_eq!(reviews(&s).await, 0);

        // The real link still works.
        let (status, _) = post(&s, &format!("/ulasan/{delivered}/{token}"), None, &form).await;
        assert_eq!(status, 200);
        assert_eq!(reviews(&s).await, 1);
        s
    }
);
