//! Verified reviews: only the customer of a delivered order may review it, once, through the
//! unguessable link in the delivery message (`/ulasan/{code}/{token}`, the token an HMAC-SHA256
//! of the order code under a random key the store makes once and keeps in `settings`; tokens are
//! compared in constant time). The game page shows the visible ones; the seller hides (and shows
//! again) a review with a reason, and hidden ones are kept.

use hmac::{Hmac, Mac};
use madd_domain::review::{self, ReviewErrors};
use madd_domain::{OrderCode, OrderStatus};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::db::orders::Order;
use crate::db::reviews::{self, NewReview, ReviewRow};
use crate::db::{store_state, Conn};
use crate::error::{AppError, AppResult};

/// How many reviews the game page shows.
pub const ON_GAME_PAGE: i64 = 10;
/// How many reviews the seller's list shows.
pub const IN_ADMIN_LIST: i64 = 500;
/// The longest reason the seller may give for hiding a review.
pub const MAX_REASON: usize = 200;

fn sign(key: &str, code: &OrderCode) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(b"review:");
    mac.update(code.as_str().as_bytes());
    // 128 bits are plenty against guessing, and keep the WhatsApp link short.
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The key, made (and stored, first writer wins) if the store has none yet.
async fn key_in(app: &App, conn: &mut Conn) -> AppResult<String> {
    if let Some(k) = store_state::review_key(conn).await? {
        return Ok(k);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Ok(store_state::review_key_or(conn, &hex::encode(bytes), app.now_ms()).await?)
}

/// The review link's token for `code` (in the caller's transaction: the delivery's).
pub async fn token_in(app: &App, conn: &mut Conn, code: &OrderCode) -> AppResult<String> {
    Ok(sign(&key_in(app, conn).await?, code))
}

/// The review link's token for `code`, on a connection of its own.
pub async fn token(app: &App, code: &OrderCode) -> AppResult<String> {
    let mut conn = app.db.write().await?;
    token_in(app, &mut conn, code).await
}

/// The full review link for the delivery message (in the delivery's transaction).
pub async fn link_in(app: &App, conn: &mut Conn, code: &OrderCode) -> AppResult<String> {
    let token = token_in(app, conn, code).await?;
    Ok(app.config.link(&format!("/ulasan/{code}/{token}")))
}

fn bad_link() -> AppError {
    AppError::not_found("review_link_not_found", "Link ulasan")
}

/// What an open review link is about.
#[derive(Clone, Debug)]
pub struct Reviewable {
    pub order: Order,
    /// The game as the storefront names it now (stored with the review).
    pub game: String,
    pub already_reviewed: bool,
}

/// Checks a review link: a wrong token or an unknown code → 404 (the same answer, so the link
/// tells nothing about which codes exist); an order that is not delivered → 409.
async fn check_in(app: &App, conn: &mut Conn, code: &str, token: &str) -> AppResult<Reviewable> {
    let code = OrderCode::parse(code).ok_or_else(bad_link)?;
    // No key yet: no link was ever given out.
    let key = store_state::review_key(conn).await?.ok_or_else(bad_link)?;
    let expected = sign(&key, &code);
    if token.len() != expected.len() || !bool::from(expected.as_bytes().ct_eq(token.as_bytes())) {
        return Err(bad_link());
    }
    let order = crate::db::orders::by_code(conn, &code)
        .await?
        .ok_or_else(bad_link)?;
    if order.status != OrderStatus::Delivered {
        return Err(AppError::conflict(
            "order_not_delivered",
            format!(
                "Pesanan {} belum selesai dikirim, jadi belum bisa diulas. Coba lagi setelah \
                 pesanan sukses.",
                order.code
            ),
        ));
    }
    let already_reviewed = reviews::exists(conn, order.id).await?;
    let catalogue = crate::service::catalogue_snapshot::current(app).await?;
    let game = catalogue
        .product(&order.product_code)
        .map(|p| p.game().to_string())
        .unwrap_or_else(|| order.brand.clone());
    Ok(Reviewable {
        order,
        game,
        already_reviewed,
    })
}

/// Opens a review link (the form's page).
pub async fn open(app: &App, code: &str, token: &str) -> AppResult<Reviewable> {
    let mut conn = app.db.read().await?;
    check_in(app, &mut conn, code, token).await
}

/// What became of a submitted review.
#[derive(Debug)]
pub enum Submitted {
    Recorded(Reviewable),
    /// The order had a review already: nothing changed.
    AlreadyReviewed(Reviewable),
    /// The form had mistakes: nothing stored.
    Invalid(Reviewable, ReviewErrors),
}

/// Records a review through its link, once per order.
pub async fn submit(
    app: &App,
    code: &str,
    token: &str,
    stars: &str,
    text: &str,
) -> AppResult<Submitted> {
    let mut tx = app.db.begin().await?;
    let target = check_in(app, &mut tx, code, token).await?;
    if target.already_reviewed {
        return Ok(Submitted::AlreadyReviewed(target));
    }
    let review = match review::parse(stars, text) {
        Ok(r) => r,
        Err(e) => return Ok(Submitted::Invalid(target, e)),
    };
    let inserted = reviews::insert(
        &mut tx,
        &NewReview {
            order_id: target.order.id,
            product_code: &target.order.product_code,
            game: &target.game,
            whatsapp: target.order.whatsapp.as_str(),
            stars: i64::from(review.stars),
            text: &review.text,
        },
        app.now_ms(),
    )
    .await?;
    tx.commit().await?;
    if !inserted {
        // A second submission that raced the first: the key kept one row.
        return Ok(Submitted::AlreadyReviewed(target));
    }
    tracing::info!(order = %target.order.code, stars = review.stars, "review recorded");
    Ok(Submitted::Recorded(target))
}

/// A game's visible reviews (the latest [`ON_GAME_PAGE`]) and (sum of stars, count) of all of
/// them. `codes` are the products the game page shows.
pub async fn for_products(app: &App, codes: &[String]) -> AppResult<(Vec<ReviewRow>, i64, i64)> {
    let mut conn = app.db.read().await?;
    let latest = reviews::visible_for(&mut conn, codes, ON_GAME_PAGE).await?;
    let (sum, count) = reviews::totals_for(&mut conn, codes).await?;
    Ok((latest, sum, count))
}

/// Every review for the seller, hidden ones included, newest first.
pub async fn all(app: &App) -> AppResult<Vec<ReviewRow>> {
    let mut conn = app.db.read().await?;
    Ok(reviews::list(&mut conn, IN_ADMIN_LIST).await?)
}

async fn order_id(conn: &mut Conn, code: &str) -> AppResult<i64> {
    let not_found = || AppError::not_found("review_not_found", "Ulasan");
    let code = OrderCode::parse(code).ok_or_else(not_found)?;
    Ok(crate::db::orders::by_code(conn, &code)
        .await?
        .ok_or_else(not_found)?
        .id)
}

/// The seller hides a review (kept, with who and why); the reason is required.
pub async fn hide(app: &App, code: &str, reason: &str, actor: &str) -> AppResult<()> {
    let reason = madd_domain::text::clean_line(reason, MAX_REASON);
    if reason.is_empty() {
        return Err(AppError::invalid(
            "review_hide_reason",
            "Tulis alasan menyembunyikan ulasan.",
        ));
    }
    let mut conn = app.db.write().await?;
    let id = order_id(&mut conn, code).await?;
    if !reviews::hide(&mut conn, id, actor, &reason, app.now_ms()).await? {
        return Err(AppError::not_found("review_not_found", "Ulasan"));
    }
    tracing::info!(order = %code, %actor, "review hidden");
    Ok(())
}

/// The seller shows a hidden review again.
pub async fn show(app: &App, code: &str, actor: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    let id = order_id(&mut conn, code).await?;
    if !reviews::show(&mut conn, id).await? {
        return Err(AppError::not_found("review_not_found", "Ulasan"));
    }
    tracing::info!(order = %code, %actor, "review shown again");
    Ok(())
}
