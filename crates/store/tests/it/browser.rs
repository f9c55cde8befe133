//! The storefront in a real browser: headless Debian Chromium driven over WebDriver
//! (`fantoccini`, no driver download) against `maddstore demo`, the binary a seller runs.
//!
//! - `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//!   `chromium-driver`; `.ci/run` installs them) are required: without them this test FAILS
//!   with a message saying so. `MADD_TEST_CHROMIUM` / `MADD_TEST_CHROMEDRIVER` point elsewhere (names the store's
//!   configuration does not read).
//! - No sleeps and no guessed ports: the demo binds `127.0.0.1:0` and prints its URL (the store
//!   uses the bound address as its public URL); chromedriver is started with `--port=0` and the
//!   port it picked is read from its "started successfully on port N" line. Every wait is a
//!   WebDriver wait on a page condition.
//! - Screenshots of the game page, the confirmation card and the delivered invoice at 390×844
//!   and 1280×800 are written to `docs/screenshots/` (committed; the README shows them).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

pub(crate) const PAGE_WAIT: Duration = Duration::from_secs(30);
/// The demo supplier takes a few seconds to deliver.
const DELIVERY_WAIT: Duration = Duration::from_secs(90);
pub(crate) const SIZES: [(u32, u32); 2] = [(390, 844), (1280, 800)];

fn tool(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "{} not found: the browser test needs Debian's chromium and chromium-driver \
         (apt-get install chromium chromium-driver; .ci/run installs them) or {env}=/path",
        path.display()
    );
    path
}

/// Spawns `cmd` with its stdout and stderr read line by line into a channel (kept drained, so
/// the child never blocks on a full pipe).
fn spawn_lines(mut cmd: Command) -> (Child, mpsc::UnboundedReceiver<String>) {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn");
    let (tx, rx) = mpsc::unbounded_channel();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let tx2 = tx.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(out).lines();
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = tx.send(l);
        }
    });
    tokio::spawn(async move {
        let mut lines = BufReader::new(err).lines();
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = tx2.send(l);
        }
    });
    (child, rx)
}

/// Reads lines until `pick` finds what it wants (or the process ends / 60 s pass).
async fn read_until<T>(
    rx: &mut mpsc::UnboundedReceiver<String>,
    what: &str,
    mut pick: impl FnMut(&str) -> Option<T>,
) -> T {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = rx.recv().await {
            if let Some(v) = pick(&line) {
                return Some(v);
            }
            seen.push(line);
        }
        None
    })
    .await;
    match found {
        Ok(Some(v)) => v,
        _ => panic!("{what} never appeared; output so far:\n{}", seen.join("\n")),
    }
}

pub(crate) struct Demo {
    _child: Child,
    pub(crate) url: String,
    pub(crate) password: String,
    _dir: TempDir,
}

pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        let n: u64 = rand::random();
        let p = std::env::temp_dir().join(format!("madd-browser-{tag}-{n:016x}"));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) async fn start_demo(extra_env: &[(&str, &str)]) -> Demo {
    let dir = TempDir::new("demo");
    let (child, url, password) = start_demo_at(&dir.0.join("demo.db"), false, extra_env).await;
    Demo {
        _child: child,
        url,
        password,
        _dir: dir,
    }
}

