//! The catalogue snapshot itself — one consistent, immutable view of what the storefront shows —
//! and its holder, which swaps it whole. Plain data (it knows no `App`), so the application's
//! state can hold it; how it is loaded and renewed is the parent module's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use madd_domain::Category;
use tokio::sync::Mutex;

use crate::db::products::Product;

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
    /// The payment cut and the minimum markup: with the fee, what a guest's plain order is
    /// quoted with (`service::quote::guest`).
    pub payment_cost: madd_domain::PaymentCost,
    pub markup_min: madd_domain::Rupiah,
    /// Flash sales running or to come (each change to one moves the catalogue's version).
    pub flash_sales: Vec<crate::db::flash_sales::FlashSale>,
    /// Where each product code sits in `products`.
    pub(super) by_code: std::collections::HashMap<String, usize>,
    /// Pages and answers built from this snapshot alone, by a key naming what varies (language,
    /// closed flag, category): built once per snapshot, dropped with it.
    pub(super) rendered: std::sync::Mutex<std::collections::HashMap<String, Rendered>>,
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
    pub(super) wanted: AtomicU64,
    /// The `wanted` generation the current snapshot was read after.
    pub(super) loaded: AtomicU64,
    loaded_at: RwLock<Instant>,
    /// One reload at a time; others keep serving the old snapshot meanwhile.
    pub(super) reloading: Mutex<()>,
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

    pub(super) fn is_stale(&self) -> bool {
        self.loaded.load(Ordering::Acquire) < self.wanted.load(Ordering::Acquire)
    }

    /// The snapshot as it is, without looking at the database.
    pub fn peek(&self) -> Arc<Catalogue> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) fn replace(&self, catalogue: Catalogue) {
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(catalogue);
        *self
            .loaded_at
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    pub(super) fn age(&self) -> Duration {
        self.loaded_at
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .elapsed()
    }
}

impl Catalogue {
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
