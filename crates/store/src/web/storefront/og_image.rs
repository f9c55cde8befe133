//! The picture a shared link shows (`/og/{slug}.png`, `/og/home.png`): 1200×630, drawn here —
//! the store's name, the game and its price range on the brand's purple, with the art the seller
//! uploaded (else the game's initials on a tile).
//!
//! Only games of the catalogue are drawn (anything else is a 404), at most [`RENDERING`] at a
//! time, and kept in memory for the catalogue version they were drawn from (at most
//! [`CACHE_MAX`] of them), so a stranger cannot make the server draw without end.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use image::{ImageReader, Limits, Rgba, RgbaImage};
use tokio::sync::Semaphore;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::service::catalogue_snapshot::{self, Catalogue};
use crate::web::i18n;
use crate::web::storefront::seo::{self, OG_HEIGHT, OG_WIDTH, STORE_NAME};
use crate::web::storefront::view::initials;

/// DejaVu Sans Bold (its licence is `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// `--brand`, `--brand2` and a lighter purple from `static/app.css`.
const BRAND: [u8; 3] = [0x5a, 0x2e, 0xe8];
const BRAND2: [u8; 3] = [0xff, 0x7a, 0x1a];
const TILE: [u8; 3] = [0x8e, 0x5c, 0xff];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const SOFT: [u8; 3] = [0xe6, 0xdd, 0xff];

/// The most pictures kept per catalogue version.
const CACHE_MAX: usize = 64;
/// Pictures drawn at once.
static RENDERING: Semaphore = Semaphore::const_new(2);

struct Cache {
    /// The snapshot the pictures were drawn from (a `Weak` keeps its address from being reused).
    snapshot: Weak<Catalogue>,
    images: HashMap<String, Bytes>,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

fn cached(catalogue: &Arc<Catalogue>, key: &str) -> Option<Bytes> {
    let cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let c = cache.as_ref()?;
    if !std::ptr::eq(c.snapshot.as_ptr(), Arc::as_ptr(catalogue)) {
        return None;
    }
    c.images.get(key).cloned()
}

fn keep(catalogue: &Arc<Catalogue>, key: String, png: Bytes) {
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let fresh = match cache.as_ref() {
        Some(c) => {
            !std::ptr::eq(c.snapshot.as_ptr(), Arc::as_ptr(catalogue))
                || c.images.len() >= CACHE_MAX
        }
        None => true,
    };
    if fresh {
        *cache = Some(Cache {
            snapshot: Arc::downgrade(catalogue),
            images: HashMap::new(),
        });
    }
    if let Some(c) = cache.as_mut() {
        c.images.insert(key, png);
    }
}

/// What one picture shows.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub headline: String,
    pub subline: String,
    /// The seller's upload (PNG, JPEG or WebP); art that does not decode is left out.
    pub art: Option<Vec<u8>>,
    /// Drawn on a tile when there is no art; empty: no tile.
    pub initials: String,
}

/// `GET /og/{file}`: `home.png` or `<game slug>.png`.
pub(crate) async fn og_image(
    State(app): State<App>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let Some(stem) = file.strip_suffix(".png") else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let catalogue = catalogue_snapshot::current(&app).await?;
    let Some(mut card) = card_for(&catalogue, stem) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let png = match cached(&catalogue, stem) {
        Some(png) => png,
        None => {
            let _turn = RENDERING
                .acquire()
                .await
                .map_err(|e| AppError::internal(format!("og image: {e}")))?;
            match cached(&catalogue, stem) {
                Some(png) => png,
                None => {
                    if catalogue.art_versions.contains_key(stem) {
                        let mut conn = app.db.read().await?;
                        card.art = crate::db::catalogue_names::art(&mut conn, stem)
                            .await?
                            .map(|a| a.bytes);
                    }
                    let png = tokio::task::spawn_blocking(move || render(&card))
                        .await
                        .map_err(|e| AppError::internal(format!("og image: {e}")))??;
                    let png = Bytes::from(png);
                    keep(&catalogue, stem.to_string(), png.clone());
                    png
                }
            }
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        png,
    )
        .into_response())
}

