//! The order conversation: the product, then the account, then a confirmation with the
//! quote, then `ya` makes the order.

use super::*;

pub(in crate::service::chat) async fn sellable_product(
    app: &App,
    code: &str,
) -> AppResult<Result<products::Product, String>> {
    let mut conn = app.db.write().await?;
    let product = match products::get(&mut conn, code).await? {
        Some(p) => Some(p),
        None => products::get(&mut conn, &code.to_uppercase()).await?,
    };
    Ok(match product {
        None => Err(format!(
            "Kode produk *{}* tidak ditemukan. Cek kodenya di daftar harga, misalnya *harga ml*.",
            clean(code, 40)
        )),
        Some(p) if !p.sellable() => Err(format!(
            "{} sedang kosong. Pilih nominal lain di daftar harga.",
            clean(&p.name, 60)
        )),
        Some(p) => Ok(p),
    })
}

pub(in crate::service::chat) async fn ask_target(app: &App, code: &str) -> AppResult<Answer> {
    if let Err(e) = ensure_open(app).await {
        return Ok(Answer::text(user_error(&e)).clear());
    }
    let product = match sellable_product(app, code).await? {
        Ok(p) => p,
        Err(text) => return Ok(Answer::text(text).set(Pending::Product)),
    };
    let rule = TargetRule::for_product(product.category, &product.brand);
    let what = match rule.zone_label() {
        Some(zone) => format!(
            "*{}* dan *{zone}*, contoh: 123456789 2345",
            rule.target_label()
        ),
        None => format!("*{}*", rule.target_label()),
    };
    Ok(Answer::text(format!(
        "*{}* ({}) – {}\nSekarang kirim {what}.",
        clean(&product.name, 60),
        product.code,
        product.price
    ))
    .set(Pending::Target {
        product: product.code,
    }))
}

/// Everything is known: show nickname, item and total and wait for `ya`.
pub(in crate::service::chat) async fn confirm(
    app: &App,
    ctx: &Ctx,
    code: &str,
    target: &str,
    zone: Option<&str>,
    saldo: bool,
    voucher: Option<&str>,
) -> AppResult<Step> {
    if let Err(e) = ensure_open(app).await {
        return Ok(Ok(Answer::text(user_error(&e)).clear()));
    }
    let product = match sellable_product(app, code).await? {
        Ok(p) => p,
        Err(text) => return Ok(Ok(Answer::text(text).clear())),
    };
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = match account_for(&rule, target, zone) {
        Ok(a) => a,
        Err(e) => {
            return Ok(Ok(Answer::text(format!(
                "{}. Kirim lagi {}{}.",
                madd_domain::text::capitalise(&e),
                rule.target_label(),
                rule.zone_label()
                    .map(|z| format!(" dan {z}"))
                    .unwrap_or_default()
            ))
            .set(Pending::Target {
                product: product.code,
            })))
        }
    };
    if let Some(refusal) = nickname_budget(app, ctx, &rule, &account).await? {
        return Ok(Ok(refusal.clear()));
    }
    let (nickname, bill) = match account_holder(app, &product, &rule, &account).await? {
        Ok(found) => found,
        Err(step) => return Ok(step),
    };
    let quoted = match quote_for(app, ctx, &product, voucher, bill.as_ref()).await? {
        Ok(quoted) => quoted,
        Err(refusal) => return Ok(Ok(refusal)),
    };
    let text = confirmation_text(
        &product,
        &account,
        nickname.as_deref(),
        &quoted,
        bill.as_ref(),
        saldo,
    );
    Ok(Ok(Answer::text(text).set(Pending::Confirm {
        product: product.code,
        target: account.target().to_string(),
        zone: account.zone().map(str::to_owned),
        saldo,
        voucher: quoted.voucher,
    })))
}

