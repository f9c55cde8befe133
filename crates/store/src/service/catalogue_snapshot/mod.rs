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

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::db::products;
use crate::db::store_state;
use crate::db::{Conn, DbResult};

/// How often a process looks at the version row (other processes' changes).
pub const POLL: Duration = Duration::from_secs(1);
/// What sells most is recounted this often even when nothing else changed.
const POPULAR_EVERY: Duration = Duration::from_secs(60);

pub mod snapshot;

pub use snapshot::Catalogue;

/// The current catalogue: the snapshot, rebuilt first if this process marked it stale.
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
        payment_cost: settings.payment_cost,
        markup_min: settings.markup.min,
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