/// `maddstore demo --db-file DB [--fresh]`: the running process, its storefront URL and the
/// admin password it printed.
pub(crate) async fn start_demo_at(
    db: &Path,
    fresh: bool,
    extra_env: &[(&str, &str)],
) -> (Child, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.arg("demo").arg("--db-file").arg(db);
    if fresh {
        cmd.arg("--fresh");
    }
    cmd.env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_FULFILMENT", "manual")
        .env("RUST_LOG", "warn");
    for var in [
        "MADD_CONFIG",
        "MADD_DATABASE_URL",
        "MADD_PUBLIC_URL",
        "MADD_SUPPLIER",
        "MADD_SUPPLIERS",
        "MADD_PAYMENT",
        "MADD_PAYMENTS",
        "MADD_WHATSAPP",
    ] {
        cmd.env_remove(var);
    }
    // The Trakteer journeys unless a test picks the QRIS rails.
    if !extra_env.iter().any(|(k, _)| *k == "MADD_PAYMENTS") {
        cmd.env("MADD_PAYMENT", "sandbox")
            .env("MADD_PAYMENTS", "trakteer");
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let (child, mut rx) = spawn_lines(cmd);
    let url = read_until(&mut rx, "the demo's storefront URL", |l| {
        l.trim()
            .strip_prefix("Storefront")
            .map(|u| u.trim().trim_end_matches('/').to_string())
    })
    .await;
    let password = read_until(&mut rx, "the demo's admin password", |l| {
        l.split("login: admin / ")
            .nth(1)
            .map(|p| p.trim().to_string())
    })
    .await;
    assert_eq!(password.len(), 16);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    (child, url, password)
}

pub(crate) struct Browser {
    pub(crate) client: Client,
    _driver: Child,
    _profile: TempDir,
}

pub(crate) async fn start_browser() -> Browser {
    let chromium = tool("MADD_TEST_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("MADD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    let mut cmd = Command::new(chromedriver);
    cmd.arg("--port=0");
    let (driver, mut rx) = spawn_lines(cmd);
    let port: u16 = read_until(&mut rx, "chromedriver's port", |l| {
        l.split("started successfully on port ")
            .nth(1)
            .and_then(|p| p.trim().trim_end_matches('.').parse().ok())
    })
    .await;
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let profile = TempDir::new("profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.0.display()),
            ],
        }),
    );
    // Plain HTTP to the local chromedriver: no TLS stack needed.
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session in headless Chromium");
    Browser {
        client,
        _driver: driver,
        _profile: profile,
    }
}

fn xpath_text(id: &str, text: &str) -> String {
    format!("//*[@id='{id}' and contains(normalize-space(.), '{text}')]")
}

pub(crate) async fn wait_text(c: &Client, id: &str, text: &str, within: Duration) {
    let xp = xpath_text(id, text);
    if let Err(e) = c
        .wait()
        .at_most(within)
        .for_element(Locator::XPath(&xp))
        .await
    {
        let shown = match c.find(Locator::Id(id)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => "(no such element)".into(),
        };
        let url = c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        panic!("#{id} never said {text:?} on {url} ({e}); it says {shown:?}");
    }
}

