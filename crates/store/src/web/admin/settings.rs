//! Settings, with the audit trail of who changed what.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};

use crate::app::App;
use crate::clock;
use crate::doctor::{Check, Outcome};
use crate::service::pricing;
use crate::service::{settings, store_checks};
use crate::web::admin::view::{check_label, CsrfForm, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct SettingView {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
    stored: bool,
    /// `(value, label)` for a choice; empty for a typed value.
    choices: &'static [(&'static str, &'static str)],
}

struct AuditView {
    at: String,
    actor: String,
    key: String,
    old: String,
    new: String,
}

/// The settings page's sections: what the seller changes often first, the money rules after.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "Sehari-hari",
        &[
            "fulfilment",
            "failed_refund",
            "seller_notice",
            "seller_whatsapp",
            "seller_hours",
            "low_balance_threshold",
            "watchdog_minutes",
        ],
    ),
    (
        "Harga jual",
        &[
            "markup_percent",
            "markup_min",
            "fee_percent",
            "fee_fixed",
            "reseller_auto_spend",
        ],
    ),
    (
        "Potongan pembayaran & laporan",
        &[
            "payment_fee_percent",
            "payment_fee_fixed",
            "service_share_percent",
        ],
    ),
    (
        "Biaya deposit supplier",
        &[
            "deposit_fee_gopay_percent",
            "deposit_fee_gopay_fixed",
            "deposit_fee_bank_percent",
            "deposit_fee_bank_fixed",
            "deposit_fee_qris_percent",
            "deposit_fee_qris_fixed",
            "deposit_fee_other_percent",
            "deposit_fee_other_fixed",
        ],
    ),
];

/// One line of the store's checks as the page shows it.
struct CheckView {
    /// `ok`, `warn` or `fail`: the row's class and mark.
    state: &'static str,
    name: &'static str,
    text: String,
    fix: String,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    csrf: String,
    flash: Option<String>,
    /// The settings by group, the daily ones first.
    groups: Vec<(&'static str, Vec<SettingView>)>,
    audit: Vec<AuditView>,
    /// When the checks last ran, and their lines; `None` before the first run.
    checks: Option<(String, Vec<CheckView>)>,
}

fn check_view(check: &Check) -> CheckView {
    let name = check_label(&check.name);
    let (state, text, fix) = match &check.outcome {
        Outcome::Ok(detail) => ("ok", detail.clone(), String::new()),
        Outcome::Warn { what, fix } => ("warn", what.clone(), fix.clone()),
        Outcome::Fail { what, fix } => ("fail", what.clone(), fix.clone()),
    };
    CheckView {
        state,
        name,
        text,
        fix,
    }
}

pub(crate) async fn settings_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let current = settings::current(&app).await?;
    let checks = store_checks::latest(&app).await?;
    let mut conn = app.db.read().await?;
    let audit = crate::db::settings::settings_audit(&mut conn, 50).await?;
    drop(conn);
    Ok(render(&SettingsPage {
        csrf: s.csrf_token.clone(),
        flash: match done.done.as_deref() {
            Some("checks") => {
                Some("Pemeriksaan dijalankan; muat ulang halaman sebentar lagi.".into())
            }
            Some(n) => Some(format!("{n} pengaturan disimpan.")),
            None => None,
        },
        checks: checks.map(|c| {
            (
                clock::human(c.at),
                c.checks.iter().map(check_view).collect(),
            )
        }),
        groups: GROUPS
            .iter()
            .map(|(title, keys)| {
                let settings = keys
                    .iter()
                    .filter_map(|k| settings::spec(k))
                    .map(|spec| {
                        let (value, stored) =
                            current.values.get(spec.key).cloned().unwrap_or_default();
                        SettingView {
                            key: spec.key,
                            label: spec.label,
                            help: spec.help,
                            value,
                            stored,
                            choices: match spec.kind {
                                settings::Kind::Choice(c) => c,
                                _ => &[],
                            },
                        }
                    })
                    .collect();
                (*title, settings)
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                at: clock::human(a.at),
                actor: a.actor,
                key: a.key,
                old: a.old_value.unwrap_or_else(|| "(bawaan)".into()),
                new: a.new_value,
            })
            .collect(),
    }))
}

pub(crate) async fn settings_save(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    s.check_csrf(token)?;
    let changes: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let changed = settings::update(&app, &s.actor(), &changes).await?;
    // Markup and payment-fee changes move prices: apply them to the catalogue now.
    if changed
        .iter()
        .any(|k| k.starts_with("markup_") || k.starts_with("payment_fee_"))
    {
        pricing::reprice(&app, &format!("pengaturan diubah oleh {}", s.actor())).await?;
    }
    Ok(Redirect::to(&format!("/admin/settings?done={}", changed.len())).into_response())
}

/// The seller asks for the store's checks to run now.
pub(crate) async fn checks_run(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    store_checks::request(&app).await?;
    Ok(Redirect::to("/admin/settings?done=checks#checks").into_response())
}

#[cfg(test)]
mod tests {
    use super::GROUPS;

    #[test]
    fn every_setting_is_on_the_page_once() {
        let mut shown: Vec<&str> = GROUPS
            .iter()
            .flat_map(|(_, keys)| keys.iter().copied())
            .collect();
        let mut specs: Vec<&str> = crate::service::settings::SPECS
            .iter()
            .map(|s| s.key)
            .collect();
        shown.sort_unstable();
        specs.sort_unstable();
        assert_eq!(shown, specs);
    }
}
