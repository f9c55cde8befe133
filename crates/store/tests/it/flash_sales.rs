//! Flash sales: a stock of units at a lower price, held by unpaid orders and given back on
//! expiry, never oversold however many buyers race for the last unit; the report counts the sale
//! price as a discount beside the vouchers — on SQLite and PostgreSQL.

use crate::common::{unlimited_lookups, TestStore};

/// Room for a sale: a 30 % markup puts the list price well above the floor every price holds
/// (cost + minimum markup + the 5.78 % payment cut), so a sale Rp 2 000 below the list is one the
/// store may run.
fn sale_margin(env: &mut std::collections::BTreeMap<String, String>) {
    unlimited_lookups(env);
    env.insert("MADD_MARKUP_PERCENT".into(), "30".into());
}
use madd_domain::report::LineKey;
use madd_domain::voucher::Amount;
use madd_domain::{Month, OrderStatus, Rupiah};

const ML: &str = "ML86-S1";

async fn price_of(s: &TestStore, code: &str) -> Rupiah {
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::products::get(&mut conn, code)
        .await
        .unwrap()
        .unwrap()
        .price
}

async fn sale(s: &TestStore, code: &str, price: Rupiah, stock: i64) -> i64 {
    let now = s.app().now_ms();
    let sale = maddstore::service::flash_sales::NewFlashSale {
        product_code: code,
        price,
        starts_at: now,
        ends_at: now + 2 * 60 * 60 * 1000,
        stock,
        actor: "admin:test",
    };
    maddstore::service::flash_sales::create(s.app(), &sale)
        .await
        .unwrap()
}

async fn taken(s: &TestStore) -> i64 {
    s.count("SELECT CAST(COALESCE(SUM(taken), 0) AS BIGINT) FROM flash_sales")
        .await
}

