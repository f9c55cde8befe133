//! The storefront's server side (issue 3), each on SQLite and PostgreSQL: PLN postpaid inquiry
//! and order, pulsa products by operator, the same-day warning, the invoice's QR code, the
//! underpaid invoice, escaping of supplier nicknames and the language switch.

use crate::common::{TestStore, CUSTOMER};
use madd_domain::{OrderStatus, ServiceKind};
use serde_json::{json, Value};

const BILL_NO: &str = "123456789011"; // ends in 1: the sandbox delivers

impl TestStore {
    async fn page(&self, path: &str) -> (u16, String) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn products(&self, category: &str) -> Vec<Value> {
        let (status, body) = self
            .get_json(&format!("/api/v1/products?category={category}"))
            .await;
        assert_eq!(status, 200);
        body["products"].as_array().unwrap().clone()
    }
}

fn code_of(order: &Value) -> String {
    order["code"].as_str().unwrap().to_string()
}

both_backends!(
    pln_postpaid_bill_is_shown_then_charged_at_its_total,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_FULFILMENT".into(), "auto".into());
    },
    |s: TestStore| async move {
        let (status, bill) = s
            .post_json(
                "/api/v1/postpaid/inquiry",
                json!({"product": "PLNPASCA", "customer_no": BILL_NO}),
            )
            .await;
        assert_eq!(status, 200, "{bill}");
        let name = bill["customer_name"].as_str().unwrap().to_string();
        assert!(!name.is_empty());
        // The sandbox's bill: 45 000 + 37 × 9011, admin 2 500.
        assert_eq!(bill["bill"], 45_000 + 37 * 9011);
        assert_eq!(bill["admin"], 2_500);
        let total = bill["total"].as_i64().unwrap();
        assert_eq!(total, 45_000 + 37 * 9011 + 2_500);
        // The bill is priced at the floor every price holds: the smallest multiple of the
        // Rp 1 000 unit whose net after Trakteer's 5.78 % cut (rounded up) still covers the total
        // plus the Rp 500 minimum markup; no customer fee configured.
        let net = |p: i64| p - (p * 578 + 9_999) / 10_000;
        let price = (1..)
            .map(|k| k * 1000)
            .find(|p| net(*p) >= total + 500)
            .unwrap();
        assert!(
            price > (total + 500 + 999) / 1000 * 1000,
            "the cut is covered"
        );
        assert_eq!(bill["price"], price);
        assert_eq!(
            bill["amount_due"].as_i64().unwrap(),
            price + bill["fee"].as_i64().unwrap()
        );

        // The page flow shows the name and the bill before paying.
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("product", "PLNPASCA"),
                    ("target", BILL_NO),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&name), "{html}");
        assert!(html.contains("Tagihan") && html.contains("Admin PLN"));
        assert!(html.contains(
            &madd_domain::Rupiah::new(bill["amount_due"].as_i64().unwrap()).display_spaced()
        ));

        // The order charges the inquired total and is placed as a postpaid payment.
        let order = s.order("PLNPASCA", BILL_NO, None).await;
        assert_eq!(order["amount_due"], bill["amount_due"]);
        assert_eq!(order["nickname"], name.as_str());
        let row = s.order_row(&code_of(&order)).await;
        assert_eq!(row.kind, ServiceKind::Postpaid);
        assert_eq!(row.cost.amount(), total);
        s.pay(
            order["amount_due"].as_i64().unwrap() / 1000,
            &code_of(&order),
        )
        .await;
        let done = s.order_row(&code_of(&order)).await;
        assert_eq!(done.status, OrderStatus::Delivered, "{done:?}");
        let placed = s.sandbox().vip.orders();
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].kind, "postpaid");
        assert_eq!(placed[0].price, total);
        // One inquiry for the three asks (API, page, order): the answer is reused.
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM postpaid_inquiries")
                .await,
            1
        );

        // A number without a bill is told so, on the API and on the page.
        let (status, body) = s
            .post_json(
                "/api/v1/postpaid/inquiry",
                json!({"product": "PLNPASCA", "customer_no": "123456789019"}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "bill_not_found");
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("product", "PLNPASCA"),
                    ("target", "123456789019"),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 422);
        assert!(html.contains("Tagihan untuk nomor ini"), "{html}");
        let (status, body) = s
            .post_json(
                "/api/v1/postpaid/inquiry",
                json!({"product": "PLNPASCA", "customer_no": "12"}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        s
    }
);

