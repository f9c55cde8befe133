//! The price a customer reads is one set of lines: for a voucher the price floor holds back, a
//! flash sale and a reseller's price, the confirmation card, the invoice and the WhatsApp invoice
//! message show the same labels and amounts (and the voucher's note), in a real browser at 390 px.
//! The seller sets each case up on the admin pages. Helpers and rules are `browser`'s.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::browser::{
    click, fill, fits, pick, screenshots, set_viewport, start_browser, start_demo, wait_text,
    PAGE_WAIT,
};

/// One priced purchase and what its lines must show.
struct Case {
    name: &'static str,
    product: &'static str,
    /// The game account (Mobile Legends: id and zone).
    target: &'static str,
    whatsapp: &'static str,
    /// Typed on the card before placing the order.
    voucher: Option<&'static str>,
    /// Signs in with this number first (a reseller's price needs the reseller's own number).
    signed_in: bool,
    /// A label each of the three must show (a prefix: the card adds what is left of a sale).
    shows: &'static str,
    /// Words the voucher's note must hold on every surface.
    note: Option<&'static str>,
}

const CASES: [Case; 3] = [
    Case {
        name: "voucher-held-by-the-floor",
        product: "ML86-S1",
        target: "123456780",
        whatsapp: "0812-5555-0001",
        voucher: Some("SETENGAH"),
        signed_in: false,
        shows: "Voucher SETENGAH",
        note: Some("di bawah modal"),
    },
    Case {
        name: "flash-sale",
        product: "ML172-S1",
        target: "123456781",
        whatsapp: "0812-5555-0002",
        voucher: None,
        signed_in: false,
        shows: "Harga flash sale",
        note: None,
    },
    Case {
        name: "reseller-price",
        product: "ML28-S1",
        target: "123456783",
        whatsapp: "0812-5555-0003",
        voucher: None,
        signed_in: true,
        shows: "Harga reseller",
        note: None,
    },
];

/// `(label, amount, note)` of every price line on the page, whitespace collapsed, a sale's
/// "(sisa N)" left off (only the card knows what is left of a running sale).
async fn page_lines(c: &Client) -> Vec<(String, String, String)> {
    let rows = c
        .execute(
            "return [...document.querySelectorAll('dt[data-line]')].map(dt => {
                const dd = dt.nextElementSibling, note = dd.querySelector('small');
                return [dt.textContent, dd.firstChild.textContent, note ? note.textContent : ''];
            });",
            vec![],
        )
        .await
        .expect("the price lines");
    let rows: Vec<[String; 3]> = serde_json::from_value(rows).expect("rows of three texts");
    rows.into_iter()
        .map(|[label, amount, note]| {
            let label = squash(&label);
            let label = match label.split_once(" (sisa") {
                Some((before, _)) => before.to_string(),
                None => label,
            };
            (label, squash(&amount), squash(&note))
        })
        .collect()
}

/// The same lines read off the WhatsApp invoice message: `Label: amount` lines between the
/// account line and the blank line, `*` of the bold total dropped, an `_italic_` line the note
/// of the line above.
fn message_lines(body: &str) -> Vec<(String, String, String)> {
    let block = body
        .split("\nAkun: ")
        .nth(1)
        .and_then(|rest| rest.split_once('\n'))
        .map(|(_, rest)| rest.split("\n\n").next().unwrap_or_default())
        .unwrap_or_else(|| panic!("no price lines in the message: {body}"));
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for line in block.lines() {
        if let Some(note) = line.strip_prefix('_').and_then(|l| l.strip_suffix('_')) {
            lines.last_mut().expect("a line before its note").2 = squash(note);
        } else {
            let (label, amount) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("not a price line: {line}"));
            lines.push((
                squash(label),
                squash(&amount.replace('*', "")),
                String::new(),
            ));
        }
    }
    lines
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sandbox WhatsApp's messages to `number` (international form, no `+`), newest last.
async fn inbox(base: &str, number: &str) -> Vec<String> {
    let messages: serde_json::Value =
        reqwest::get(format!("{base}/sandbox/whatsapp/api/messages?to={number}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    messages
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_string))
        .collect()
}

