//! One price everywhere: for every buyer (guest, member, reseller) × voucher (none, percent,
//! fixed) × flash sale (none, running) × product kind (game, pulsa, PLN token, PLN bill), the total
//! on the confirmation card, in the chat confirmation and from `POST /api/v1/quote` is what the
//! order charges and its invoice shows — and a combination the store refuses (a voucher on a sale
//! price, a voucher on a bill) is refused the same way everywhere. On SQLite and PostgreSQL.

use crate::chat::{cloud_says, last_to};
use crate::common::TestStore;
use madd_domain::voucher::Amount;
use madd_domain::{Bps, Rupiah, Tier};
use serde_json::{json, Value};

const GUEST: &str = "6281311110001";
const MEMBER: &str = "6281311110002";
const RESELLER: &str = "6281311110003";

/// A product of each kind with the account it is bought for.
struct Item {
    code: String,
    target: &'static str,
    zone: Option<&'static str>,
    bill: bool,
}

struct Buyer {
    number: &'static str,
    tier: Tier,
    token: Option<String>,
}

/// One combination's figures, surface by surface: `Ok(total)` or `Err(error code or text)`.
#[derive(Debug)]
struct Seen {
    card: Result<i64, String>,
    api: Result<i64, String>,
    chat: Option<Result<i64, String>>,
    order: Result<(i64, i64), String>,
}

fn env(env: &mut std::collections::BTreeMap<String, String>) {
    env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    // Room under the list price for tiers, sales and vouchers; a fee, so rounding shows.
    env.insert("MADD_MARKUP_PERCENT".into(), "30".into());
    env.insert("MADD_FEE_PERCENT".into(), "0.7".into());
}

fn digits(text: &str) -> i64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no amount in {text:?}"))
}

/// The text between `after` and the next `<` (or newline).
fn field<'a>(page: &'a str, after: &str) -> Option<&'a str> {
    let rest = page.split(after).nth(1)?;
    Some(&rest[..rest.find(['<', '\n']).unwrap_or(rest.len())])
}

async fn card(s: &TestStore, item: &Item, buyer: &Buyer, voucher: &str) -> Result<i64, String> {
    let mut form = vec![
        ("product", item.code.as_str()),
        ("target", item.target),
        ("whatsapp", buyer.number),
        ("voucher", voucher),
    ];
    if let Some(z) = item.zone {
        form.push(("zone", z));
    }
    let mut request = s.http.post(s.url("/checkout")).form(&form);
    if let Some(t) = &buyer.token {
        request = request.header("cookie", format!("madd_customer={t}"));
    }
    let page = request.send().await.unwrap().text().await.unwrap();
    if let Some(error) = field(&page, "id=\"err-voucher\"") {
        return Err(error.to_string());
    }
    if !voucher.is_empty() && !page.contains("id=\"voucher\"") {
        // No voucher field on this card (a bill, a sale price): nothing typed can apply.
        return Err("no voucher field".into());
    }
    let total = field(&page, "id=\"total\">").unwrap_or_else(|| panic!("no total: {page}"));
    Ok(digits(total))
}

async fn api(s: &TestStore, item: &Item, buyer: &Buyer, voucher: &str) -> Result<i64, String> {
    let mut request = s.http.post(s.url("/api/v1/quote")).json(&json!({
        "product": item.code, "whatsapp": buyer.number, "voucher": voucher,
        "target": item.target,
    }));
    if let Some(t) = &buyer.token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    match status {
        200 => Ok(body["amount_due"].as_i64().unwrap()),
        _ => Err(body["error"]["code"].as_str().unwrap().to_string()),
    }
}

/// The chat always knows its buyer (the sender buys for their own number): members and resellers.
async fn chat(
    s: &TestStore,
    item: &Item,
    buyer: &Buyer,
    voucher: &str,
    n: usize,
) -> Result<i64, String> {
    // The chat's nickname checks are limited per number and 10 minutes.
    s.advance(time::Duration::minutes(11)).await;
    let mut text = format!("beli {} {}", item.code, item.target);
    if let Some(z) = item.zone {
        text.push_str(&format!(" {z}"));
    }
    if !voucher.is_empty() {
        text.push_str(&format!(" kode {voucher}"));
    }
    cloud_says(s, buyer.number, &format!("wamid.q{n}"), &text).await;
    let reply = last_to(s, buyer.number);
    // Leave no confirmation waiting for the next message.
    cloud_says(s, buyer.number, &format!("wamid.q{n}x"), "batal").await;
    match field(&reply, "Total bayar: ") {
        Some(total) if reply.contains("Konfirmasi pesanan") => {
            // The chat names the sale it prices (the copy that once forgot it).
            let on_sale = s
                .count("SELECT CAST(COUNT(*) AS BIGINT) FROM flash_sales")
                .await
                > 0;
            if on_sale && !item.bill {
                assert!(reply.contains("Harga flash sale"), "{reply}");
            }
            Ok(digits(total))
        }
        _ => Err(reply),
    }
}

