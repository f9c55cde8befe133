//! Customers sign in with a 6-digit code sent to their WhatsApp: no passwords. A code lives 5
//! minutes and works once; a number gets at most 3 codes per 10 minutes; 5 wrong codes lock that
//! number's sign-in for 15 minutes (and void its code). Codes and session tokens are stored only
//! as hashes, never logged, and a sent code's text is blanked in the outbox once WhatsApp has it.

use madd_domain::PhoneNumber;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::db::sign_in::{self, CodeRow};
use crate::error::{AppError, AppResult};
use crate::notify::{Audience, Notice, SIGN_IN_CODE as CODE_KIND};
use crate::service::outbox;

const CODE_MS: i64 = 5 * 60 * 1000;
const SEND_WINDOW_MS: i64 = 10 * 60 * 1000;
const SENDS_PER_WINDOW: i64 = 3;
const MAX_FAILURES: i64 = 5;
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

/// Sends a new sign-in code to `phone` by WhatsApp.
pub async fn send_code(app: &App, phone: &PhoneNumber) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let old = sign_in::code_of(&mut tx, phone.as_str()).await?;
    let (mut sends, mut window_start, failures, locked_until) = match &old {
        Some(c) => (c.sends, c.window_start, c.failures, c.locked_until),
        None => (0, now, 0, 0),
    };
    if locked_until > now {
        return Err(too_many(locked_until - now));
    }
    if now - window_start >= SEND_WINDOW_MS {
        sends = 0;
        window_start = now;
    }
    if sends >= SENDS_PER_WINDOW {
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
            failures,
            locked_until,
            sends: sends + 1,
            window_start,
        },
    )
    .await?;
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

/// Checks `code` for `phone`; on success a new session token (shown to the customer once).
pub async fn verify(app: &App, phone: &PhoneNumber, code: &str) -> AppResult<String> {
    let now = app.now_ms();
    let wrong = || {
        AppError::invalid(
            "invalid_code",
            "Kode salah atau kedaluwarsa. Minta kode baru.",
        )
    };
    let mut tx = app.db.begin().await?;
    let Some(mut row) = sign_in::code_of(&mut tx, phone.as_str()).await? else {
        return Err(wrong());
    };
    if row.locked_until > now {
        return Err(too_many(row.locked_until - now));
    }
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
            row.failures += 1;
            if row.failures >= MAX_FAILURES {
                // Locked, and the code that was being guessed is void.
                row.locked_until = now + LOCK_MS;
                row.failures = 0;
                row.expires_at = 0;
            }
            sign_in::put_code(&mut tx, phone.as_str(), &row).await?;
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