pub(crate) async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn fill(c: &Client, css: &str, value: &str) {
    let el = c
        .wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

pub(crate) async fn click(c: &Client, locator: Locator<'_>) {
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(locator)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Picks a nominal by its product code (the radio is visually hidden; its card is the label).
pub(crate) async fn pick(c: &Client, code: &str) {
    click(c, Locator::XPath(&format!("//input[@value='{code}']/.."))).await;
}

async fn no_alert(c: &Client) {
    assert!(
        c.get_alert_text().await.is_err(),
        "a script from the supplier ran"
    );
}

/// On the seller's phone the dashboard opens on *Perlu tindakan*: the paid order's *Proses* is on
/// the first screen, above the store switch and the figures.
async fn perlu_tindakan_on_the_first_screen(c: &Client, base: &str, code: &str) {
    c.goto(&format!("{base}/admin")).await.unwrap();
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("perlu-tindakan"))
        .await
        .expect("Perlu tindakan on the dashboard");
    let script = format!(
        "var b = document.querySelector('#perlu-tindakan button[data-code=\"{code}\"]'); \
         var s = document.getElementById('store-switch'); \
         return [b ? b.getBoundingClientRect().bottom : -1, window.innerHeight, \
                 s.getBoundingClientRect().top, \
                 document.getElementById('perlu-tindakan').getBoundingClientRect().top];"
    );
    let v = c.execute(&script, vec![]).await.unwrap();
    let n = |i: usize| v[i].as_f64().unwrap();
    assert!(
        n(0) > 0.0,
        "the paid order's Proses button is in Perlu tindakan"
    );
    assert!(
        n(0) <= n(1),
        "Proses is on the first screen ({} > {})",
        n(0),
        n(1)
    );
    assert!(n(3) < n(2), "Perlu tindakan comes before the store switch");
    screenshots(c, "dashboard-perlu-tindakan").await;
}

/// Where screenshots go: `MADD_TEST_SCREENSHOT_DIR` (the README's are refreshed with
/// `MADD_TEST_SCREENSHOT_DIR=docs/screenshots`, relative to the repository), else the build's temporary
/// directory, so an ordinary test run leaves the work tree as it was.
fn shots_dir() -> PathBuf {
    match std::env::var_os("MADD_TEST_SCREENSHOT_DIR") {
        Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
    }
}

/// Screenshots the current page at both sizes, then returns to the phone size.
pub(crate) async fn screenshots(c: &Client, name: &str) {
    std::fs::create_dir_all(shots_dir()).unwrap();
    for (w, h) in SIZES {
        set_viewport(c, w, h).await;
        c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        let png = c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(shots_dir().join(format!("{name}-{w}x{h}.png")), png).unwrap();
    }
    set_viewport(c, SIZES[0].0, SIZES[0].1).await;
}

/// Sizes the window so that the page itself (the viewport) is `w`×`h`: the window's own frame
/// is measured and added.
pub(crate) async fn set_viewport(c: &Client, w: u32, h: u32) {
    c.set_window_size(w, h).await.unwrap();
    let inner = c
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .unwrap();
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    if (iw, ih) != (w, h) {
        c.set_window_size(w + w.saturating_sub(iw), h + h.saturating_sub(ih))
            .await
            .unwrap();
    }
}

/// From an invoice: pays `units_less` fewer units than asked on the sandbox Trakteer page.
async fn pay_on_trakteer(c: &Client, units_less: i64) {
    let pay = c.find(Locator::Id("pay")).await.unwrap();
    let href = pay.attr("href").await.unwrap().expect("pay link");
    let invoice = c.current_url().await.unwrap();
    c.goto(&href).await.unwrap();
    let qty = c
        .wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("quantity"))
        .await
        .unwrap();
    let asked: i64 = qty.prop("value").await.unwrap().unwrap().parse().unwrap();
    if units_less > 0 {
        qty.clear().await.unwrap();
        qty.send_keys(&(asked - units_less).to_string())
            .await
            .unwrap();
    }
    click(c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("transaction-id"))
        .await
        .expect("the sandbox accepted the payment");
    c.goto(invoice.as_str()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storefront_in_headless_chromium() {
    let demo = start_demo(&[]).await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, SIZES[0].0, SIZES[0].1).await;
    let base = demo.url.as_str();

    let (invoice, code) = game_order_paid(c, base).await;
    seller_processes_until_delivered(c, base, &demo.password, &code, &invoice).await;
    seller_views_the_order(c, base, &code).await;
    voucher_on_the_confirmation_card(c, base).await;
    script_in_a_nickname_never_runs(c, base).await;
    pulsa_by_number_then_underpaid(c, base).await;
    pln_bill_before_paying(c, base).await;
    pln_token_owner(c, base).await;
    english_switch(c, base).await;

    c.clone().close().await.unwrap();
}

/// Answers the paid invoice's address and the order code.
async fn game_order_paid(c: &Client, base: &str) -> (url::Url, String) {
    let url = |p: &str| format!("{base}{p}");
    // 1. Mobile Legends: ID + zone, the nickname appears as soon as the ID is complete.
    c.goto(&url("/")).await.unwrap();
    click(c, Locator::Css("a.tile[href='/produk/mobile-legends-b']")).await;
    fill(c, "#target", "123456780").await;
    fill(c, "#zone", "2345").await;
    wait_text(c, "nick", "Itacimo", PAGE_WAIT).await;
    pick(c, "ML86-S1").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    screenshots(c, "game-page").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "nickname", "Itacimo", PAGE_WAIT).await;
    assert!(text_of(c, "#total").await.starts_with("Rp "));
    screenshots(c, "confirmation").await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    c.find(Locator::Css(".qr img")).await.expect("QR code");
    pay_on_trakteer(c, 0).await;
    wait_text(c, "status", "Dibayar", PAGE_WAIT).await;
    let invoice = c.current_url().await.unwrap();
    let code = invoice.path().rsplit('/').next().unwrap().to_string();
    (invoice, code)
}

pub(crate) async fn seller_processes_until_delivered(
    c: &Client,
    base: &str,
    password: &str,
    code: &str,
    invoice: &url::Url,
) {
    let url = |p: &str| format!("{base}{p}");
    // The seller: the WhatsApp link to the order asks for a login first, then opens the order;
    // "Proses" places it with the supplier.
    c.goto(&url(&format!("/admin/orders/{code}")))
        .await
        .unwrap();
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", password).await;
    click(
        c,
        Locator::Css("form[action='/admin/login'] button[type=submit]"),
    )
    .await;
    wait_text(c, "main", code, PAGE_WAIT).await;
    perlu_tindakan_on_the_first_screen(c, base, code).await;
    c.goto(&url(&format!("/admin/orders/{code}")))
        .await
        .unwrap();
    click(
        c,
        Locator::Css(&format!(
            "form[action='/admin/orders/{code}/process'] button"
        )),
    )
    .await;
    wait_text(c, "main", "Pesanan dikirim ke supplier", PAGE_WAIT).await;

    // The customer's page updates itself (JS polling the API) until the supplier delivers.
    c.goto(invoice.as_str()).await.unwrap();
    wait_text(c, "status", "Sukses", DELIVERY_WAIT).await;
    let sn = text_of(c, "#sn").await;
    assert!(!sn.is_empty());
    c.find(Locator::Css("button.copy:not([hidden])"))
        .await
        .expect("a copy button for the SN");
    screenshots(c, "invoice-delivered").await;
}

