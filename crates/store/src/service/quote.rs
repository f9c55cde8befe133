//! The one service call that prices an order: it gathers what decides a price (the settings, the
//! buyer's tier, a running flash sale, a typed voucher, a bill) and hands it to the pure
//! [`madd_domain::quote`]. The confirmation card, the chat, the JSON API and order creation all
//! ask here — order creation inside its own transaction, so what is charged is what the database
//! says at that moment — and [`reserve`] then takes the sale unit and the voucher use that quote
//! counted on.

use madd_domain::quote::{self, Priced, Rail, VoucherAsk};
use madd_domain::voucher::{self as voucher_rules, VoucherError};
use madd_domain::{PhoneNumber, Quote, Rupiah, ServiceKind, Tier};

use crate::app::App;
use crate::db::flash_sales::{self, FlashSale};
use crate::db::postpaid::Bill;
use crate::db::products::Product;
use crate::db::vouchers::{self, VoucherRow};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::service::pricing::PriceRules;
use crate::service::settings;

/// What an order is priced for.
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    pub product: &'a Product,
    /// Who is asking (the signed-in customer, the chat's sender): their own number's orders are
    /// priced at their tier.
    pub buyer: Option<&'a PhoneNumber>,
    /// The number the order is for (unknown while a bill is only looked at): it decides the
    /// tier with `buyer`, and a voucher's limits per number.
    pub whatsapp: Option<&'a PhoneNumber>,
    /// A voucher code as typed (blank: none).
    pub voucher: Option<&'a str>,
    /// A postpaid product's inquired bill.
    pub bill: Option<&'a Bill>,
    pub now: i64,
}

/// A quote and what it counted on: the sale whose unit and the voucher whose use an order made
/// from it must [`reserve`].
#[derive(Clone, Debug)]
pub struct Quoted {
    pub quote: Quote,
    pub sale: Option<FlashSale>,
    /// The voucher's code, normalised, when it took something off.
    pub voucher: Option<String>,
}

impl Quoted {
    /// Units of the sale left (before this order takes one).
    pub fn sale_left(&self) -> Option<i64> {
        self.sale.as_ref().map(FlashSale::left)
    }
}

/// The payment rail's terms as the quote needs them.
pub fn rail(app: &App, s: &settings::Settings) -> Rail {
    app.rail(s.payment_cost)
}

/// The price of `ask` (see [`madd_domain::quote`] for the rules).
pub async fn price(app: &App, conn: &mut Conn, ask: &Ask<'_>) -> AppResult<Quoted> {
    let s = settings::on(conn, &app.config).await?;
    let p = ask.product;
    let postpaid = p.kind == ServiceKind::Postpaid;
    let (priced, cost, tier) = match (postpaid, ask.bill) {
        (true, Some(bill)) => (Priced::Bill, bill.total, Tier::Guest),
        (true, None) => return Err(AppError::internal("a bill is priced from its inquiry")),
        (false, _) => {
            let tier = match ask.whatsapp {
                Some(w) => crate::service::tiers::tier_of(app, conn, ask.buyer, w, ask.now).await?,
                None => Tier::Guest,
            };
            let tier_price = if tier == Tier::Guest {
                p.price
            } else {
                PriceRules::load(conn, app)
                    .await?
                    .price_for(tier, p.cost, p.category, &p.brand, &p.code)
            };
            let priced = Priced::Product {
                list: p.price,
                tier_price,
            };
            (priced, p.cost, tier)
        }
    };
    let sale = if postpaid {
        None
    } else {
        flash_sales::running(conn, &p.code, ask.now)
            .await?
            .filter(|s| s.left() > 0)
    };
    let typed = ask.voucher.map(str::trim).filter(|v| !v.is_empty());
    let row = match typed {
        Some(typed) => Some(voucher_row(conn, typed, ask.whatsapp).await?),
        None => None,
    };
    let q = quote::quote(&quote::Ask {
        priced,
        cost,
        tier,
        sale: sale.as_ref().map(|s| s.price),
        voucher: row.as_ref().map(|r| VoucherAsk {
            voucher: &r.voucher,
            item: voucher_rules::Item {
                code: &p.code,
                category: p.category,
                game: p.game(),
                brand: &p.brand,
                price: Rupiah::ZERO,
                floor: Rupiah::ZERO,
            },
            now: ask.now,
        }),
        rail: rail(app, &s),
        fee: s.customer_fee,
        markup_min: s.markup.min,
    })
    .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    Ok(Quoted {
        sale: sale.filter(|_| q.sale.is_some()),
        voucher: row
            .filter(|_| q.voucher_discount.is_positive())
            .map(|r| r.voucher.code),
        quote: q,
    })
}

