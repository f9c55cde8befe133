//! The customer's saldo by chat: the balance, paying an order with it, asking for it back.

use super::*;

/// A customer's `saldo`: the balance and its last movements.
pub(in crate::service::chat) async fn own_saldo(app: &App, ctx: &Ctx) -> AppResult<Answer> {
    let wallet = crate::service::saldo::wallet(app, &ctx.sender).await?;
    let mut text = format!("💰 Saldo kamu: *{}*", wallet.balance);
    for e in &wallet.entries {
        text.push_str(&format!(
            "\n• {} {} – {}{}",
            crate::clock::human(e.created_at),
            if e.amount.is_positive() {
                format!("+{}", e.amount)
            } else {
                format!("−{}", Rupiah::ZERO - e.amount)
            },
            e.kind.label_id(),
            if e.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", clean(&e.note, 20))
            }
        ));
    }
    if wallet.balance.is_positive() {
        text.push_str(
            "\n\nPakai: buat pesanan, lalu balas *bayar saldo MS-…*. Mau ditarik? Balas \
             *tarik <jumlah> <gopay/dana/ovo/bank> <nomor>*.",
        );
    }
    Ok(Answer::text(text))
}

/// `tarik`: the seller is asked to pay the saldo out; nothing moves until they do.
pub(in crate::service::chat) async fn cash_out(
    app: &App,
    ctx: &Ctx,
    amount: Rupiah,
    method: madd_domain::RefundMethod,
    account: &str,
) -> Answer {
    match crate::service::saldo::request_cash_out(app, &ctx.sender, amount, method, account).await {
        Ok(_) => Answer::text(format!(
            "🏦 Permintaan tarik *{amount}* ke {} {} sudah diteruskan ke penjual. Saldo \
             dipotong saat dananya dikirim; kabarnya lewat chat ini.",
            method.label(),
            clean(account, 60)
        )),
        Err(e) => Answer::text(user_error(&e)),
    }
}

/// `bayar saldo <code>`: as much of the order as the saldo covers.
pub(in crate::service::chat) async fn pay_with_saldo(
    app: &App,
    ctx: &Ctx,
    code: &OrderCode,
) -> Answer {
    match crate::service::saldo::pay_order(app, &ctx.sender, code.as_str()).await {
        Ok(paid) if paid.rest.is_positive() => Answer::text(format!(
            "💳 Saldo {} dipakai untuk *{code}*; sisa saldo {}. Kurang *{}*: bayar \
             sisanya lewat link pembayaran di tagihan yang kami kirim.",
            paid.taken, paid.balance, paid.rest
        )),
        Ok(paid) => Answer::text(format!(
            "✅ *{code}* lunas dengan saldo ({}); sisa saldo {}.",
            paid.taken, paid.balance
        )),
        Err(e) => Answer::text(user_error(&e)),
    }
}
