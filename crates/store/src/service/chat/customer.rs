//! A customer's conversation: prices, checking a game account, ordering step by step,
//! following and cancelling their orders, and reaching the seller.

use super::*;

pub(super) async fn price_list(app: &App, ctx: &Ctx, q: &PriceQuery) -> AppResult<Answer> {
    let all = {
        let mut conn = app.db.write().await?;
        products::list(&mut conn, q.category).await?
    };
    // The sender's own prices (a member's or a reseller's), as their order would be charged.
    let tier = {
        let mut conn = app.db.read().await?;
        crate::service::tiers::tier_of(app, &mut conn, Some(&ctx.sender), &ctx.sender, app.now_ms())
            .await?
    };
    let sellable: Vec<_> = all.into_iter().filter(|p| p.sellable()).collect();
    let Some(brand) = &q.brand else {
        // The overview: brands per category.
        let mut text = String::from("📋 *Daftar produk*\n");
        for category in Category::ALL {
            let mut brands: Vec<&str> = sellable
                .iter()
                .filter(|p| p.category == category)
                .map(|p| p.game())
                .collect();
            brands.sort_unstable();
            brands.dedup();
            if brands.is_empty() {
                continue;
            }
            text.push_str(&format!("\n*{}*: {}", category.label(), brands.join(", ")));
        }
        text.push_str(
            "\n\nKetik *harga <nama>* untuk daftar harga, misalnya *harga ml* atau *pulsa telkomsel*.",
        );
        return Ok(Answer::text(text));
    };
    let wanted = brand.to_lowercase();
    let matching: Vec<_> = sellable
        .iter()
        .filter(|p| {
            // The game as the seller named it, the supplier's brand, or one of the seller's
            // aliases for the game (the storefront's search uses the same).
            [p.game(), p.brand.as_str()].iter().any(|name| {
                let b = name.to_lowercase();
                b.starts_with(&wanted) || b.contains(&wanted) || wanted.contains(&b)
            }) || p
                .shown
                .aliases
                .to_lowercase()
                .split_whitespace()
                .any(|alias| alias == wanted)
        })
        .collect();
    if matching.is_empty() {
        return Ok(Answer::text(format!(
            "Produk *{}* belum tersedia. Ketik *harga* untuk melihat semua kategori.",
            clean(brand, 40)
        )));
    }
    let rules = {
        let mut conn = app.db.read().await?;
        crate::service::pricing::PriceRules::load(&mut conn, &app.config, app.payment.unit_price())
            .await?
    };
    // The rules once for the whole list, not once per product.
    let priced: Vec<_> = matching
        .iter()
        .take(MAX_PRICE_LINES)
        .map(|p| {
            let mut mine = (*p).clone();
            if tier != madd_domain::Tier::Guest {
                mine.price = rules
                    .price_for(tier, p.cost, p.category, &p.brand, &p.code)
                    .min(p.price);
            }
            mine
        })
        .collect();
    let mut text = format!("📋 *Harga {}*\n", clean(brand, 40));
    if priced
        .iter()
        .zip(&matching)
        .any(|(mine, list)| mine.price < list.price)
    {
        text.push_str(&format!(
            "_Harga {} untuk nomor ini._\n",
            tier.label_id().to_lowercase()
        ));
    }
    let mut last_brand = "";
    for p in &priced {
        if p.game() != last_brand && matching.iter().any(|o| o.game() != p.game()) {
            text.push_str(&format!("\n_{}_\n", clean(p.game(), 40)));
            last_brand = p.game();
        }
        text.push_str(&format!(
            "• *{}* {} – {}\n",
            p.code,
            clean(p.label(), 60),
            p.price
        ));
    }
    if matching.len() > MAX_PRICE_LINES {
        text.push_str(&format!(
            "…dan {} lainnya di web.\n",
            matching.len() - MAX_PRICE_LINES
        ));
    }
    let example = matching[0];
    let rule = TargetRule::for_product(example.category, &example.brand);
    let how = match rule.zone_label() {
        Some(_) => format!("*beli {} 123456789 2345*", example.code),
        None => format!("*beli {} <{}>*", example.code, rule.target_label()),
    };
    text.push_str(&format!("\nPesan: {how}"));
    Ok(Answer::text(text))
}

