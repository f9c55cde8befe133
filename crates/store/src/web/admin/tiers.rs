//! Members and resellers: the approved resellers and each tier's markup rules.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::{Rupiah, Tier};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::pricing::RuleScope;
use crate::db::tiers;
use crate::web::admin::view::{invalid, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct ResellerView {
    number: String,
    whatsapp: String,
    note: String,
    since: String,
    by: String,
}

struct RuleView {
    tier: &'static str,
    tier_label: &'static str,
    scope: &'static str,
    scope_label: &'static str,
    target: String,
    rule: String,
}

#[derive(Template)]
#[template(path = "admin/tiers.html")]
struct TiersPage {
    csrf: String,
    flash: Option<String>,
    resellers: Vec<ResellerView>,
    rules: Vec<RuleView>,
    auto_spend: String,
}

pub(crate) async fn tiers_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let settings = crate::service::settings::current(&app).await?;
    let mut conn = app.db.read().await?;
    let resellers = tiers::resellers(&mut conn).await?;
    let rules = tiers::rules(&mut conn).await?;
    drop(conn);
    Ok(render(&TiersPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|d| match d.as_str() {
            "removed" => "Reseller dihapus.".to_string(),
            "rule" => "Aturan harga disimpan.".to_string(),
            "rule_removed" => "Aturan harga dihapus.".to_string(),
            _ => "Reseller disetujui.".to_string(),
        }),
        resellers: resellers
            .into_iter()
            .map(|r| ResellerView {
                number: madd_domain::PhoneNumber::parse(&r.whatsapp)
                    .map(|p| p.grouped())
                    .unwrap_or_else(|_| r.whatsapp.clone()),
                whatsapp: r.whatsapp,
                note: r.note,
                since: clock::human(r.approved_at),
                by: r.approved_by,
            })
            .collect(),
        rules: rules
            .into_iter()
            .map(|r| RuleView {
                tier: r.tier.as_str(),
                tier_label: r.tier.label_id(),
                scope: r.scope.as_str(),
                scope_label: r.scope.label_id(),
                target: r.target.clone(),
                rule: format!(
                    "{}.{:02}% (min. {})",
                    r.rate_bps / 100,
                    r.rate_bps % 100,
                    r.min_markup.display_spaced()
                ),
            })
            .collect(),
        auto_spend: if settings.reseller_auto_spend.is_positive() {
            settings.reseller_auto_spend.display_spaced()
        } else {
            "mati".into()
        },
    }))
}

#[derive(Deserialize)]
pub(crate) struct ResellerForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    whatsapp: String,
    #[serde(default)]
    note: String,
    /// `remove` takes the approval away.
    #[serde(default)]
    action: String,
}

pub(crate) async fn reseller_change(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<ResellerForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if f.action == "remove" {
        let mut conn = app.db.write().await?;
        tiers::remove(&mut conn, f.whatsapp.trim()).await?;
        return Ok(Redirect::to("/admin/tiers?done=removed").into_response());
    }
    crate::service::tiers::approve(&app, &f.whatsapp, &f.note, &s.actor()).await?;
    Ok(Redirect::to("/admin/tiers?done=approved").into_response())
}

#[derive(Deserialize)]
pub(crate) struct RuleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    action: String,
}

pub(crate) async fn rule_change(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<RuleForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let tier = Tier::parse(&f.tier).ok_or_else(|| invalid("Tingkat harga tidak dikenal"))?;
    let scope = RuleScope::parse(f.scope.trim()).ok_or_else(|| invalid("Cakupan aturan tidak dikenal"))?;
    if f.action == "remove" {
        let mut conn = app.db.write().await?;
        tiers::delete_rule(&mut conn, tier, scope, f.target.trim()).await?;
        return Ok(Redirect::to("/admin/tiers?done=rule_removed").into_response());
    }
    let rate = madd_domain::Bps::parse_percent(&f.percent).map_err(|e| invalid(e.to_string()))?;
    let min = if f.min.trim().is_empty() {
        Rupiah::ZERO
    } else {
        Rupiah::parse_typed(&f.min).map_err(|e| invalid(e.to_string()))?
    };
    crate::service::tiers::set_rule(
        &app,
        tier,
        scope,
        &f.target,
        i64::from(rate.value()),
        min,
    )
    .await?;
    Ok(Redirect::to("/admin/tiers?done=rule").into_response())
}