async fn order(
    s: &TestStore,
    item: &Item,
    buyer: &Buyer,
    voucher: &str,
) -> Result<(i64, i64), String> {
    let mut request = s.http.post(s.url("/api/v1/orders")).json(&json!({
        "product": item.code, "target": item.target, "zone": item.zone,
        "whatsapp": buyer.number, "voucher": voucher,
    }));
    if let Some(t) = &buyer.token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    if status != 201 {
        return Err(body["error"]["code"].as_str().unwrap().to_string());
    }
    let code = body["code"].as_str().unwrap();
    let invoice = s
        .http
        .get(s.url(&format!("/order/{code}")))
        .send()
        .await
        .unwrap();
    let page = invoice.text().await.unwrap();
    let shown = field(&page, "id=\"total\">").unwrap_or_else(|| panic!("no total: {page}"));
    Ok((body["amount_due"].as_i64().unwrap(), digits(shown)))
}

async fn items(s: &TestStore) -> Vec<Item> {
    // Every kind at the same 30 % markup (the seeded rules price some lower).
    {
        let mut conn = s.app().db.write().await.unwrap();
        for category in ["game", "pulsa", "pln"] {
            maddstore::db::pricing::upsert_markup_rule(
                &mut conn,
                maddstore::db::pricing::RuleScope::Category,
                category,
                3000,
                Rupiah::ZERO,
                0,
            )
            .await
            .unwrap();
        }
    }
    maddstore::service::pricing::reprice(s.app(), "test")
        .await
        .unwrap();
    let (_, pulsa) = s.get_json("/api/v1/products?category=pulsa").await;
    let pulsa = pulsa["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            // Big enough that a 30 % markup leaves room above the floor for a sale.
            p["brand"] == "Telkomsel"
                && p["available"] == true
                && p["price"].as_i64() > Some(20_000)
        })
        .expect("a Telkomsel pulsa product")["code"]
        .as_str()
        .unwrap()
        .to_string();
    vec![
        Item {
            code: "ML86-S1".into(),
            target: "123456780",
            zone: Some("2345"),
            bill: false,
        },
        Item {
            code: pulsa,
            target: "081234567890",
            zone: None,
            bill: false,
        },
        Item {
            code: "PLN20".into(),
            target: "32123456789",
            zone: None,
            bill: false,
        },
        // Ends in 1: the sandbox has a bill for it.
        Item {
            code: "PLNPASCA".into(),
            target: "123456789011",
            zone: None,
            bill: true,
        },
    ]
}

async fn buyers(s: &TestStore) -> Vec<Buyer> {
    use maddstore::service::tiers;
    tiers::set_rule(
        s.app(),
        Tier::Member,
        maddstore::db::pricing::RuleScope::Default,
        "",
        2000,
        Rupiah::ZERO,
    )
    .await
    .unwrap();
    tiers::set_rule(
        s.app(),
        Tier::Reseller,
        maddstore::db::pricing::RuleScope::Default,
        "",
        1500,
        Rupiah::ZERO,
    )
    .await
    .unwrap();
    tiers::approve(s.app(), RESELLER, "grosir", "admin:test")
        .await
        .unwrap();
    vec![
        Buyer {
            number: GUEST,
            tier: Tier::Guest,
            token: None,
        },
        Buyer {
            number: MEMBER,
            tier: Tier::Member,
            token: Some(s.sign_in(MEMBER).await),
        },
        Buyer {
            number: RESELLER,
            tier: Tier::Reseller,
            token: Some(s.sign_in(RESELLER).await),
        },
    ]
}