/// A nickname check's outcome for the chat.
pub(super) enum Nick {
    NotChecked,
    Found(String),
    /// The supplier knows no such account: the text to show.
    NotFound(String),
    Unavailable,
}

/// Per-number limit on nickname checks; `Some(reply)` when over it.
pub(super) async fn nickname_budget(
    app: &App,
    ctx: &Ctx,
    rule: &TargetRule,
    account: &GameAccount,
) -> AppResult<Option<Answer>> {
    let Some(game) = rule.nickname_code().filter(|_| !ctx.seller) else {
        return Ok(None);
    };
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    // An account already asked about costs nothing more: its answer is cached, or pending for
    // this very message (its reply looks again until the answer lands).
    let key = nicknames::key(game, account.target(), account.zone());
    if nicknames::get(&mut conn, &key).await?.is_some() {
        return Ok(None);
    }
    if repo::actions_since(&mut conn, &ctx.sender, "nickname", now - NICKNAME_WINDOW_MS).await?
        >= NICKNAME_LIMIT
    {
        return Ok(Some(Answer::text(
            "Kakak sudah terlalu sering cek ID. Coba lagi 10 menit lagi ya 🙏",
        )));
    }
    repo::record_action(&mut conn, &ctx.sender, "nickname", now).await?;
    Ok(None)
}

/// Looks the nickname up through the job queue (never calling the supplier here).
pub(super) async fn nickname_of(
    app: &App,
    rule: &TargetRule,
    account: &GameAccount,
) -> AppResult<Result<Nick, NotYet>> {
    match nickname::lookup(app, rule, account, NICKNAME_WAIT).await {
        Ok(NicknameAnswer::Found(n)) => Ok(Ok(Nick::Found(n))),
        Ok(NicknameAnswer::NotChecked) => Ok(Ok(Nick::NotChecked)),
        Err(e @ AppError::NotFound { .. }) => Ok(Ok(Nick::NotFound(e.public_message()))),
        Err(AppError::Unavailable { .. }) => {
            // Still pending (every worker busy): look again shortly; failed: say so.
            let game = rule.nickname_code().unwrap_or_default();
            let key = nicknames::key(game, account.target(), account.zone());
            let mut conn = app.db.write().await?;
            match nicknames::get(&mut conn, &key).await?.map(|l| l.state) {
                Some(LookupState::Pending) => Ok(Err(NotYet(app.now_ms() + RECHECK_MS))),
                Some(LookupState::Failed(_)) | None => Ok(Ok(Nick::Unavailable)),
                // Answered since it was asked: read it on the next run, at once.
                Some(LookupState::Found(_) | LookupState::NotFound(_)) => {
                    Ok(Err(NotYet(app.now_ms())))
                }
            }
        }
        Err(e) => Err(e),
    }
}

/// Applies the product's rule to what was typed; a zone given to a product without zones is the
/// tail of a number typed in groups (`0812 3456 7890`).
pub(super) fn account_for(
    rule: &TargetRule,
    target: &str,
    zone: Option<&str>,
) -> Result<GameAccount, String> {
    let (target, zone) = match (rule.zone_label(), zone) {
        (None, Some(z)) => (format!("{target} {z}"), None),
        (_, z) => (target.to_string(), z.map(str::to_owned)),
    };
    let target = match rule {
        TargetRule::FreeText { .. } => target,
        _ => target.replace(' ', ""),
    };
    GameAccount::parse(rule, &target, zone.as_deref()).map_err(|e| e.to_string())
}