both_backends!(
    stock_three_raced_by_fifty_buyers_sells_exactly_three,
    sale_margin,
    |s: TestStore| async move {
        let list = price_of(&s, ML).await;
        let flash = list - Rupiah::new(2_000);
        sale(&s, ML, flash, 3).await;
        let tries = (0..50).map(|i| {
            let s = &s;
            async move { s.buy(ML, &format!("0813-4444-{i:04}"), "").await }
        });
        let answers = futures::future::join_all(tries).await;
        let made: Vec<&serde_json::Value> = answers
            .iter()
            .filter(|(st, _)| *st == 201)
            .map(|(_, b)| b)
            .collect();
        // Exactly three at the sale price; once it is sold out the product sells on at its list
        // price (a buyer who lost the race for the last unit is told and may order again).
        let sold: Vec<&serde_json::Value> = made
            .iter()
            .copied()
            .filter(|o| o["price"].as_i64() == Some(flash.amount()))
            .collect();
        assert_eq!(sold.len(), 3, "{answers:?}");
        for order in &sold {
            assert_eq!(order["discount"].as_i64(), Some(2_000));
        }
        for order in made
            .iter()
            .filter(|o| o["price"].as_i64() != Some(flash.amount()))
        {
            assert_eq!(order["price"].as_i64(), Some(list.amount()), "{order}");
            assert_eq!(order["discount"].as_i64(), Some(0));
        }
        let mut lost = 0;
        for (status, body) in answers.iter().filter(|(st, _)| *st != 201) {
            assert_eq!(*status, 409, "{body}");
            assert_eq!(body["error"]["code"], "flash_sale_sold_out");
            lost += 1;
        }
        assert_eq!(made.len() + lost, 50);
        let (status, retried) = s.buy(ML, "0813-4444-7777", "").await;
        assert_eq!(status, 201, "{retried}");
        assert_eq!(retried["price"].as_i64(), Some(list.amount()));
        // The page says the sale is over and shows the list price again.
        let page = s
            .http
            .get(s.url("/produk/mobile-legends-b"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let item = page
            .split("value=\"ML86-S1\"")
            .nth(1)
            .and_then(|rest| rest.split("</label>").next())
            .unwrap_or_else(|| panic!("no ML86-S1 on the page: {page}"));
        assert!(item.contains("Flash sale habis"), "{item}");
        assert!(
            item.contains(&list.display_spaced()) && !item.contains("<s>"),
            "{item}"
        );
        assert_eq!(taken(&s).await, 3);
        // A voucher does not stack on a sale price.
        s.voucher("TAMBAH", Amount::Fixed(Rupiah::new(3_000)), |_| {})
            .await;
        s.app().catalogue.invalidate();

        // None of the three pays: their units come back when they expire.
        s.advance(time::Duration::minutes(61)).await;
        for order in &sold {
            let row = s.order_row(order["code"].as_str().unwrap()).await;
            assert_eq!(row.status, OrderStatus::Expired);
        }
        assert_eq!(taken(&s).await, 0);
        let (status, again) = s.buy(ML, "0813-4444-9999", "").await;
        assert_eq!(status, 201, "{again}");
        assert_eq!(again["price"].as_i64(), Some(flash.amount()));
        let (status, stacked) = s.buy(ML, "0813-4444-9998", "TAMBAH").await;
        assert_eq!(status, 422, "{stacked}");
        assert_eq!(stacked["error"]["code"], "voucher_with_flash_sale");
        assert_eq!(taken(&s).await, 1, "the refused order held nothing");
        s
    }
);

both_backends!(
    a_month_with_a_voucher_and_a_flash_sale_gives_the_expected_lines,
    sale_margin,
    |s: TestStore| async move {
        // Three delivered orders:
        //   A  ML86 on flash sale: list L86, sold for L86 − 2 000;
        //   B  ML172 with voucher HEMAT (3 000 off): sold for L172 − 3 000;
        //   C  ML28 at list price L28.
        // No customer fee, so each order's amount due is its price.
        let l86 = price_of(&s, ML).await.amount();
        let l172 = price_of(&s, "ML172-S1").await.amount();
        let l28 = price_of(&s, "ML28-S1").await.amount();
        sale(&s, ML, Rupiah::new(l86 - 2_000), 10).await;
        s.voucher("HEMAT", Amount::Fixed(Rupiah::new(3_000)), |_| {})
            .await;
        let mut codes = Vec::new();
        for (product, v, number) in [
            (ML, "", "0813-1000-0001"),
            ("ML172-S1", "HEMAT", "0813-1000-0002"),
            ("ML28-S1", "", "0813-1000-0003"),
        ] {
            let (status, order) = s.buy(product, number, v).await;
            assert_eq!(status, 201, "{order}");
            let code = order["code"].as_str().unwrap().to_string();
            s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
                .await;
            maddstore::service::fulfilment::process(s.app(), &code, "test")
                .await
                .unwrap();
            s.settle().await;
            assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
            codes.push(code);
        }
        let report = maddstore::service::report::monthly_report(
            s.app(),
            Month::containing(s.app().now_ms()),
        )
        .await
        .unwrap();
        let list = l86 + l172 + l28;
        assert_eq!(report.amount(LineKey::ListSales).amount(), list);
        assert_eq!(report.amount(LineKey::Discounts).amount(), -5_000);
        assert_eq!(report.amount(LineKey::Sales).amount(), list - 5_000);
        let items: i64 = report
            .lines
            .iter()
            .take_while(|l| l.key != LineKey::NetProfit)
            .filter(|l| !l.total)
            .map(|l| l.amount.amount())
            .sum();
        assert_eq!(items, report.net_profit().amount());
        let discount_of = |code: &str| {
            report
                .products
                .iter()
                .find(|p| p.product_code == code)
                .map(|p| p.discounts.amount())
        };
        assert_eq!(discount_of(ML), Some(2_000));
        assert_eq!(discount_of("ML172-S1"), Some(3_000));
        assert_eq!(discount_of("ML28-S1"), Some(0));
        assert_eq!(report.vouchers.len(), 1);
        assert_eq!(
            (
                report.vouchers[0].code.as_str(),
                report.vouchers[0].orders,
                report.vouchers[0].discounts.amount()
            ),
            ("HEMAT", 1, 3_000)
        );
        s
    }
);

both_backends!(
    the_game_page_shows_the_sale_price_what_is_left_and_when_it_ends,
    sale_margin,
    |s: TestStore| async move {
        let page = |s: &TestStore| {
            let url = s.url("/produk/mobile-legends-b");
            let http = s.http.clone();
            async move { http.get(url).send().await.unwrap().text().await.unwrap() }
        };
        assert!(!page(&s).await.contains("Flash sale"));
        let list = price_of(&s, ML).await;
        let flash = list - Rupiah::new(2_000);
        sale(&s, ML, flash, 3).await;
        let shown = page(&s).await;
        let item = shown
            .split("value=\"ML86-S1\"")
            .nth(1)
            .and_then(|rest| rest.split("</label>").next())
            .expect("the ML86 nominal");
        assert!(
            item.contains(&format!("<s>{}</s>", list.display_spaced())),
            "{item}"
        );
        assert!(item.contains(&flash.display_spaced()), "{item}");
        assert!(item.contains("sisa 3"), "{item}");
        // The home page leads with it, and its popular list shows the sale price.
        let home = s
            .http
            .get(s.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let strip = home
            .split("id=\"h-flash\"")
            .nth(1)
            .and_then(|t| t.split("</section>").next())
            .expect("a flash-sale strip on the home page");
        assert!(strip.contains(&flash.display_spaced()), "{strip}");
        assert!(
            strip.contains(&format!("<s>{}</s>", list.display_spaced())),
            "{strip}"
        );
        assert!(
            item.contains("class=\"countdown\" data-expires=\""),
            "{item}"
        );
        // One unit held: the page says so (the sale's change rebuilt it).
        let (status, _) = s.buy(ML, "0813-2222-0001", "").await;
        assert_eq!(status, 201);
        assert!(page(&s).await.contains("sisa 2"));
        // After the window the list price is back, without any change in the database.
        s.clock.advance(time::Duration::hours(3));
        let after = page(&s).await;
        assert!(!after.contains("Flash sale"), "the sale ended");
        s
    }
);
