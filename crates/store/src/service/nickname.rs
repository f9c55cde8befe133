//! Game nicknames — and PLN meters' owners — checked before the customer pays. The request
//! handler asks for a lookup and waits briefly for the worker's answer; it never calls the
//! supplier itself. A meter is checked with Digiflazz's `inquiry-pln` when Digiflazz is
//! configured: "BUDI SANTOSO · R1/1300 VA" shows before a token is paid for, and an unknown meter
//! is refused (a mistyped number would send the token to a stranger).

use std::time::Duration;

use madd_domain::{GameAccount, TargetRule};

use crate::app::App;
use crate::db::nicknames::{self, LookupState};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{JobKind, Outcome};
use crate::service::lookup;
use crate::supplier::{Nickname, SupplierError};

/// A found nickname is reused for this long (players rename themselves, rarely).
const CACHE_MS: i64 = 10 * 60 * 1000;

/// The lookup code of a PLN meter check (beside the games' codes).
pub const PLN_METER: &str = "pln-meter";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NicknameAnswer {
    /// The product has no nickname check (pulsa, PLN, games VIP cannot check).
    NotChecked,
    Found(String),
}

/// Looks the nickname up (through the job queue), waiting up to `wait` for the answer.
pub async fn lookup(
    app: &App,
    rule: &TargetRule,
    account: &GameAccount,
    wait: Duration,
) -> AppResult<NicknameAnswer> {
    let game_code = match rule {
        TargetRule::PlnCustomer if app.suppliers.pln_checker().is_some() => PLN_METER,
        _ => match rule.nickname_code() {
            Some(code) => code,
            None => return Ok(NicknameAnswer::NotChecked),
        },
    };
    let now = app.now_ms();
    let id = lookup::ask(app, JobKind::LookupNickname, "nickname", async |tx| {
        nicknames::request(
            tx,
            game_code,
            account.target(),
            account.zone(),
            now,
            now - CACHE_MS,
        )
        .await
    })
    .await?;
    let state = lookup::await_answer(app, wait, || async {
        let mut conn = app.db.read().await?;
        Ok(nicknames::by_id(&mut conn, id)
            .await?
            .map(|l| l.state)
            .filter(|s| *s != LookupState::Pending))
    })
    .await?;
    match state {
        Some(LookupState::Found(n)) => Ok(NicknameAnswer::Found(n)),
        Some(LookupState::NotFound(message)) if game_code == PLN_METER => {
            tracing::debug!(supplier_says = message.trim(), "PLN meter not found");
            Err(AppError::not_found(
                "meter_not_found",
                "Nomor meter / ID pelanggan PLN ini",
            ))
        }
        Some(LookupState::NotFound(message)) => Err(AppError::not_found(
            "account_not_found",
            not_found_text(&message),
        )),
        Some(LookupState::Failed(_)) | Some(LookupState::Pending) | None => Err(unavailable()),
    }
}

/// What the customer reads: the supplier's own words ("ID tidak ditemukan.") only go to the log,
/// since they repeat ours and are sometimes English.
fn not_found_text(message: &str) -> String {
    tracing::debug!(supplier_says = message.trim(), "game account not found");
    "Akun game dengan ID ini".to_string()
}

fn unavailable() -> AppError {
    AppError::Unavailable {
        code: "nickname_unavailable",
        message: "Cek ID sedang tidak bisa dilakukan. Coba lagi sebentar lagi.".into(),
    }
}

/// The lookup job.
pub async fn perform(app: &App, id: i64) -> AppResult<Outcome> {
    let lookup = {
        let mut conn = app.db.write().await?;
        nicknames::by_id(&mut conn, id).await?
    };
    let Some(lookup) = lookup else {
        return Ok(Outcome::Done);
    };
    if lookup.state != LookupState::Pending {
        return Ok(Outcome::Done);
    }
    let answer = if lookup.game_code == PLN_METER {
        match app.suppliers.pln_checker() {
            Some(checker) => checker.pln_customer(&lookup.target).await.map(|c| match c {
                Some(c) => {
                    Nickname::Found(madd_domain::catalog::pln_owner(&c.name, &c.segment_power))
                }
                None => Nickname::NotFound {
                    message: "meter not known".into(),
                },
            }),
            None => Err(SupplierError::Rejected {
                message: "no supplier checks PLN meters".into(),
            }),
        }
    } else {
        app.suppliers
            .primary()
            .nickname(&lookup.game_code, &lookup.target, lookup.zone.as_deref())
            .await
    };
    let state = match answer {
        Ok(Nickname::Found(n)) => LookupState::Found(n),
        Ok(Nickname::NotFound { message }) => LookupState::NotFound(message),
        Err(SupplierError::Rejected { message }) => LookupState::Failed(message),
        Err(SupplierError::Unavailable { detail }) => LookupState::Failed(detail),
    };
    let mut conn = app.db.write().await?;
    nicknames::resolve(&mut conn, id, &state, app.now_ms()).await?;
    drop(conn);
    crate::service::lookup::answered(app).await?;
    Ok(Outcome::Done)
}

pub async fn give_up(app: &App, id: i64, error: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    nicknames::resolve(
        &mut conn,
        id,
        &LookupState::Failed(error.into()),
        app.now_ms(),
    )
    .await?;
    drop(conn);
    crate::service::lookup::answered(app).await?;
    Ok(())
}