/// The quote of a guest's order from figures already in memory (the catalogue snapshot): the
/// group commit's fast path, for an order with no tier, sale, voucher or bill.
pub fn guest(product: &Product, s: &GuestTerms) -> Quote {
    let ask = quote::Ask {
        priced: Priced::Product {
            list: product.price,
            tier_price: product.price,
        },
        cost: product.cost,
        tier: Tier::Guest,
        sale: None,
        voucher: None,
        rail: s.rail,
        fee: s.fee,
        markup_min: s.markup_min,
    };
    match quote::quote(&ask) {
        Ok(q) => q,
        // Only a voucher can refuse a quote, and a guest's plain order has none.
        Err(e) => unreachable!("a quote without a voucher was refused: {e}"),
    }
}

/// The settings a guest's plain order is priced with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestTerms {
    pub rail: Rail,
    pub fee: madd_domain::CustomerFee,
    pub markup_min: Rupiah,
}

impl GuestTerms {
    pub fn of(app: &App, s: &settings::Settings) -> GuestTerms {
        GuestTerms {
            rail: rail(app, s),
            fee: s.customer_fee,
            markup_min: s.markup.min,
        }
    }
}

/// In the order's own transaction, after [`price`]: takes the sale unit and the voucher use the
/// quote counted on (conditional updates, so racing checkouts never take more than there is).
pub async fn reserve(
    tx: &mut Conn,
    quoted: &Quoted,
    whatsapp: &PhoneNumber,
    now: i64,
) -> AppResult<()> {
    if let Some(sale) = &quoted.sale {
        if !flash_sales::take_unit(tx, sale.id, now).await? {
            return Err(AppError::conflict(
                "flash_sale_sold_out",
                format!(
                    "Stok flash sale sudah habis. Harga normalnya {}; pesan lagi untuk harga itu.",
                    quoted.quote.tier_price.display_spaced()
                ),
            ));
        }
    }
    if let Some(code) = &quoted.voucher {
        if !vouchers::take_use(tx, code).await? {
            return Err(refused(VoucherError::UsedUp));
        }
        // After the use is taken, the voucher row is this transaction's (PostgreSQL locks it
        // until commit; SQLite has one writer): a second checkout by the same number waits and
        // sees this one.
        if let Some(row) = vouchers::get(tx, code).await? {
            limits_for_number(tx, &row.voucher, whatsapp).await?;
        }
    }
    Ok(())
}

fn refused(e: VoucherError) -> AppError {
    AppError::invalid(e.code(), e.to_string())
}

/// The typed voucher, checked against what storage knows (uses left, the number's own uses,
/// first order only); the price rules are the quote's.
async fn voucher_row(
    conn: &mut Conn,
    typed: &str,
    whatsapp: Option<&PhoneNumber>,
) -> AppResult<VoucherRow> {
    let code =
        voucher_rules::normalize_code(typed).ok_or_else(|| refused(VoucherError::Unknown))?;
    let row = vouchers::get(conn, &code)
        .await?
        .ok_or_else(|| refused(VoucherError::Unknown))?;
    if row.voucher.total_uses.is_some_and(|t| row.used >= t) {
        return Err(refused(VoucherError::UsedUp));
    }
    if let Some(whatsapp) = whatsapp {
        limits_for_number(conn, &row.voucher, whatsapp).await?;
    }
    Ok(row)
}

async fn limits_for_number(
    conn: &mut Conn,
    v: &voucher_rules::Voucher,
    whatsapp: &PhoneNumber,
) -> AppResult<()> {
    if let Some(per) = v.per_number {
        if vouchers::uses_by_number(conn, &v.code, whatsapp.as_str()).await? >= per {
            return Err(refused(VoucherError::UsedUpForNumber));
        }
    }
    if v.first_order_only && vouchers::has_bought(conn, whatsapp.as_str()).await? {
        return Err(refused(VoucherError::NotFirstOrder));
    }
    Ok(())
}
