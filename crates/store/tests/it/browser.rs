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

const PAGE_WAIT: Duration = Duration::from_secs(30);
/// The demo supplier takes a few seconds to deliver.
const DELIVERY_WAIT: Duration = Duration::from_secs(90);
const SIZES: [(u32, u32); 2] = [(390, 844), (1280, 800)];

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

struct Demo {
    _child: Child,
    url: String,
    password: String,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
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

async fn start_demo() -> Demo {
    let dir = TempDir::new("demo");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.arg("demo")
        .arg("--db-file")
        .arg(dir.0.join("demo.db"))
        .env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_FULFILMENT", "manual")
        .env("RUST_LOG", "warn");
    for var in [
        "MADD_CONFIG",
        "MADD_DATABASE_URL",
        "MADD_PUBLIC_URL",
        "MADD_SUPPLIER",
        "MADD_PAYMENT",
        "MADD_WHATSAPP",
    ] {
        cmd.env_remove(var);
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
    Demo {
        _child: child,
        url,
        password,
        _dir: dir,
    }
}

struct Browser {
    client: Client,
    _driver: Child,
    _profile: TempDir,
}

async fn start_browser() -> Browser {
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

async fn wait_text(c: &Client, id: &str, text: &str, within: Duration) {
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

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c
        .wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn click(c: &Client, locator: Locator<'_>) {
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
async fn pick(c: &Client, code: &str) {
    click(c, Locator::XPath(&format!("//input[@value='{code}']/.."))).await;
}

async fn no_alert(c: &Client) {
    assert!(
        c.get_alert_text().await.is_err(),
        "a script from the supplier ran"
    );
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
async fn screenshots(c: &Client, name: &str) {
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
async fn set_viewport(c: &Client, w: u32, h: u32) {
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
    let demo = start_demo().await;
    let browser = start_browser().await;
    let c = &browser.client;
    set_viewport(c, SIZES[0].0, SIZES[0].1).await;
    let url = |p: &str| format!("{}{p}", demo.url);

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

    // The seller: the WhatsApp link to the order asks for a login first, then opens the order;
    // "Proses" places it with the supplier.
    c.goto(&url(&format!("/admin/orders/{code}")))
        .await
        .unwrap();
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", &demo.password).await;
    click(
        c,
        Locator::Css("form[action='/admin/login'] button[type=submit]"),
    )
    .await;
    wait_text(c, "main", &code, PAGE_WAIT).await;
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

    // The seller's view of it: the dashboard, the order's timeline, the month's report.
    c.goto(&url("/admin")).await.unwrap();
    wait_text(c, "main", "Saldo", PAGE_WAIT).await;
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

    // 6. The English switch.
    c.goto(&url("/cek")).await.unwrap();
    click(c, Locator::Css("a.lang")).await;
    wait_text(c, "main", "Track an order", PAGE_WAIT).await;

    c.clone().close().await.unwrap();
}
