//! The seller's curation of the catalogue: games as customers know them (a supplier brand renamed,
//! several merged into one game), their order and search words, and products' names and order.
//! Values are checked here; the catalogue's version moves by trigger, so every process shows the
//! change within a second.

use crate::app::App;
use crate::db::catalogue_names::{self, GameName};
use crate::db::products;
use crate::error::{AppError, AppResult};

const MAX_NAME: usize = 60;
const MAX_ALIASES: usize = 200;
const POSITIONS: std::ops::RangeInclusive<i64> = -999..=999;

/// One line of text a customer will read: trimmed, bounded, no control characters.
fn name(what: &str, input: &str) -> AppResult<String> {
    let text = input.trim();
    if text.chars().count() > MAX_NAME || text.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "invalid_name",
            format!("{what}: paling banyak {MAX_NAME} huruf, satu baris"),
        ));
    }
    Ok(text.to_string())
}

fn position(input: &str) -> AppResult<i64> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(0);
    }
    input
        .parse::<i64>()
        .ok()
        .filter(|p| POSITIONS.contains(p))
        .ok_or_else(|| AppError::invalid("invalid_position", "Urutan: angka -999 sampai 999"))
}

/// `ML, mlbb  Moba` → `ml mlbb moba`: lower-case words, the search box's form.
fn aliases(input: &str) -> AppResult<String> {
    let words: Vec<String> = input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let joined = words.join(" ");
    if joined.chars().count() > MAX_ALIASES || joined.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "invalid_aliases",
            format!("Kata pencarian: paling banyak {MAX_ALIASES} huruf"),
        ));
    }
    Ok(joined)
}

/// Shows supplier `brand` as `game` (empty: its own name), at `position`, found by `aliases`.
pub async fn set_game(
    app: &App,
    brand: &str,
    game: &str,
    position_text: &str,
    aliases_text: &str,
) -> AppResult<()> {
    let g = GameName {
        brand: brand.to_string(),
        game: name("Nama game", game)?,
        position: position(position_text)?,
        aliases: aliases(aliases_text)?,
    };
    let mut tx = app.db.begin().await?;
    let known: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE brand = $1")
            .bind(brand)
            .fetch_one(&mut *tx)
            .await?;
    if known == 0 {
        return Err(AppError::not_found("brand_not_found", "Brand"));
    }
    // The address the game had keeps leading to it (old links answer 301, not 404).
    let now = app.now_ms();
    let before = catalogue_names::game_of(&mut tx, brand).await?;
    catalogue_names::remember_slug(&mut tx, &madd_domain::text::slug(&before), brand, now).await?;
    catalogue_names::set_game(&mut tx, &g, now).await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    Ok(())
}

/// Shows product `code` as `label` (empty: the supplier's name) at `position` on its page.
pub async fn set_product(app: &App, code: &str, label: &str, position_text: &str) -> AppResult<()> {
    let label = name("Nama produk", label)?;
    let position = position(position_text)?;
    let mut tx = app.db.begin().await?;
    if products::get(&mut tx, code).await?.is_none() {
        return Err(AppError::not_found("product_not_found", "Produk"));
    }
    catalogue_names::set_product(&mut tx, code, &label, position, app.now_ms()).await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    Ok(())
}

/// The largest picture the store keeps for a game (a 512×512 WebP or JPEG is far smaller).
pub const MAX_ART_BYTES: usize = 256 * 1024;

/// The picture's type from its first bytes: PNG, JPEG or WebP. Anything else (SVG above all,
/// which can carry script) is refused, whatever its name or the browser's claim says.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Keeps `bytes` as the picture of the game `slug` (as the storefront names it).
pub async fn set_art(app: &App, slug: &str, bytes: &[u8]) -> AppResult<()> {
    if bytes.is_empty() {
        return Err(AppError::invalid("art_missing", "Pilih file gambar dulu"));
    }
    if bytes.len() > MAX_ART_BYTES {
        return Err(AppError::invalid(
            "art_too_large",
            format!("Gambar paling besar {} KB", MAX_ART_BYTES / 1024),
        ));
    }
    let Some(content_type) = image_type(bytes) else {
        return Err(AppError::invalid(
            "art_type",
            "Gambar harus PNG, JPEG atau WebP",
        ));
    };
    let known = crate::service::catalogue_snapshot::current(app)
        .await?
        .listed()
        .any(|p| madd_domain::text::slug(p.game()) == slug);
    if !known {
        return Err(AppError::not_found("game_not_found", "Game"));
    }
    let mut conn = app.db.write().await?;
    catalogue_names::set_art(&mut conn, slug, content_type, bytes, app.now_ms()).await?;
    drop(conn);
    app.catalogue.invalidate();
    Ok(())
}

/// Goes back to the tile the store draws for the game.
pub async fn remove_art(app: &App, slug: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    catalogue_names::remove_art(&mut conn, slug).await?;
    drop(conn);
    app.catalogue.invalidate();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_png_jpeg_and_webp_are_pictures() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn inputs_are_checked_and_normalised() {
        assert_eq!(aliases(" ML, mlbb  Moba ").unwrap(), "ml mlbb moba");
        assert_eq!(aliases("").unwrap(), "");
        assert!(aliases(&"x ".repeat(150)).is_err());
        assert_eq!(position("").unwrap(), 0);
        assert_eq!(position(" -5 ").unwrap(), -5);
        assert!(position("1000").is_err());
        assert!(position("satu").is_err());
        assert_eq!(name("n", "  Mobile Legends ").unwrap(), "Mobile Legends");
        assert!(name("n", "a\nb").is_err());
        assert!(name("n", &"a".repeat(61)).is_err());
    }
}
