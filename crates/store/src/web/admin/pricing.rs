//! Pricing: the markup rules and the price history they made.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::{Category, Rupiah};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::pricing::RuleScope;
use crate::error::AppError;
use crate::service::pricing::{self, PriceRules};
use crate::web::admin::view::{invalid, non_empty, CsrfForm};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct RuleView {
    id: i64,
    scope: &'static str,
    target: String,
    rate: String,
    min: String,
}

struct PriceChangeView {
    at: String,
    code: String,
    cost: String,
    price: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin/pricing.html")]
struct PricingPage {
    csrf: String,
    flash: Option<String>,
    default_rule: String,
    guard: String,
    rules: Vec<RuleView>,
    scopes: Vec<(&'static str, &'static str)>,
    history: Vec<PriceChangeView>,
    product: String,
}

#[derive(Deserialize)]
pub(crate) struct PricingQuery {
    product: Option<String>,
    done: Option<String>,
}

pub(crate) async fn pricing_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<PricingQuery>,
) -> PageResult {
    let unit = app.unit();
    let mut conn = app.db.write().await?;
    let rules = PriceRules::load(&mut conn, &app).await?;
    let history = crate::db::pricing::price_history(&mut conn, non_empty(&q.product), 200).await?;
    drop(conn);
    let old_new = |old: Option<Rupiah>, new: Rupiah| match old {
        Some(o) if o != new => format!("{} → {}", o.display_spaced(), new.display_spaced()),
        _ => new.display_spaced(),
    };
    Ok(render(&PricingPage {
        csrf: s.csrf_token.clone(),
        flash: q
            .done
            .map(|n| format!("Aturan disimpan; {n} harga berubah.")),
        default_rule: format!(
            "{} (min {})",
            rules.default.rate,
            rules.default.min.display_spaced()
        ),
        guard: format!(
            "{} + {} per pembayaran; harga dibulatkan ke {}",
            rules.rail.cut.rate,
            rules.rail.cut.fixed.display_spaced(),
            unit.display_spaced()
        ),
        rules: rules
            .rules
            .iter()
            .map(|r| RuleView {
                id: r.id,
                scope: r.scope.label_id(),
                target: r.target.clone(),
                rate: madd_domain::Bps::new(u32::try_from(r.rate_bps).unwrap_or(0)).to_string(),
                min: r.min_markup.display_spaced(),
            })
            .collect(),
        scopes: pricing::SCOPES
            .iter()
            .map(|s| (s.as_str(), s.label_id()))
            .collect(),
        history: history
            .into_iter()
            .map(|h| PriceChangeView {
                at: clock::human(h.at),
                cost: old_new(h.old_cost, h.new_cost),
                price: old_new(h.old_price, h.new_price),
                code: h.product_code,
                reason: h.reason,
            })
            .collect(),
        product: q.product.unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct RuleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    min: String,
}

pub(crate) async fn rule_save(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<RuleForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let scope = RuleScope::parse(&f.scope)
        .filter(|s| pricing::SCOPES.contains(s))
        .ok_or_else(|| invalid("Cakupan aturan tidak dikenal"))?;
    let target = f.target.trim();
    if target.is_empty() || target.len() > 100 {
        return Err(invalid("Isi kategori, brand atau kode produk"));
    }
    if scope == RuleScope::Category && target.parse::<Category>().is_err() {
        return Err(invalid("Kategori tidak dikenal"));
    }
    let rate = madd_domain::Bps::parse_percent(&f.percent).map_err(|e| invalid(e.to_string()))?;
    if rate > madd_domain::Bps::new(100_000) {
        return Err(invalid("Markup paling besar 1000%"));
    }
    let min = if f.min.trim().is_empty() {
        Rupiah::ZERO
    } else {
        Rupiah::parse_typed(&f.min).map_err(|e| invalid(e.to_string()))?
    };
    if min.is_negative() {
        return Err(invalid("Markup minimum tidak boleh negatif"));
    }
    {
        let mut conn = app.db.write().await?;
        crate::db::pricing::upsert_markup_rule(
            &mut conn,
            scope,
            target,
            i64::from(rate.value()),
            min,
            app.now_ms(),
        )
        .await?;
    }
    tracing::info!(%scope, %target, %rate, %min, actor = %s.actor(), "markup rule saved");
    let changed = pricing::reprice(&app, &format!("aturan markup oleh {}", s.actor())).await?;
    Ok(Redirect::to(&format!("/admin/pricing?done={changed}")).into_response())
}

pub(crate) async fn rule_delete(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    {
        let mut conn = app.db.write().await?;
        crate::db::pricing::delete_markup_rule(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("rule_not_found", "Aturan"))?;
    }
    let changed =
        pricing::reprice(&app, &format!("aturan markup dihapus oleh {}", s.actor())).await?;
    Ok(Redirect::to(&format!("/admin/pricing?done={changed}")).into_response())
}
