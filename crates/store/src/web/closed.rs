//! The seller's `tutup` as customers see it: every storefront page carries a banner and its
//! order forms are disabled. The guard stays on the server ([`crate::service::chat::ensure_open`]
//! refuses `/checkout` and order creation); the disabled forms only say so before a customer types.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::app::App;
use crate::db::chat as repo;
use crate::web::pages::PageError;

/// Whether the store is closed to new orders right now (read per request: every instance of a
/// scaled-out store sees the seller's switch at once).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Closed(pub bool);

impl FromRequestParts<App> for Closed {
    type Rejection = PageError;

    async fn from_request_parts(_: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let mut conn = app.db.read().await?;
        Ok(Closed(repo::paused(&mut conn).await?))
    }
}
