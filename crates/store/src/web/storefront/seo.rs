//! Links that look good when shared, and search engines: `/sitemap.xml`, `/robots.txt`, and the
//! `<head>` tags of the storefront's pages — the canonical URL, Open Graph and Twitter card tags,
//! and a game page's JSON-LD `Product`. Every URL is absolute (`Config::link`); the preview image
//! they name is `og_image`'s.
//!
//! A page's own URL reaches the base template through [`page_url`], a middleware that keeps it in
//! a task-local while the page is built (only for the fixed storefront pages; a game page passes
//! its [`Head`] itself, so an unknown game's 404 page names no canonical URL).

use std::collections::BTreeMap;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use madd_domain::{Rupiah, ServiceKind};
use serde_json::json;

use crate::app::App;
use crate::db::products::Product;
use crate::service::catalogue_snapshot::{self, Catalogue};
use crate::web::i18n::Texts;
use crate::web::page::{from_snapshot, PageResult};
use crate::web::storefront::view::slug;

/// The store's name as shared links show it.
pub const STORE_NAME: &str = "Madd Store";

/// The preview image's size (what Facebook, WhatsApp and X ask for).
pub const OG_WIDTH: u32 = 1200;
pub const OG_HEIGHT: u32 = 630;

/// The storefront pages with a fixed URL (a game page's is its own).
const FIXED_PAGES: [&str; 4] = ["/", "/pulsa", "/pln/tagihan", "/cek"];

/// What a page's `<head>` says about it to search engines and link previews.
#[derive(Clone, Debug)]
pub struct Head {
    /// `og:title` / `twitter:title`.
    pub title: String,
    pub description: String,
    /// The canonical URL, absolute.
    pub url: String,
    /// The preview image, absolute.
    pub image: String,
    /// `website`, or `product` on a game page.
    pub og_type: &'static str,
    /// A game page's JSON-LD, ready to go inside its `<script>` (see [`script_json`]).
    pub json_ld: Option<String>,
}

tokio::task_local! {
    /// The page being built: its path, and its absolute URL.
    static PAGE: (&'static str, String);
}

/// Keeps the fixed storefront pages' own URL for the base template while they are built.
pub async fn page_url(State(app): State<App>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    match FIXED_PAGES.iter().find(|p| **p == path) {
        Some(&fixed) => {
            PAGE.scope((fixed, app.config.link(fixed)), next.run(request))
                .await
        }
        None => next.run(request).await,
    }
}

/// Runs `page` (the building of a fixed storefront page) with its own URL at hand for the base
/// template. The home page calls it only when it builds the page, not on every request for the
/// page built once per catalogue (the per-request middleware cost a third of its throughput).
pub async fn scoped<F: std::future::Future>(app: &App, path: &'static str, page: F) -> F::Output {
    PAGE.scope((path, app.config.link(path)), page).await
}

/// The tags of a fixed storefront page (home, pulsa, PLN bill, order tracking), from the URL
/// [`page_url`] kept; `None` on every other page.
pub fn page_head(t: &Texts) -> Option<Head> {
    let (path, url) = PAGE.try_with(Clone::clone).ok()?;
    let title = match path {
        "/" => format!("{STORE_NAME} – {}", t.hero_title),
        "/pulsa" => format!("{} – {STORE_NAME}", t.pulsa_title),
        "/pln/tagihan" => format!("{} – {STORE_NAME}", t.bill_title),
        _ => format!("{} – {STORE_NAME}", t.track_title),
    };
    let image = url
        .strip_suffix(path)
        .map(|base| format!("{base}/og/home.png"))
        .unwrap_or_default();
    Some(Head {
        title,
        description: t.hero_text.to_string(),
        url,
        image,
        og_type: "website",
        json_ld: None,
    })
}

/// A game's products as its page lists them (`forms::brand_products`' rule).
pub fn game_items<'a>(catalogue: &'a Catalogue, slug_wanted: &str) -> Vec<&'a Product> {
    catalogue
        .listed()
        .filter(|p| p.kind != ServiceKind::Postpaid && slug(p.game()) == slug_wanted)
        .collect()
}

/// Every game (brand) page: slug → the game's name.
pub fn game_pages(catalogue: &Catalogue) -> BTreeMap<String, String> {
    catalogue
        .listed()
        .filter(|p| p.kind != ServiceKind::Postpaid)
        .map(|p| (slug(p.game()), p.game().to_string()))
        .collect()
}

/// The cheapest and dearest price a customer can buy now; `None` when nothing is sellable.
pub fn sellable_range<'a>(
    items: impl IntoIterator<Item = &'a Product>,
) -> Option<(Rupiah, Rupiah)> {
    items
        .into_iter()
        .filter(|p| p.sellable())
        .map(|p| p.price)
        .fold(None, |range, price| match range {
            None => Some((price, price)),
            Some((lo, hi)) => Some((lo.min(price), hi.max(price))),
        })
}

