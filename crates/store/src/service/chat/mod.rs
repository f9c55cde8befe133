//! Ordering and following orders by WhatsApp chat, and the seller's commands — on the same
//! engine as the web store (an order made by chat is an ordinary order: same invoice, code,
//! pay link and tracking page).
//!
//! An incoming message is recorded once (deduplicated on the gateway's id) with its reply job in
//! the webhook's transaction; the job reads the message as a command ([`madd_domain::chat`]),
//! does what it asks through the store's services, and commits its replies to the outbox together
//! with `received → answered` — so a message is answered at most once, however often the gateway
//! delivers it or the job is retried. Nothing here calls a provider from a request.
//!
//! Rules written down:
//! - Flooding: from the 16th message within a minute a number's messages are recorded but not
//!   answered (`throttled`); the seller is exempt from every limit.
//! - Nickname checks (`cek`, and `beli` for games) cost the supplier a request: at most 5 per
//!   number per 10 minutes. Orders by chat: at most 5 per number per hour.
//! - The guided flow's step lives 15 minutes after the last message.
//! - `batal <code>` ends an order nobody has paid anything for as `expired` (no new status);
//!   an order with money on it is the seller's to refund, so the customer is sent to `cs`.
//! - `tutup` closes the store to new orders everywhere (web, API, chat):
//!   [`crate::service::orders::ensure_open`].
use madd_domain::chat::{self, Command, Pending, PriceQuery};
use madd_domain::{Category, GameAccount, OrderCode, OrderStatus, PhoneNumber, Rupiah, TargetRule};

use crate::app::App;
use crate::clock;
use crate::db::chat::{self as repo, InboundState, NewInbound};
use crate::db::figures::{self, Figures};
use crate::db::nicknames::{self, LookupState};
use crate::db::orders::{self, Order, OrderFilter};
use crate::db::{messages, products};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify::{Audience, Notice};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::orders::ensure_open;
use crate::service::{fulfilment, orders as order_service, outbox};

mod customer;
mod seller;

use customer::{
    ask_target, cancel, cash_out, check_id, confirm, own_orders, own_saldo, pay_with_saldo,
    price_list, status, support, yes,
};
use seller::{process, recheck, report, supplier_balances, switch, to_do};

const SHOP: &str = "Madd Store";

const FLOOD_WINDOW_MS: i64 = 60_000;

const FLOOD_LIMIT: i64 = 15;

const NICKNAME_WINDOW_MS: i64 = 10 * 60_000;

const NICKNAME_LIMIT: i64 = 5;

const ORDER_WINDOW_MS: i64 = 60 * 60_000;

const ORDER_LIMIT: i64 = 5;

const SESSION_MS: i64 = 15 * 60_000;

/// How long a reply job waits for a nickname job before it steps aside and looks again later.
/// A reply never waits for a lookup: it asks, gives its worker back, and runs again when a
/// lookup lands (`lookup::answered`) or after `RECHECK_MS`, so a crowd of chat orders holds no
/// worker while suppliers answer.
const NICKNAME_WAIT: std::time::Duration = std::time::Duration::ZERO;
const RECHECK_MS: i64 = 250;
/// A sender's messages are answered in order, unless the earlier one is this old (stuck).
const IN_ORDER_MS: i64 = 2 * 60 * 1000;

/// Lines in one price list.
const MAX_PRICE_LINES: usize = 30;

/// Which gateway a message came through (part of its dedupe key: ids are per gateway).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Gateway {
    Cloud,
    Fonnte,
}

impl Gateway {
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Cloud => "cloud",
            Gateway::Fonnte => "fonnte",
        }
    }
}

/// A message as a gateway's webhook delivered it.
#[derive(Clone, Debug)]
pub struct Incoming<'a> {
    pub gateway: Gateway,
    pub id: &'a str,
    pub from: &'a str,
    pub name: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Recorded; its reply job is queued.
    New,
    /// This id was recorded before: nothing done.
    Duplicate,
    /// Recorded, not answered (flooding).
    Throttled,
    /// Not from a WhatsApp mobile number we can answer: dropped.
    Ignored,
}

