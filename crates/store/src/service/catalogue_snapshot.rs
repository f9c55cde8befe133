//! The catalogue in memory: what the storefront's pages and the product API show — every
//! product with its price, whether the store is closed, what sells most — held as one immutable
//! snapshot that is swapped whole when the catalogue changes. Pages built from it do no query.
//!
//! How a process learns of a change: the database keeps a version number that triggers move on
//! every change to `products` and `settings` (migration 0010), so no code path can forget it.
//! This process's own changes mark the snapshot stale at once ([`CatalogueSnapshot::invalidate`]);
//! other processes' changes are seen by a cheap poll of that one row (every
//! [`POLL`]). A snapshot is never what an order is charged: the order path reads the product in
//! its own transaction (`service::orders::create`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use madd_domain::Category;
use tokio::sync::Mutex;

use crate::app::App;
use crate::db::products::{self, Product};
use crate::db::store_state;
use crate::db::{Conn, DbResult};

/// How often a process looks at the version row (other processes' changes).
pub const POLL: Duration = Duration::from_secs(1);
/// What sells most is recounted this often even when nothing else changed.
const POPULAR_EVERY: Duration = Duration::from_secs(60);

/// One consistent view of the catalogue.
#[derive(Debug, Default)]
pub struct Catalogue {
    pub version: i64,
    /// Every product, by category, brand, price and code.
    pub products: Vec<Product>,
    /// The seller's `tutup`.
    pub closed: bool,
    /// The most ordered product codes of the last 30 days, most first.
    pub popular_codes: Vec<String>,
    /// The seller's number as customers see it (the dashboard's setting, else
    /// `MADD_SELLER_WHATSAPP`): the storefront's CS links.
    pub seller_whatsapp: Option<madd_domain::PhoneNumber>,
    /// Paid orders wait for the seller's "Proses" (the invoice tells the customer so).
    pub manual_fulfilment: bool,
    /// When the seller answers, as the seller wrote it.
    pub seller_hours: String,
    /// Games with art the seller uploaded: slug → when (the URL's version, so a new image is
    /// fetched at once while an unchanged one stays cached for a year).
    pub art_versions: std::collections::HashMap<String, i64>,
    /// The admin fee customers are quoted (the order's transaction charges the one stored then).
    pub customer_fee: madd_domain::CustomerFee,
    /// Flash sales running or to come (each change to one moves the catalogue's version).
    pub flash_sales: Vec<crate::db::flash_sales::FlashSale>,
    /// Where each product code sits in `products`.
    by_code: std::collections::HashMap<String, usize>,
    /// Pages and answers built from this snapshot alone, by a key naming what varies (language,
    /// closed flag, category): built once per snapshot, dropped with it.
    rendered: std::sync::Mutex<std::collections::HashMap<String, Rendered>>,
}

/// A built page or answer: its content type and bytes.
pub type Rendered = (String, axum::body::Bytes);

/// The most distinct pages one snapshot keeps (keys come partly from URLs).
const RENDERED_MAX: usize = 512;

impl Catalogue {
    /// A page or answer built earlier from this snapshot under `key`.
    pub fn rendered(&self, key: &str) -> Option<Rendered> {
        self.rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Keeps what was built from this snapshot under `key` (up to [`RENDERED_MAX`] keys).
    pub fn remember(&self, key: String, body: Rendered) {
        let mut rendered = self
            .rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if rendered.len() < RENDERED_MAX {
            rendered.insert(key, body);
        }
    }

    /// Products a customer may see (postpaid bills have no list price: sold through inquiry).
    pub fn listed(&self) -> impl Iterator<Item = &Product> {
        self.products
            .iter()
            .filter(|p| p.enabled && p.price.is_positive())
    }

    pub fn in_category(&self, category: Option<Category>) -> impl Iterator<Item = &Product> {
        self.products
            .iter()
            .filter(move |p| category.is_none_or(|c| p.category == c))
    }

    /// Where a game's picture is: the seller's upload, else the tile the store draws.
    pub fn art_url(&self, slug: &str) -> String {
        match self.art_versions.get(slug) {
            Some(v) => format!("/art/{slug}.img?v={v}"),
            None => format!("/art/{slug}.svg"),
        }
    }

    pub fn product(&self, code: &str) -> Option<&Product> {
        self.by_code.get(code).map(|&i| &self.products[i])
    }
}

/// The current snapshot and what it takes to renew it.
pub struct CatalogueSnapshot {
    current: RwLock<Arc<Catalogue>>,
    /// Bumped by every [`CatalogueSnapshot::invalidate`]; the snapshot is stale while `loaded`
    /// is behind it. A reload that is still reading does not count as done: a reader arriving
    /// meanwhile waits for it instead of being served the snapshot it is replacing.
    wanted: AtomicU64,
    /// The `wanted` generation the current snapshot was read after.
    loaded: AtomicU64,
    loaded_at: RwLock<Instant>,
    /// One reload at a time; others keep serving the old snapshot meanwhile.
    reloading: Mutex<()>,
}

impl Default for CatalogueSnapshot {
    fn default() -> Self {
        CatalogueSnapshot {
            current: RwLock::new(Arc::new(Catalogue::default())),
            wanted: AtomicU64::new(1),
            loaded: AtomicU64::new(0),
            loaded_at: RwLock::new(Instant::now()),
            reloading: Mutex::new(()),
        }
    }
}

impl std::fmt::Debug for CatalogueSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueSnapshot")
            .field("version", &self.peek().version)
            .finish()
    }
}

