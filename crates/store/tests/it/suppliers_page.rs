//! The seller's supplier page, on SQLite and PostgreSQL, with VIP Reseller and Digiflazz both
//! configured: both suppliers' cards, a product with two offers and the one tried first; putting
//! the other first (the product's cost follows), back to cheapest, pausing a supplier, matching
//! an unmatched Digiflazz product to a store product and unmatching it; a forged form and an
//! unknown product refused with nothing changed.

use std::collections::BTreeMap;

use crate::common::TestStore;
use madd_domain::{Rupiah, SupplierId};
use maddstore::db::offers::{self, OfferRow};

const ML: &str = "ML86-S1";
const DF_ML: &str = "ML86";
/// A Digiflazz product VIP does not sell: no store product made from it, matched to none.
const DF_ONLY: &str = "OVO10";

fn both(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_SUPPLIERS".into(), "vip-reseller,digiflazz".into());
}

async fn post(s: &TestStore, session: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = s
        .http
        .post(s.url(path))
        .header("cookie", session)
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn page(s: &TestStore, session: &str) -> String {
    page_at(s, session, "/admin/suppliers").await
}

async fn page_at(s: &TestStore, session: &str, path: &str) -> String {
    let r = s
        .http
        .get(s.url(path))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.unwrap()
}

/// The product's rows on the page.
fn product_rows<'p>(page: &'p str, code: &str) -> &'p str {
    let start = page
        .find(&format!("<tbody id=\"{code}\">"))
        .unwrap_or_else(|| panic!("{code} listed: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</tbody>").unwrap()]
}

/// The row of the offer the page marks "dicoba pertama".
fn first_row<'p>(page: &'p str, code: &str) -> &'p str {
    let rows: Vec<&str> = product_rows(page, code)
        .split("<tr class=\"offer")
        .skip(1)
        .filter(|r| r.contains("dicoba pertama"))
        .collect();
    assert_eq!(rows.len(), 1, "one first offer: {rows:?}");
    rows[0]
}

async fn offer(s: &TestStore, supplier: SupplierId, sku: &str) -> OfferRow {
    let mut conn = s.app().db.write().await.unwrap();
    offers::get(&mut conn, supplier, sku)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{supplier} {sku}"))
}

async fn product_cost(s: &TestStore, code: &str) -> Rupiah {
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::products::get(&mut conn, code)
        .await
        .unwrap()
        .unwrap()
        .cost
}

