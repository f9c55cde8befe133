//! The two order forms — a brand's (account and nominal) and the PLN bill's — shown by their
//! pages and shown again by checkout with what was typed and what was wrong.

use askama::Template;
use madd_domain::{ServiceKind, TargetRule};

use crate::app::App;
use crate::db::products::Product;
use crate::error::AppError;
use crate::web::i18n::Texts;
use crate::web::page::{PageError, PageResult};
use crate::web::storefront::view::{
    listed, nominal_groups, postpaid_product, slug, NominalGroupView,
};

#[derive(Template)]
#[template(path = "brand.html")]
pub(crate) struct BrandPage {
    pub t: &'static Texts,
    pub closed: bool,
    /// "Harga reseller untuk 0812-…": the signed-in buyer sees their own prices.
    pub tier_note: Option<String>,
    pub brand: String,
    pub art: String,
    pub target_label: &'static str,
    pub target_inputmode: &'static str,
    pub min_digits: usize,
    pub zone_label: Option<&'static str>,
    pub servers: Vec<(String, String)>,
    pub hint: &'static str,
    pub nickname_checked: bool,
    /// What the check finds: a game's nickname, or a PLN meter's owner.
    pub nickname_label: &'static str,
    pub probe: String,
    pub groups: Vec<NominalGroupView>,
    pub selected: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub errors: FieldErrors,
    /// The page's meta description: the game's name and its price range.
    pub description: String,
    /// The brand's slug, sent back with the form so a form without a nominal can be shown again.
    pub slug: String,
    /// What the page's script says, before sending, about an empty ID, nominal or number (the
    /// server says the same).
    pub missing: MissingTexts,
    /// The canonical URL, link-preview tags and JSON-LD (`seo::game_head`).
    pub seo: crate::web::storefront::seo::Head,
}

pub(crate) struct MissingTexts {
    pub target: String,
    pub product: String,
    pub whatsapp: String,
}

/// What was wrong with each field of an order form, shown beside the field.
#[derive(Default, Debug)]
pub(crate) struct FieldErrors {
    pub target: Option<String>,
    pub zone: Option<String>,
    pub product: Option<String>,
    pub whatsapp: Option<String>,
}

impl FieldErrors {
    /// The id of the first field (in page order) with an error: it gets the focus.
    pub fn first(&self) -> Option<&'static str> {
        [
            ("target", &self.target),
            ("zone", &self.zone),
            ("product", &self.product),
            ("whatsapp", &self.whatsapp),
        ]
        .into_iter()
        .find_map(|(id, e)| e.is_some().then_some(id))
    }

    /// An account error goes beside the field it is about.
    pub fn account(&mut self, t: &Texts, e: &madd_domain::AccountError) {
        use madd_domain::AccountError as E;
        let text = crate::web::i18n::account_error(t, e);
        match e {
            E::MissingZone { .. }
            | E::BadZone { .. }
            | E::UnknownServer { .. }
            | E::UnexpectedZone => self.zone = Some(text),
            _ => self.target = Some(text),
        }
    }
}

pub(crate) fn hint_for(rule: &TargetRule, t: &Texts) -> &'static str {
    use madd_domain::catalog::ZoneRule;
    let en = t.code == "en";
    match rule {
        TargetRule::Game { zone: ZoneRule::Digits { .. }, .. } if en => {
            "Open your profile in the game: the User ID and Zone ID are under your name, e.g. 123456789 (2345)."
        }
        TargetRule::Game { zone: ZoneRule::Digits { .. }, .. } => {
            "Buka profil di game: User ID dan Zone ID tertulis di bawah nama, contoh 123456789 (2345)."
        }
        TargetRule::Game { zone: ZoneRule::Server(_), .. } if en => {
            "The UID is in a corner of the Paimon/Phone menu; pick your account's server."
        }
        TargetRule::Game { zone: ZoneRule::Server(_), .. } => {
            "UID ada di pojok layar menu Paimon/Phone; pilih server akunmu."
        }
        TargetRule::Game { .. } | TargetRule::FreeText { .. } if en => "The ID is on your in-game profile page.",
        TargetRule::Game { .. } | TargetRule::FreeText { .. } => "ID ada di halaman profil game.",
        TargetRule::Phone if en => "The phone number to top up.",
        TargetRule::Phone => "Nomor HP tujuan pengisian.",
        TargetRule::PlnCustomer if en => {
            "Meter number (11 digits) or customer ID (12 digits), on the kWh meter or a PLN receipt."
        }
        TargetRule::PlnCustomer => {
            "Nomor meter (11 digit) atau ID pelanggan (12 digit) di kWh meter atau struk PLN."
        }
    }
}

pub(crate) async fn brand_products(
    app: &App,
    slug_wanted: &str,
) -> Result<Vec<Product>, PageError> {
    let items: Vec<Product> = listed(app)
        .await?
        .into_iter()
        .filter(|p| slug(p.game()) == slug_wanted && p.kind != ServiceKind::Postpaid)
        .collect();
    if items.is_empty() {
        return Err(AppError::not_found("product_not_found", "Produk").into());
    }
    Ok(items)
}

