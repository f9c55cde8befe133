//! A brand's page: its nominals, the account form and the nickname check.

use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::app::App;
use crate::web::closed::Closed;
use crate::web::i18n::Lang;
use crate::web::page::{from_snapshot, render, PageResult};
use crate::web::storefront::forms::{brand_products, brand_view, FormValues};

/// What "Ubah pesanan" brings back: the nominal, the account and the WhatsApp number.
#[derive(Deserialize, Default)]
pub(crate) struct BrandQuery {
    #[serde(default)]
    pilih: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    wa: String,
}

pub(crate) async fn brand_page(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: crate::web::customer::Customer,
    Path(slug_wanted): Path<String>,
    Query(q): Query<BrandQuery>,
) -> PageResult {
    let result = brand_page_for(app.clone(), t, closed, customer, slug_wanted.clone(), q).await;
    super::forms::or_moved(&app, &slug_wanted, "", result).await
}

async fn brand_page_for(
    app: App,
    t: &'static crate::web::i18n::Texts,
    closed: bool,
    customer: crate::web::customer::Customer,
    slug_wanted: String,
    q: BrandQuery,
) -> PageResult {
    // A signed-in member or reseller sees their own prices: built for them, never cached.
    if let Some(owner) = customer.0 {
        let tier = {
            let mut conn = app.db.read().await?;
            crate::service::tiers::tier_of(&app, &mut conn, Some(&owner), &owner, app.now_ms())
                .await?
        };
        let mut items = brand_products(&app, &slug_wanted).await?;
        let mut lower = false;
        if tier != madd_domain::Tier::Guest {
            // The rules once for the whole page, not once per nominal.
            let rules = {
                let mut conn = app.db.read().await?;
                crate::service::pricing::PriceRules::load(&mut conn, &app).await?
            };
            for p in &mut items {
                let mine = rules
                    .price_for(tier, p.cost, p.category, &p.brand, &p.code)
                    .min(p.price);
                lower |= mine < p.price;
                p.price = mine;
            }
        }
        let art = crate::service::catalogue_snapshot::current(&app)
            .await?
            .art_url(&slug_wanted);
        let keep = |s: String| s.chars().take(64).collect::<String>();
        let mut page = brand_view(
            &app,
            &items,
            art,
            FormValues {
                selected: keep(q.pilih),
                target: keep(q.id),
                zone: keep(q.zone),
                whatsapp: if q.wa.is_empty() {
                    owner.local()
                } else {
                    keep(q.wa)
                },
                ..FormValues::default()
            },
            t,
            closed,
        );
        if lower {
            page.tier_note = Some(format!(
                "Harga {} untuk {} (masuk di Akun).",
                tier.label_id().to_lowercase(),
                owner.grouped()
            ));
        }
        return Ok(render(&page));
    }
    let build = |app: App, slug: String, values: FormValues| async move {
        let items = brand_products(&app, &slug).await?;
        let art = crate::service::catalogue_snapshot::current(&app)
            .await?
            .art_url(&slug);
        Ok(render(&brand_view(&app, &items, art, values, t, closed)))
    };
    if q.pilih.is_empty() && q.id.is_empty() && q.wa.is_empty() {
        // Only a brand that exists is built (and so kept): an unknown slug answers 404.
        let sales = crate::service::catalogue_snapshot::current(&app)
            .await?
            .running_sales_key(app.now_ms());
        let key = format!("brand:{slug_wanted}:{}:{closed}:{sales}", t.code);
        let app2 = app.clone();
        return from_snapshot(&app, key, || {
            build(app2, slug_wanted, FormValues::default())
        })
        .await;
    }
    // Bounded: these are echoed into the page.
    let keep = |s: String| s.chars().take(64).collect::<String>();
    build(
        app,
        slug_wanted,
        FormValues {
            selected: keep(q.pilih),
            target: keep(q.id),
            zone: keep(q.zone),
            whatsapp: keep(q.wa),
            ..FormValues::default()
        },
    )
    .await
}