both_backends!(
    the_seller_orders_pauses_and_matches_offers,
    both,
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let vip = offer(&s, SupplierId::VipReseller, ML).await;
        let df = offer(&s, SupplierId::Digiflazz, DF_ML).await;
        assert_eq!(df.product_code.as_deref(), Some(ML), "{df:?}");
        assert_ne!(vip.cost, df.cost, "the two offers differ in cost");

        // Both suppliers' cards, the product with its two offers, one of them first.
        let p = page(&s, &session).await;
        assert!(p.contains("<h1>Supplier</h1>"), "{p}");
        assert!(p.contains("href=\"/admin/suppliers\""), "in the nav: {p}");
        assert!(p.contains("id=\"supplier-vip-reseller\""), "{p}");
        assert!(p.contains("id=\"supplier-digiflazz\""), "{p}");
        assert!(p.contains("/admin/deposits?supplier=digiflazz"), "{p}");
        assert!(!p.contains("Dijeda"), "{p}");
        let rows = product_rows(&p, ML);
        assert!(rows.contains(&format!("<code>{ML}</code>")), "{rows}");
        assert!(rows.contains(&format!("<code>{DF_ML}</code>")), "{rows}");
        assert!(rows.contains("asal produk"), "{rows}");
        assert!(rows.contains("Jadikan pertama"), "{rows}");
        assert!(rows.contains(&df.cost.display_spaced()), "{rows}");
        // Cheapest first, as nobody chose.
        let cheaper = if df.cost < vip.cost {
            "Digiflazz"
        } else {
            "VIP Reseller"
        };
        assert!(first_row(&p, ML).contains(cheaper), "{}", first_row(&p, ML));
        // The search keeps what matches (by code, name or SKU); the attention filter keeps only
        // products with an offer out of stock; the pairing field offers every product by name.
        let found = page_at(&s, &session, &format!("/admin/suppliers?q={DF_ML}")).await;
        assert!(
            found.contains(&format!("<tbody id=\"{ML}\">")),
            "found by its SKU"
        );
        assert_eq!(found.matches("<tbody id=").count(), 1, "only it");
        let none = page_at(&s, &session, "/admin/suppliers?q=tidak-ada-produk-ini").await;
        assert!(!none.contains("<tbody id="), "nothing matches");
        let attention = page_at(&s, &session, "/admin/suppliers?perlu=1").await;
        assert!(
            !attention.contains(&format!("<tbody id=\"{ML}\">")),
            "both offers in stock"
        );
        assert!(
            p.contains("<datalist id=\"product-codes\">"),
            "a product picker"
        );
        assert!(
            p.contains(&format!("<option value=\"{ML}\">")),
            "{ML} in the picker"
        );

        // The seller puts VIP first, then Digiflazz: the first offer and the product's cost follow.
        for (supplier, sku, label, cost) in [
            ("vip-reseller", ML, "VIP Reseller", vip.cost),
            ("digiflazz", DF_ML, "Digiflazz", df.cost),
        ] {
            let (status, body) = post(
                &s,
                &session,
                "/admin/suppliers/first",
                &[
                    ("csrf_token", &csrf),
                    ("product", ML),
                    ("supplier", supplier),
                    ("sku", sku),
                ],
            )
            .await;
            assert_eq!(status, 303, "{body}");
            let p = page(&s, &session).await;
            let first = first_row(&p, ML);
            assert!(first.contains(label), "{label} first: {first}");
            assert!(first.contains("pilihan penjual"), "{first}");
            assert!(product_rows(&p, ML).contains("Urut termurah"));
            assert_eq!(product_cost(&s, ML).await, cost, "{label}");
        }

        // A forged form changes nothing.
        let (status, _) = post(
            &s,
            &session,
            "/admin/suppliers/pause",
            &[
                ("csrf_token", "forged"),
                ("supplier", "digiflazz"),
                ("paused", "true"),
            ],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = post(
            &s,
            &session,
            "/admin/suppliers/first",
            &[
                ("csrf_token", "forged"),
                ("product", ML),
                ("supplier", ""),
                ("sku", ""),
            ],
        )
        .await;
        assert_eq!(status, 403);
        let mut conn = s.app().db.write().await.unwrap();
        assert!(offers::paused(&mut conn).await.unwrap().is_empty());
        drop(conn);
        assert_eq!(offer(&s, SupplierId::Digiflazz, DF_ML).await.rank, Some(1));

        // Digiflazz paused: VIP is tried first again (the seller's rank waits), the card says so.
        let (status, body) = post(
            &s,
            &session,
            "/admin/suppliers/pause",
            &[
                ("csrf_token", &csrf),
                ("supplier", "digiflazz"),
                ("paused", "true"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let p = page(&s, &session).await;
        assert!(first_row(&p, ML).contains("VIP Reseller"), "{p}");
        assert_eq!(product_cost(&s, ML).await, vip.cost);
        let card = p.split("id=\"supplier-digiflazz\"").nth(1).unwrap();
        let card = &card[..card.find("</form>").unwrap()];
        assert!(
            card.contains("Dijeda") && card.contains("Lanjutkan"),
            "{card}"
        );
        assert!(card.contains("name=\"paused\" value=\"false\""), "{card}");
        let card = p.split("id=\"supplier-vip-reseller\"").nth(1).unwrap();
        let card = &card[..card.find("</form>").unwrap()];
        assert!(!card.contains("Dijeda"), "{card}");

        // Resumed, then back to cheapest first.
        let (status, _) = post(
            &s,
            &session,
            "/admin/suppliers/pause",
            &[
                ("csrf_token", &csrf),
                ("supplier", "digiflazz"),
                ("paused", "false"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(product_cost(&s, ML).await, df.cost);
        let (status, _) = post(
            &s,
            &session,
            "/admin/suppliers/first",
            &[
                ("csrf_token", &csrf),
                ("product", ML),
                ("supplier", ""),
                ("sku", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(offer(&s, SupplierId::Digiflazz, DF_ML).await.rank, None);
        let p = page(&s, &session).await;
        assert!(!p.contains("Dijeda"), "{p}");
        assert!(!product_rows(&p, ML).contains("Urut termurah"));

        // A Digiflazz product VIP lacks waits to be matched.
        let lone = offer(&s, SupplierId::Digiflazz, DF_ONLY).await;
        assert_eq!(lone.product_code, None, "{lone:?}");
        let mut conn = s.app().db.write().await.unwrap();
        let unmatched = offers::all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.product_code.is_none())
            .count();
        drop(conn);
        assert!(unmatched > 0);
        let waiting = p.split("<h2>Belum dipasangkan</h2>").nth(1).unwrap();
        assert!(
            waiting.contains(&format!("<code>{DF_ONLY}</code>")),
            "{waiting}"
        );
        assert!(
            waiting.contains("action=\"/admin/suppliers/match\""),
            "{waiting}"
        );

        // An unknown product: refused, nothing changed.
        let (status, body) = post(
            &s,
            &session,
            "/admin/suppliers/match",
            &[
                ("csrf_token", &csrf),
                ("supplier", "digiflazz"),
                ("sku", DF_ONLY),
                ("product", "NO-SUCH-PRODUCT"),
            ],
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("Produk"), "{body}");
        assert_eq!(offer(&s, SupplierId::Digiflazz, DF_ONLY).await, lone);

        // Matched by the seller to a store product: one more offer of it, and out of the waiting
        // list.
        let (status, body) = post(
            &s,
            &session,
            "/admin/suppliers/match",
            &[
                ("csrf_token", &csrf),
                ("supplier", "digiflazz"),
                ("sku", DF_ONLY),
                ("product", ML),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let matched = offer(&s, SupplierId::Digiflazz, DF_ONLY).await;
        assert_eq!(matched.product_code.as_deref(), Some(ML));
        assert_eq!(matched.matched_by, offers::SELLER);
        let p = page(&s, &session).await;
        let rows = product_rows(&p, ML);
        assert!(rows.contains(&format!("<code>{DF_ONLY}</code>")), "{rows}");
        assert!(
            rows.contains("oleh penjual") && rows.contains("Lepas"),
            "{rows}"
        );
        let waiting = p.split("<h2>Belum dipasangkan</h2>").nth(1).unwrap();
        assert!(
            !waiting.contains(&format!("<code>{DF_ONLY}</code>")),
            "{waiting}"
        );
        // The products page points at it.
        let r = s
            .http
            .get(s.url("/admin/products?q=ML86-S1"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        let products = r.text().await.unwrap();
        assert!(
            products.contains(&format!("href=\"/admin/suppliers#{ML}\"")),
            "{products}"
        );
        assert!(products.contains("3 penawaran"), "{products}");

        // "Lepas": unmatched again; the product's own offer cannot be.
        let (status, body) = post(
            &s,
            &session,
            "/admin/suppliers/match",
            &[
                ("csrf_token", &csrf),
                ("supplier", "digiflazz"),
                ("sku", DF_ONLY),
                ("product", ""),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        assert_eq!(
            offer(&s, SupplierId::Digiflazz, DF_ONLY).await.product_code,
            None
        );
        let p = page(&s, &session).await;
        assert!(!product_rows(&p, ML).contains(&format!("<code>{DF_ONLY}</code>")));
        let waiting = p.split("<h2>Belum dipasangkan</h2>").nth(1).unwrap();
        assert!(
            waiting.contains(&format!("<code>{DF_ONLY}</code>")),
            "{waiting}"
        );
        let (status, _) = post(
            &s,
            &session,
            "/admin/suppliers/match",
            &[
                ("csrf_token", &csrf),
                ("supplier", "vip-reseller"),
                ("sku", ML),
                ("product", ""),
            ],
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(offer(&s, SupplierId::VipReseller, ML).await, vip);
        s
    }
);
