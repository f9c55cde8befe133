//! A customer's conversation: prices, checking a game account, ordering step by step,
//! following and cancelling their orders, their saldo, and reaching the seller.

use super::*;

mod accounts;
mod order_status;
mod ordering;
mod prices;
mod saldo;

pub(super) use accounts::check_id;
use accounts::{account_for, nickname_budget, nickname_of, Nick};
pub(super) use order_status::{cancel, own_orders, status};
pub(super) use ordering::{ask_target, confirm, yes};
pub(super) use prices::price_list;
pub(super) use saldo::{cash_out, own_saldo, pay_with_saldo};

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
