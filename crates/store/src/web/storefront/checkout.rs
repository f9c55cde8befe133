//! Checkout: the confirmation page (nickname or bill shown before paying), then the order.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use madd_domain::{GameAccount, PhoneNumber, Receipt, ServiceKind, TargetRule};
use serde::Deserialize;

use crate::app::App;
use crate::db::products::{self, Product};
use crate::error::AppError;
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::orders::{self, CreateOrder};
use crate::service::postpaid;
use crate::web::auth::random_token;
use crate::web::closed::Closed;
use crate::web::i18n::{self, Lang, Texts};
use crate::web::page::{render, render_status, PageResult};
use crate::web::storefront::forms::{
    brand_products, brand_view, product_required, BillPage, FieldErrors, FormValues,
};
use crate::web::storefront::view::{bought_today, price_lines, slug, PriceLine, LOOKUP_WAIT};

#[derive(Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub target: String,
    pub zone: Option<String>,
    #[serde(default)]
    pub whatsapp: String,
    /// The brand page the form came from (its slug), to show it again when no nominal was picked.
    #[serde(default)]
    pub brand: String,
    /// A voucher code typed on the confirmation card (it posts the checkout again with it).
    #[serde(default)]
    pub voucher: String,
}

/// A bill's lines on the confirmation card.
pub struct BillLines {
    pub bill: String,
    pub admin: String,
    pub store_fee: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub t: &'static Texts,
    pub closed: bool,
    pub nickname: Option<String>,
    pub nickname_label: &'static str,
    pub target_label: &'static str,
    pub account: String,
    pub product_name: String,
    pub product_code: String,
    pub back_href: String,
    pub bill: Option<BillLines>,
    /// A product's price lines (the quote's receipt); a bill's are in `bill`.
    pub lines: Vec<PriceLine>,
    /// The customer's own number in full, so a typo can be spotted before paying.
    pub whatsapp_shown: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub idempotency_key: String,
    pub same_day: bool,
    /// The signed-in owner's saldo, when it can pay (part of) this order.
    pub saldo: Option<String>,
    /// Vouchers apply (not to bills).
    pub voucher_field: bool,
    /// The voucher applied (its code and discount), or why the typed one was refused.
    pub voucher: String,
    /// The voucher took something off: the order form carries it.
    pub voucher_applied: bool,
    /// A running flash sale takes no voucher: said where the voucher field would be.
    pub sale_no_voucher: bool,
    pub voucher_error: Option<String>,
}

/// Step 2 of the purchase: everything is checked (the nickname or the bill too) and shown
/// before paying.
pub(crate) async fn checkout(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: crate::web::customer::Customer,
    Form(f): Form<CheckoutForm>,
) -> PageResult {
    let signed_in = customer.0;
    // A closed store checks no nickname or bill for an order it would refuse anyway.
    crate::service::orders::ensure_open(&app).await?;
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, f.product.trim()).await?
    };
    let product = product.filter(|p| p.enabled);
    if let Some(p) = product.as_ref().filter(|p| p.kind == ServiceKind::Postpaid) {
        return bill_checkout(&app, t, closed, p.clone(), f, signed_in.as_ref()).await;
    }
    // The brand page to show again on an error: the product's, or the one the form came from.
    let brand_slug = match &product {
        Some(p) => slug(p.game()),
        None if !f.brand.trim().is_empty() => f.brand.trim().to_string(),
        None => return Err(product_required().into()),
    };
    let items = brand_products(&app, &brand_slug).await?;
    let art = crate::service::catalogue_snapshot::current(&app)
        .await?
        .art_url(&brand_slug);
    let again = |errors: FieldErrors| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &brand_view(
                &app,
                &items,
                art.clone(),
                FormValues {
                    selected: f.product.clone(),
                    target: f.target.clone(),
                    zone: f.zone.clone().unwrap_or_default(),
                    whatsapp: f.whatsapp.clone(),
                    errors,
                },
                t,
                closed,
            ),
        )
    };
    let (product, account, phone, rule) = match check_fields(t, product, &items, &f) {
        Ok(checked) => checked,
        Err(errors) => return Ok(again(errors)),
    };
    let nickname = match nickname::lookup(&app, &rule, &account, LOOKUP_WAIT).await {
        Ok(NicknameAnswer::Found(n)) => Some(n),
        Ok(NicknameAnswer::NotChecked) => None,
        Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
            return Ok(again(FieldErrors {
                target: Some(i18n::app_error(t, &e)),
                ..FieldErrors::default()
            }))
        }
        Err(e) => return Err(e.into()),
    };
    let checked = Checked {
        product,
        account,
        phone,
        rule,
        nickname,
    };
    confirm_game(&app, t, closed, &f, signed_in.as_ref(), checked).await
}

