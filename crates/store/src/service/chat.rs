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
//! - `tutup` closes the store to new orders everywhere (web, API, chat): [`ensure_open`].

use madd_domain::chat::{self, Command, Pending, PriceQuery};
use madd_domain::{Category, GameAccount, OrderCode, OrderStatus, PhoneNumber, Quote, TargetRule};

use crate::app::App;
use crate::clock;
use crate::db::chat::{self as repo, InboundState, NewInbound};
use crate::db::figures::{self, Figures};
use crate::db::nicknames::{self, LookupState};
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, Order, OrderFilter};
use crate::db::store_state;
use crate::db::{messages, products};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify::{Audience, Notice};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::{fulfilment, orders as order_service, outbox};

const SHOP: &str = "Madd Store";
const FLOOD_WINDOW_MS: i64 = 60_000;
const FLOOD_LIMIT: i64 = 15;
const NICKNAME_WINDOW_MS: i64 = 10 * 60_000;
const NICKNAME_LIMIT: i64 = 5;
const ORDER_WINDOW_MS: i64 = 60 * 60_000;
const ORDER_LIMIT: i64 = 5;
const SESSION_MS: i64 = 15 * 60_000;
/// How long a reply job waits for a nickname job before it steps aside and looks again later.
const NICKNAME_WAIT: std::time::Duration = std::time::Duration::from_secs(8);
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

/// Refuses new orders while the seller has closed the store (`tutup`).
pub async fn ensure_open(app: &App) -> AppResult<()> {
    let mut conn = app.db.read().await?;
    if store_state::paused(&mut conn).await? {
        return Err(crate::service::orders::closed());
    }
    Ok(())
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
        let pending = repo::session(&mut conn, &sender, now)
            .await?
            .and_then(|json| serde_json::from_str::<Pending>(&json).ok());
        (inbound, pending)
    };
    let sender = PhoneNumber::parse(&inbound.sender)
        .map_err(|e| AppError::Internal(format!("stored sender: {e}")))?;
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
        Command::Prices(q) => price_list(app, &q).await?,
        Command::CheckId { game, target, zone } => {
            return check_id(app, ctx, &game, &target, zone.as_deref()).await
        }
        Command::Buy {
            product: None,
            target: None,
            ..
        } => {
            if let Err(e) = ensure_open(app).await {
                return Ok(Ok(Answer::text(user_error(&e)).clear()));
            }
            Answer::text(
                "Siap! Kirim *kode produk* yang mau dibeli (lihat daftar harga: *harga ml*, \
                 *list ff*, *pulsa telkomsel*).\nKetik *batal* untuk berhenti.",
            )
            .set(Pending::Product)
        }
        Command::Buy {
            product: Some(code),
            target: None,
            ..
        } => ask_target(app, &code).await?,
        Command::Buy {
            product,
            target: Some(target),
            zone,
        } => {
            let product = product.unwrap_or_default();
            return confirm(app, ctx, &product, &target, zone.as_deref()).await;
        }
        Command::Yes => match &ctx.pending {
            Some(Pending::Confirm {
                product,
                target,
                zone,
            }) => place(app, ctx, product, target, zone.as_deref()).await?,
            _ => Answer::text(
                "Tidak ada pesanan yang menunggu konfirmasi. Ketik *menu* untuk mulai.",
            ),
        },
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
        Command::CheckOrder(code) if ctx.seller => {
            match fulfilment::recheck(app, code.as_str()).await {
                Ok(()) => Answer::text(format!(
                "🔄 Status *{code}* sedang dicek ulang ke supplier. Hasilnya dikirim ke pelanggan \
                 otomatis."
            )),
                Err(e) => Answer::text(user_error(&e)),
            }
        }
        Command::CheckOrder(code) => status(app, &code).await?,
        Command::Cancel(code) => cancel(app, ctx, &code).await?,
        Command::Support(text) => support(app, ctx, &text).await?,
        Command::Balance => match app.supplier.profile().await {
            Ok(p) => Answer::text(format!(
                "💳 Saldo supplier: *{}*\nAkun: {} ({})",
                p.balance,
                clean(&p.username, 40),
                clean(&p.level, 20)
            )),
            Err(e) => {
                tracing::warn!(error = %e, "balance check by chat failed");
                Answer::text("Saldo supplier tidak bisa dicek sekarang. Coba lagi sebentar lagi.")
            }
        },
        Command::Process(code) => {
            match fulfilment::process(app, code.as_str(), "seller (WhatsApp)").await {
                Ok(order) => Answer::text(format!(
                    "⏳ Pesanan *{}* ({}) diproses ke supplier. SN dikirim ke pelanggan otomatis.",
                    order.code,
                    clean(&order.product_name, 60)
                )),
                Err(e) => Answer::text(user_error(&e)),
            }
        }
        Command::Report => report(app).await?,
        Command::Close | Command::Open => {
            let close = command == Command::Close;
            let mut conn = app.db.write().await?;
            store_state::set_paused(&mut conn, close, app.now_ms()).await?;
            app.catalogue.invalidate();
            tracing::info!(closed = close, "store open/closed by the seller");
            Answer::text(if close {
                "🔒 Toko *tutup*: pesanan baru (web, API dan chat) ditolak sampai kamu ketik *buka*."
            } else {
                "🔓 Toko *buka* lagi: pesanan baru diterima."
            })
        }
        Command::Usage(usage) => Answer::text(usage.text()),
        Command::Unknown => match &ctx.pending {
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
        },
    }))
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

