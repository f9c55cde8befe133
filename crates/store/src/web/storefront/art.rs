//! Game art: the picture the seller uploaded (`/art/{slug}.img`, versioned by the page's URL), or
//! a small SVG made here from the game's initials (`/art/{slug}.svg`; no outside images).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::error::AppResult;

use crate::web::storefront::view::initials;

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Product art made by the store: a gradient tile with the brand's initials, its colours taken
/// from the name (stable, different per brand).
pub fn art_svg(name: &str) -> String {
    let label = match name {
        "pulsa" => "📱".to_string(),
        "token-pln" | "tagihan-pln" | "pln" => "⚡".to_string(),
        _ => initials(&name.replace('-', " ")),
    };
    // FNV-1a: a stable hue per name.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let hue = h % 360;
    let hue2 = (hue + 40) % 360;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 96 96\" width=\"96\" height=\"96\">\
         <defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">\
         <stop offset=\"0\" stop-color=\"hsl({hue},70%,45%)\"/><stop offset=\"1\" stop-color=\"hsl({hue2},80%,35%)\"/>\
         </linearGradient></defs><rect width=\"96\" height=\"96\" rx=\"22\" fill=\"url(#g)\"/>\
         <circle cx=\"78\" cy=\"18\" r=\"30\" fill=\"#fff\" opacity=\".12\"/>\
         <text x=\"48\" y=\"60\" font-family=\"system-ui,sans-serif\" font-size=\"34\" font-weight=\"800\" \
         fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
        escape_xml(&label)
    )
}

pub(crate) async fn art(State(app): State<App>, Path(name): Path<String>) -> AppResult<Response> {
    if let Some(stem) = name.strip_suffix(".img") {
        if !is_slug(stem) {
            return Ok(StatusCode::NOT_FOUND.into_response());
        }
        let mut conn = app.db.read().await?;
        let uploaded = crate::db::catalogue_names::art(&mut conn, stem).await?;
        drop(conn);
        return Ok(match uploaded {
            // Its URL carries its version: a new upload is a new URL.
            Some(a) => (
                [
                    (header::CONTENT_TYPE, a.content_type),
                    (
                        header::CACHE_CONTROL,
                        "public, max-age=31536000, immutable".to_string(),
                    ),
                ],
                a.bytes,
            )
                .into_response(),
            // Removed since the page was made: the drawn tile stands in.
            None => svg(stem),
        });
    }
    let Some(stem) = name.strip_suffix(".svg") else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    if !is_slug(stem) {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    Ok(svg(stem))
}

fn is_slug(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= 60
        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn svg(stem: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        art_svg(stem),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_is_escaped_svg() {
        let svg = art_svg("mobile-legends-b");
        assert!(svg.starts_with("<svg") && svg.contains(">ML</text>"));
        assert_ne!(art_svg("free-fire"), art_svg("genshin-impact"));
        assert_eq!(escape_xml("<a&\""), "&lt;a&amp;&quot;");
    }
}