/// The card of the home page or of a game of `catalogue`; `None` for anything else.
fn card_for(catalogue: &Catalogue, stem: &str) -> Option<Card> {
    if stem == "home" {
        let t = &i18n::ID;
        return Some(Card {
            headline: t.hero_title.to_string(),
            subline: "Game · Pulsa · Paket Data · PLN".to_string(),
            art: None,
            initials: String::new(),
        });
    }
    let items = seo::game_items(catalogue, stem);
    let first = items.first()?;
    Some(Card {
        headline: first.game().to_string(),
        subline: seo::sellable_range(items.iter().copied())
            .map(seo::range_text)
            .unwrap_or_else(|| i18n::ID.out_of_stock.to_string()),
        art: None,
        initials: initials(first.game()),
    })
}

/// Draws `card` as a 1200×630 PNG.
pub fn render(card: &Card) -> AppResult<Vec<u8>> {
    let font = FontRef::try_from_slice(FONT)
        .map_err(|e| AppError::internal(format!("og image font: {e}")))?;
    let mut img = RgbaImage::from_pixel(OG_WIDTH, OG_HEIGHT, rgba(BRAND));
    // The orange strip along the bottom.
    fill_rect(&mut img, 0, OG_HEIGHT as i32 - 18, OG_WIDTH, 18, BRAND2, 0);

    let margin = 72.0;
    let art = card.art.as_deref().and_then(decode_art);
    let has_tile = art.is_some() || !card.initials.is_empty();
    let text_right = if has_tile {
        760.0
    } else {
        OG_WIDTH as f32 - margin
    };
    let max_width = text_right - margin;

    // The store's name, "Madd" white and "Store" orange as in the header.
    let (madd, store) = STORE_NAME.split_once(' ').unwrap_or((STORE_NAME, ""));
    let x = draw_text(&mut img, &font, 48.0, margin, 110.0, madd, WHITE);
    draw_text(&mut img, &font, 48.0, x, 110.0, store, BRAND2);

    let (size, headline) = fit(&font, &card.headline, 88.0, 40.0, max_width);
    draw_text(&mut img, &font, size, margin, 330.0, &headline, WHITE);
    let (size, subline) = fit(&font, &card.subline, 52.0, 28.0, max_width);
    draw_text(&mut img, &font, size, margin, 420.0, &subline, SOFT);

    // The art (or the initials) on a tile at the right.
    let (tx, ty, side) = (800, 135, 340u32);
    if let Some(art) = art {
        fill_rect(&mut img, tx, ty, side, side, WHITE, 36);
        let inner = side - 40;
        let fitted = scale_to_fit(art, inner);
        let ox = tx + (side as i32 - fitted.width() as i32) / 2;
        let oy = ty + (side as i32 - fitted.height() as i32) / 2;
        image::imageops::overlay(&mut img, &fitted, i64::from(ox), i64::from(oy));
    } else if !card.initials.is_empty() {
        fill_rect(&mut img, tx, ty, side, side, TILE, 48);
        let scaled = font.as_scaled(PxScale::from(150.0));
        let w = text_width(&font, 150.0, &card.initials);
        let baseline = ty as f32 + side as f32 / 2.0 + (scaled.ascent() + scaled.descent()) / 2.0;
        draw_text(
            &mut img,
            &font,
            150.0,
            tx as f32 + (side as f32 - w) / 2.0,
            baseline,
            &card.initials,
            WHITE,
        );
    }

    let rgb = image::DynamicImage::ImageRgba8(img).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    rgb.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| AppError::internal(format!("og image encode: {e}")))?;
    Ok(out.into_inner())
}

/// The seller's art, decoded within limits (a small file can claim a huge picture); `None` if it
/// does not decode.
fn decode_art(bytes: &[u8]) -> Option<RgbaImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(4096);
    limits.max_image_height = Some(4096);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    match reader.decode() {
        Ok(img) => Some(img.to_rgba8()),
        Err(e) => {
            tracing::warn!(error = %e, "game art does not decode; the preview goes without it");
            None
        }
    }
}

/// `img` scaled (keeping its shape) so its longer side is `side`.
fn scale_to_fit(img: RgbaImage, side: u32) -> RgbaImage {
    let (w, h) = img.dimensions();
    let longer = w.max(h).max(1);
    let nw = (u64::from(w) * u64::from(side) / u64::from(longer)).max(1) as u32;
    let nh = (u64::from(h) * u64::from(side) / u64::from(longer)).max(1) as u32;
    if (nw, nh) == (w, h) {
        return img;
    }
    image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
}

fn rgba([r, g, b]: [u8; 3]) -> Rgba<u8> {
    Rgba([r, g, b, 255])
}

