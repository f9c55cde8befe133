//! Vouchers: the seller makes them and switches them off; each shows how much of it is used.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::voucher::{self, Amount, Scope, Voucher};
use madd_domain::{Bps, Rupiah};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::vouchers;
use crate::web::admin::view::{invalid, parse_day, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};
use axum::extract::Query;

struct VoucherView {
    code: String,
    amount: String,
    conditions: String,
    window: String,
    used: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/vouchers.html")]
struct VouchersPage {
    csrf: String,
    flash: Option<String>,
    vouchers: Vec<VoucherView>,
    picker: Vec<(String, String)>,
}

fn describe_amount(a: &Amount) -> String {
    match a {
        Amount::Percent { rate, cap } => match cap {
            Some(c) => format!("{rate} (maks. {})", c.display_spaced()),
            None => rate.to_string(),
        },
        Amount::Fixed(r) => r.display_spaced(),
    }
}

pub(crate) async fn vouchers_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let mut conn = app.db.read().await?;
    let list = vouchers::list(&mut conn).await?;
    let picker = crate::web::admin::view::product_picker(&mut conn).await?;
    drop(conn);
    Ok(render(&VouchersPage {
        csrf: s.csrf_token.clone(),
        picker,
        flash: done.done.map(|d| match d.as_str() {
            "off" => "Voucher dimatikan.".to_string(),
            "on" => "Voucher dinyalakan.".to_string(),
            _ => "Voucher dibuat.".to_string(),
        }),
        vouchers: list
            .into_iter()
            .map(|r| {
                let v = r.voucher;
                let mut conditions = Vec::new();
                if v.min_purchase.is_positive() {
                    conditions.push(format!("min. {}", v.min_purchase.display_spaced()));
                }
                if !matches!(v.scope, Scope::All) {
                    conditions.push(format!("{}: {}", v.scope.kind(), v.scope.value()));
                }
                if let Some(n) = v.per_number {
                    conditions.push(format!("{n}× per nomor"));
                }
                if v.first_order_only {
                    conditions.push("pembelian pertama".into());
                }
                if v.below_cost {
                    conditions.push("boleh di bawah modal".into());
                }
                VoucherView {
                    code: v.code.clone(),
                    amount: describe_amount(&v.amount),
                    conditions: if conditions.is_empty() {
                        "semua produk".into()
                    } else {
                        conditions.join(", ")
                    },
                    window: format!(
                        "{} – {}",
                        clock::human(v.starts_at),
                        clock::human(v.ends_at)
                    ),
                    used: match v.total_uses {
                        Some(t) => format!("{} / {t}", r.used),
                        None => format!("{} / ∞", r.used),
                    },
                    active: v.active,
                }
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct VoucherForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    /// `percent` or `fixed`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    cap: String,
    #[serde(default)]
    min_purchase: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    scope_value: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    total_uses: String,
    #[serde(default)]
    per_number: String,
    #[serde(default)]
    first_order_only: Option<String>,
    #[serde(default)]
    below_cost: Option<String>,
}

fn optional_count(text: &str, what: &str) -> Result<Option<i64>, crate::web::page::PageError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| invalid(format!("{what}: '{t}' bukan angka")))
}

fn rupiah(text: &str) -> Result<Rupiah, crate::web::page::PageError> {
    if text.trim().is_empty() {
        return Ok(Rupiah::ZERO);
    }
    Rupiah::parse_typed(text).map_err(|e| invalid(e.to_string()))
}

pub(crate) async fn voucher_add(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<VoucherForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let code = voucher::normalize_code(&f.code)
        .ok_or_else(|| invalid("Kode voucher: 3–20 huruf, angka atau '-'"))?;
    let amount = match f.kind.as_str() {
        "percent" => {
            let pct: f64 = f
                .value
                .trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| invalid(format!("Persen '{}' bukan angka", f.value)))?;
            if !(0.0..=100.0).contains(&pct) {
                return Err(invalid("Persen diskon harus antara 0 dan 100"));
            }
            let cap = rupiah(&f.cap)?;
            Amount::Percent {
                rate: Bps::new((pct * 100.0).round() as u32),
                cap: cap.is_positive().then_some(cap),
            }
        }
        "fixed" => Amount::Fixed(rupiah(&f.value)?),
        _ => return Err(invalid("Jenis voucher: persen atau potongan tetap")),
    };
    let scope = Scope::parse(
        if f.scope.is_empty() { "all" } else { &f.scope },
        &f.scope_value,
    )
    .ok_or_else(|| {
        invalid("Cakupan voucher tidak dikenal (isi kategori, game atau kode produk)")
    })?;
    let now = app.now_ms();
    let starts_at = if f.starts.trim().is_empty() {
        now
    } else {
        parse_day(&f.starts)?
    };
    // The end day is included: the voucher runs to its midnight. No end: 30 days.
    let ends_at = if f.ends.trim().is_empty() {
        starts_at + 30 * 24 * 60 * 60 * 1000
    } else {
        parse_day(&f.ends)? + 24 * 60 * 60 * 1000
    };
    crate::service::vouchers::create(
        &app,
        Voucher {
            code,
            amount,
            min_purchase: rupiah(&f.min_purchase)?,
            scope,
            starts_at,
            ends_at,
            total_uses: optional_count(&f.total_uses, "Kuota total")?,
            per_number: optional_count(&f.per_number, "Kuota per nomor")?,
            first_order_only: f.first_order_only.is_some(),
            below_cost: f.below_cost.is_some(),
            active: true,
        },
        &s.actor(),
    )
    .await?;
    Ok(Redirect::to("/admin/vouchers?done=created").into_response())
}

#[derive(Deserialize)]
pub(crate) struct SwitchForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    active: String,
}

pub(crate) async fn voucher_switch(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<SwitchForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let on = f.active == "true";
    let mut conn = app.db.write().await?;
    if !vouchers::set_active(&mut conn, f.code.trim(), on).await? {
        return Err(crate::error::AppError::not_found("voucher_not_found", "Voucher").into());
    }
    Ok(Redirect::to(if on {
        "/admin/vouchers?done=on"
    } else {
        "/admin/vouchers?done=off"
    })
    .into_response())
}
