//! The seller's `tutup` as customers see it: every storefront page carries a banner and its
//! order forms are disabled. The guard stays on the server ([`crate::service::orders::ensure_open`]
//! refuses `/checkout` and order creation); the disabled forms only say so before a customer types.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::app::App;
use crate::web::page::PageError;

/// Whether the store is closed to new orders, from the catalogue snapshot (another instance of a
/// scaled-out store sees the seller's switch within a second; the order path itself checks the
/// database, `service::orders::ensure_open`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Closed(pub bool);

impl FromRequestParts<App> for Closed {
    type Rejection = PageError;

    async fn from_request_parts(_: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(Closed(
            crate::service::catalogue_snapshot::current(app)
                .await?
                .closed,
        ))
    }
}