async fn seller_views_the_order(c: &Client, base: &str, code: &str) {
    let url = |p: &str| format!("{base}{p}");
    // The seller's view of it: the dashboard, the order's timeline, the month's report.
    c.goto(&url("/admin")).await.unwrap();
    wait_text(c, "main", "Saldo", PAGE_WAIT).await;
    // Two suppliers in the demo: their offers page fits the phone too.
    c.goto(&url("/admin/suppliers")).await.unwrap();
    wait_text(c, "main", "dicoba pertama", PAGE_WAIT).await;
    fits(c, "/admin/suppliers").await;
    screenshots(c, "admin-suppliers").await;
    c.goto(&url("/admin")).await.unwrap();
    screenshots(c, "admin-dashboard").await;
    c.goto(&url(&format!("/admin/orders/{code}")))
        .await
        .unwrap();
    wait_text(c, "main", "SN", PAGE_WAIT).await;
    screenshots(c, "admin-order-timeline").await;
    c.goto(&url("/admin/reports")).await.unwrap();
    wait_text(c, "main", "Laba", PAGE_WAIT).await;
    c.find(Locator::Css("svg"))
        .await
        .expect("the report's chart");
    screenshots(c, "admin-report").await;
}

async fn voucher_on_the_confirmation_card(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // A voucher: the seller makes one, the customer types it on the confirmation card, and the
    // discount is on the card and on the invoice.
    c.goto(&url("/admin/vouchers")).await.unwrap();
    fill(c, "input[name=code]", "HEMAT10").await;
    fill(c, "input[name=value]", "10").await;
    click(c, Locator::Css("input[name=below_cost]")).await;
    click(
        c,
        Locator::Css("form[action='/admin/vouchers'] button.primary"),
    )
    .await;
    wait_text(c, "main", "Voucher dibuat", PAGE_WAIT).await;
    c.goto(&url("/produk/mobile-legends-b")).await.unwrap();
    fill(c, "#target", "123456780").await;
    fill(c, "#zone", "2345").await;
    pick(c, "ML86-S1").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "nickname", "Itacimo", PAGE_WAIT).await;
    let before = text_of(c, "#total").await;
    fill(c, "#voucher", "hemat10").await;
    click(c, Locator::Id("apply-voucher")).await;
    wait_text(c, "discount", "2.000", PAGE_WAIT).await;
    assert_ne!(text_of(c, "#total").await, before, "the total drops");
    screenshots(c, "confirmation-voucher").await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    wait_text(c, "discount", "2.000", PAGE_WAIT).await;
}

async fn script_in_a_nickname_never_runs(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 2. A nickname with a script in it is shown as text and never runs.
    c.goto(&url("/produk/mobile-legends-b")).await.unwrap();
    fill(c, "#target", "123666660").await;
    fill(c, "#zone", "6666").await;
    wait_text(c, "nick", "<script>alert(1)</script>", PAGE_WAIT).await;
    no_alert(c).await;
    pick(c, "ML86-S1").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "nickname", "<script>alert(1)</script>", PAGE_WAIT).await;
    no_alert(c).await;
}

async fn pulsa_by_number_then_underpaid(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 3. Pulsa: the operator is recognised from the number, its products appear.
    c.goto(&url("/pulsa")).await.unwrap();
    fill(c, "#nomor", "081234567890").await;
    wait_text(c, "operator", "Telkomsel", PAGE_WAIT).await;
    click(
        c,
        Locator::XPath("(//label[contains(@class,'nominal') and not(contains(@class,'off'))])[1]"),
    )
    .await;
    click(c, Locator::Css("#operator-products button[type=submit]")).await;
    wait_text(c, "confirm", "081234567890", PAGE_WAIT).await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;

    // 4. Underpaying that order shows the shortfall and a link for the rest.
    pay_on_trakteer(c, 1).await;
    wait_text(c, "status", "Kurang Bayar", PAGE_WAIT).await;
    wait_text(c, "shortfall", "Rp 1.000", PAGE_WAIT).await;
    let rest = c.find(Locator::Id("pay")).await.unwrap();
    assert!(rest
        .attr("href")
        .await
        .unwrap()
        .unwrap()
        .contains("quantity=1"));
}