/// A filled rectangle with rounded corners of `radius`.
fn fill_rect(img: &mut RgbaImage, x: i32, y: i32, w: u32, h: u32, color: [u8; 3], radius: i32) {
    let (w, h) = (w as i32, h as i32);
    for dy in 0..h {
        for dx in 0..w {
            let cx = if dx < radius {
                radius - dx
            } else if dx >= w - radius {
                dx - (w - radius - 1)
            } else {
                0
            };
            let cy = if dy < radius {
                radius - dy
            } else if dy >= h - radius {
                dy - (h - radius - 1)
            } else {
                0
            };
            if cx > 0 && cy > 0 && cx * cx + cy * cy > radius * radius {
                continue;
            }
            let (px, py) = (x + dx, y + dy);
            if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height() {
                img.put_pixel(px as u32, py as u32, rgba(color));
            }
        }
    }
}

/// How wide `text` is at `size` pixels.
fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut last = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = last {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        last = Some(id);
    }
    width
}

/// The largest size from `max` down to `min` at which `text` fits `width`; below that, `text` is
/// cut short with an ellipsis at `min`.
fn fit(font: &FontRef<'_>, text: &str, max: f32, min: f32, width: f32) -> (f32, String) {
    let mut size = max;
    while size > min {
        if text_width(font, size, text) <= width {
            return (size, text.to_string());
        }
        size -= 4.0;
    }
    let mut cut: String = text.to_string();
    while !cut.is_empty() && text_width(font, min, &format!("{cut}…")) > width {
        cut.pop();
    }
    if cut.len() == text.len() {
        (min, cut)
    } else {
        (min, format!("{}…", cut.trim_end()))
    }
}

/// Draws `text` with its baseline at `y`, from `x`; returns where the next text would start.
fn draw_text(
    img: &mut RgbaImage,
    font: &FontRef<'_>,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
    color: [u8; 3],
) -> f32 {
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let mut caret = x;
    let mut last = None;
    let (width, height) = (img.width() as i32, img.height() as i32);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = last {
            caret += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret, y));
        caret += scaled.h_advance(id);
        last = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i32 + gx as i32;
            let py = bounds.min.y as i32 + gy as i32;
            if px < 0 || py < 0 || px >= width || py >= height {
                return;
            }
            let a = coverage.clamp(0.0, 1.0);
            let dst = img.get_pixel_mut(px as u32, py as u32);
            for (d, c) in dst.0.iter_mut().zip(color) {
                *d = (f32::from(*d) * (1.0 - a) + f32::from(c) * a).round() as u8;
            }
        });
    }
    caret
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> RgbaImage {
        image::load_from_memory_with_format(png, image::ImageFormat::Png)
            .unwrap()
            .to_rgba8()
    }

    #[test]
    fn draws_a_1200_by_630_png() {
        let png = render(&Card {
            headline: "Mobile Legends".into(),
            subline: "Rp 3.000 – Rp 1.330.000".into(),
            art: None,
            initials: "ML".into(),
        })
        .unwrap();
        let img = decode(&png);
        assert_eq!(img.dimensions(), (OG_WIDTH, OG_HEIGHT));
        // The background is the brand's purple; the text put white pixels on it.
        assert_eq!(img.get_pixel(10, 10), &rgba(BRAND));
        assert!(img.pixels().any(|p| p == &rgba(WHITE)));
    }

    #[test]
    fn draws_uploaded_art_and_skips_broken_art() {
        let mut art = RgbaImage::from_pixel(40, 20, Rgba([0, 200, 0, 255]));
        art.put_pixel(0, 0, Rgba([0, 0, 0, 255]));
        let mut bytes = Cursor::new(Vec::new());
        art.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        let with_art = decode(
            &render(&Card {
                headline: "A very long game name that cannot possibly fit on one line at all"
                    .into(),
                subline: "Rp 1.000".into(),
                art: Some(bytes.into_inner()),
                initials: "AV".into(),
            })
            .unwrap(),
        );
        assert!(with_art.pixels().any(|p| p == &Rgba([0, 200, 0, 255])));
        let broken = render(&Card {
            headline: "X".into(),
            subline: String::new(),
            art: Some(b"\x89PNG\r\n\x1a\nnot really".to_vec()),
            initials: "X".into(),
        })
        .unwrap();
        assert_eq!(decode(&broken).dimensions(), (OG_WIDTH, OG_HEIGHT));
    }
}