/// Whose account this is: a bill's inquiry names its customer; a game account is named by the
/// nickname check. `Err`: the step to answer with instead (look again later, or a refusal).
async fn account_holder(
    app: &App,
    product: &products::Product,
    rule: &TargetRule,
    account: &GameAccount,
) -> AppResult<Result<(Option<String>, Option<crate::db::postpaid::Bill>), Step>> {
    if product.kind == madd_domain::ServiceKind::Postpaid {
        // Like a nickname, a bill is asked without waiting in this lane (see NICKNAME_WAIT).
        return match crate::service::postpaid::inquire(
            app,
            product,
            account.target(),
            NICKNAME_WAIT,
        )
        .await
        {
            Ok(bill) => Ok(Ok((Some(bill.customer_name.clone()), Some(bill)))),
            Err(AppError::Unavailable { code, .. })
                if code == crate::service::postpaid::PENDING =>
            {
                Ok(Err(Err(NotYet(app.now_ms() + RECHECK_MS))))
            }
            Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => Ok(Err(Ok(
                Answer::text(format!("❌ {}", user_error(&e))).clear(),
            ))),
            Err(e) => Err(e),
        };
    }
    let nickname =
        match nickname_of(app, rule, account).await? {
            Err(later) => return Ok(Err(Err(later))),
            Ok(Nick::Found(n)) => Some(n),
            Ok(Nick::NotChecked) => None,
            Ok(Nick::NotFound(text)) => {
                return Ok(Err(Ok(Answer::text(format!(
                    "❌ {text}. Kirim lagi ID yang benar."
                ))
                .set(Pending::Target {
                    product: product.code.clone(),
                }))))
            }
            Ok(Nick::Unavailable) => return Ok(Err(Ok(Answer::text(
                "Cek ID sedang tidak bisa dilakukan, jadi pesanan belum bisa dibuat. Coba lagi \
                     sebentar lagi ya.",
            )
            .clear()))),
        };
    Ok(Ok((nickname, None)))
}

/// The sender buys for their own number: their tier's price (member, or reseller), a running
/// flash sale, the voucher — priced as the order will be (`service::quote`). A refused voucher
/// is said (`Err`) and the order waits for a plain "beli" again.
async fn quote_for(
    app: &App,
    ctx: &Ctx,
    product: &products::Product,
    voucher: Option<&str>,
    bill: Option<&crate::db::postpaid::Bill>,
) -> AppResult<Result<crate::service::quote::Quoted, Answer>> {
    let mut conn = app.db.read().await?;
    let ask = crate::service::quote::Ask {
        product,
        buyer: Some(&ctx.sender),
        whatsapp: Some(&ctx.sender),
        voucher,
        bill,
        now: app.now_ms(),
    };
    match crate::service::quote::price(app, &mut conn, &ask).await {
        Ok(q) => Ok(Ok(q)),
        Err(e @ AppError::Invalid { .. }) if voucher.is_some() => Ok(Err(Answer::text(format!(
            "❌ {} Kirim lagi pesanannya tanpa kode, atau dengan kode lain.",
            user_error(&e)
        ))
        .clear())),
        Err(e) => Err(e),
    }
}

/// The chat's confirmation: every line of the quote, as the card shows it.
fn confirmation_text(
    product: &products::Product,
    account: &GameAccount,
    nickname: Option<&str>,
    quoted: &crate::service::quote::Quoted,
    bill: Option<&crate::db::postpaid::Bill>,
    saldo: bool,
) -> String {
    let quote = quoted.quote;
    let mut text = format!(
        "🧾 *Konfirmasi pesanan*\nProduk: {}\nAkun: {account}",
        clean(&product.name, 60)
    );
    if let Some(n) = nickname {
        text.push_str(&format!(" – *{}*", clean(n, 60)));
    }
    if let Some(b) = bill {
        text.push_str(&format!(
            "\nTagihan: {}\nAdmin PLN: {}\nBiaya layanan: {}\nTotal bayar: *{}*",
            b.bill,
            b.admin,
            quote.amount_due - b.total,
            quote.amount_due
        ));
    } else {
        // The lines the card and the invoice show.
        let receipt = madd_domain::Receipt::of_quote(&quote, quoted.voucher.as_deref());
        text.push('\n');
        text.push_str(&receipt.text());
        if let Some(left) = quoted.sale_left() {
            text.push_str(&format!("\n⚡ Sisa flash sale: {left}"));
        }
    }
    if saldo {
        text.push_str(
            "\n(dibayar dengan saldo sejauh cukup)\n\nBalas *YA* untuk membuat pesanan, atau *BATAL*.",
        );
    } else {
        text.push_str("\n\nBalas *YA* untuk membuat tagihan & link bayar, atau *BATAL*.");
    }
    text
}