pub(super) async fn check_id(
    app: &App,
    ctx: &Ctx,
    game: &str,
    target: &str,
    zone: Option<&str>,
) -> AppResult<Step> {
    let rule = TargetRule::for_product(Category::Game, game);
    if rule.nickname_code().is_none() {
        return Ok(Ok(Answer::text(format!(
            "Nickname {game} belum bisa dicek otomatis."
        ))));
    }
    let account = match account_for(&rule, target, zone) {
        Ok(a) => a,
        Err(e) => {
            return Ok(Ok(Answer::text(format!(
                "{}. {}",
                madd_domain::text::capitalise(&e),
                chat::Usage::CheckId.text()
            ))))
        }
    };
    if let Some(refusal) = nickname_budget(app, ctx, &rule, &account).await? {
        return Ok(Ok(refusal));
    }
    Ok(match nickname_of(app, &rule, &account).await? {
        Err(later) => Err(later),
        Ok(Nick::Found(n)) => Ok(Answer::text(format!(
            "✅ {game} ID *{account}*\nNickname: *{}*\n\nLanjut pesan? Lihat *harga {}*.",
            clean(&n, 60),
            game.to_lowercase()
        ))),
        Ok(Nick::NotFound(text)) => Ok(Answer::text(format!(
            "❌ {text}. Periksa lagi ID dan zone-nya."
        ))),
        Ok(Nick::NotChecked) => Ok(Answer::text(format!(
            "Nickname {game} belum bisa dicek otomatis."
        ))),
        Ok(Nick::Unavailable) => Ok(Answer::text(
            "Cek ID sedang tidak bisa dilakukan. Coba lagi sebentar lagi ya.",
        )),
    })
}

pub(super) async fn sellable_product(
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

pub(super) async fn ask_target(app: &App, code: &str) -> AppResult<Answer> {
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
pub(super) async fn confirm(
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
    // A bill's inquiry names its customer; a game account is named by the nickname check.
    let (nickname, bill) = if product.kind == madd_domain::ServiceKind::Postpaid {
        // Like a nickname, a bill is asked without waiting in this lane (see NICKNAME_WAIT).
        match crate::service::postpaid::inquire(app, &product, account.target(), NICKNAME_WAIT)
            .await
        {
            Ok(bill) => (Some(bill.customer_name.clone()), Some(bill)),
            Err(AppError::Unavailable { code, .. })
                if code == crate::service::postpaid::PENDING =>
            {
                return Ok(Err(NotYet(app.now_ms() + RECHECK_MS)))
            }
            Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
                return Ok(Ok(Answer::text(format!("❌ {}", user_error(&e))).clear()))
            }
            Err(e) => return Err(e),
        }
    } else {
        let nickname = match nickname_of(app, &rule, &account).await? {
            Err(later) => return Ok(Err(later)),
            Ok(Nick::Found(n)) => Some(n),
            Ok(Nick::NotChecked) => None,
            Ok(Nick::NotFound(text)) => {
                return Ok(Ok(Answer::text(format!(
                    "❌ {text}. Kirim lagi ID yang benar."
                ))
                .set(Pending::Target {
                    product: product.code,
                })))
            }
            Ok(Nick::Unavailable) => return Ok(Ok(Answer::text(
                "Cek ID sedang tidak bisa dilakukan, jadi pesanan belum bisa dibuat. Coba lagi \
                     sebentar lagi ya.",
            )
            .clear())),
        };
        (nickname, None)
    };
    // The sender buys for their own number: their tier's price (member, or reseller), a running
    // flash sale, the voucher — priced as the order will be (`service::quote`). A refused voucher
    // is said and the order waits for a plain "beli" again.
    let quoted = {
        let mut conn = app.db.read().await?;
        let ask = crate::service::quote::Ask {
            product: &product,
            buyer: Some(&ctx.sender),
            whatsapp: Some(&ctx.sender),
            voucher,
            bill: bill.as_ref(),
            now: app.now_ms(),
        };
        match crate::service::quote::price(app, &mut conn, &ask).await {
            Ok(q) => q,
            Err(e @ AppError::Invalid { .. }) if voucher.is_some() => {
                return Ok(Ok(Answer::text(format!(
                    "❌ {} Kirim lagi pesanannya tanpa kode, atau dengan kode lain.",
                    user_error(&e)
                ))
                .clear()))
            }
            Err(e) => return Err(e),
        }
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
            "\nTagihan: {}\nAdmin PLN: {}\nBiaya layanan: {}",
            b.bill,
            b.admin,
            quote.amount_due - b.total
        ));
    } else if quote.tier_price < quote.list {
        text.push_str(&format!(
            "\nHarga {}: {} (umum {})",
            quote.tier.label_id().to_lowercase(),
            quote.tier_price,
            quote.list
        ));
    } else {
        text.push_str(&format!("\nHarga: {}", quote.list));
    }
    if let Some(sale) = quote.sale {
        text.push_str(&format!(
            "\n⚡ Flash sale: {sale} (sisa {})",
            quoted.sale_left().unwrap_or_default()
        ));
    }
    if let Some(code) = &quoted.voucher {
        text.push_str(&format!("\nVoucher {code}: − {}", quote.voucher_discount));
    }
    if quote.fee.is_positive() && bill.is_none() {
        text.push_str(&format!("\nBiaya admin: {}", quote.fee));
    }
    if saldo {
        text.push_str(&format!(
            "\nTotal: *{}* (dibayar dengan saldo sejauh cukup)\n\nBalas *YA* untuk membuat \
             pesanan, atau *BATAL*.",
            quote.amount_due
        ));
    } else {
        text.push_str(&format!(
            "\nTotal: *{}*\n\nBalas *YA* untuk membuat tagihan & link bayar, atau *BATAL*.",
            quote.amount_due
        ));
    }
    text
}