async fn pln_bill_before_paying(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 5. PLN postpaid: the inquiry shows the name and the bill before paying.
    c.goto(&url("/")).await.unwrap();
    click(c, Locator::Css("a.tile[href='/pln/tagihan']")).await;
    fill(c, "#customer-no", "123456789011").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("bill"))
        .await
        .expect("the bill before paying");
    assert!(!text_of(c, "#nickname").await.is_empty(), "customer name");
    assert!(text_of(c, "#bill").await.starts_with("Rp "));
    c.find(Locator::Id("place"))
        .await
        .expect("pay button after the bill");
}

async fn pln_token_owner(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 6. A PLN token: the meter's owner (Digiflazz's check, in the demo beside VIP) shows as the
    //    number is typed and again before paying; an unknown meter is refused beside the field.
    c.goto(&url("/produk/pln")).await.unwrap();
    fill(c, "#target", "32123456789").await;
    wait_text(c, "nick", "BUDI SANTOSO", PAGE_WAIT).await;
    pick(c, "PLN20").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "nickname", "BUDI SANTOSO · R1/1300 VA", PAGE_WAIT).await;
    screenshots(c, "pln-token-owner").await;
    c.find(Locator::Id("place"))
        .await
        .expect("pay button after the owner's name");
    c.goto(&url("/produk/pln")).await.unwrap();
    fill(c, "#target", "12345678919").await;
    pick(c, "PLN20").await;
    fill(c, "input[name=whatsapp]", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "err-target", "PLN", PAGE_WAIT).await;
}

async fn english_switch(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 7. The English switch.
    c.goto(&url("/cek")).await.unwrap();
    click(c, Locator::Css("a.lang")).await;
    wait_text(c, "main", "Track an order", PAGE_WAIT).await;
}

/// Where an element is on screen: `None` when it is missing.
async fn on_screen(c: &Client, id: &str) -> Option<(f64, f64, f64)> {
    let v = c
        .execute(
            "const e = document.getElementById(arguments[0]); if (!e) return null; \
             const r = e.getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight];",
            vec![serde_json::json!(id)],
        )
        .await
        .unwrap();
    let v = v.as_array()?;
    Some((
        v[0].as_f64().unwrap(),
        v[1].as_f64().unwrap(),
        v[2].as_f64().unwrap(),
    ))
}

/// The error `err-{field}` is on the page and inside the viewport as it is (no scrolling).
async fn error_in_view(c: &Client, field: &str, says: &str) {
    let id = format!("err-{field}");
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id(&id))
        .await
        .unwrap_or_else(|_| panic!("no error beside {field}"));
    let text = text_of(c, &format!("#{id}")).await;
    assert!(text.contains(says), "{field}: {text}");
    let (top, bottom, height) = on_screen(c, &id).await.unwrap();
    assert!(
        top >= 0.0 && bottom <= height,
        "the {field} error is outside the first viewport: {top}..{bottom} of {height}"
    );
    let invalid = c
        .execute(
            "return [...document.querySelectorAll('[aria-invalid=true]')].map(e => \
             e.getAttribute('aria-describedby') || '')",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        invalid
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains(&id)),
        "the field points at its error: {invalid}"
    );
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The page fits the viewport's width, and no table cell cuts its text off.
pub(crate) async fn fits(c: &Client, page: &str) {
    let v = c
        .execute(
            "const cut = [...document.querySelectorAll('td, th')]
               .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
               .map(e => e.textContent.trim().slice(0, 40));
             return [document.documentElement.scrollWidth, window.innerWidth, cut];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
    assert!(
        scroll <= inner,
        "{page} is {scroll} px wide in a {inner} px viewport"
    );
    assert_eq!(
        v[2],
        serde_json::json!([]),
        "{page}: text cut off in a table"
    );
}

/// Both people on a phone (390×844): the customer's mistakes are forgiven in place, a failed
/// paid order says what happens next, the seller works the dashboard one-handed, and no page
/// is wider than the phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_first_in_headless_chromium() {
    // The seller decides refunds here: the failed order's invoice then says what comes next.
    // VIP alone: its refusals (ids ending in 2) are final, not failed over to Digiflazz.
    let demo = start_demo(&[
        ("MADD_FAILED_REFUND", "manual"),
        ("MADD_SUPPLIER", "sandbox"),
        ("MADD_SUPPLIERS", "vip-reseller"),
    ])
    .await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, 390, 844).await;
    let base = demo.url.as_str();

    search_by_the_name_people_use(c, base).await;
    mistakes_forgiven_in_place(c, base).await;
    let failing_code = refused_order_says_what_next(c, base, &demo.password).await;
    let open_code = unpaired_payment_attached_by_seller(c, base).await;
    every_page_fits_the_phone(c, base, &failing_code, &open_code).await;

    c.clone().close().await.unwrap();
}