async fn price_list(app: &App, q: &PriceQuery) -> AppResult<Answer> {
    let all = {
        let mut conn = app.db.write().await?;
        products::list(&mut conn, q.category).await?
    };
    let sellable: Vec<_> = all.into_iter().filter(|p| p.sellable()).collect();
    let Some(brand) = &q.brand else {
        // The overview: brands per category.
        let mut text = String::from("📋 *Daftar produk*\n");
        for category in Category::ALL {
            let mut brands: Vec<&str> = sellable
                .iter()
                .filter(|p| p.category == category)
                .map(|p| p.brand.as_str())
                .collect();
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
            let b = p.brand.to_lowercase();
            b.starts_with(&wanted) || b.contains(&wanted) || wanted.contains(&b)
        })
        .collect();
    if matching.is_empty() {
        return Ok(Answer::text(format!(
            "Produk *{}* belum tersedia. Ketik *harga* untuk melihat semua kategori.",
            clean(brand, 40)
        )));
    }
    let mut text = format!("📋 *Harga {}*\n", clean(brand, 40));
    let mut last_brand = "";
    for p in matching.iter().take(MAX_PRICE_LINES) {
        if p.brand != last_brand && matching.iter().any(|o| o.brand != p.brand) {
            text.push_str(&format!("\n_{}_\n", clean(&p.brand, 40)));
            last_brand = &p.brand;
        }
        text.push_str(&format!(
            "• *{}* {} – {}\n",
            p.code,
            clean(&p.name, 60),
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
enum Nick {
    NotChecked,
    Found(String),
    /// The supplier knows no such account: the text to show.
    NotFound(String),
    Unavailable,
}

/// Per-number limit on nickname checks; `Some(reply)` when over it.
async fn nickname_budget(app: &App, ctx: &Ctx, rule: &TargetRule) -> AppResult<Option<Answer>> {
    if ctx.seller || rule.nickname_code().is_none() {
        return Ok(None);
    }
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
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
async fn nickname_of(
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
                Some(LookupState::Pending) => Ok(Err(NotYet(app.now_ms() + 2_000))),
                _ => Ok(Ok(Nick::Unavailable)),
            }
        }
        Err(e) => Err(e),
    }
}

/// Applies the product's rule to what was typed; a zone given to a product without zones is the
/// tail of a number typed in groups (`0812 3456 7890`).
fn account_for(rule: &TargetRule, target: &str, zone: Option<&str>) -> Result<GameAccount, String> {
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

async fn check_id(
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
    if let Some(refusal) = nickname_budget(app, ctx, &rule).await? {
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

async fn sellable_product(app: &App, code: &str) -> AppResult<Result<products::Product, String>> {
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

async fn ask_target(app: &App, code: &str) -> AppResult<Answer> {
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
async fn confirm(
    app: &App,
    ctx: &Ctx,
    code: &str,
    target: &str,
    zone: Option<&str>,
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
    if let Some(refusal) = nickname_budget(app, ctx, &rule).await? {
        return Ok(Ok(refusal.clear()));
    }
    let nickname =
        match nickname_of(app, &rule, &account).await? {
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
    let quote = Quote::new(
        product.price,
        &crate::service::settings::current(app).await?.customer_fee,
        app.payment.unit_price(),
    );
    let mut text = format!(
        "🧾 *Konfirmasi pesanan*\nProduk: {}\nAkun: {account}",
        clean(&product.name, 60)
    );
    if let Some(n) = &nickname {
        text.push_str(&format!(" – *{}*", clean(n, 60)));
    }
    text.push_str(&format!("\nHarga: {}", quote.price));
    if quote.fee.is_positive() {
        text.push_str(&format!("\nBiaya admin: {}", quote.fee));
    }
    text.push_str(&format!(
        "\nTotal: *{}*\n\nBalas *YA* untuk membuat tagihan & link bayar, atau *BATAL*.",
        quote.amount_due
    ));
    Ok(Ok(Answer::text(text).set(Pending::Confirm {
        product: product.code,
        target: account.target().to_string(),
        zone: account.zone().map(str::to_owned),
    })))
}

/// `ya`: the order is made like any other; its invoice (with the pay link) is the answer.
async fn place(
    app: &App,
    ctx: &Ctx,
    product: &str,
    target: &str,
    zone: Option<&str>,
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
        },
    )
    .await;
    Ok(match created {
        Ok((order, _)) => {
            tracing::info!(order = %order.code, "order made by chat");
            Answer::silent()
        }
        Err(e) => {
            e.log();
            Answer::text(user_error(&e)).clear()
        }
    })
}

fn status_line(app: &App, order: &Order) -> String {
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

async fn find_order(app: &App, code: &OrderCode) -> AppResult<Option<Order>> {
    let mut conn = app.db.write().await?;
    Ok(orders::by_code(&mut conn, code).await?)
}

async fn status(app: &App, code: &OrderCode) -> AppResult<Answer> {
    // An order code is unguessable and its tracking page is public, so whoever has the code
    // may read the status (as on the web).
    Ok(match find_order(app, code).await? {
        Some(order) => Answer::text(status_line(app, &order)),
        None => Answer::text(format!(
            "Pesanan *{code}* tidak ditemukan. Periksa lagi kodenya ya."
        )),
    })
}

async fn own_orders(app: &App, ctx: &Ctx) -> AppResult<Answer> {
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

/// The seller's `pesanan`: what needs action.
async fn to_do(app: &App) -> AppResult<Answer> {
    let mut sections = Vec::new();
    for (status, title) in [
        (OrderStatus::Paid, "Sudah dibayar – perlu *proses*"),
        (OrderStatus::Failed, "Gagal – ulang atau refund"),
        (OrderStatus::Processing, "Sedang diproses"),
        (OrderStatus::Underpaid, "Kurang bayar"),
    ] {
        let list = {
            let mut conn = app.db.write().await?;
            orders::list(
                &mut conn,
                &OrderFilter {
                    status: Some(status),
                    search: None,
                    limit: 10,
                    ..OrderFilter::default()
                },
            )
            .await?
        };
        if list.is_empty() {
            continue;
        }
        let mut s = format!("*{title}* ({})", list.len());
        for o in &list {
            s.push_str(&format!(
                "\n• {} {} – {}",
                o.code,
                clean(&o.product_name, 40),
                o.account
            ));
        }
        sections.push(s);
    }
    Ok(Answer::text(if sections.is_empty() {
        "✅ Tidak ada pesanan yang perlu ditindaklanjuti.".to_string()
    } else {
        format!(
            "📋 *Pesanan*\n\n{}\n\nKetik *proses MS-…* untuk memproses.",
            sections.join("\n\n")
        )
    }))
}

async fn cancel(app: &App, ctx: &Ctx, code: &OrderCode) -> AppResult<Answer> {
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
    if order_status::cancel_unpaid(&mut tx, order.id, now).await? {
        order_events::add_event(
            &mut tx,
            order.id,
            now,
            "customer",
            "expired",
            "Dibatalkan lewat WhatsApp sebelum dibayar",
        )
        .await?;
        tx.commit().await?;
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

async fn support(app: &App, ctx: &Ctx, text: &str) -> AppResult<Answer> {
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

/// Today's and this month's figures (WIB).
async fn report(app: &App) -> AppResult<Answer> {
    let now_ms = app.now_ms();
    let now = madd_domain::time::at(now_ms);
    let (today, tomorrow) = madd_domain::time::day(now_ms);
    let month = madd_domain::report::Month::containing(now_ms);
    let (day, month_figures) = {
        let mut conn = app.db.read().await?;
        (
            figures::between(&mut conn, today, tomorrow).await?,
            figures::between(&mut conn, month.start_ms(), month.end_ms()).await?,
        )
    };
    let block = |title: String, f: &Figures| {
        format!(
            "*{title}*\nPesanan masuk: {}\nDibayar: {}\nSukses: {}\nOmzet: {}\nModal: {}\nLaba: *{}*",
            f.created,
            f.paid,
            f.delivered,
            f.revenue,
            f.cost,
            f.profit()
        )
    };
    // The month's net and owner's profit are the monthly report's own figures (payment and
    // deposit fees, refunds, service fee), so chat and dashboard never disagree.
    let monthly = crate::service::report::monthly_report(app, month).await?;
    Ok(Answer::text(format!(
        "📊 *Laporan*\n\n{}\n\n{}\nLaba bersih (setelah biaya bayar, deposit & refund): *{}*\n\
         Laba pemilik (setelah biaya layanan): *{}*\n\n_Omzet = harga + biaya admin pesanan \
         sukses; laba = omzet − modal supplier. Rincian: /admin/reports_",
        block(
            format!(
                "Hari ini ({:02}/{:02}/{})",
                now.day(),
                u8::from(now.month()),
                now.year()
            ),
            &day
        ),
        block(
            format!("Bulan ini ({:02}/{})", u8::from(now.month()), now.year()),
            &month_figures
        ),
        monthly.net_profit(),
        monthly.owner_profit(),
    )))
}

/// The reply job ran out of attempts: the message stays `received`, visible in the database.
pub async fn give_up(_app: &App, inbound_id: i64, error: &str) -> AppResult<()> {
    tracing::error!(inbound = inbound_id, %error, "chat message could not be answered");
    Ok(())
}