/// Every field is checked before answering, so each error shows beside its own field: `Err`
/// holds them all.
fn check_fields(
    t: &'static Texts,
    product: Option<Product>,
    items: &[Product],
    f: &CheckoutForm,
) -> Result<(Product, GameAccount, PhoneNumber, TargetRule), FieldErrors> {
    let mut errors = FieldErrors::default();
    let product = match product {
        Some(p) if p.sellable() => Some(p),
        Some(p) => {
            errors.product = Some(if t.code == "en" {
                format!("{} is out of stock. Please pick another one.", p.label())
            } else {
                format!("{} sedang kosong. Pilih nominal lain.", p.label())
            });
            None
        }
        None => {
            errors.product = Some(i18n::app_error(t, &product_required()));
            None
        }
    };
    // The product's own rule; without a product, the page's (merged brands share one game).
    let ruled = product.as_ref().unwrap_or(&items[0]);
    let rule = TargetRule::for_product(ruled.category, &ruled.brand);
    let account = GameAccount::parse(&rule, &f.target, f.zone.as_deref())
        .map_err(|e| errors.account(t, &e))
        .ok();
    let phone = PhoneNumber::parse(&f.whatsapp)
        .map_err(|e| errors.whatsapp = Some(i18n::phone_error(t, &e)))
        .ok();
    match (product, account, phone) {
        (Some(product), Some(account), Some(phone)) => Ok((product, account, phone, rule)),
        _ => Err(errors),
    }
}

/// A game order that passed every check, with the nickname behind its account when known.
struct Checked {
    product: Product,
    account: GameAccount,
    phone: PhoneNumber,
    rule: TargetRule,
    nickname: Option<String>,
}

/// The confirmation card of a game (or pulsa, data, voucher) order.
async fn confirm_game(
    app: &App,
    t: &'static Texts,
    closed: bool,
    f: &CheckoutForm,
    signed_in: Option<&PhoneNumber>,
    checked: Checked,
) -> PageResult {
    let Checked {
        product,
        account,
        phone,
        rule,
        nickname,
    } = checked;
    let typed = Some(f.voucher.trim()).filter(|v| !v.is_empty());
    let (quoted, voucher_error) =
        quote_with_voucher(app, t, &product, signed_in, &phone, typed).await?;
    let quote = quoted.quote;
    let receipt = Receipt::of_quote(&quote, quoted.voucher.as_deref());
    let same_day = bought_today(app, account.target(), &product.code).await?;
    Ok(render(&ConfirmPage {
        t,
        closed,
        nickname,
        nickname_label: if rule == TargetRule::PlnCustomer {
            t.customer_name
        } else {
            t.nickname
        },
        target_label: rule.target_label(),
        account: account.to_string(),
        product_name: product.full_label(),
        product_code: product.code.clone(),
        back_href: back_href(&product, &account, &phone),
        bill: None,
        lines: price_lines(t, &receipt, quoted.sale_left()),
        whatsapp_shown: phone.grouped(),
        target: account.target().to_string(),
        zone: account.zone().unwrap_or_default().to_string(),
        whatsapp: phone.local(),
        // One key per confirmation page: a double tap creates one order.
        idempotency_key: random_token(),
        same_day,
        saldo: saldo_offer(app, signed_in, &phone).await?,
        voucher_field: quote.sale.is_none(),
        voucher: quoted
            .voucher
            .clone()
            .unwrap_or_else(|| f.voucher.trim().to_string()),
        voucher_applied: receipt.voucher.is_some(),
        sale_no_voucher: quote.sale.is_some(),
        voucher_error,
    }))
}

/// Priced as the order will be (`service::quote`): the buyer's tier (a signed-in member's or
/// reseller's own number), a running flash sale, the voucher — checked, not yet taken (the
/// order's transaction takes it). A refused voucher is said beside its field (the second half)
/// and the card shows the price without it.
async fn quote_with_voucher(
    app: &App,
    t: &'static Texts,
    product: &Product,
    signed_in: Option<&PhoneNumber>,
    phone: &PhoneNumber,
    typed: Option<&str>,
) -> Result<(crate::service::quote::Quoted, Option<String>), crate::web::page::PageError> {
    let ask = |voucher| crate::service::quote::Ask {
        product,
        buyer: signed_in,
        whatsapp: Some(phone),
        voucher,
        bill: None,
        now: app.now_ms(),
    };
    let mut conn = app.db.read().await?;
    Ok(
        match crate::service::quote::price(app, &mut conn, &ask(typed)).await {
            Ok(q) => (q, None),
            Err(e @ AppError::Invalid { .. }) if typed.is_some() => {
                let plain = crate::service::quote::price(app, &mut conn, &ask(None)).await?;
                (plain, Some(i18n::app_error(t, &e)))
            }
            Err(e) => return Err(e.into()),
        },
    )
}

/// "Ubah pesanan" returns to the form with everything filled in.
fn back_href(product: &Product, account: &GameAccount, phone: &PhoneNumber) -> String {
    format!(
        "/produk/{}?{}",
        slug(product.game()),
        serde_urlencoded::to_string([
            ("pilih", product.code.as_str()),
            ("id", account.target()),
            ("zone", account.zone().unwrap_or_default()),
            ("wa", phone.local().as_str()),
        ])
        .unwrap_or_default()
    )
}

