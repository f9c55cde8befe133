//! The invoice's way to pay when a gateway makes a QRIS per order: the code itself, drawn here
//! from the gateway's QR text (SVG in the page, no script; a PNG to save and open from an e-wallet
//! app on the same phone), the exact amount, the merchant name the payer's app will show, and
//! the time left. While the QRIS is being made the invoice says so and looks again soon.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use madd_domain::rail::AttemptState;
use madd_domain::RailId;

use crate::app::App;
use crate::db::orders::Order;
use crate::db::payment_attempts::PayAttempt;
use crate::error::{AppError, AppResult};
use crate::service::{orders, rails};

/// How the invoice asks for the money.
pub enum PayView {
    /// A gateway's QRIS for the exact amount.
    Qris(Qris),
    /// A gateway that gave no QR text (Tripay's sandbox): its own pay page.
    Hosted { rail: &'static str, url: String },
    /// The QRIS is being made.
    Preparing,
    /// Trakteer's link and steps (`pay_url` on the invoice).
    Trakteer,
}

pub struct Qris {
    pub rail: &'static str,
    /// The code, drawn as SVG.
    pub svg: String,
    /// The merchant name in the code (what the payer's app shows), when it says.
    pub merchant: Option<String>,
    pub amount: String,
    pub expires_ms: i64,
    pub reference: String,
}

/// What the invoice shows for paying `order` now.
pub async fn view(app: &App, order: &Order) -> AppResult<PayView> {
    if !rails::makes_payments(app) {
        return Ok(PayView::Trakteer);
    }
    let Some(attempt) = rails::current(app, order.id).await? else {
        return Ok(PayView::Preparing);
    };
    Ok(match attempt.state {
        AttemptState::Creating => PayView::Preparing,
        _ if attempt.rail == RailId::Trakteer => PayView::Trakteer,
        _ => gateway_view(&attempt)?,
    })
}

fn gateway_view(attempt: &PayAttempt) -> AppResult<PayView> {
    let Some(text) = attempt.qr_string.as_deref() else {
        return Ok(
            match attempt
                .checkout_url
                .clone()
                .or_else(|| attempt.qr_url.clone())
            {
                Some(url) => PayView::Hosted {
                    rail: attempt.rail.label(),
                    url,
                },
                None => PayView::Preparing,
            },
        );
    };
    Ok(PayView::Qris(Qris {
        rail: attempt.rail.label(),
        svg: drawn(text)?,
        merchant: madd_domain::qris::parse(text)
            .ok()
            .map(|p| p.merchant_name)
            .filter(|n| !n.is_empty()),
        amount: attempt.amount.display_spaced(),
        expires_ms: attempt.expires_at,
        reference: attempt.merchant_ref.clone(),
    }))
}

/// The code's SVG, drawn once per QR text: a polled or shared invoice must not encode a QR code
/// on every request. Bounded; a full memory simply starts over.
fn drawn(text: &str) -> AppResult<String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static DRAWN: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let memory = DRAWN.get_or_init(Mutex::default);
    if let Some(svg) = memory
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(text)
    {
        return Ok(svg.clone());
    }
    let fresh = svg(text)?;
    let mut m = memory.lock().unwrap_or_else(PoisonError::into_inner);
    if m.len() >= 2_048 {
        m.clear();
    }
    m.insert(text.to_string(), fresh.clone());
    Ok(fresh)
}

fn code(text: &str) -> AppResult<qrcode::QrCode> {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(format!("QRIS code: {e}")))
}

/// The code as an SVG element for the page (dark on white, with its quiet zone: scanners need
/// both, whatever the page's colours).
fn svg(text: &str) -> AppResult<String> {
    let svg = code(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // The page embeds the element, not a document.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |start| svg[start..].to_string()))
}

/// The order's QRIS as a PNG to save: e-wallet apps open a code from the phone's gallery, which
/// takes pictures, not SVG.
pub(crate) async fn png(State(app): State<App>, Path(code): Path<String>) -> AppResult<Response> {
    let order = orders::view(&app, &code).await?;
    let text = match rails::current(&app, order.id).await? {
        Some(a) if order.status.accepts_payment() => a.qr_string,
        _ => None,
    }
    .ok_or_else(|| AppError::not_found("nothing_to_pay", "QRIS"))?;
    let bytes = png_of(&text)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"QRIS-{}.png\"", order.code),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Draws the code at 8 pixels a module with a 4-module quiet zone.
fn png_of(text: &str) -> AppResult<Vec<u8>> {
    const SCALE: u32 = 8;
    const QUIET: u32 = 4;
    let qr = code(text)?;
    let width = u32::try_from(qr.width()).map_err(AppError::internal)?;
    let colors = qr.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / SCALE, y / SCALE);
        let dark = mx >= QUIET
            && my >= QUIET
            && mx < width + QUIET
            && my < width + QUIET
            && colors[((my - QUIET) * width + (mx - QUIET)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(AppError::internal)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_a_picture_of_the_code() {
        let bytes = png_of("00020101021226").unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_luma8();
        // Quiet zone white, the finder pattern's corner dark.
        assert_eq!(img.get_pixel(0, 0).0[0], 255);
        assert_eq!(img.get_pixel(4 * 8, 4 * 8).0[0], 0);
        assert_eq!(img.width(), img.height());
    }

    #[test]
    fn the_svg_is_an_element() {
        let s = svg("hello").unwrap();
        assert!(s.starts_with("<svg"), "{s}");
        assert!(!s.contains("<?xml"));
    }
}