both_backends!(
    pulsa_page_lists_the_operators_products,
    |s: TestStore| async move {
        let mut phone_products = s.products("pulsa").await;
        phone_products.extend(s.products("data").await);
        let (status, html) = s.page("/pulsa?nomor=0812-3456-7890").await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"operator\">Telkomsel<"), "{html}");
        let mut telkomsel = 0;
        for p in &phone_products {
            let code = p["code"].as_str().unwrap();
            let shown = html.contains(&format!("value=\"{code}\""));
            let brand = p["brand"].as_str().unwrap();
            assert_eq!(shown, brand == "Telkomsel", "{brand} {code}");
            telkomsel += usize::from(shown);
        }
        assert!(telkomsel > 0);
        let (_, html) = s.page("/pulsa?nomor=0857-1234-5678").await;
        assert!(html.contains("id=\"operator\">Indosat<"));
        let (_, html) = s.page("/pulsa?nomor=0851-1234-5678").await;
        assert!(html.contains("id=\"operator\">by.U<"));
        let (status, html) = s.page("/pulsa?nomor=12").await;
        assert_eq!(status, 422);
        assert!(html.contains("class=\"error\""));
        s
    }
);

both_backends!(
    same_number_and_nominal_today_is_warned,
    |s: TestStore| async move {
        let telkomsel: Vec<String> = s
            .products("pulsa")
            .await
            .iter()
            .filter(|p| p["brand"] == "Telkomsel" && p["available"] == true)
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect();
        let (first, second) = (&telkomsel[0], &telkomsel[1]);
        let checkout = |product: String| {
            let s = &s;
            async move {
                s.post_form(
                    "/checkout",
                    &[
                        ("product", product.as_str()),
                        ("target", "0812-3456-7890"),
                        ("whatsapp", "0812-3456-7890"),
                    ],
                )
                .await
            }
        };
        let (status, html) = checkout(first.clone()).await;
        assert_eq!(status, 200, "{html}");
        assert!(!html.contains("sudah membeli produk yang sama hari ini"));
        s.order(first, "081234567890", None).await;
        let (_, html) = checkout(first.clone()).await;
        assert!(
            html.contains("sudah membeli produk yang sama hari ini"),
            "{html}"
        );
        let (_, html) = checkout(second.clone()).await;
        assert!(!html.contains("sudah membeli produk yang sama hari ini"));
        // Tomorrow (WIB) the warning is gone.
        s.advance(time::Duration::days(1)).await;
        let (_, html) = checkout(first.clone()).await;
        assert!(!html.contains("sudah membeli produk yang sama hari ini"));
        s
    }
);