/// A game page's answer, or — when the game is not found — a 301 to where it moved (renamed or
/// merged in the Etalase), `suffix` kept (`/ulasan`). The moved check runs only for an address
/// the catalogue does not know, never on the hot path of a page that exists.
pub(crate) async fn or_moved(
    app: &App,
    slug_wanted: &str,
    suffix: &str,
    result: PageResult,
) -> PageResult {
    match result {
        Err(PageError(AppError::NotFound { .. })) => {
            match moved_game(app, slug_wanted).await? {
                Some(now) => Ok(moved_permanently(&format!("/produk/{now}{suffix}"))),
                None => result,
            }
        }
        other => other,
    }
}

/// Where a game page that moved is now: `None` for an address that is a game's today or never
/// was one.
async fn moved_game(app: &App, slug_wanted: &str) -> Result<Option<String>, PageError> {
    let listed = listed(app).await?;
    if listed.iter().any(|p| slug(p.game()) == slug_wanted) {
        return Ok(None);
    }
    let brand = {
        let mut conn = app.db.read().await.map_err(AppError::from)?;
        crate::db::catalogue_names::brand_of_old_slug(&mut conn, slug_wanted)
            .await
            .map_err(AppError::from)?
    };
    Ok(brand
        .and_then(|b| listed.iter().find(|p| p.brand == b).map(|p| slug(p.game())))
        .filter(|now| now != slug_wanted))
}

/// 301 to `path`: what search engines and shared links expect of a page that moved for good.
pub(crate) fn moved_permanently(path: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::MOVED_PERMANENTLY,
        [(axum::http::header::LOCATION, path.to_string())],
    )
        .into_response()
}

#[derive(Default)]
pub(crate) struct FormValues {
    pub selected: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub errors: FieldErrors,
}

pub(crate) fn brand_view(
    app: &App,
    items: &[Product],
    art: String,
    v: FormValues,
    t: &'static Texts,
    closed: bool,
) -> BrandPage {
    let first = &items[0];
    let rule = TargetRule::for_product(first.category, &first.brand);
    let min_digits = match &rule {
        TargetRule::Game { min_digits, .. } => *min_digits,
        TargetRule::FreeText { .. } => 3,
        TargetRule::Phone => 10,
        TargetRule::PlnCustomer => 11,
    };
    let description = description(items, t);
    BrandPage {
        tier_note: None,
        t,
        closed,
        seo: crate::web::storefront::seo::game_head(app, items, &description, t),
        brand: first.game().to_string(),
        art,
        target_label: rule.target_label(),
        target_inputmode: if matches!(rule, TargetRule::FreeText { .. }) {
            "text"
        } else {
            "numeric"
        },
        min_digits,
        zone_label: rule.zone_label(),
        servers: rule
            .servers()
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        hint: hint_for(&rule, t),
        // A PLN meter's owner is checked like a nickname when a supplier can tell it.
        nickname_checked: rule.nickname_code().is_some()
            || (rule == TargetRule::PlnCustomer && app.suppliers.pln_checker().is_some()),
        nickname_label: if rule == TargetRule::PlnCustomer {
            t.customer_name
        } else {
            t.nickname
        },
        probe: items
            .iter()
            .find(|p| p.sellable())
            .unwrap_or(first)
            .code
            .clone(),
        groups: nominal_groups(items, &app.catalogue.peek().flash_sales, app.now_ms(), t),
        selected: v.selected,
        target: v.target,
        zone: v.zone,
        whatsapp: v.whatsapp,
        errors: v.errors,
        description,
        slug: slug(first.game()),
        missing: MissingTexts {
            target: crate::web::i18n::account_error(
                t,
                &madd_domain::AccountError::MissingTarget {
                    label: rule.target_label(),
                },
            ),
            product: crate::web::i18n::app_error(t, &product_required()),
            whatsapp: crate::web::i18n::phone_error(t, &madd_domain::PhoneError::Empty),
        },
    }
}

/// `Top up Mobile Legends: 12 nominal, Rp 1.500 – Rp 250.000. …`
fn description(items: &[Product], t: &Texts) -> String {
    let prices = items.iter().filter(|p| p.sellable()).map(|p| p.price);
    let range = match (prices.clone().min(), prices.max()) {
        (Some(lo), Some(hi)) if lo != hi => {
            format!("{} – {}", lo.display_spaced(), hi.display_spaced())
        }
        (Some(lo), _) => lo.display_spaced(),
        _ => t.out_of_stock.to_string(),
    };
    let brand = items[0].game();
    if t.code == "en" {
        format!(
            "Top up {brand}: {} options, {range}. The account is checked before you pay; \
             pay by QRIS or e-wallet.",
            items.len()
        )
    } else {
        format!(
            "Top up {brand}: {} nominal, {range}. Akun dicek sebelum bayar; bayar QRIS atau \
             e-wallet.",
            items.len()
        )
    }
}

/// No nominal was picked.
pub(crate) fn product_required() -> AppError {
    AppError::invalid("product_required", "Pilih nominal terlebih dahulu.")
}

#[derive(Template)]
#[template(path = "tagihan.html")]
pub(crate) struct BillPage {
    pub t: &'static Texts,
    pub closed: bool,
    pub product_code: String,
    pub target: String,
    pub whatsapp: String,
    pub errors: FieldErrors,
}

pub(crate) async fn bill_product(app: &App) -> Result<Product, PageError> {
    postpaid_product(&*crate::service::catalogue_snapshot::current(app).await?)
        .ok_or_else(|| AppError::not_found("product_not_found", "Produk tagihan PLN").into())
}