/// `Rp 3.000 – Rp 1.330.000` (one price when they are the same).
pub fn range_text((lo, hi): (Rupiah, Rupiah)) -> String {
    if lo == hi {
        lo.display_spaced()
    } else {
        format!("{} – {}", lo.display_spaced(), hi.display_spaced())
    }
}

/// A game page's `<title>`: the game and its price range.
pub fn game_title(game: &str, range: Option<(Rupiah, Rupiah)>, t: &Texts) -> String {
    match range {
        Some(r) => format!("Top up {game} {} – {STORE_NAME}", range_text(r)),
        None => format!("Top up {game} ({}) – {STORE_NAME}", t.out_of_stock),
    }
}

/// A game page's tags and JSON-LD. `items` are the page's products (not empty).
pub fn game_head(app: &App, items: &[Product], description: &str, t: &Texts) -> Head {
    let game = items[0].game();
    let game_slug = slug(game);
    let range = sellable_range(items);
    let image = app.config.link(&format!("/og/{game_slug}.png"));
    let ld = product_json_ld(game, &image, description, items);
    Head {
        title: game_title(game, range, t),
        description: description.to_string(),
        url: app.config.link(&format!("/produk/{game_slug}")),
        image,
        og_type: "product",
        json_ld: Some(script_json(&ld)),
    }
}

/// The schema.org `Product` of a game page, its offers aggregated: the sellable prices' range,
/// or (nothing sellable) the listed prices' with `OutOfStock`.
pub fn product_json_ld(
    game: &str,
    image: &str,
    description: &str,
    items: &[Product],
) -> serde_json::Value {
    let sellable = items.iter().filter(|p| p.sellable()).count();
    let (lo, hi) = sellable_range(items)
        .or_else(|| {
            let prices = items.iter().map(|p| p.price);
            Some((prices.clone().min()?, prices.max()?))
        })
        .unwrap_or_default();
    json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": game,
        "image": image,
        "description": description,
        "brand": {"@type": "Brand", "name": game},
        "offers": {
            "@type": "AggregateOffer",
            "priceCurrency": "IDR",
            "lowPrice": lo.amount(),
            "highPrice": hi.amount(),
            "offerCount": sellable,
            "availability": if sellable > 0 {
                "https://schema.org/InStock"
            } else {
                "https://schema.org/OutOfStock"
            },
        },
    })
}

/// JSON that can sit inside a `<script>` element: no text in it can end the element (`</`
/// becomes `<\/`) or open an HTML comment (`<!--`); it parses as the same JSON.
pub fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace("</", "<\\/")
        .replace("<!--", "\\u003c!--")
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The sitemap of `catalogue`: the fixed storefront pages, then every game page.
pub fn sitemap_xml(app: &App, catalogue: &Catalogue) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let games = game_pages(catalogue);
    let paths = FIXED_PAGES
        .iter()
        .map(|p| p.to_string())
        .chain(games.keys().map(|s| format!("/produk/{s}")));
    for path in paths {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_xml(&app.config.link(&path)));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `GET /sitemap.xml`, built once per catalogue version.
pub(crate) async fn sitemap(State(app): State<App>) -> PageResult {
    let app2 = app.clone();
    from_snapshot(&app, "seo:sitemap.xml".into(), || async move {
        let catalogue = catalogue_snapshot::current(&app2).await?;
        Ok((
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            sitemap_xml(&app2, &catalogue),
        )
            .into_response())
    })
    .await
}

/// `GET /robots.txt`: the storefront is for everyone; the dashboard, the API, the sandbox,
/// orders, accounts and webhooks are not for search engines.
pub(crate) async fn robots(State(app): State<App>) -> Response {
    let body = format!(
        "User-agent: *\n\
         Allow: /\n\
         Disallow: /admin\n\
         Disallow: /api/\n\
         Disallow: /sandbox\n\
         Disallow: /order/\n\
         Disallow: /akun\n\
         Disallow: /webhooks/\n\
         Disallow: /bahasa/\n\
         \n\
         Sitemap: {}\n",
        app.config.link("/sitemap.xml")
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_script() {
        let v = json!({"name": "</script><script>alert(1)</script><!-- x"});
        let s = script_json(&v);
        assert!(!s.contains("</") && !s.contains("<!--"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn ranges() {
        let r = (Rupiah::new(3_000), Rupiah::new(1_330_000));
        assert_eq!(range_text(r), "Rp 3.000 – Rp 1.330.000");
        assert_eq!(range_text((r.0, r.0)), "Rp 3.000");
        assert_eq!(escape_xml("a&b<'\""), "a&amp;b&lt;&apos;&quot;");
    }
}
