//! The per-order QRIS in a real browser at 390 px (issue 23): `maddstore demo` with Midtrans (and
//! then Tripay) first; the invoice's QR code, read back from a screenshot of the page, is the
//! simulator's payload for the exact amount with a valid CRC; the simulator's *Bayar* settles
//! it, and the invoice turns paid and then delivered. Helpers and rules are `browser`'s.

use fantoccini::{Client, Locator};

use crate::browser::{
    click, fill, pick, screenshots, seller_processes_until_delivered, set_viewport, start_browser,
    start_demo, text_of, wait_text, PAGE_WAIT, SIZES,
};

/// The text of the QR code drawn in `css`, decoded from a screenshot of the element.
async fn qr_text(c: &Client, css: &str) -> String {
    let element = c.find(Locator::Css(css)).await.expect("the QR code");
    // Whole and in the middle of the screen, as a customer holds it up to another phone (the
    // floating chat button sits in a bottom corner).
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![serde_json::to_value(&element).unwrap()],
    )
    .await
    .unwrap();
    let png = element
        .screenshot()
        .await
        .expect("a screenshot of the QR code");
    let image = image::load_from_memory(&png).expect("a PNG").to_luma8();
    // A phone camera sees the code larger than a screenshot's few pixels per module, and no
    // anti-aliased grey: black and white, three times the size, as a scanner would look at it.
    let (w, h) = image.dimensions();
    let big = image::imageops::resize(&image, w * 3, h * 3, image::imageops::FilterType::Nearest);
    let sharp = image::GrayImage::from_fn(big.width(), big.height(), |x, y| {
        image::Luma([if big.get_pixel(x, y).0[0] < 128 {
            0
        } else {
            255
        }])
    });
    let mut prepared = rqrr::PreparedImage::prepare(sharp);
    let grids = prepared.detect_grids();
    if grids.len() != 1 {
        let path = std::env::temp_dir().join("madd-qris-unread.png");
        std::fs::write(&path, &png).unwrap();
        panic!(
            "{} QR codes found in the picture (kept at {})",
            grids.len(),
            path.display()
        );
    }
    let (_, text) = grids[0].decode().expect("a readable QR code");
    text
}

/// Buys Mobile Legends 86 diamonds up to the invoice; its address and code.
async fn order_to_invoice(c: &Client, base: &str) -> (url::Url, String) {
    c.goto(&format!("{base}/")).await.unwrap();
    click(c, Locator::Css("a.tile[href='/produk/mobile-legends-b']")).await;
    fill(c, "#target", "123456780").await;
    fill(c, "#zone", "2345").await;
    wait_text(c, "nick", "Itacimo", PAGE_WAIT).await;
    pick(c, "ML86-S1").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "nickname", "Itacimo", PAGE_WAIT).await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    let invoice = c.current_url().await.unwrap();
    let code = invoice.path().rsplit('/').next().unwrap().to_string();
    (invoice, code)
}

fn rupiah_digits(text: &str) -> i64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Pays the order's QRIS with the simulator's own *Bayar* button.
async fn pay_at_the_simulator(c: &Client, base: &str, rail: &str, code: &str) {
    match rail {
        "midtrans" => {
            c.goto(&format!("{base}/sandbox/midtrans/qris"))
                .await
                .unwrap();
            click(
                c,
                Locator::XPath(&format!(
                    "//div[contains(@class,'card')][.//img[@alt='QRIS {code}-1']]\
                     //form[contains(@action,'/pay')]//button"
                )),
            )
            .await;
        }
        _ => {
            let view: serde_json::Value = reqwest::get(format!("{base}/api/v1/orders/{code}"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let checkout = view["payment"]["checkout_url"]
                .as_str()
                .expect("Tripay's pay page");
            c.goto(checkout).await.unwrap();
            click(
                c,
                Locator::XPath("//form[contains(@action,'/pay')]//button"),
            )
            .await;
        }
    }
    // The simulator's page comes back with the payment settled (its *Refund* button): only then
    // is the form's own navigation over, and the invoice may be opened.
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::XPath("//form[contains(@action,'/refund')]"))
        .await
        .expect("the simulator settled the payment");
}

async fn buy_with_qris_first(rail: &'static str) {
    let rails = if rail == "tripay" {
        "tripay,midtrans,trakteer"
    } else {
        "midtrans,tripay,trakteer"
    };
    let demo = start_demo(&[("MADD_PAYMENT", "sandbox"), ("MADD_PAYMENTS", rails)]).await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, SIZES[0].0, SIZES[0].1).await;
    let base = demo.url.as_str();

    let (invoice, code) = order_to_invoice(c, base).await;
    // The QRIS appears on its own (the page looks again while it is being made).
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css("#qris-code svg"))
        .await
        .expect("the invoice shows the order's QRIS");
    let total = rupiah_digits(&text_of(c, "#total").await);
    assert_eq!(rupiah_digits(&text_of(c, "#qris-amount").await), total);
    let text = qr_text(c, "#qris-code svg").await;
    let qris = madd_domain::qris::parse(&text).expect("a QRIS payload with a valid CRC");
    assert!(qris.dynamic);
    assert_eq!(qris.amount, Some(total));
    assert_eq!(text_of(c, "#qris-merchant").await, qris.merchant_name);
    assert!(c.find(Locator::Css("#qris-download")).await.is_ok());
    assert!(
        c.find(Locator::Id("pay")).await.is_err(),
        "no Trakteer button beside the QRIS"
    );
    screenshots(c, &format!("invoice-qris-{rail}")).await;

    pay_at_the_simulator(c, base, rail, &code).await;
    c.goto(invoice.as_str()).await.unwrap();
    wait_text(c, "status", "Dibayar", PAGE_WAIT).await;
    seller_processes_until_delivered(c, base, &demo.password, &code, &invoice).await;
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn midtrans_first_qris_paid_and_delivered_in_headless_chromium() {
    buy_with_qris_first("midtrans").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tripay_first_qris_paid_and_delivered_in_headless_chromium() {
    buy_with_qris_first("tripay").await;
}
