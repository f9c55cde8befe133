//! What the storefront's pages share: how products, brands and nominals are shown, and the
//! catalogue questions more than one page asks. Pages import this, never each other.

use std::collections::BTreeMap;

use madd_domain::storefront::NominalGroup;
use madd_domain::receipt::{LineKind, Receipt};
use madd_domain::{Category, ServiceKind};

use crate::app::App;
use crate::db::products::Product;
use crate::db::storefront as shop_db;
use crate::service::catalogue_snapshot::{self, Catalogue};
use crate::web::i18n::Texts;
use crate::web::page::PageError;

/// How long a page waits for a nickname or bill answer from the worker.
pub const LOOKUP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub use madd_domain::text::slug;

pub fn initials(brand: &str) -> String {
    brand
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// Every product a customer may see (postpaid bills have no list price: sold through inquiry).
pub async fn listed(app: &App) -> Result<Vec<Product>, PageError> {
    Ok(catalogue_snapshot::current(app)
        .await?
        .listed()
        .cloned()
        .collect())
}

pub struct BrandTile {
    pub href: String,
    pub art: String,
    pub name: String,
    pub from_price: String,
    pub available: bool,
    /// Lower-case words the search box matches (brand and product names).
    pub search: String,
}

pub struct Group {
    pub id: &'static str,
    pub label: &'static str,
    pub tiles: Vec<BrandTile>,
}

pub struct PopularView {
    pub href: String,
    pub art: String,
    pub brand: String,
    pub name: String,
    pub price: String,
}

pub struct NominalView {
    pub code: String,
    pub name: String,
    pub price: String,
    pub available: bool,
    /// A flash sale on it now: the list price (struck through), units left, when it ends (ms).
    pub sale: Option<SaleBadge>,
}

pub struct SaleBadge {
    pub list_price: String,
    pub left: i64,
    pub ends_at: i64,
}

pub struct NominalGroupView {
    pub label: &'static str,
    pub items: Vec<NominalView>,
}

/// Groups a product list into the rows of the nominal grid.
pub fn nominal_groups(
    items: &[Product],
    sales: &[crate::db::flash_sales::FlashSale],
    now: i64,
    t: &Texts,
) -> Vec<NominalGroupView> {
    let en = t.code == "en";
    let mut groups: BTreeMap<(u8, &'static str), Vec<NominalView>> = BTreeMap::new();
    // The seller's order first, then the cheapest (the catalogue comes by price).
    let mut items: Vec<&Product> = items.iter().collect();
    items.sort_by_key(|p| (p.shown.position, p.price, p.code.clone()));
    for p in items {
        let (rank, label) = match p.category {
            Category::Game => {
                let g = NominalGroup::of(&p.name);
                (g as u8, if en { g.label_en() } else { g.label_id() })
            }
            Category::Pulsa => (0, t.pulsa),
            Category::Data => (1, t.data),
            Category::Pln => (0, t.token_tile),
            Category::Voucher => (0, "Voucher"),
        };
        // A running sale, sold out or not: a sold-out one says so, at the list price again.
        let sale = sales
            .iter()
            .find(|s| s.product_code == p.code && s.running(now) && s.price < p.price);
        let on_sale = sale.filter(|s| s.left() > 0);
        groups.entry((rank, label)).or_default().push(NominalView {
            code: p.code.clone(),
            name: p.label().to_string(),
            price: on_sale.map_or(p.price, |s| s.price).display_spaced(),
            available: p.sellable(),
            sale: sale.map(|s| SaleBadge {
                list_price: p.price.display_spaced(),
                left: s.left(),
                ends_at: s.ends_at,
            }),
        });
    }
    groups
        .into_iter()
        .map(|((_, label), items)| NominalGroupView { label, items })
        .collect()
}

pub fn postpaid_product(catalogue: &Catalogue) -> Option<Product> {
    catalogue
        .in_category(Some(Category::Pln))
        .find(|p| p.kind == ServiceKind::Postpaid && p.enabled)
        .cloned()
}

/// Whether the same target bought the same product today (WIB): a likely double purchase.
pub async fn bought_today(app: &App, target: &str, product: &str) -> Result<bool, PageError> {
    let since = madd_domain::time::start_of_day(app.now_ms());
    let mut conn = app.db.read().await?;
    Ok(shop_db::same_target_orders(&mut conn, target, product, since).await? > 0)
}

/// One line of an order's price on a page (the card, the invoice).
pub struct PriceLine {
    /// The amount's element id (`price`, `tier-price`, `sale-price`, `discount`, `fee`, `total`).
    pub id: &'static str,
    pub label: String,
    pub amount: String,
    pub total: bool,
    /// Under the amount: why a voucher took less than it says.
    pub note: Option<String>,
}

/// The receipt's lines for a page in the reader's language; `sale_left` adds what is left of a
/// running sale to its line (the card; an invoice's sale is over or bought).
pub fn price_lines(t: &Texts, receipt: &Receipt, sale_left: Option<i64>) -> Vec<PriceLine> {
    let english = t.code == "en";
    receipt
        .lines()
        .into_iter()
        .map(|line| {
            let mut label = if english {
                match line.kind {
                    LineKind::List if line.label == "Harga" => t.price.to_string(),
                    LineKind::List => "Regular price".to_string(),
                    LineKind::Tier => format!("{} price", receipt.tier.label_id()),
                    LineKind::Sale => "Flash sale price".to_string(),
                    LineKind::Voucher => line.label.clone(),
                    LineKind::Fee => t.fee.to_string(),
                    LineKind::Total => t.total.to_string(),
                }
            } else {
                line.label.clone()
            };
            if let (LineKind::Sale, Some(left)) = (line.kind, sale_left) {
                label.push_str(&if english {
                    format!(" ({left} left)")
                } else {
                    format!(" (sisa {left})")
                });
            }
            PriceLine {
                id: line.kind.id(),
                amount: line.shown(),
                total: line.kind == LineKind::Total,
                note: (line.kind == LineKind::Voucher)
                    .then(|| receipt.voucher_note())
                    .flatten(),
                label,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Mobile Legends B"), "mobile-legends-b");
        assert_eq!(slug("PUBGM INDO  A"), "pubgm-indo-a");
        assert_eq!(slug("by.U"), "by-u");
        assert_eq!(initials("Mobile Legends B"), "ML");
    }
}