impl CatalogueSnapshot {
    /// Marks the snapshot stale: the next reader rebuilds it (this process changed the catalogue).
    pub fn invalidate(&self) {
        self.wanted.fetch_add(1, Ordering::AcqRel);
    }

    fn is_stale(&self) -> bool {
        self.loaded.load(Ordering::Acquire) < self.wanted.load(Ordering::Acquire)
    }

    /// The snapshot as it is, without looking at the database.
    pub fn peek(&self) -> Arc<Catalogue> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, catalogue: Catalogue) {
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(catalogue);
        *self
            .loaded_at
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    fn age(&self) -> Duration {
        self.loaded_at
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .elapsed()
    }
}

/// The current catalogue: the snapshot, rebuilt first if this process marked it stale.
impl Catalogue {
    /// The sale a customer of `product` gets at `now`: running, with units left, below its
    /// list price.
    pub fn sale_for(
        &self,
        product: &Product,
        now: i64,
    ) -> Option<&crate::db::flash_sales::FlashSale> {
        self.flash_sales.iter().find(|s| {
            s.product_code == product.code
                && s.running(now)
                && s.left() > 0
                && s.price < product.price
        })
    }

    /// Which sales run at `now`: part of a cached page's key, so a page is built again when a
    /// sale starts or ends (no database change marks those moments).
    pub fn running_sales_key(&self, now: i64) -> String {
        self.flash_sales
            .iter()
            .filter(|s| s.running(now))
            .map(|s| s.id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub async fn current(app: &App) -> DbResult<Arc<Catalogue>> {
    let snapshot = &app.catalogue;
    if snapshot.is_stale() {
        reload(app).await?;
    }
    Ok(snapshot.peek())
}

/// Rebuilds the snapshot from the database (one reload at a time).
pub async fn reload(app: &App) -> DbResult<()> {
    let snapshot = &app.catalogue;
    let _one = snapshot.reloading.lock().await;
    // What this reload will cover: every invalidation made before it starts reading.
    let target = snapshot.wanted.load(Ordering::Acquire);
    if snapshot.loaded.load(Ordering::Acquire) >= target {
        // Another reader rebuilt it while this one waited.
        return Ok(());
    }
    let catalogue = async {
        let mut conn = app.db.read().await?;
        load(&mut conn, &app.config, app.now_ms()).await
    }
    .await?;
    snapshot.replace(catalogue);
    snapshot.loaded.fetch_max(target, Ordering::AcqRel);
    Ok(())
}

async fn load(conn: &mut Conn, config: &crate::config::Config, now: i64) -> DbResult<Catalogue> {
    // The version first: a change that lands while the rest is read moves it again, and the
    // next poll reloads.
    let version = version(conn).await?;
    let products = products::list(conn, None).await?;
    let settings = crate::service::settings::on(conn, config).await?;
    Ok(Catalogue {
        version,
        by_code: products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), i))
            .collect(),
        products,
        closed: store_state::paused(conn).await?,
        popular_codes: crate::db::storefront::popular_codes(conn, now - 30 * 86_400_000, 6).await?,
        art_versions: crate::db::catalogue_names::art_versions(conn)
            .await?
            .into_iter()
            .collect(),
        manual_fulfilment: settings.fulfilment == crate::config::Fulfilment::Manual,
        seller_hours: settings.seller_hours,
        seller_whatsapp: settings.seller_whatsapp,
        customer_fee: settings.customer_fee,
        flash_sales: crate::db::flash_sales::since(conn, now).await?,
        rendered: Default::default(),
    })
}

async fn version(conn: &mut Conn) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT version FROM catalogue_version WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Runs until the process stops: every [`POLL`], reloads when another process moved the version
/// (or what sells most is due a recount).
pub async fn watch(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let seen = async {
            let mut conn = app.db.read().await?;
            version(&mut conn).await
        }
        .await;
        match seen {
            Ok(v) if v != app.catalogue.peek().version || app.catalogue.age() > POPULAR_EVERY => {
                app.catalogue.invalidate();
                if let Err(e) = reload(&app).await {
                    tracing::warn!(error = %e, "could not reload the catalogue");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the catalogue version"),
        }
    }
}