/// `/checkout` for a postpaid bill: the inquiry (through the job queue) decides the amount,
/// shown with the customer's name before paying.
pub async fn bill_checkout(
    app: &App,
    t: &'static Texts,
    closed: bool,
    product: Product,
    f: CheckoutForm,
    signed_in: Option<&PhoneNumber>,
) -> PageResult {
    let again = |errors: FieldErrors| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &BillPage {
                t,
                closed,
                product_code: product.code.clone(),
                target: f.target.clone(),
                whatsapp: f.whatsapp.clone(),
                errors,
            },
        )
    };
    let on_target = |text: String| FieldErrors {
        target: Some(text),
        ..FieldErrors::default()
    };
    if !product.sellable() {
        return Ok(again(on_target(format!(
            "{} sedang tidak tersedia.",
            product.name
        ))));
    }
    let mut errors = FieldErrors::default();
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = GameAccount::parse(&rule, &f.target, None)
        .map_err(|e| errors.account(t, &e))
        .ok();
    let phone = PhoneNumber::parse(&f.whatsapp)
        .map_err(|e| errors.whatsapp = Some(i18n::phone_error(t, &e)))
        .ok();
    let (Some(account), Some(phone)) = (account, phone) else {
        return Ok(again(errors));
    };
    let bill = match postpaid::inquire(app, &product, account.target(), LOOKUP_WAIT).await {
        Ok(b) => b,
        Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
            return Ok(again(on_target(i18n::app_error(t, &e))))
        }
        Err(e) => return Err(e.into()),
    };
    let same_day = bought_today(app, account.target(), &product.code).await?;
    let q = {
        let mut conn = app.db.read().await?;
        let ask = crate::service::quote::Ask {
            product: &product,
            buyer: signed_in,
            whatsapp: Some(&phone),
            voucher: None,
            bill: Some(&bill),
            now: app.now_ms(),
        };
        crate::service::quote::price(app, &mut conn, &ask)
            .await?
            .quote
    };
    Ok(render(&ConfirmPage {
        t,
        closed,
        nickname: Some(bill.customer_name.clone()),
        nickname_label: t.customer_name,
        target_label: t.customer_no,
        account: account.to_string(),
        product_name: product.full_label(),
        product_code: product.code.clone(),
        back_href: "/pln/tagihan".into(),
        bill: Some(BillLines {
            bill: bill.bill.display_spaced(),
            admin: bill.admin.display_spaced(),
            // The store's margin and the customer fee together: what is added to the bill.
            store_fee: (q.amount_due - bill.total).display_spaced(),
            total: q.amount_due.display_spaced(),
        }),
        lines: Vec::new(),
        whatsapp_shown: phone.grouped(),
        target: account.target().to_string(),
        zone: String::new(),
        whatsapp: phone.local(),
        idempotency_key: random_token(),
        same_day,
        saldo: saldo_offer(app, signed_in, &phone).await?,
        voucher_field: false,
        voucher: String::new(),
        voucher_applied: false,
        sale_no_voucher: false,
        voucher_error: None,
    }))
}

/// The signed-in customer's saldo, offered on the confirmation card when the order is for their
/// own number and they have some.
async fn saldo_offer(
    app: &App,
    signed_in: Option<&PhoneNumber>,
    phone: &PhoneNumber,
) -> Result<Option<String>, crate::web::page::PageError> {
    let Some(owner) = signed_in.filter(|o| *o == phone) else {
        return Ok(None);
    };
    let balance = crate::service::saldo::wallet(app, owner).await?.balance;
    Ok(balance.is_positive().then(|| balance.display_spaced()))
}

#[derive(Deserialize)]
pub(crate) struct OrderForm {
    product: String,
    target: String,
    zone: Option<String>,
    whatsapp: String,
    idempotency_key: Option<String>,
    /// `saldo`: pay from the signed-in customer's saldo as far as it covers.
    #[serde(default)]
    pay_with: String,
    #[serde(default)]
    voucher: String,
}

pub(crate) async fn place_order(
    State(app): State<App>,
    customer: crate::web::customer::Customer,
    Form(f): Form<OrderForm>,
) -> PageResult {
    let buyer = customer.0.clone();
    let saldo_owner = match (f.pay_with.as_str(), customer.0) {
        ("saldo", Some(owner)) if PhoneNumber::parse(&f.whatsapp).ok().as_ref() == Some(&owner) => {
            Some(owner)
        }
        _ => None,
    };
    let (order, created) = orders::create(
        &app,
        CreateOrder {
            product: f.product,
            target: f.target,
            zone: f.zone.filter(|z| !z.trim().is_empty()),
            whatsapp: f.whatsapp,
            idempotency_key: f.idempotency_key,
            voucher: Some(f.voucher),
            buyer,
            ..CreateOrder::default()
        },
    )
    .await?;
    if let (Some(owner), true) = (saldo_owner, created) {
        // The order stands either way; saldo pays what it covers, Trakteer the rest.
        if let Err(e) = crate::service::saldo::pay_order(&app, &owner, order.code.as_str()).await {
            tracing::info!(order = %order.code, code = e.code(), "saldo did not pay the order");
        }
    }
    Ok(Redirect::to(&format!("/order/{}", order.code)).into_response())
}
