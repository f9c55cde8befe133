//! Checking a game account: the nickname behind an id, within a per-number budget, never
//! waiting for the supplier in the reply's lane.

use super::*;

/// A nickname check's outcome for the chat.
pub(in crate::service::chat) enum Nick {
    NotChecked,
    Found(String),
    /// The supplier knows no such account: the text to show.
    NotFound(String),
    Unavailable,
}

/// Per-number limit on nickname checks; `Some(reply)` when over it.
pub(in crate::service::chat) async fn nickname_budget(
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
pub(in crate::service::chat) async fn nickname_of(
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
pub(in crate::service::chat) fn account_for(
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

pub(in crate::service::chat) async fn check_id(
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