async fn search_by_the_name_people_use(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    // Search by the name people use.
    c.goto(&url("/")).await.unwrap();
    fill(c, "input[data-filter]", "ml").await;
    let shown = c
        .execute(
            "return [...document.querySelectorAll('a.tile')].filter(t => !t.hidden).map(t => t.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        shown.to_string().contains("Mobile Legends"),
        "ml finds Mobile Legends: {shown}"
    );
    c.goto(&url("/?q=mlbb")).await.unwrap();
    c.find(Locator::Css("a.tile[href^='/produk/mobile-legends']"))
        .await
        .expect("mlbb finds Mobile Legends without JavaScript too");
}

/// Each mistake is said beside its field, on screen, and nothing typed is lost.
async fn mistakes_forgiven_in_place(c: &Client, base: &str) {
    let url = |p: &str| format!("{base}{p}");
    let game = url("/produk/mobile-legends-b");
    // 1. No nominal picked: the error is beside the nominals, on screen; nothing typed is lost.
    c.goto(&game).await.unwrap();
    // The whole "ID (zone)" pasted into the ID field lands in both fields.
    c.execute(
        "const t = document.getElementById('target'); t.value = '123456780 (2345)'; \
         t.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(value_of(c, "#target").await, "123456780");
    assert_eq!(value_of(c, "#zone").await, "2345");
    fill(c, "#whatsapp", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    error_in_view(c, "product", "nominal").await;
    assert_eq!(value_of(c, "#target").await, "123456780");
    assert_eq!(value_of(c, "#whatsapp").await, "0812-3456-7890");
    fits(c, "game page with an error").await;

    // 2. An unknown ID (the supplier says so after the form is sent): beside the ID field.
    fill(c, "#target", "912345678").await;
    pick(c, "ML86-S1").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    error_in_view(c, "target", "tidak ditemukan").await;
    assert_eq!(value_of(c, "#target").await, "912345678");
    assert_eq!(value_of(c, "#zone").await, "2345");
    assert_eq!(value_of(c, "#whatsapp").await, "0812-3456-7890");

    // 3. A landline as the WhatsApp number: beside the number, the page opened at it.
    fill(c, "#target", "123456780").await;
    fill(c, "#whatsapp", "021-555-1234").await;
    pick(c, "ML86-S1").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    error_in_view(c, "whatsapp", "telepon rumah").await;
    assert_eq!(value_of(c, "#target").await, "123456780");
    assert_eq!(value_of(c, "#whatsapp").await, "021-555-1234");

    // 4. The confirmation shows the whole number; "Ubah pesanan" comes back with everything.
    fill(c, "#whatsapp", "0812-3456-7890").await;
    pick(c, "ML86-S1").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    wait_text(c, "whatsapp-shown", "0812-3456-7890", PAGE_WAIT).await;
    fits(c, "confirmation").await;
    click(c, Locator::Css("a.back")).await;
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css("input[value='ML86-S1']:checked"))
        .await
        .expect("the nominal is still picked");
    assert_eq!(value_of(c, "#target").await, "123456780");
    assert_eq!(value_of(c, "#zone").await, "2345");
    assert_eq!(value_of(c, "#whatsapp").await, "081234567890");
}

/// Answers the refused order's code.
async fn refused_order_says_what_next(c: &Client, base: &str, password: &str) -> String {
    let url = |p: &str| format!("{base}{p}");
    // 5. A paid order the supplier refuses (ids ending in 2): the seller taps "Proses" in
    //    "Perlu tindakan"; the customer's invoice says what happened and what comes next.
    fill(c, "#target", "123456782").await;
    pick(c, "ML86-S1").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    fits(c, "invoice").await;
    pay_on_trakteer(c, 0).await;
    wait_text(c, "status", "Dibayar", PAGE_WAIT).await;
    // Manual mode: the customer is told how long the seller usually takes, and when they work.
    wait_text(c, "waiting", "Jam layanan", PAGE_WAIT).await;
    let failing = c.current_url().await.unwrap();
    let failing_code = failing.path().rsplit('/').next().unwrap().to_string();

    c.goto(&url("/admin")).await.unwrap();
    fits(c, "/admin/login").await;
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", password).await;
    click(
        c,
        Locator::Css("form[action='/admin/login'] button[type=submit]"),
    )
    .await;
    wait_text(c, "main", "Perlu tindakan", PAGE_WAIT).await;
    screenshots(c, "admin-needs-action").await;
    click(
        c,
        Locator::Css(&format!("button[data-code='{failing_code}']")),
    )
    .await;
    wait_text(c, "main", "Pesanan dikirim ke supplier", PAGE_WAIT).await;
    c.goto(failing.as_str()).await.unwrap();
    wait_text(c, "status", "Gagal", DELIVERY_WAIT).await;
    wait_text(c, "failure-reason", "menolak", PAGE_WAIT).await;
    wait_text(c, "next-step", "mengembalikan dana", PAGE_WAIT).await;
    let cs = c
        .find(Locator::Css("#outcome a.cs-button"))
        .await
        .expect("a CS link on the failed order")
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        cs.contains(&failing_code),
        "the CS message names the order: {cs}"
    );
    screenshots(c, "invoice-failed").await;
    failing_code
}

