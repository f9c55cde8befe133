//! The home page: every brand by category, what sells most, and search.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use madd_domain::{Category, ServiceKind};
use serde::Deserialize;

use crate::app::App;
use crate::db::products::Product;
use crate::service::catalogue_snapshot::{self, Catalogue};
use crate::web::closed::Closed;
use crate::web::i18n::{Lang, Texts};
use crate::web::page::{from_snapshot, render, PageError, PageResult};
use crate::web::storefront::view::{listed, postpaid_product, slug, BrandTile, Group, PopularView};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    t: &'static Texts,
    closed: bool,
    q: String,
    groups: Vec<Group>,
    popular: Vec<PopularView>,
    /// Flash sales running now (with units left), above everything else.
    sales: Vec<SaleStrip>,
    empty: bool,
}

/// A running flash sale on the home page.
struct SaleStrip {
    href: String,
    art: String,
    name: String,
    price: String,
    was: String,
    until: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct HomeQuery {
    #[serde(default)]
    q: String,
}

fn tile(href: String, art: String, name: &str, items: &[&Product], t: &Texts) -> BrandTile {
    let cheapest = items.iter().filter(|p| p.sellable()).map(|p| p.price).min();
    let mut search = name.to_lowercase();
    search.push(' ');
    search.push_str(&madd_domain::chat::search_aliases(name));
    for p in items {
        search.push(' ');
        search.push_str(&p.label().to_lowercase());
        // The supplier's names and the seller's aliases find the game too.
        search.push(' ');
        search.push_str(&madd_domain::chat::search_aliases(&p.brand));
        search.push(' ');
        search.push_str(&p.shown.aliases.to_lowercase());
    }
    BrandTile {
        href,
        art,
        name: name.to_string(),
        from_price: cheapest
            .map(|p| format!("{} {}", t.from, p.display_spaced()))
            .unwrap_or_else(|| t.out_of_stock.to_string()),
        available: cheapest.is_some(),
        search,
    }
}

pub(crate) async fn home(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Query(q): Query<HomeQuery>,
) -> PageResult {
    if q.q.trim().is_empty() {
        // A sale that starts or ends changes the page (no database change marks that moment).
        let sales = catalogue_snapshot::current(&app)
            .await?
            .running_sales_key(app.now_ms());
        let key = format!("home:{}:{closed}:{sales}", t.code);
        let app2 = app.clone();
        return from_snapshot(&app, key, || async move {
            let building = app2.clone();
            super::seo::scoped(&building, "/", home_page(app2, t, closed, q)).await
        })
        .await;
    }
    let building = app.clone();
    super::seo::scoped(&building, "/", home_page(app, t, closed, q)).await
}

async fn home_page(
    app: App,
    t: &'static crate::web::i18n::Texts,
    closed: bool,
    q: HomeQuery,
) -> PageResult {
    let all = listed(&app).await?;
    let catalogue = catalogue_snapshot::current(&app).await?;
    let mut by_cat: BTreeMap<Category, BTreeMap<String, Vec<&Product>>> = BTreeMap::new();
    for p in &all {
        by_cat
            .entry(p.category)
            .or_default()
            .entry(p.game().to_string())
            .or_default()
            .push(p);
    }
    let tiles_of = |c: Category| brand_tiles(by_cat.get(&c), &catalogue, t);
    let phone_items: Vec<&Product> = all
        .iter()
        .filter(|p| matches!(p.category, Category::Pulsa | Category::Data))
        .collect();
    let pln = pln_tiles(&all, &catalogue, t);
    let pulsa = if phone_items.is_empty() {
        vec![]
    } else {
        vec![tile(
            "/pulsa".into(),
            "/art/pulsa.svg".into(),
            t.pulsa_tile,
            &phone_items,
            t,
        )]
    };
    let mut groups = vec![
        Group {
            id: "game",
            label: t.cat_games,
            tiles: tiles_of(Category::Game),
        },
        Group {
            id: "pulsa",
            label: t.cat_pulsa,
            tiles: pulsa,
        },
        Group {
            id: "pln",
            label: t.cat_pln,
            tiles: pln,
        },
        Group {
            id: "voucher",
            label: t.cat_voucher,
            tiles: tiles_of(Category::Voucher),
        },
    ];
    let q_norm = q.q.trim().to_lowercase();
    if !q_norm.is_empty() {
        for g in &mut groups {
            g.tiles.retain(|b| b.search.contains(&q_norm));
        }
    }
    groups.retain(|g| !g.tiles.is_empty());
    let popular = popular(&app, &all).await?;
    let sales = if q_norm.is_empty() {
        sale_strip(&app, &all, &catalogue)
    } else {
        vec![]
    };
    Ok(render(&Home {
        sales,
        t,
        closed,
        q: q.q.trim().to_string(),
        empty: all.is_empty(),
        groups,
        popular: if q_norm.is_empty() { popular } else { vec![] },
    }))
}

/// One category's games in the seller's order (then by name); merged supplier brands are one
/// tile.
fn brand_tiles(
    games: Option<&BTreeMap<String, Vec<&Product>>>,
    catalogue: &Catalogue,
    t: &Texts,
) -> Vec<BrandTile> {
    let mut games: Vec<(&String, &Vec<&Product>)> =
        games.map(|g| g.iter().collect()).unwrap_or_default();
    games.sort_by_key(|(game, items)| {
        let position = items
            .iter()
            .map(|p| p.shown.game_position)
            .min()
            .unwrap_or(0);
        (position, game.to_lowercase())
    });
    games
        .into_iter()
        .map(|(game, items)| {
            tile(
                format!("/produk/{}", slug(game)),
                catalogue.art_url(&slug(game)),
                game,
                items,
                t,
            )
        })
        .collect()
}

/// PLN: prepaid tokens as one tile, and the postpaid bill's own page when it is sold.
fn pln_tiles(all: &[Product], catalogue: &Catalogue, t: &Texts) -> Vec<BrandTile> {
    let token_items: Vec<&Product> = all
        .iter()
        .filter(|p| p.category == Category::Pln && p.kind != ServiceKind::Postpaid)
        .collect();
    let mut pln = Vec::new();
    if !token_items.is_empty() {
        pln.push(tile(
            format!("/produk/{}", slug(token_items[0].game())),
            "/art/token-pln.svg".into(),
            t.token_tile,
            &token_items,
            t,
        ));
    }
    if let Some(b) = &postpaid_product(catalogue) {
        pln.push(BrandTile {
            href: "/pln/tagihan".into(),
            art: "/art/tagihan-pln.svg".into(),
            name: t.bill_tile.into(),
            from_price: String::new(),
            available: b.sellable(),
            search: format!("tagihan pln pascabayar bill {}", b.name.to_lowercase()),
        });
    }
    pln
}

/// The flash sales running now that still have units, soonest ending first.
fn sale_strip(app: &App, all: &[Product], catalogue: &Catalogue) -> Vec<SaleStrip> {
    let now = app.now_ms();
    let mut running: Vec<_> = catalogue
        .flash_sales
        .iter()
        .filter(|s| s.running(now) && s.left() > 0)
        .filter_map(|s| {
            let p = all.iter().find(|p| p.code == s.product_code && p.sellable())?;
            (s.price < p.price).then_some((s, p))
        })
        .collect();
    running.sort_by_key(|(s, _)| s.ends_at);
    running
        .into_iter()
        .take(6)
        .map(|(s, p)| SaleStrip {
            href: format!("/produk/{}?pilih={}", slug(p.game()), p.code),
            art: catalogue.art_url(&slug(p.game())),
            name: p.label().to_string(),
            price: s.price.display_spaced(),
            was: p.price.display_spaced(),
            until: crate::clock::human(s.ends_at),
        })
        .collect()
}

/// The most ordered products of the last 30 days; before there are orders, the cheapest
/// item of the first game brands.
async fn popular(app: &App, all: &[Product]) -> Result<Vec<PopularView>, PageError> {
    let catalogue = catalogue_snapshot::current(app).await?;
    let now = app.now_ms();
    let sale_price = |code: &str| {
        catalogue
            .flash_sales
            .iter()
            .find(|s| s.product_code == code && s.running(now) && s.left() > 0)
            .map(|s| s.price)
    };
    let codes = catalogue.popular_codes.clone();
    let mut picked: Vec<&Product> = codes
        .iter()
        .filter_map(|c| all.iter().find(|p| &p.code == c && p.sellable()))
        .collect();
    if picked.len() < 6 {
        let mut seen: Vec<&str> = picked.iter().map(|p| p.game()).collect();
        for p in all
            .iter()
            .filter(|p| p.category == Category::Game && p.sellable())
        {
            if picked.len() >= 6 {
                break;
            }
            if !seen.contains(&p.game()) {
                seen.push(p.game());
                picked.push(p);
            }
        }
    }
    Ok(picked
        .into_iter()
        .map(|p| PopularView {
            href: format!("/produk/{}?pilih={}", slug(p.game()), p.code),
            art: catalogue.art_url(&slug(p.game())),
            brand: p.game().to_string(),
            name: p.label().to_string(),
            price: sale_price(&p.code)
                .filter(|s| *s < p.price)
                .map_or_else(
                    || p.price.display_spaced(),
                    |s| format!("⚡ {} (dari {})", s.display_spaced(), p.price.display_spaced()),
                ),
        })
        .collect())
}
