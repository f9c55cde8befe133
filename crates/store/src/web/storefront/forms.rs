//! The two order forms — a brand's (account and nominal) and the PLN bill's — shown by their
//! pages and shown again by checkout with what was typed and what was wrong.

use askama::Template;
use madd_domain::{ServiceKind, TargetRule};

use crate::app::App;
use crate::db::products::Product;
use crate::error::AppError;
use crate::web::i18n::Texts;
use crate::web::page::PageError;
use crate::web::storefront::view::{
    listed, nominal_groups, postpaid_product, slug, NominalGroupView,
};

#[derive(Template)]
#[template(path = "brand.html")]
pub(crate) struct BrandPage {
    pub t: &'static Texts,
    pub closed: bool,
    pub brand: String,
    pub art: String,
    pub target_label: &'static str,
    pub target_inputmode: &'static str,
    pub min_digits: usize,
    pub zone_label: Option<&'static str>,
    pub servers: Vec<(String, String)>,
    pub hint: &'static str,
    pub nickname_checked: bool,
    pub probe: String,
    pub groups: Vec<NominalGroupView>,
    pub selected: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub error: Option<String>,
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
        .filter(|p| slug(&p.brand) == slug_wanted && p.kind != ServiceKind::Postpaid)
        .collect();
    if items.is_empty() {
        return Err(AppError::not_found("product_not_found", "Produk").into());
    }
    Ok(items)
}

#[derive(Default)]
pub(crate) struct FormValues {
    pub selected: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub error: Option<String>,
}

pub(crate) fn brand_view(
    items: &[Product],
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
    BrandPage {
        t,
        closed,
        brand: first.brand.clone(),
        art: format!("/art/{}.svg", slug(&first.brand)),
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
        nickname_checked: rule.nickname_code().is_some(),
        probe: items
            .iter()
            .find(|p| p.sellable())
            .unwrap_or(first)
            .code
            .clone(),
        groups: nominal_groups(items, t),
        selected: v.selected,
        target: v.target,
        zone: v.zone,
        whatsapp: v.whatsapp,
        error: v.error,
    }
}

#[derive(Template)]
#[template(path = "tagihan.html")]
pub(crate) struct BillPage {
    pub t: &'static Texts,
    pub closed: bool,
    pub product_code: String,
    pub target: String,
    pub whatsapp: String,
    pub error: Option<String>,
}

pub(crate) async fn bill_product(app: &App) -> Result<Product, PageError> {
    postpaid_product(&*crate::service::catalogue_snapshot::current(app).await?)
        .ok_or_else(|| AppError::not_found("product_not_found", "Produk tagihan PLN").into())
}
