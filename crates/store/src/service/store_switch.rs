//! The seller's open/closed switch: `tutup` / `buka` in the chat and the dashboard's button. A
//! closed store still shows its catalogue and its orders; it refuses new orders
//! ([`crate::service::orders::ensure_open`]).

use crate::app::App;
use crate::db::store_state;
use crate::error::AppResult;

pub async fn set_closed(app: &App, closed: bool, actor: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    store_state::set_paused(&mut conn, closed, app.now_ms()).await?;
    drop(conn);
    // Pages carry the banner: this process rebuilds them now, others on their next check.
    app.catalogue.invalidate();
    tracing::info!(closed, actor, "store opened/closed by the seller");
    Ok(())
}