/// Waits for the outbox worker to deliver a message to `number` that `wanted` accepts.
async fn message_to(base: &str, number: &str, wanted: impl Fn(&str) -> bool) -> String {
    let until = Instant::now() + PAGE_WAIT;
    loop {
        if let Some(body) = inbox(base, number)
            .await
            .into_iter()
            .rev()
            .find(|b| wanted(b))
        {
            return body;
        }
        assert!(Instant::now() < until, "no such message to {number}");
        // The outbox worker sends within moments; ask again gently.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn international(local: &str) -> String {
    format!("62{}", local.replace('-', "").trim_start_matches('0'))
}

async fn submit(c: &Client, form: &str, done: &str) {
    click(
        c,
        Locator::Css(&format!("form[action='{form}'] button.primary")),
    )
    .await;
    wait_text(c, "main", done, PAGE_WAIT).await;
}

/// The seller's setup: a 50 % voucher the floor holds back, a flash sale on ML172 Rp 2.000 below
/// its price, a reseller price 10 % over cost for the third case's number.
async fn seller_sets_up(c: &Client, base: &str, password: &str) {
    let url = |p: &str| format!("{base}{p}");
    c.goto(&url("/admin/login")).await.unwrap();
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", password).await;
    click(
        c,
        Locator::Css("form[action='/admin/login'] button[type=submit]"),
    )
    .await;
    wait_text(c, "main", "Perlu tindakan", PAGE_WAIT).await;

    c.goto(&url("/admin/vouchers")).await.unwrap();
    fill(c, "input[name=code]", "SETENGAH").await;
    fill(c, "input[name=value]", "50").await;
    submit(c, "/admin/vouchers", "Voucher dibuat").await;

    let products: serde_json::Value = reqwest::get(url("/api/v1/products?category=game"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let price = products["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "ML172-S1")
        .and_then(|p| p["price"].as_i64())
        .expect("ML172-S1 in the catalogue");
    c.goto(&url("/admin/flash-sales")).await.unwrap();
    fill(c, "input[name=product]", "ML172-S1").await;
    fill(c, "input[name=price]", &(price - 2_000).to_string()).await;
    fill(c, "input[name=stock]", "5").await;
    submit(c, "/admin/flash-sales", "Flash sale dibuat").await;

    c.goto(&url("/admin/tiers")).await.unwrap();
    fill(
        c,
        "form[action='/admin/tiers/rules'] input[name=percent]",
        "10",
    )
    .await;
    fill(
        c,
        "form[action='/admin/tiers/rules'] input[name=min]",
        "500",
    )
    .await;
    submit(c, "/admin/tiers/rules", "Aturan harga disimpan").await;
    fill(
        c,
        "form.settings[action='/admin/tiers/resellers'] input[name=whatsapp]",
        CASES[2].whatsapp,
    )
    .await;
    submit(c, "/admin/tiers/resellers", "Reseller disetujui").await;

    // The demo's reseller on the reseller API page, at both sizes.
    c.goto(&url("/admin/h2h")).await.unwrap();
    wait_text(c, "main", "API reseller (H2H)", PAGE_WAIT).await;
    fits(c, "/admin/h2h").await;
    screenshots(c, "admin-h2h").await;
}

/// Signs in on `/akun` with the code the sandbox WhatsApp brought.
async fn sign_in(c: &Client, base: &str, whatsapp: &str) {
    c.goto(&format!("{base}/akun")).await.unwrap();
    fill(c, "#whatsapp", whatsapp).await;
    click(
        c,
        Locator::Css("form[action='/akun/masuk'] button[type=submit]"),
    )
    .await;
    let body = message_to(base, &international(whatsapp), |b| {
        b.starts_with("Kode masuk")
    })
    .await;
    let code = body.split('*').nth(1).expect("the code in bold");
    fill(c, "#code", code).await;
    click(
        c,
        Locator::Css("form[action='/akun/masuk'] button[type=submit]"),
    )
    .await;
    wait_text(c, "saldo", "Rp", PAGE_WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_price_lines_on_the_card_the_invoice_and_whatsapp() {
    // A 30 % markup leaves room under the list price for a sale, a reseller price and a voucher
    // that the floor still holds back at 50 %.
    let demo = start_demo(&[("MADD_MARKUP_PERCENT", "30")]).await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, 390, 844).await;
    let base = demo.url.as_str();
    seller_sets_up(c, base, &demo.password).await;

    for case in &CASES {
        if case.signed_in {
            sign_in(c, base, case.whatsapp).await;
            // A reseller's own API page (no H2H for this one yet: it says how to get it).
            c.goto(&format!("{base}/akun/h2h")).await.unwrap();
            wait_text(c, "main", "API reseller", PAGE_WAIT).await;
            fits(c, "/akun/h2h").await;
        }
        c.goto(&format!("{base}/produk/mobile-legends-b"))
            .await
            .unwrap();
        fill(c, "#target", case.target).await;
        fill(c, "#zone", "2345").await;
        pick(c, case.product).await;
        fill(c, "#whatsapp", case.whatsapp).await;
        click(
            c,
            Locator::Css("form[action='/checkout'] button[type=submit]"),
        )
        .await;
        wait_text(c, "confirm", "Total bayar", PAGE_WAIT).await;
        if let Some(code) = case.voucher {
            fill(c, "#voucher", code).await;
            click(c, Locator::Id("apply-voucher")).await;
            wait_text(c, "confirm", code, PAGE_WAIT).await;
        }
        let card = page_lines(c).await;
        screenshots(c, &format!("price-lines-{}-card", case.name)).await;

        click(c, Locator::Id("place")).await;
        wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
        let invoice = page_lines(c).await;
        screenshots(c, &format!("price-lines-{}-invoice", case.name)).await;
        let order = c.current_url().await.unwrap();
        let order = order.path().rsplit('/').next().unwrap().to_string();
        let body = message_to(base, &international(case.whatsapp), |b| {
            b.contains(&order) && b.contains("Pantau pesanan")
        })
        .await;
        let message = message_lines(&body);

        assert!(
            card.iter().any(|(label, ..)| label.starts_with(case.shows)),
            "{}: the card shows {}: {card:?}",
            case.name,
            case.shows
        );
        assert_eq!(card, invoice, "{}: the card and the invoice", case.name);
        assert_eq!(card, message, "{}: the card and WhatsApp", case.name);
        match case.note {
            Some(words) => assert!(
                card.iter().any(|(.., note)| note.contains(words)),
                "{}: the voucher's note says why: {card:?}",
                case.name
            ),
            None => assert!(card.iter().all(|(.., note)| note.is_empty())),
        }
        let total = &card.last().expect("a total line").0;
        assert_eq!(total, "Total bayar", "{}: the total comes last", case.name);
    }
}
