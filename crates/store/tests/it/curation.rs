//! The seller's curation of the storefront, on SQLite and PostgreSQL: two supplier brands merged
//! into one game with the seller's name, order and search words; a product renamed and moved
//! first; the storefront, the search, checkout and the invoice all showing the seller's names
//! while the order keeps the supplier's (its lists are matched on them).

use crate::common::TestStore;

impl TestStore {
    async fn admin_post(&self, session: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .http
            .post(self.url(path))
            .header("cookie", session)
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn get_page(&self, path: &str) -> String {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.text().await.unwrap()
    }
}

/// The seller names both Mobile Legends brands one game, at `position` with `aliases`.
async fn merge_mobile_legends(
    s: &TestStore,
    session: &str,
    csrf: &str,
    position: &str,
    aliases: &str,
) {
    for brand in ["Mobile Legends A", "Mobile Legends B"] {
        let (status, body) = s
            .admin_post(
                session,
                "/admin/catalogue/games",
                &[
                    ("csrf_token", csrf),
                    ("brand", brand),
                    ("game", "Mobile Legends"),
                    ("position", position),
                    ("aliases", aliases),
                ],
            )
            .await;
        assert_eq!(status, 303, "{body}");
    }
}

both_backends!(
    the_seller_names_merges_and_orders_the_games,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let page = s
            .http
            .get(s.url("/admin/catalogue"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Mobile Legends A") && page.contains("Mobile Legends B"),
            "{page}"
        );

        merge_mobile_legends(&s, &session, &csrf, "-10", "Moba, bang-bang").await;
        let (status, _) = s
            .admin_post(
                &session,
                "/admin/products/ML86-S1/name",
                &[
                    ("csrf_token", &csrf),
                    ("label", "86 Diamonds"),
                    ("position", "-1"),
                ],
            )
            .await;
        assert_eq!(status, 303);

        // One tile, first among the games, found by the seller's word.
        let home = s.get_page("/").await;
        assert!(home.contains("href=\"/produk/mobile-legends\""), "{home}");
        assert!(!home.contains("/produk/mobile-legends-a\""), "{home}");
        assert!(!home.contains("/produk/mobile-legends-b\""), "{home}");
        let games = home.split("id=\"game\"").nth(1).unwrap_or(&home);
        let first_tile = games.split("<a class=\"tile").nth(1).unwrap_or_default();
        assert!(
            first_tile
                .split('>')
                .next()
                .unwrap()
                .contains("href=\"/produk/mobile-legends\""),
            "the seller's order: {first_tile}"
        );
        let found = s.get_page("/?q=moba").await;
        assert!(found.contains("href=\"/produk/mobile-legends\""), "{found}");

        // The game's page lists both brands' products, the renamed one first under its name.
        let game = s.get_page("/produk/mobile-legends").await;
        assert!(game.contains("<h1>Mobile Legends</h1>"), "{game}");
        assert!(
            game.contains("value=\"ML14-S14\""),
            "brand A's product: {game}"
        );
        let first = game.split("name=\"product\"").nth(1).unwrap();
        assert!(first.contains("value=\"ML86-S1\""), "{first}");
        assert!(
            game.contains("<span class=\"n\">86 Diamonds</span>"),
            "{game}"
        );
        assert!(!game.contains("86 Diamonds (78 + 8 Bonus)"), "{game}");

        // Checkout from the merged page, then the invoice: the seller's name; the order keeps the
        // supplier's.
        let (status, confirm) = s
            .admin_post(
                "",
                "/checkout",
                &[
                    ("brand", "mobile-legends"),
                    ("product", "ML86-S1"),
                    ("target", "123456780"),
                    ("zone", "2345"),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{confirm}");
        assert!(confirm.contains("86 Diamonds"), "{confirm}");
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = order["code"].as_str().unwrap().to_string();
        let invoice = s.get_page(&format!("/order/{code}")).await;
        assert!(
            invoice.contains("· 86 Diamonds</dd>"),
            "the game, then the name: {invoice}"
        );
        assert_eq!(
            s.order_row(&code).await.product_name,
            "86 Diamonds (78 + 8 Bonus)"
        );

        // A name a customer could not read is refused with a reason; nothing changes.
        let (status, body) = s
            .admin_post(
                &session,
                "/admin/products/ML86-S1/name",
                &[
                    ("csrf_token", &csrf),
                    ("label", "86\nDiamonds"),
                    ("position", "0"),
                ],
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("satu baris"), "{body}");
        assert!(s
            .get_page("/produk/mobile-legends")
            .await
            .contains(">86 Diamonds<"));

        // Clearing the names brings the supplier's back.
        for brand in ["Mobile Legends A", "Mobile Legends B"] {
            let (status, _) = s
                .admin_post(
                    &session,
                    "/admin/catalogue/games",
                    &[
                        ("csrf_token", &csrf),
                        ("brand", brand),
                        ("game", ""),
                        ("position", ""),
                        ("aliases", ""),
                    ],
                )
                .await;
            assert_eq!(status, 303);
        }
        let home = s.get_page("/").await;
        assert!(home.contains("/produk/mobile-legends-b\""), "{home}");
        s
    }
);

/// A multipart body with text fields and one file, as a browser's upload form sends it.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----maddstoretestboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"x\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both_backends!(the_seller_uploads_game_art, |s: TestStore| async move {
    let (session, csrf) = s.admin_login().await;
    let upload = |fields: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
        let http = s.http.clone();
        let url = s.url("/admin/catalogue/art");
        let session = session.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (kind, body) = multipart(&fields, file.as_deref().map(|b| ("art", b)));
            let r = http
                .post(url)
                .header("cookie", session)
                .header("content-type", kind)
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 64], &[0u8; 16]].concat();
    let fields = |slug: &str| vec![("csrf_token", csrf.clone()), ("slug", slug.to_string())];