/// Records an incoming message (once), opens the 24-hour window and queues the reply job.
pub async fn receive(app: &App, m: &Incoming<'_>) -> AppResult<Received> {
    let Ok(sender) = PhoneNumber::parse(m.from) else {
        tracing::info!(
            gateway = m.gateway.as_str(),
            "message from a non-mobile sender ignored"
        );
        return Ok(Received::Ignored);
    };
    // Both gateways' messages enter here: cleaned once (a NUL would make PostgreSQL refuse the
    // row, and the gateway would redeliver it forever).
    let id = madd_domain::text::clean_line(m.id, 200);
    let body = madd_domain::text::clean(m.text, chat::MAX_INPUT_CHARS);
    let name: Option<String> = m.name.map(|n| madd_domain::text::clean_line(n, 100));
    let is_seller = is_seller(app, &sender).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let recent = repo::inbound_since(&mut tx, &sender, now - FLOOD_WINDOW_MS).await?;
    let state = if !is_seller && recent >= FLOOD_LIMIT {
        InboundState::Throttled
    } else {
        InboundState::Received
    };
    let Some(row) = repo::record_inbound(
        &mut tx,
        &NewInbound {
            gateway: m.gateway.as_str(),
            provider_id: &id,
            sender: &sender,
            name: name.as_deref(),
            body: &body,
            state,
            now,
        },
    )
    .await?
    else {
        return Ok(Received::Duplicate);
    };
    messages::touch_window(&mut tx, &sender, now).await?;
    if state == InboundState::Received {
        let key = format!("chat:{row}");
        jobs::schedule(&mut tx, JobKind::ChatReply, row, now, now, Some(&key)).await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(match state {
        InboundState::Throttled => {
            tracing::warn!(sender = %sender.masked(), "chat flood: message not answered");
            Received::Throttled
        }
        _ => Received::New,
    })
}

/// The seller's number is a dashboard setting (falling back to `MADD_SELLER_WHATSAPP`).
async fn is_seller(app: &App, phone: &PhoneNumber) -> AppResult<bool> {
    Ok(crate::service::settings::current(app)
        .await?
        .seller_whatsapp
        .as_ref()
        == Some(phone))
}

/// What the guided flow's step becomes after a message.
enum Session {
    Keep,
    Set(Pending),
    Clear,
}

/// A command's effect on the conversation.
struct Answer {
    replies: Vec<String>,
    to_seller: Option<String>,
    session: Session,
}

impl Answer {
    fn text(text: impl Into<String>) -> Answer {
        Answer {
            replies: vec![text.into()],
            to_seller: None,
            session: Session::Keep,
        }
    }

    fn clear(mut self) -> Answer {
        self.session = Session::Clear;
        self
    }

    fn set(mut self, pending: Pending) -> Answer {
        self.session = Session::Set(pending);
        self
    }

    /// No chat reply: another message (the invoice) is the answer.
    fn silent() -> Answer {
        Answer {
            replies: Vec::new(),
            to_seller: None,
            session: Session::Clear,
        }
    }
}

/// Who wrote, and what we know of the conversation.
struct Ctx {
    inbound_id: i64,
    sender: PhoneNumber,
    name: Option<String>,
    seller: bool,
    pending: Option<Pending>,
}

/// A step that cannot finish now (a nickname job is still running): look again at this time.
struct NotYet(i64);

type Step = Result<Answer, NotYet>;

/// The reply job.
pub async fn reply(app: &App, inbound_id: i64) -> AppResult<Outcome> {
    let now = app.now_ms();
    let (inbound, pending) = {
        let mut conn = app.db.write().await?;
        let Some(inbound) = repo::inbound(&mut conn, inbound_id).await? else {
            return Ok(Outcome::Done);
        };
        if inbound.state != InboundState::Received {
            return Ok(Outcome::Done);
        }
        let Ok(sender) = PhoneNumber::parse(&inbound.sender) else {
            return Ok(Outcome::Done);
        };
        if repo::earlier_unanswered(&mut conn, sender.as_str(), inbound_id, now - IN_ORDER_MS)
            .await?
        {
            // The earlier message is still being answered (its lookup runs): this one after it.
            return Ok(Outcome::Later(now + RECHECK_MS));
        }
        let pending = repo::session(&mut conn, &sender, now)
            .await?
            .and_then(|json| serde_json::from_str::<Pending>(&json).ok());
        (inbound, pending)
    };
    let sender = PhoneNumber::parse(&inbound.sender)
        .map_err(|e| AppError::internal(format!("stored sender: {e}")))?;
    let ctx = Ctx {
        inbound_id,
        seller: is_seller(app, &sender).await?,
        sender,
        name: inbound.name.clone(),
        pending,
    };
    let command = chat::interpret(ctx.pending.as_ref(), &inbound.body);
    let answer = match execute(app, &ctx, command).await? {
        Ok(answer) => answer,
        Err(NotYet(at)) => return Ok(Outcome::Later(at)),
    };

    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::mark_answered(&mut tx, inbound_id, now).await? {
        return Ok(Outcome::Done);
    }
    let audience = if ctx.seller {
        Audience::Seller
    } else {
        Audience::Customer
    };
    for text in &answer.replies {
        outbox::enqueue(
            &mut tx,
            None,
            &ctx.sender,
            &chat_notice(audience, text),
            now,
        )
        .await?;
    }
    if let Some(text) = &answer.to_seller {
        outbox::to_seller(
            &app.config,
            &mut tx,
            None,
            &Notice {
                audience: Audience::Seller,
                kind: "seller_customer_message",
                text: text.clone(),
                params: vec![text.clone()],
            },
            now,
        )
        .await?;
    }
    match &answer.session {
        Session::Keep => {}
        Session::Clear => repo::clear_session(&mut tx, &ctx.sender).await?,
        Session::Set(p) => {
            let json = serde_json::to_string(p).expect("a pending step serialises");
            repo::set_session(&mut tx, &ctx.sender, &json, now + SESSION_MS, now).await?;
        }
    }
    tx.commit().await?;
    // The sender's next message may be waiting for this answer (see `earlier_unanswered`).
    jobs::pull_forward(app, JobKind::ChatReply).await?;
    app.wake_workers();
    Ok(Outcome::Done)
}

fn chat_notice(audience: Audience, text: &str) -> Notice {
    Notice {
        audience,
        kind: "chat_reply",
        text: text.to_string(),
        params: vec![text.to_string()],
    }
}

async fn execute(app: &App, ctx: &Ctx, command: Command) -> AppResult<Step> {
    if command.is_seller_only() && !ctx.seller {
        tracing::warn!(sender = %ctx.sender.masked(), ?command, "seller command from another number refused");
        return Ok(Ok(Answer::text(
            "Maaf kak, perintah ini khusus penjual. Ketik *menu* untuk melihat perintah pelanggan.",
        )));
    }
    Ok(Ok(match command {
        Command::Menu => Answer::text(chat::menu_text(SHOP, ctx.seller)).clear(),
        Command::Prices(q) => price_list(app, ctx, &q).await?,
        Command::CheckId { game, target, zone } => {
            return check_id(app, ctx, &game, &target, zone.as_deref()).await
        }
        Command::Buy {
            product: None,
            target: None,
            ..
        } => start_order(app).await,
        Command::Buy {
            product: Some(code),
            target: None,
            ..
        } => ask_target(app, &code).await?,
        Command::Buy {
            product,
            target: Some(target),
            zone,
            saldo,
            voucher,
        } => {
            let product = product.unwrap_or_default();
            return confirm(
                app,
                ctx,
                &product,
                &target,
                zone.as_deref(),
                saldo,
                voucher.as_deref(),
            )
            .await;
        }
        Command::Yes => yes(app, ctx).await?,
        Command::No => match &ctx.pending {
            Some(_) => {
                Answer::text("Oke kak, dibatalkan. Ketik *menu* kalau butuh bantuan.").clear()
            }
            None => Answer::text("Oke kak 👍 Ketik *menu* kalau butuh bantuan."),
        },
        Command::Status(Some(code)) => status(app, &code).await?,
        Command::Status(None) => own_orders(app, ctx).await?,
        Command::Orders if ctx.seller => to_do(app).await?,
        Command::Orders => own_orders(app, ctx).await?,
        Command::CheckOrder(code) if ctx.seller => recheck(app, &code).await,
        Command::CheckOrder(code) => status(app, &code).await?,
        Command::Cancel(code) => cancel(app, ctx, &code).await?,
        Command::Support(text) => support(app, ctx, &text).await?,
        Command::Balance if !ctx.seller => own_saldo(app, ctx).await?,
        Command::CashOut {
            amount,
            method,
            account,
        } => cash_out(app, ctx, amount, method, &account).await,
        Command::PayWithSaldo(code) => pay_with_saldo(app, ctx, &code).await,
        Command::Balance => supplier_balances(app).await,
        Command::Process(code) => process(app, &code).await,
        Command::Report => report(app).await?,
        Command::Close | Command::Open => switch(app, command == Command::Close).await?,
        Command::Usage(usage) => Answer::text(usage.text()),
        Command::Unknown => unknown(ctx),
    }))
}

/// A bare `beli`: the guided flow starts by asking for the product, unless the store is closed.
async fn start_order(app: &App) -> Answer {
    if let Err(e) = ensure_open(app).await {
        return Answer::text(user_error(&e)).clear();
    }
    Answer::text(
        "Siap! Kirim *kode produk* yang mau dibeli (lihat daftar harga: *harga ml*, \
         *list ff*, *pulsa telkomsel*).\nKetik *batal* untuk berhenti.",
    )
    .set(Pending::Product)
}

/// A message that is no command: a hint for the step the sender is in, or the short help.
fn unknown(ctx: &Ctx) -> Answer {
    match &ctx.pending {
        Some(Pending::Confirm { .. }) => {
            Answer::text("Balas *YA* untuk membuat tagihan, atau *BATAL* untuk membatalkan.")
        }
        Some(Pending::Product) => Answer::text(
            "Kirim kode produk seperti di daftar harga, misalnya *ML86-S1*. Ketik *batal* \
             untuk berhenti.",
        ),
        Some(Pending::Target { product }) => Answer::text(format!(
            "Kirim ID tujuan untuk *{product}*, misalnya *123456789 2345*. Ketik *batal* untuk \
             berhenti."
        )),
        None => Answer::text(chat::help_text()),
    }
}

/// A client-side error's message (our own failures stay generic).
fn user_error(e: &AppError) -> String {
    e.public_message()
}

/// Text that came from outside (names, supplier notes) on one line, without WhatsApp formatting.
fn clean(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            '*' | '_' | '~' | '`' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The reply job ran out of attempts: the message stays `received`, visible in the database.
pub async fn give_up(_app: &App, inbound_id: i64, error: &str) -> AppResult<()> {
    tracing::error!(inbound = inbound_id, %error, "chat message could not be answered");
    Ok(())
}

#[cfg(test)]
mod lane_tests {
    /// A chat reply once ran in the lane of the lookups it asked for and held the lane's only
    /// worker while waiting, so every web checkout waited behind it. Now it has its own lane and
    /// never waits at all: every lookup the chat makes passes `NICKNAME_WAIT`, and that is zero.
    #[test]
    fn no_chat_reply_waits_for_a_lookup_of_its_own_lane() {
        use crate::jobs::queue::{JobKind, Lane};
        assert_eq!(super::NICKNAME_WAIT, std::time::Duration::ZERO);
        assert_ne!(JobKind::ChatReply.lane(), JobKind::LookupNickname.lane());
        assert_ne!(JobKind::ChatReply.lane(), JobKind::PostpaidInquiry.lane());
        assert!(Lane::Interactive.workers(4) >= 2);
        let sources = [
            include_str!("mod.rs"),
            include_str!("customer/mod.rs"),
            include_str!("customer/accounts.rs"),
            include_str!("customer/order_status.rs"),
            include_str!("customer/ordering.rs"),
            include_str!("customer/prices.rs"),
            include_str!("customer/saldo.rs"),
            include_str!("seller.rs"),
        ];
        let mut calls = 0;
        for source in sources {
            let code = source.split("mod lane_tests").next().unwrap_or(source);
            for call in ["nickname::lookup(", "postpaid::inquire(", "await_answer("] {
                for (at, _) in code.match_indices(call) {
                    let end = code[at..].find(".await").map_or(code.len(), |e| at + e);
                    let args = &code[at..end];
                    assert!(
                        args.contains("NICKNAME_WAIT"),
                        "a chat lookup that waits: {args}"
                    );
                    calls += 1;
                }
            }
        }
        assert!(calls >= 2, "the scan found the chat's lookups");
    }
}