both_backends!(
    invoice_has_qr_cs_link_and_shows_the_shortfall,
    |s: TestStore| async move {
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = code_of(&order);
        let r = s
            .http
            .get(s.url(&format!("/order/{code}/qr.svg")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        let svg = r.text().await.unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        let (status, html) = s.page(&format!("/order/{code}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("/order/{code}/qr.svg")));
        assert!(html.contains("Menunggu Pembayaran"));
        assert!(html.contains(&format!(
            "https://wa.me/{}?text=Halo+Madd+Store%2C+saya+mau+tanya+pesanan+{code}",
            crate::common::SELLER
        )));
        assert!(html.contains("data-expires=\""));
        assert!(html.contains(&format!("src=\"{}\"", maddstore::web::assets::script_url())));
        assert!(!html.contains("<script>"), "no inline script");

        // Underpaid: the shortfall and a link for the rest.
        let due = order["amount_due"].as_i64().unwrap();
        s.pay(due / 1000 - 2, &code).await;
        let (_, html) = s.page(&format!("/order/{code}")).await;
        assert!(html.contains("Kurang Bayar"));
        assert!(html.contains("id=\"shortfall\">Rp 2.000<"), "{html}");
        assert!(html.contains("quantity=2"), "{html}");
        s.pay(2, &code).await;
        let (_, html) = s.page(&format!("/order/{code}")).await;
        assert!(html.contains("Dibayar") && !html.contains("id=\"pay\""));
        let r = s
            .http
            .get(s.url(&format!("/order/{code}/qr.svg")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "nothing left to pay");
        s
    }
);

both_backends!(
    supplier_nickname_is_escaped_everywhere,
    |s: TestStore| async move {
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("product", "ML86-S1"),
                    ("target", "123666660"),
                    ("zone", "6666"),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>alert"));
        let order = s.order("ML86-S1", "123666660", Some("6666")).await;
        let (_, html) = s.page(&format!("/order/{}", code_of(&order))).await;
        assert!(!html.contains("<script>alert"));
        let r = s.http.get(s.url("/")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        s
    }
);

both_backends!(
    english_switch_sets_a_cookie_and_returns,
    |s: TestStore| async move {
        let (_, html) = s.page("/cek").await;
        assert!(html.contains("<html lang=\"id\">") && html.contains("Cek pesanan"));
        let r = s
            .http
            .get(s.url("/bahasa/en"))
            .header("referer", s.url("/cek"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/cek");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("madd_lang=en;"), "{cookie}");
        let html = s
            .http
            .get(s.url("/cek"))
            .header("cookie", "madd_lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"en\">") && html.contains("Track an order"));
        // A referer from elsewhere does not become a redirect target.
        let r = s
            .http
            .get(s.url("/bahasa/id"))
            .header("referer", "https://evil.example/cek")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/");
        // The status words follow the language too.
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let html = s
            .http
            .get(s.url(&format!("/order/{}", code_of(&order))))
            .header("cookie", "madd_lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Awaiting payment"));
        let _ = CUSTOMER;
        s
    }
);

both_backends!(
    home_lists_categories_search_and_popular,
    |s: TestStore| async move {
        let (status, html) = s.page("/").await;
        assert_eq!(status, 200);
        for id in [
            "id=\"game\"",
            "id=\"pulsa\"",
            "id=\"pln\"",
            "id=\"voucher\"",
            "Produk populer",
            "/pln/tagihan",
            "/art/mobile-legends-b.svg",
        ] {
            assert!(html.contains(id), "{id}");
        }
        let (_, html) = s.page("/?q=genshin").await;
        assert!(html.contains("Genshin") && !html.contains("Mobile Legends B</span>"));
        let (_, html) = s.page("/produk/mobile-legends-b").await;
        assert!(
            html.contains("Pass &#38; Membership") || html.contains("Pass &amp; Membership"),
            "grouped"
        );
        assert!(html.contains("Rp 20.000") || html.contains("Rp "), "prices");
        let r = s
            .http
            .get(s.url("/art/mobile-legends-b.svg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        let r = s.http.get(s.url("/static/app.js")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
        // The hashed names are kept for a year, compressed when the browser takes it, and
        // revalidate with a 304.
        for url in [
            maddstore::web::assets::script_url(),
            maddstore::web::assets::css_url(),
        ] {
            let r = s
                .http
                .get(s.url(&url))
                .header("accept-encoding", "br, gzip")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{url}");
            assert_eq!(
                r.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(r.headers()["content-encoding"], "br", "{url}");
            let etag = r.headers()["etag"].clone();
            let again = s
                .http
                .get(s.url(&url))
                .header("if-none-match", etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status().as_u16(), 304);
        }
        let page = s
            .http
            .get(s.url("/"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(page.headers()["content-encoding"], "gzip");
        s
    }
);

both_backends!(
    errors_are_shown_in_the_chosen_language,
    |s: TestStore| async move {
        let english = |path: &str| {
            s.http
                .get(s.url(path))
                .header("cookie", "madd_lang=en")
                .send()
        };
        // A whole error page.
        let r = english("/order/MS-ZZZZZZZZ").await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        let html = r.text().await.unwrap();
        assert!(html.contains("Order not found."), "{html}");
        assert!(!html.contains("tidak ditemukan"), "{html}");
        let (status, html) = s.page("/order/MS-ZZZZZZZZ").await;
        assert_eq!(status, 404);
        assert!(html.contains("Pesanan tidak ditemukan"), "{html}");

        // A form shown again with the customer's mistake.
        let form = [
            ("product", "ML86-S1"),
            ("target", "123456780"),
            ("zone", "2345"),
            ("whatsapp", "021-555-1234"),
        ];
        let r = s
            .http
            .post(s.url("/checkout"))
            .header("cookie", "madd_lang=en")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("is a landline, not a WhatsApp mobile number"),
            "{html}"
        );
        let (status, html) = s.post_form("/checkout", &form).await;
        assert_eq!(status, 422);
        assert!(
            html.contains("0215551234 adalah nomor telepon rumah"),
            "{html}"
        );
        s
    }
);

both_backends!(
    order_form_errors_keep_every_input_and_sit_beside_their_field,
    |s: TestStore| async move {
        // Every field wrong or missing at once: each error beside its own field, all kept.
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("brand", "mobile-legends-b"),
                    ("product", ""),
                    ("target", "12"),
                    ("zone", "2345"),
                    ("whatsapp", ""),
                ],
            )
            .await;
        assert_eq!(status, 422, "{html}");
        for id in ["err-product", "err-target", "err-whatsapp"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
        assert!(html.contains("Pilih nominal terlebih dahulu"), "{html}");
        assert!(html.contains("Isi nomor WhatsApp"), "{html}");
        assert!(
            html.contains("aria-describedby=\"err-target hint nick\""),
            "{html}"
        );
        assert!(html.contains("value=\"12\""), "the ID is kept: {html}");
        assert!(html.contains("value=\"2345\""), "the zone is kept: {html}");
        // The first wrong field takes the focus.
        assert_eq!(html.matches(" autofocus").count(), 1, "{html}");

        // "ID (zone)" pasted into the ID, the zone field left empty.
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("brand", "mobile-legends-b"),
                    ("product", "ML86-S1"),
                    ("target", "123456780 (2345)"),
                    ("zone", ""),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("123456780 (2345)"), "{html}");
        assert!(
            html.contains("0812-3456-7890"),
            "the full number to confirm: {html}"
        );

        // "Ubah pesanan" brings everything back.
        let back = html
            .split("class=\"back\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let (status, form) = s.page(&back).await;
        assert_eq!(status, 200, "{back}");
        assert!(form.contains("value=\"123456780\""), "{back}: {form}");
        assert!(form.contains("value=\"2345\""), "{form}");
        assert!(form.contains("value=\"081234567890\""), "{form}");
        assert!(
            form.contains("value=\"ML86-S1\" required checked"),
            "the nominal is picked again: {form}"
        );

        // An unknown ID is the ID field's error, in plain words.
        let (status, html) = s
            .post_form(
                "/checkout",
                &[
                    ("product", "ML86-S1"),
                    ("target", "912345678"),
                    ("zone", "2345"),
                    ("whatsapp", "0812-3456-7890"),
                ],
            )
            .await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("id=\"err-target\">Akun game dengan ID ini tidak ditemukan"),
            "{html}"
        );
        s
    }
);

both_backends!(
    the_floating_cs_button_opens_the_sellers_chat,
    |s: TestStore| async move {
        let (_, home) = s.page("/").await;
        assert!(home.contains("class=\"cs-float\" href=\"/cs\""), "{home}");
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = code_of(&order);
        let (_, invoice) = s.page(&format!("/order/{code}")).await;
        assert!(
            invoice.contains(&format!("href=\"/cs?order={code}\"")),
            "{invoice}"
        );

        let go = |path: String| {
            let http = s.http.clone();
            let url = s.url(&path);
            async move {
                let r = http.get(url).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 303);
                r.headers()["location"].to_str().unwrap().to_string()
            }
        };
        let to = go("/cs".into()).await;
        assert!(
            to.starts_with(&format!(
                "https://wa.me/{}?text=Halo",
                crate::common::SELLER
            )),
            "{to}"
        );
        let to = go(format!("/cs?order={code}")).await;
        assert!(to.ends_with(&code), "the code is in the first line: {to}");
        // Only an order code's characters are carried into the message.
        let to = go("/cs?order=%0Ahi%3Cb%3E".into()).await;
        assert!(to.ends_with("pesanan+hib"), "{to}");
        s
    }
);
