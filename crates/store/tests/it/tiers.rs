//! Prices by tier: a guest pays the guest price, a signed-in member and an approved reseller
//! their own — on the confirmation page, the order and what is charged — on SQLite and PostgreSQL.

use crate::common::{unlimited_lookups, TestStore, CUSTOMER};
use madd_domain::{Rupiah, Tier};
use serde_json::json;

const BIG: &str = "ML1048-S1";

async fn order(s: &TestStore, token: Option<&str>) -> serde_json::Value {
    let mut request = s.http.post(s.url("/api/v1/orders")).json(&json!({
        "product": BIG, "target": "123456780", "zone": "2345", "whatsapp": CUSTOMER
    }));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

/// The confirmation card as the buyer sees it (signed in with the cookie, or not).
async fn confirm_price(s: &TestStore, token: Option<&str>) -> String {
    let mut request = s.http.post(s.url("/checkout")).form(&[
        ("product", BIG),
        ("target", "123456780"),
        ("zone", "2345"),
        ("whatsapp", "0812-3456-7890"),
    ]);
    if let Some(t) = token {
        request = request.header("cookie", format!("madd_customer={t}"));
    }
    let page = request.send().await.unwrap().text().await.unwrap();
    // The buyer's own price: the tier's line when it is lower, else the list price.
    let line = if page.contains("id=\"tier-price\">") {
        "id=\"tier-price\">"
    } else {
        "id=\"price\">"
    };
    page.split(line)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no price on the card: {page}"))
}

both_backends!(
    a_reseller_sees_and_pays_the_reseller_price_and_a_guest_the_guest_price,
    unlimited_lookups,
    |s: TestStore| async move {
        let list = {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::products::get(&mut conn, BIG)
                .await
                .unwrap()
                .unwrap()
        };
        // Members: 8 %; resellers: 4 % on everything.
        maddstore::service::tiers::set_rule(
            s.app(),
            Tier::Member,
            maddstore::db::pricing::RuleScope::Default,
            "",
            800,
            Rupiah::ZERO,
        )
        .await
        .unwrap();
        maddstore::service::tiers::set_rule(
            s.app(),
            Tier::Reseller,
            maddstore::db::pricing::RuleScope::Default,
            "",
            400,
            Rupiah::ZERO,
        )
        .await
        .unwrap();
        let rules = {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::service::pricing::PriceRules::load(&mut conn, s.app())
                .await
                .unwrap()
        };
        let member_price =
            rules.price_for(Tier::Member, list.cost, list.category, &list.brand, BIG);
        let reseller_price =
            rules.price_for(Tier::Reseller, list.cost, list.category, &list.brand, BIG);
        assert!(reseller_price < member_price && member_price < list.price);

        // A guest (not signed in), even for this number: the guest price.
        assert_eq!(confirm_price(&s, None).await, list.price.display_spaced());
        let guest = order(&s, None).await;
        assert_eq!(guest["price"].as_i64(), Some(list.price.amount()));

        // Signed in: a member.
        let token = s.sign_in(CUSTOMER).await;
        assert_eq!(
            confirm_price(&s, Some(&token)).await,
            member_price.display_spaced()
        );
        let member = order(&s, Some(&token)).await;
        assert_eq!(member["price"].as_i64(), Some(member_price.amount()));

        // Approved as a reseller by the seller: the reseller price, shown and charged.
        maddstore::service::tiers::approve(s.app(), "0812-3456-7890", "Konter Budi", "admin:test")
            .await
            .unwrap();
        assert_eq!(
            confirm_price(&s, Some(&token)).await,
            reseller_price.display_spaced()
        );
        // The game page shows them their own price, said so; a guest still sees the list price.
        let game = |cookie: Option<String>| {
            let mut r = s.http.get(s.url("/produk/mobile-legends-b"));
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            async move { r.send().await.unwrap().text().await.unwrap() }
        };
        let theirs = game(Some(format!("madd_customer={token}"))).await;
        assert!(theirs.contains("Harga reseller untuk"), "the tier note");
        let nominal = |page: &str| {
            page.split(&format!("value=\"{BIG}\""))
                .nth(1)
                .and_then(|rest| rest.split("</label>").next())
                .unwrap_or_default()
                .to_string()
        };
        assert!(nominal(&theirs).contains(&reseller_price.display_spaced()));
        let guests = game(None).await;
        assert!(!guests.contains("Harga reseller"));
        assert!(nominal(&guests).contains(&list.price.display_spaced()));
        // In chat the sender's own number is theirs: the price list says and shows their price.
        s.sandbox()
            .whatsapp
            .receive_from(CUSTOMER, "harga mobile legends")
            .await
            .unwrap();
        s.settle().await;
        let list_text = s
            .inbox(CUSTOMER)
            .last()
            .map(|m| m.body.clone())
            .unwrap_or_default();
        assert!(
            list_text.contains("Harga reseller untuk nomor ini"),
            "{list_text}"
        );
        assert!(
            list_text.contains(&format!("*{BIG}* 1048 Diamonds – {reseller_price}")),
            "{list_text}"
        );
        let reseller = order(&s, Some(&token)).await;
        assert_eq!(reseller["price"].as_i64(), Some(reseller_price.amount()));
        assert_eq!(
            reseller["amount_due"].as_i64(),
            Some(reseller_price.amount()),
            "charged what was shown (no customer fee here)"
        );
        let tier: Option<String> = {
            let mut conn = s.app().db.write().await.unwrap();
            sqlx::query_scalar("SELECT tier FROM orders WHERE code = $1")
                .bind(reseller["code"].as_str().unwrap())
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        };
        assert_eq!(tier.as_deref(), Some("reseller"));
        // Someone else's number stays at the guest price even when signed in.
        let r = s
            .http
            .post(s.url("/api/v1/orders"))
            .bearer_auth(&token)
            .json(
                &json!({"product": BIG, "target": "123456780", "zone": "2345",
                          "whatsapp": "0812-1111-2222"}),
            )
            .send()
            .await
            .unwrap();
        let other: serde_json::Value = r.json().await.unwrap();
        assert_eq!(other["price"].as_i64(), Some(list.price.amount()));
        s
    }
);