/// Answers the underpaid order's code.
async fn unpaired_payment_attached_by_seller(c: &Client, base: &str) -> String {
    let url = |p: &str| format!("{base}{p}");
    let game = url("/produk/mobile-legends-b");
    // 6. A payment whose message lost the order code, and short of the amount (so the store
    //    cannot pair it by itself): the seller attaches it by tapping the suggested order.
    c.goto(&game).await.unwrap();
    fill(c, "#target", "123456780").await;
    fill(c, "#zone", "2345").await;
    pick(c, "ML86-S1").await;
    fill(c, "#whatsapp", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    click(c, Locator::Id("place")).await;
    wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    let open = c.current_url().await.unwrap();
    let open_code = open.path().rsplit('/').next().unwrap().to_string();
    let pay = c
        .find(Locator::Id("pay"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    c.goto(&pay).await.unwrap();
    fill(c, "#supporter_message", "buat diamond").await;
    let asked: i64 = value_of(c, "#quantity").await.parse().unwrap();
    fill(c, "#quantity", &(asked - 1).to_string()).await;
    click(c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("transaction-id"))
        .await
        .expect("the sandbox took the payment");
    // Trakteer's webhook is on its way: the seller reloads the page until it is there.
    let pick_it = format!("button.pick[data-code='{open_code}']");
    let until = std::time::Instant::now() + PAGE_WAIT;
    loop {
        c.goto(&url("/admin/payments")).await.unwrap();
        if c.find(Locator::Css(&pick_it)).await.is_ok() {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "no suggestion for {open_code}: {}",
            text_of(c, "main").await
        );
    }
    screenshots(c, "admin-payment-suggestion").await;
    click(c, Locator::Css(&pick_it)).await;
    wait_text(c, "main", &format!("dicocokkan ke {open_code}"), PAGE_WAIT).await;
    c.goto(open.as_str()).await.unwrap();
    wait_text(c, "status", "Kurang Bayar", PAGE_WAIT).await;
    open_code
}

async fn every_page_fits_the_phone(c: &Client, base: &str, failing_code: &str, open_code: &str) {
    let url = |p: &str| format!("{base}{p}");
    // 7. Every page fits the phone: the storefront's, and each dashboard page in the route table.
    for page in [
        "/".to_string(),
        "/?q=ml".into(),
        "/produk/mobile-legends-b".into(),
        "/produk/genshin-impact".into(),
        "/pulsa".into(),
        "/pulsa?nomor=081234567890".into(),
        "/pln/tagihan".into(),
        "/cek".into(),
        "/produk/no-such-game".into(),
        format!("/order/{open_code}"),
    ] {
        c.goto(&url(&page)).await.unwrap();
        fits(c, &page).await;
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let month = madd_domain::report::Month::containing(now_ms).to_string();
    let admin_pages: Vec<String> = maddstore::web::protected_admin_routes()
        .into_iter()
        .filter(|(method, path)| *method == "GET" && !path.ends_with("/csv"))
        .map(|(_, path)| {
            path.replace("{code}", failing_code)
                .replace("{month}", &month)
        })
        .collect();
    assert!(admin_pages.len() >= 10, "{admin_pages:?}");
    for page in &admin_pages {
        c.goto(&url(page)).await.unwrap();
        wait_text(c, "main", "", PAGE_WAIT).await;
        fits(c, page).await;
    }
    c.goto(&url("/admin/messages")).await.unwrap();
    set_viewport(c, 1280, 800).await;
    fits(c, "/admin/messages at 1280").await;
}

/// The latest sign-in code the sandbox WhatsApp delivered to `number`.
async fn sign_in_code(base: &str, number: &str) -> String {
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
        .rev()
        .filter_map(|m| m["body"].as_str())
        .find(|b| b.starts_with("Kode masuk"))
        .and_then(|b| b.split('*').nth(1))
        .expect("a sign-in code in the WhatsApp inbox")
        .to_string()
}

/// Saldo on a phone: a paid order the supplier refuses is refunded to saldo (the invoice says
/// so), the customer signs in with the code WhatsApp brought and pays the next order with saldo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saldo_in_headless_chromium() {
    // VIP alone: its refusals (ids ending in 2) are final, not failed over to Digiflazz.
    let demo = start_demo(&[
        ("MADD_FULFILMENT", "auto"),
        ("MADD_SUPPLIER", "sandbox"),
        ("MADD_SUPPLIERS", "vip-reseller"),
    ])
    .await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, 390, 844).await;
    let url = |p: &str| format!("{}{p}", demo.url);
    let buy = |target: &'static str| async move {
        c.goto(&url("/produk/mobile-legends-b")).await.unwrap();
        fill(c, "#target", target).await;
        fill(c, "#zone", "2345").await;
        pick(c, "ML86-S1").await;
        fill(c, "#whatsapp", "0812-3456-7890").await;
        click(
            c,
            Locator::Css("form[action='/checkout'] button[type=submit]"),
        )
        .await;
        click(c, Locator::Id("place")).await;
        wait_text(c, "status", "Menunggu Pembayaran", PAGE_WAIT).await;
    };

    // The supplier refuses ids ending in 2: the money goes back to saldo at once.
    buy("123456782").await;
    pay_on_trakteer(c, 0).await;
    wait_text(c, "status", "Dikembalikan", DELIVERY_WAIT).await;
    wait_text(c, "refund-saldo", "saldo", PAGE_WAIT).await;
    screenshots(c, "invoice-refunded-to-saldo").await;

    // Sign in with the code WhatsApp brought.
    c.goto(&url("/akun")).await.unwrap();
    fill(c, "#whatsapp", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/akun/masuk'] button[type=submit]"),
    )
    .await;
    c.wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Id("code"))
        .await
        .expect("the code field");
    let code = {
        let base = demo.url.clone();
        let mut found = String::new();
        // The message is sent by the outbox worker: asked again until it is there.
        let until = std::time::Instant::now() + PAGE_WAIT;
        while found.is_empty() {
            let messages: serde_json::Value = reqwest::get(format!(
                "{base}/sandbox/whatsapp/api/messages?to=6281234567890"
            ))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
            if messages.as_array().unwrap().iter().any(|m| {
                m["body"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("Kode masuk"))
            }) {
                found = sign_in_code(&base, "6281234567890").await;
            }
            assert!(std::time::Instant::now() < until, "no sign-in code arrived");
            if found.is_empty() {
                // The outbox worker sends it within moments; poll gently.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        found
    };
    fill(c, "#code", &code).await;
    click(
        c,
        Locator::Css("form[action='/akun/masuk'] button[type=submit]"),
    )
    .await;
    wait_text(c, "saldo", "Rp 22.000", PAGE_WAIT).await;
    fits(c, "/akun").await;
    screenshots(c, "account").await;

    // A small order paid with saldo right from the confirmation card.
    c.goto(&url("/produk/mobile-legends-b")).await.unwrap();
    fill(c, "#target", "123456780").await;
    fill(c, "#zone", "2345").await;
    pick(c, "ML5-S1").await;
    fill(c, "#whatsapp", "0812-3456-7890").await;
    click(
        c,
        Locator::Css("form[action='/checkout'] button[type=submit]"),
    )
    .await;
    click(c, Locator::Id("place-saldo")).await;
    wait_text(c, "status", "Sukses", DELIVERY_WAIT).await;

    // The next, bigger order: what saldo is left pays part of it from its invoice.
    buy("123456780").await;
    click(c, Locator::Id("pay-saldo")).await;
    wait_text(c, "status", "Kurang Bayar", PAGE_WAIT).await;
    c.goto(&url("/akun")).await.unwrap();
    wait_text(c, "saldo", "Rp 0", PAGE_WAIT).await;

    c.clone().close().await.unwrap();
}