/// `ya`: goes ahead with the order waiting for confirmation, if there is one.
pub(in crate::service::chat) async fn yes(app: &App, ctx: &Ctx) -> AppResult<Answer> {
    match &ctx.pending {
        Some(Pending::Confirm {
            product,
            target,
            zone,
            saldo,
            voucher,
        }) => {
            place(
                app,
                ctx,
                product,
                target,
                zone.as_deref(),
                *saldo,
                voucher.as_deref(),
            )
            .await
        }
        _ => Ok(Answer::text(
            "Tidak ada pesanan yang menunggu konfirmasi. Ketik *menu* untuk mulai.",
        )),
    }
}

/// The order is made like any other; its invoice (with the pay link) is the answer.
async fn place(
    app: &App,
    ctx: &Ctx,
    product: &str,
    target: &str,
    zone: Option<&str>,
    saldo: bool,
    voucher: Option<&str>,
) -> AppResult<Answer> {
    let now = app.now_ms();
    if !ctx.seller {
        let mut conn = app.db.write().await?;
        if repo::actions_since(&mut conn, &ctx.sender, "order", now - ORDER_WINDOW_MS).await?
            >= ORDER_LIMIT
        {
            return Ok(Answer::text(
                "Kakak sudah membuat banyak pesanan dalam satu jam. Selesaikan pembayaran yang ada \
                 atau hubungi admin dengan *cs pesan*.",
            )
            .clear());
        }
        repo::record_action(&mut conn, &ctx.sender, "order", now).await?;
    }
    let created = order_service::create(
        app,
        order_service::CreateOrder {
            product: product.to_string(),
            target: target.to_string(),
            zone: zone.map(str::to_owned),
            whatsapp: ctx.sender.as_str().to_string(),
            // A retried reply job finds the order it already made.
            idempotency_key: Some(format!("chat:{}", ctx.inbound_id)),
            voucher: voucher.map(str::to_owned),
            // The message came from the number itself: its owner's tier.
            buyer: Some(ctx.sender.clone()),
            ..order_service::CreateOrder::default()
        },
    )
    .await;
    Ok(match created {
        Ok((order, _)) if saldo => {
            tracing::info!(order = %order.code, "order made by chat, paid with saldo");
            match crate::service::saldo::pay_order(app, &ctx.sender, order.code.as_str()).await {
                Ok(paid) if paid.rest.is_positive() => Answer::text(format!(
                    "💳 Saldo {} dipakai untuk *{}*; kurang *{}*: bayar sisanya lewat link \
                     pembayaran di tagihan.",
                    paid.taken, order.code, paid.rest
                ))
                .clear(),
                Ok(paid) => Answer::text(format!(
                    "✅ *{}* lunas dengan saldo ({}); sisa saldo {}.",
                    order.code, paid.taken, paid.balance
                ))
                .clear(),
                // No saldo after all: the invoice with its pay link is the answer.
                Err(e) => Answer::text(user_error(&e)).clear(),
            }
        }
        Ok((order, _)) => {
            tracing::info!(order = %order.code, "order made by chat");
            // The invoice goes out by itself; a customer with saldo hears how to use it.
            let balance = crate::service::saldo::wallet(app, &ctx.sender)
                .await?
                .balance;
            if balance.is_positive() {
                Answer::text(format!(
                    "💰 Kakak punya saldo {balance}. Balas *bayar saldo {}* untuk membayar \
                     pesanan ini dengan saldo.",
                    order.code
                ))
                .clear()
            } else {
                Answer::silent()
            }
        }
        Err(e) => {
            e.log();
            Answer::text(user_error(&e)).clear()
        }
    })
}