/// `ya`: the order is made like any other; its invoice (with the pay link) is the answer.
pub(super) async fn place(
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
        },
    )
    .await;
    Ok(match created {
        Ok((order, _)) if saldo => {
            tracing::info!(order = %order.code, "order made by chat, paid with saldo");
            match crate::service::saldo::pay_order(app, &ctx.sender, order.code.as_str()).await {
                Ok(paid) if paid.rest.is_positive() => Answer::text(format!(
                    "💳 Saldo {} dipakai untuk *{}*; kurang *{}*: bayar sisanya lewat link \
                     Trakteer di tagihan.",
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

pub(super) fn status_line(app: &App, order: &Order) -> String {
    let mut text = format!(
        "📦 *{}* – {}\n{}\nAkun: {}\nStatus: *{}*",
        order.code,
        clean(&order.product_name, 60),
        order.amount_due,
        order.account,
        order.status.label_id()
    );
    match order.status {
        OrderStatus::AwaitingPayment | OrderStatus::Underpaid => {
            if let Some(pay) = order_service::pay_url(app, order) {
                text.push_str(&format!(
                    "\nSisa bayar: {}\nBayar: {pay}",
                    order_service::owed(order)
                ));
            }
            text.push_str(&format!(
                "\nBatas bayar: {}",
                clock::human(order.expires_at)
            ));
        }
        OrderStatus::Delivered => {
            if let Some(sn) = &order.serial_number {
                text.push_str(&format!("\nSN: *{}*", clean(sn, 120)));
            }
        }
        _ => {}
    }
    text.push_str(&format!(
        "\n{}",
        app.config.link(&format!("/order/{}", order.code))
    ));
    text
}

pub(super) async fn find_order(app: &App, code: &OrderCode) -> AppResult<Option<Order>> {
    let mut conn = app.db.write().await?;
    Ok(orders::by_code(&mut conn, code).await?)
}

pub(super) async fn status(app: &App, code: &OrderCode) -> AppResult<Answer> {
    // An order code is unguessable and its tracking page is public, so whoever has the code
    // may read the status (as on the web).
    Ok(match find_order(app, code).await? {
        Some(order) => Answer::text(status_line(app, &order)),
        None => Answer::text(format!(
            "Pesanan *{code}* tidak ditemukan. Periksa lagi kodenya ya."
        )),
    })
}

pub(super) async fn own_orders(app: &App, ctx: &Ctx) -> AppResult<Answer> {
    let list = {
        let mut conn = app.db.write().await?;
        orders::list(
            &mut conn,
            &OrderFilter {
                status: None,
                search: Some(ctx.sender.as_str().to_string()),
                limit: 5,
                ..OrderFilter::default()
            },
        )
        .await?
    };
    let mine: Vec<&Order> = list.iter().filter(|o| o.whatsapp == ctx.sender).collect();
    if mine.is_empty() {
        return Ok(Answer::text(
            "Belum ada pesanan dari nomor ini. Ketik *harga ml* untuk mulai belanja.",
        ));
    }
    let mut text = String::from("📦 *Pesanan terakhir kakak*\n");
    for o in mine {
        text.push_str(&format!(
            "\n• *{}* {} – {}",
            o.code,
            clean(&o.product_name, 40),
            o.status.label_id()
        ));
    }
    text.push_str("\n\nDetail: *status MS-XXXXXXXX*");
    Ok(Answer::text(text))
}

pub(super) async fn cancel(app: &App, ctx: &Ctx, code: &OrderCode) -> AppResult<Answer> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let order = match orders::by_code(&mut tx, code).await? {
        // Only the number that ordered (or the seller) may cancel.
        Some(o) if o.whatsapp == ctx.sender || ctx.seller => o,
        _ => {
            return Ok(Answer::text(format!(
                "Pesanan *{code}* tidak ditemukan untuk nomor ini."
            )))
        }
    };
    let closed = order_service::close(
        &mut tx,
        &order,
        order_service::Closing::CancelledInChat,
        now,
    )
    .await?;
    if closed.closed {
        tx.commit().await?;
        closed.announce(app);
        tracing::info!(order = %order.code, "unpaid order cancelled by chat");
        return Ok(Answer::text(format!(
            "Pesanan *{}* dibatalkan. Jangan bayar link lamanya ya. Ketik *menu* untuk pesan lagi.",
            order.code
        )));
    }
    drop(tx);
    Ok(Answer::text(match order.status {
        OrderStatus::AwaitingPayment | OrderStatus::Underpaid => format!(
            "Pesanan *{}* sudah menerima pembayaran, jadi tidak bisa dibatalkan lewat chat. \
             Hubungi admin: *cs batal {}*.",
            order.code, order.code
        ),
        other => format!(
            "Pesanan *{}* berstatus {} dan tidak bisa dibatalkan.",
            order.code,
            other.label_id()
        ),
    }))
}

pub(super) async fn support(app: &App, ctx: &Ctx, text: &str) -> AppResult<Answer> {
    if crate::service::settings::current(app)
        .await?
        .seller_whatsapp
        .is_none()
    {
        return Ok(Answer::text(
            "Maaf, admin belum bisa dihubungi lewat chat. Silakan coba lagi nanti.",
        ));
    }
    let who = match &ctx.name {
        Some(n) if !n.trim().is_empty() => format!("{} ({})", ctx.sender.local(), clean(n, 40)),
        _ => ctx.sender.local(),
    };
    let mut answer = Answer::text(
        "Pesan kakak sudah diteruskan ke admin 🙏 Mohon tunggu balasannya di chat ini.",
    );
    answer.to_seller = Some(format!(
        "💬 Pesan pelanggan {who}:\n\"{}\"\nBalas langsung ke wa.me/{}",
        clean(text, chat::MAX_SUPPORT_CHARS),
        ctx.sender.as_str()
    ));
    Ok(answer)
}