    // An SVG (it can carry script) is refused whatever it is called; so is a huge file.
    let (status, body) = upload(
        fields("mobile-legends-b"),
        Some(b"<svg onload=alert(1)>".to_vec()),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("PNG, JPEG atau WebP"), "{body}");
    let (status, _) = upload(fields("mobile-legends-b"), Some(vec![0xFF; 300 * 1024])).await;
    assert_eq!(status, 422);
    let (status, _) = upload(fields("no-such-game"), Some(png.clone())).await;
    assert_eq!(status, 404);
    let (status, _) = upload(
        vec![
            ("csrf_token", "wrong".into()),
            ("slug", "mobile-legends-b".into()),
        ],
        Some(png.clone()),
    )
    .await;
    assert_eq!(status, 403);

    let (status, body) = upload(fields("mobile-legends-b"), Some(png.clone())).await;
    assert_eq!(status, 303, "{body}");
    let home = s.get_page("/").await;
    let url = home
        .split("src=\"/art/mobile-legends-b.img?v=")
        .nth(1)
        .map(|rest| {
            format!(
                "/art/mobile-legends-b.img?v={}",
                rest.split('"').next().unwrap()
            )
        })
        .unwrap_or_else(|| panic!("the tile shows the upload: {home}"));
    let r = s.http.get(s.url(&url)).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        png.as_slice(),
        "the same bytes back"
    );
    assert!(s.get_page("/produk/mobile-legends-b").await.contains(&url));

    // Removed: the drawn tile again.
    let mut remove = fields("mobile-legends-b");
    remove.push(("remove", "1".into()));
    let (status, _) = upload(remove, None).await;
    assert_eq!(status, 303);
    assert!(s.get_page("/").await.contains("/art/mobile-legends-b.svg"));
    s
});

both_backends!(
    an_old_game_link_leads_to_the_merged_game_with_its_reviews,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        // A review written while the game was still "Mobile Legends B".
        let (status, order) = s.buy("ML86-S1", crate::common::CUSTOMER, "").await;
        assert_eq!(status, 201, "{order}");
        let order = s.order_row(order["code"].as_str().unwrap()).await;
        {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::reviews::insert(
                &mut conn,
                &maddstore::db::reviews::NewReview {
                    order_id: order.id,
                    product_code: "ML86-S1",
                    game: "Mobile Legends B",
                    whatsapp: crate::common::CUSTOMER,
                    stars: 5,
                    text: "Cepat masuk, mantap",
                },
                s.app().now_ms(),
            )
            .await
            .unwrap();
        }
        assert!(s
            .get_page("/produk/mobile-legends-b/ulasan")
            .await
            .contains("Cepat masuk, mantap"));

        merge_mobile_legends(&s, &session, &csrf, "0", "").await;
        for (old, new) in [
            ("/produk/mobile-legends-b", "/produk/mobile-legends"),
            ("/produk/mobile-legends-a", "/produk/mobile-legends"),
            (
                "/produk/mobile-legends-b/ulasan",
                "/produk/mobile-legends/ulasan",
            ),
        ] {
            let r = s.http.get(s.url(old)).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 301, "{old}");
            assert_eq!(r.headers()["location"], new, "{old}");
        }
        // A name that never was a game is still not found.
        let r = s.http.get(s.url("/produk/tidak-ada")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        // The review follows its product to the merged game.
        let reviews = s.get_page("/produk/mobile-legends/ulasan").await;
        assert!(reviews.contains("Cepat masuk, mantap"), "{reviews}");
        s
    }
);
