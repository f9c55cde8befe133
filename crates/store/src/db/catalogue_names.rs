//! The seller's names for the supplier's catalogue: which game each supplier brand is shown as
//! (`game_names`) and each product's name and place (`product_names`). Read with the products
//! (`db::products`); a row whose values are all defaults is deleted, not kept.

use sqlx::Row;

use super::{Conn, DbResult};

/// A supplier brand as the seller has it shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameName {
    pub brand: String,
    pub game: String,
    pub position: i64,
    pub aliases: String,
}

/// Every supplier brand with products, with the seller's names where set.
pub async fn games(conn: &mut Conn) -> DbResult<Vec<(GameName, String, i64)>> {
    let rows = sqlx::query(
        "SELECT p.brand AS brand, MIN(p.category) AS category, \
         CAST(COUNT(*) AS BIGINT) AS products, COALESCE(MAX(g.game), '') AS game, \
         COALESCE(MAX(g.position), 0) AS position, COALESCE(MAX(g.aliases), '') AS aliases \
         FROM products p LEFT JOIN game_names g ON g.brand = p.brand \
         GROUP BY p.brand ORDER BY MIN(p.category), p.brand",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                GameName {
                    brand: r.try_get("brand")?,
                    game: r.try_get("game")?,
                    position: r.try_get("position")?,
                    aliases: r.try_get("aliases")?,
                },
                r.try_get("category")?,
                r.try_get("products")?,
            ))
        })
        .collect()
}

pub async fn set_game(conn: &mut Conn, g: &GameName, now: i64) -> DbResult<()> {
    if g.game.is_empty() && g.position == 0 && g.aliases.is_empty() {
        sqlx::query("DELETE FROM game_names WHERE brand = $1")
            .bind(&g.brand)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO game_names (brand, game, position, aliases, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (brand) DO UPDATE SET game = excluded.game, position = excluded.position, \
         aliases = excluded.aliases, updated_at = excluded.updated_at",
    )
    .bind(&g.brand)
    .bind(&g.game)
    .bind(g.position)
    .bind(&g.aliases)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_product(
    conn: &mut Conn,
    code: &str,
    label: &str,
    position: i64,
    now: i64,
) -> DbResult<()> {
    if label.is_empty() && position == 0 {
        sqlx::query("DELETE FROM product_names WHERE code = $1")
            .bind(code)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO product_names (code, label, position, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET label = excluded.label, position = excluded.position, \
         updated_at = excluded.updated_at",
    )
    .bind(code)
    .bind(label)
    .bind(position)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An uploaded image for a game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Art {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: i64,
}

pub async fn set_art(
    conn: &mut Conn,
    slug: &str,
    content_type: &str,
    bytes: &[u8],
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO game_art (slug, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (slug) DO UPDATE SET content_type = excluded.content_type, \
         bytes = excluded.bytes, updated_at = excluded.updated_at",
    )
    .bind(slug)
    .bind(content_type)
    .bind(bytes)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn remove_art(conn: &mut Conn, slug: &str) -> DbResult<bool> {
    Ok(sqlx::query("DELETE FROM game_art WHERE slug = $1")
        .bind(slug)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0)
}

pub async fn art(conn: &mut Conn, slug: &str) -> DbResult<Option<Art>> {
    let row = sqlx::query("SELECT content_type, bytes, updated_at FROM game_art WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(Art {
            content_type: r.try_get("content_type")?,
            bytes: r.try_get("bytes")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// Which games have uploaded art, and since when (the pages' cache-busting version).
pub async fn art_versions(conn: &mut Conn) -> DbResult<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT slug, updated_at FROM game_art")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("slug")?, r.try_get("updated_at")?)))
        .collect()
}

/// Remembers that `slug` was the address of `brand`'s game (before a rename or merge); a later
/// rename that gives the address back to another brand takes it over.
pub async fn remember_slug(conn: &mut Conn, slug: &str, brand: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO game_slugs (slug, brand, recorded_at) VALUES ($1, $2, $3) \
         ON CONFLICT (slug) DO UPDATE SET brand = excluded.brand, recorded_at = excluded.recorded_at",
    )
    .bind(slug)
    .bind(brand)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The brand whose game once had the address `slug`.
pub async fn brand_of_old_slug(conn: &mut Conn, slug: &str) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT brand FROM game_slugs WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The game name `brand` is shown under now (its own name unless the seller gave it one).
pub async fn game_of(conn: &mut Conn, brand: &str) -> DbResult<String> {
    let game: Option<String> = sqlx::query_scalar("SELECT game FROM game_names WHERE brand = $1")
        .bind(brand)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(game
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| brand.to_string()))
}