/// A sale of every product but the bill at its floor, for two days.
async fn start_sales(s: &TestStore, items: &[Item]) {
    let now = s.app().now_ms();
    for item in items.iter().filter(|i| !i.bill) {
        // The lowest sale the store may run: the floor, below every tier's price.
        let floor = {
            let mut conn = s.app().db.write().await.unwrap();
            let p = maddstore::db::products::get(&mut conn, &item.code)
                .await
                .unwrap()
                .unwrap();
            let rules = maddstore::service::pricing::PriceRules::load(&mut conn, s.app())
                .await
                .unwrap();
            rules.floor(p.cost).unwrap()
        };
        let sale = maddstore::service::flash_sales::NewFlashSale {
            product_code: &item.code,
            price: floor,
            starts_at: now,
            ends_at: now + 2 * 24 * 60 * 60 * 1000,
            stock: 1_000,
            actor: "admin:test",
        };
        maddstore::service::flash_sales::create(s.app(), &sale)
            .await
            .unwrap();
    }
}

/// Every surface agrees: the same total, or a refusal everywhere.
fn agree(what: &str, seen: &Seen) -> bool {
    let (card, api, order) = (&seen.card, &seen.api, &seen.order);
    match order {
        Ok((charged, invoice)) => {
            assert_eq!(
                charged, invoice,
                "{what}: the invoice shows the charge: {seen:?}"
            );
            assert_eq!(card.as_ref().ok(), Some(charged), "{what}: card: {seen:?}");
            assert_eq!(api.as_ref().ok(), Some(charged), "{what}: API: {seen:?}");
            if let Some(chat) = &seen.chat {
                assert_eq!(chat.as_ref().ok(), Some(charged), "{what}: chat: {seen:?}");
            }
            true
        }
        Err(code) => {
            assert!(card.is_err(), "{what}: the card refuses too: {seen:?}");
            assert_eq!(api.as_ref().err(), Some(code), "{what}: API: {seen:?}");
            if let Some(chat) = &seen.chat {
                assert!(
                    chat.as_ref().is_err_and(|t| t.contains('❌')),
                    "{what}: chat: {seen:?}"
                );
            }
            false
        }
    }
}

both_backends!(
    every_surface_shows_the_total_the_order_charges,
    env,
    |s: TestStore| async move {
        s.voucher(
            "PERSEN",
            Amount::Percent {
                rate: Bps::new(1000),
                cap: None,
            },
            |v| {
                v.below_cost = false;
            },
        )
        .await;
        s.voucher("POTONG", Amount::Fixed(Rupiah::new(3_000)), |v| {
            v.below_cost = false
        })
        .await;
        let items = items(&s).await;
        let buyers = buyers(&s).await;
        let (mut n, mut charged, mut refused) = (0, 0, 0);
        for sale in [false, true] {
            if sale {
                start_sales(&s, &items).await;
            }
            for item in &items {
                for buyer in &buyers {
                    for voucher in ["", "PERSEN", "POTONG"] {
                        n += 1;
                        let what = format!(
                            "{} {:?} voucher {voucher:?} sale {sale}",
                            item.code, buyer.tier
                        );
                        let seen = Seen {
                            card: card(&s, item, buyer, voucher).await,
                            api: api(&s, item, buyer, voucher).await,
                            chat: match buyer.tier {
                                Tier::Guest => None,
                                _ => Some(chat(&s, item, buyer, voucher, n).await),
                            },
                            order: order(&s, item, buyer, voucher).await,
                        };
                        if agree(&what, &seen) {
                            charged += 1;
                        } else {
                            refused += 1;
                            // A bill takes no voucher; a sale price takes none either;
                            // a price already at the floor has nothing to give.
                            let code = seen.order.as_ref().err().map(String::as_str);
                            let allowed: &[&str] = match (item.bill, sale) {
                                (true, _) => &["voucher_out_of_scope"],
                                (false, true) => {
                                    &["voucher_with_flash_sale", "voucher_nothing_off"]
                                }
                                (false, false) => &["voucher_nothing_off"],
                            };
                            assert!(
                                code.is_some_and(|c| allowed.contains(&c)),
                                "{what}: {seen:?}"
                            );
                        }
                    }
                }
            }
        }
        assert_eq!(n, 72);
        // Refused: vouchers on bills (2 × 3 buyers × 2), vouchers on a sale that applies.
        assert!(refused >= 12, "{refused}");
        assert!(charged >= 36, "{charged}");
        s
    }
);
