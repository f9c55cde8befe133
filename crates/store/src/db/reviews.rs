//! Verified reviews (migration 0022): one per delivered order, hidden by the seller rather than
//! deleted.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

/// A stored review, with the order code it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub order_id: i64,
    pub order_code: String,
    pub product_code: String,
    pub game: String,
    pub whatsapp: String,
    pub stars: i64,
    pub text: String,
    pub created_at: i64,
    pub hidden_at: Option<i64>,
    pub hidden_by: Option<String>,
    pub hidden_reason: Option<String>,
}

const COLUMNS: &str = "r.order_id, o.code AS order_code, r.product_code, r.game, r.whatsapp, \
    r.stars, r.text, r.created_at, r.hidden_at, r.hidden_by, r.hidden_reason";

fn from_row(r: &AnyRow) -> DbResult<ReviewRow> {
    Ok(ReviewRow {
        order_id: r.try_get("order_id")?,
        order_code: r.try_get("order_code")?,
        product_code: r.try_get("product_code")?,
        game: r.try_get("game")?,
        whatsapp: r.try_get("whatsapp")?,
        stars: r.try_get("stars")?,
        text: r.try_get("text")?,
        created_at: r.try_get("created_at")?,
        hidden_at: r.try_get("hidden_at")?,
        hidden_by: r.try_get("hidden_by")?,
        hidden_reason: r.try_get("hidden_reason")?,
    })
}

/// What a new review stores.
pub struct NewReview<'a> {
    pub order_id: i64,
    pub product_code: &'a str,
    pub game: &'a str,
    pub whatsapp: &'a str,
    pub stars: i64,
    pub text: &'a str,
}

/// Records a review; `false` when the order has one already (nothing changes then).
pub async fn insert(conn: &mut Conn, r: &NewReview<'_>, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO reviews (order_id, product_code, game, whatsapp, stars, text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(r.order_id)
    .bind(r.product_code)
    .bind(r.game)
    .bind(r.whatsapp)
    .bind(r.stars)
    .bind(r.text)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn exists(conn: &mut Conn, order_id: i64) -> DbResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM reviews WHERE order_id = $1")
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// The latest visible reviews of the products `codes`, newest first.
pub async fn visible_for(
    conn: &mut Conn,
    codes: &[String],
    limit: i64,
) -> DbResult<Vec<ReviewRow>> {
    let mut out = Vec::new();
    for code in codes {
        let sql = format!(
            "SELECT {COLUMNS} FROM reviews r JOIN orders o ON o.id = r.order_id \
             WHERE r.product_code = $1 AND r.hidden_at IS NULL \
             ORDER BY r.created_at DESC, r.order_id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(code)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
        for r in &rows {
            out.push(from_row(r)?);
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.order_id)));
    out.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(out)
}

/// The visible reviews of the products `codes`: (sum of stars, count).
pub async fn totals_for(conn: &mut Conn, codes: &[String]) -> DbResult<(i64, i64)> {
    let (mut sum, mut count) = (0, 0);
    for code in codes {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(stars), 0) AS BIGINT) AS total, \
             CAST(COUNT(*) AS BIGINT) AS n FROM reviews WHERE product_code = $1 AND hidden_at IS NULL",
        )
        .bind(code)
        .fetch_one(&mut *conn)
        .await?;
        sum += row.try_get::<i64, _>("total")?;
        count += row.try_get::<i64, _>("n")?;
    }
    Ok((sum, count))
}

/// Every review, hidden ones too, newest first (the seller's list; bounded).
pub async fn list(conn: &mut Conn, limit: i64) -> DbResult<Vec<ReviewRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews r JOIN orders o ON o.id = r.order_id \
         ORDER BY r.created_at DESC, r.order_id DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

/// Hides a review, recording who and why; `false` when there is no such review.
pub async fn hide(
    conn: &mut Conn,
    order_id: i64,
    by: &str,
    reason: &str,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE reviews SET hidden_at = $1, hidden_by = $2, hidden_reason = $3 WHERE order_id = $4",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Shows a hidden review again (who hid it and why are cleared with it).
pub async fn show(conn: &mut Conn, order_id: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE reviews SET hidden_at = NULL, hidden_by = NULL, hidden_reason = NULL \
         WHERE order_id = $1",
    )
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
