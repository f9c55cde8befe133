//! Customers sign in with a 6-digit code sent to their WhatsApp: no passwords. A code lives 5
//! minutes and works once. Codes and session tokens are stored only as hashes, never logged,
//! and a sent code's text is blanked in the outbox once WhatsApp has it.
//!
//! Limits count against whoever asks, so a stranger cannot lock the owner out:
//! - wrong codes: 5 from one address lock that **address** out of that number for 15 minutes;
//!   100 in all (from any addresses) void the code (1 in 10 000 to guess it), and the owner asks
//!   for a new one;
//! - code requests: 3 per 10 minutes per (number, address), 10 per 10 minutes per address across
//!   numbers, and 10 per 10 minutes per number — after the window the owner can always ask again.

use madd_domain::PhoneNumber;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::db::sign_in::{self, AddressRow, CodeRow};
use crate::error::{AppError, AppResult};
use crate::notify::{Audience, Notice, SIGN_IN_CODE as CODE_KIND};
use crate::service::outbox;

const CODE_MS: i64 = 5 * 60 * 1000;
const SEND_WINDOW_MS: i64 = 10 * 60 * 1000;
const SENDS_PER_ADDRESS_AND_NUMBER: i64 = 3;
const SENDS_PER_ADDRESS: i64 = 10;
const SENDS_PER_NUMBER: i64 = 10;
const FAILURES_PER_ADDRESS: i64 = 5;
const FAILURES_PER_CODE: i64 = 100;
const LOCK_MS: i64 = 15 * 60 * 1000;
const SESSION_MS: i64 = 30 * 24 * 60 * 60 * 1000;

fn hash(salt: &str, secret: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{secret}").as_bytes()))
}

fn too_many(retry_after_ms: i64) -> AppError {
    AppError::TooManyRequests {
        retry_after_secs: (retry_after_ms.max(1_000) / 1_000) as u64,
    }
}

/// A count in a window that restarts once `SEND_WINDOW_MS` passed: `(count, window_start)`.
fn in_window(count: i64, start: i64, now: i64) -> (i64, i64) {
    if now - start >= SEND_WINDOW_MS {
        (0, now)
    } else {
        (count, start)
    }
}

/// Sends a new sign-in code to `phone` by WhatsApp, asked from `address` (the client's IP).
pub async fn send_code(app: &App, phone: &PhoneNumber, address: &str) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let old = sign_in::code_of(&mut tx, phone.as_str()).await?;
    let mut from = sign_in::address_of(&mut tx, phone.as_str(), address).await?;
    if from.locked_until > now {
        return Err(too_many(from.locked_until - now));
    }
    (from.sends, from.window_start) = in_window(from.sends, from.window_start, now);
    if from.sends >= SENDS_PER_ADDRESS_AND_NUMBER {
        return Err(too_many(from.window_start + SEND_WINDOW_MS - now));
    }
    if sign_in::sends_from(&mut tx, address, now - SEND_WINDOW_MS).await? >= SENDS_PER_ADDRESS {
        return Err(too_many(SEND_WINDOW_MS));
    }
    let (sends, window_start) = old
        .as_ref()
        .map_or((0, now), |c| in_window(c.sends, c.window_start, now));
    if sends >= SENDS_PER_NUMBER {
        return Err(too_many(window_start + SEND_WINDOW_MS - now));
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let salt = crate::web::auth::random_token();
    sign_in::put_code(
        &mut tx,
        phone.as_str(),
        &CodeRow {
            code_hash: hash(&salt, &code),
            salt,
            expires_at: now + CODE_MS,
            failures: 0,
            locked_until: 0,
            sends: sends + 1,
            window_start,
        },
    )
    .await?;
    from.sends += 1;
    sign_in::put_address(&mut tx, (phone.as_str(), address), &from).await?;
    outbox::enqueue(
        &mut tx,
        None,
        phone,
        &Notice {
            audience: Audience::Customer,
            kind: CODE_KIND,
            text: format!(
                "Kode masuk Madd Store: *{code}*\nBerlaku 5 menit. Jangan berikan kode ini ke \
                 siapa pun, termasuk admin."
            ),
            params: vec![code],
        },
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

/// Checks `code` for `phone`, given from `address`; on success a new session token (shown to
/// the customer once).
pub async fn verify(
    app: &App,
    phone: &PhoneNumber,
    code: &str,
    address: &str,
) -> AppResult<String> {
    let now = app.now_ms();
    let wrong = || {
        AppError::invalid(
            "invalid_code",
            "Kode salah atau kedaluwarsa. Minta kode baru.",
        )
    };
    let mut tx = app.db.begin().await?;
    let mut from = sign_in::address_of(&mut tx, phone.as_str(), address).await?;
    if from.locked_until > now {
        return Err(too_many(from.locked_until - now));
    }
    let Some(mut row) = sign_in::code_of(&mut tx, phone.as_str()).await? else {
        return Err(wrong());
    };
    let given = code.trim();
    let matches = row.expires_at > now
        && given.len() == 6
        && bool::from(
            hash(&row.salt, given)
                .as_bytes()
                .ct_eq(row.code_hash.as_bytes()),
        );
    if !matches {
        if row.expires_at > now {
            count_failure(&mut row, &mut from, now);
            sign_in::put_code(&mut tx, phone.as_str(), &row).await?;
            sign_in::put_address(&mut tx, (phone.as_str(), address), &from).await?;
            tx.commit().await?;
        }
        return Err(wrong());
    }
    // Once only.
    row.expires_at = 0;
    row.failures = 0;
    sign_in::put_code(&mut tx, phone.as_str(), &row).await?;
    let token = crate::web::auth::random_token();
    sign_in::add_session(
        &mut tx,
        &hash("session", &token),
        phone.as_str(),
        now,
        now + SESSION_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A wrong code: the address that gave it is locked out of this number after a few; the code
/// itself is void after many from anywhere.
fn count_failure(code: &mut CodeRow, from: &mut AddressRow, now: i64) {
    from.failures += 1;
    if from.failures >= FAILURES_PER_ADDRESS {
        from.locked_until = now + LOCK_MS;
        from.failures = 0;
    }
    code.failures += 1;
    if code.failures >= FAILURES_PER_CODE {
        code.expires_at = 0;
        code.failures = 0;
    }
}

/// The number a session token belongs to, while it lasts.
pub async fn owner(app: &App, token: &str) -> AppResult<Option<PhoneNumber>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let mut conn = app.db.read().await?;
    let found = sign_in::session_owner(&mut conn, &hash("session", token), app.now_ms()).await?;
    Ok(found.and_then(|n| PhoneNumber::parse(&n).ok()))
}

pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    sign_in::end_session(&mut conn, &hash("session", token)).await?;
    Ok(())
}
