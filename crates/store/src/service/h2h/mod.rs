//! The reseller API ("H2H"): resellers' bots buy on their saldo in Digiflazz's buyer format
//! (`shared/specs/digiflazz.md`), so a bot written for Digiflazz changes one base URL. This
//! module holds the accounts and their keys; [`transaction`] buys and answers, [`callbacks`]
//! tells the reseller what changed.
//!
//! Keys are never stored: a reseller's API key and webhook secret are HMAC-SHA256 of the store's
//! `h2h_secret` over their username and the account's generation, so a database copy holds no
//! key, regenerating is a new generation, and the md5 signing scheme (which needs the key itself)
//! still works.

use std::net::IpAddr;
use std::time::Instant;

use hmac::{Hmac, Mac};
use madd_domain::h2h::{self as rules, Rc};
use madd_domain::PhoneNumber;
use sha2::Sha256;

use crate::app::App;
use crate::db::h2h::{self as repo, Account};
use crate::error::{AppError, AppResult};
use crate::secret::Secret;

pub mod callbacks;
pub mod transaction;

/// A refusal in Digiflazz's words: its rc and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub rc: Rc,
    pub message: String,
}

impl Refusal {
    pub fn new(rc: Rc) -> Refusal {
        Refusal {
            rc,
            message: rc.message().to_string(),
        }
    }

    pub fn saying(rc: Rc, message: impl Into<String>) -> Refusal {
        Refusal {
            rc,
            message: message.into(),
        }
    }
}

fn derive(secret: &Secret, label: &str, account: &Account) -> Secret {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{label}\0{}\0{}", account.username, account.generation).as_bytes());
    Secret::new(hex::encode(&mac.finalize().into_bytes()[..16]))
}

/// The reseller's API key (what they sign with).
pub fn api_key(app: &App, account: &Account) -> Secret {
    derive(&app.config.h2h.secret, "madd-h2h-key", account)
}

/// The secret their callbacks are signed with (`X-Hub-Signature`).
pub fn webhook_secret(app: &App, account: &Account) -> Secret {
    derive(&app.config.h2h.secret, "madd-h2h-webhook", account)
}

/// `md5(username + key + suffix)` in lower-case hex: Digiflazz's scheme, the same our client
/// of Digiflazz signs with.
pub use crate::supplier::digiflazz::sign;

/// Who is calling, checked as Digiflazz checks: a known, enabled username; an address on their
/// allowlist; a signature made with their key over `suffix`; within their rate.
pub async fn authenticate(
    app: &App,
    username: &str,
    presented: &str,
    suffix: &str,
    ip: Option<IpAddr>,
) -> Result<Account, Refusal> {
    if app.config.h2h.secret.is_empty() {
        return Err(Refusal::saying(
            Rc::UnknownUser,
            "API H2H belum diaktifkan di toko ini",
        ));
    }
    let account = {
        let mut conn = app.db.read().await.map_err(|_| busy())?;
        repo::account(&mut conn, username).await.map_err(|_| busy())?
    };
    let account = account
        .filter(|a| a.enabled)
        .ok_or_else(|| Refusal::new(Rc::UnknownUser))?;
    let allowlist = rules::parse_allowlist(&account.allowlist).unwrap_or_default();
    if !rules::allowed(&allowlist, ip) {
        let who = ip.map_or_else(|| "tidak diketahui".to_string(), |ip| ip.to_string());
        return Err(Refusal::saying(
            Rc::UnknownIp,
            format!("IP Anda tidak kami kenali: {who}"),
        ));
    }
    let expected = Secret::new(sign(username, api_key(app, &account).expose(), suffix));
    if !expected.matches(&presented.trim().to_ascii_lowercase()) {
        return Err(Refusal::saying(Rc::WrongSign, "Signature Anda salah"));
    }
    if app
        .h2h_limiter
        .check(account.username.clone(), Instant::now())
        .is_err()
    {
        return Err(Refusal::new(Rc::RateLimited));
    }
    Ok(account)
}

/// The store could not look or answer for sure: `Pending`, so the bot asks again with the same
/// `ref_id` (which finds the order, or makes it then) rather than buying under a new one.
pub(crate) fn busy() -> Refusal {
    Refusal::saying(Rc::Pending, "Sistem sibuk, coba lagi")
}

/// What the seller (or the reseller) is shown once after turning H2H on or regenerating: the
/// only time the key and the webhook secret are on a page.
pub struct Credentials {
    pub username: String,
    pub key: Secret,
    pub webhook_secret: Secret,
}

/// Turns H2H on for an approved reseller (a new username), or regenerates their key and webhook
/// secret (the old ones stop working at once).
pub async fn open(app: &App, whatsapp: &PhoneNumber) -> AppResult<Credentials> {
    if app.config.h2h.secret.is_empty() {
        return Err(AppError::conflict(
            "h2h_off",
            "Isi h2h_secret di konfigurasi dulu (openssl rand -hex 32).",
        ));
    }
    let mut tx = app.db.begin().await?;
    let approved = crate::db::tiers::resellers(&mut tx)
        .await?
        .iter()
        .any(|r| r.whatsapp == whatsapp.as_str());
    if !approved {
        return Err(AppError::conflict(
            "not_a_reseller",
            "Setujui nomor ini sebagai reseller dulu.",
        ));
    }
    let username = match repo::account_for(&mut tx, whatsapp.as_str()).await? {
        Some(a) => a.username,
        None => new_username(),
    };
    let account = repo::open_account(&mut tx, whatsapp.as_str(), &username, app.now_ms()).await?;
    tx.commit().await?;
    Ok(Credentials {
        username: account.username.clone(),
        key: api_key(app, &account),
        webhook_secret: webhook_secret(app, &account),
    })
}

/// `madd` and eight random lower-case letters and digits, as bots expect a plain username.
fn new_username() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("madd{tail}")
}

/// Turns H2H off (the account and its log stay).
pub async fn close(app: &App, username: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    if !repo::set_enabled(&mut conn, username, false, app.now_ms()).await? {
        return Err(AppError::not_found("h2h_account_not_found", "Akun H2H"));
    }
    Ok(())
}

/// Sets who may call (addresses or CIDR blocks) and the default callback URL (https, a public
/// address; checked again at every delivery).
pub async fn set_access(
    app: &App,
    username: &str,
    allowlist: &str,
    callback_url: &str,
) -> AppResult<()> {
    rules::parse_allowlist(allowlist).map_err(|bad| {
        AppError::invalid(
            "invalid_allowlist",
            format!("'{bad}' bukan alamat IP atau blok CIDR"),
        )
    })?;
    let allowlist = rules_text(allowlist);
    let callback_url = callback_url.trim();
    if !callback_url.is_empty() {
        callbacks::check_url(app, callback_url)
            .await
            .map_err(|why| AppError::invalid("invalid_callback_url", why))?;
    }
    let mut conn = app.db.write().await?;
    if !repo::set_access(&mut conn, username, (&allowlist, callback_url), app.now_ms()).await? {
        return Err(AppError::not_found("h2h_account_not_found", "Akun H2H"));
    }
    Ok(())
}

/// The allowlist as stored: its entries, one a line.
fn rules_text(typed: &str) -> String {
    typed
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_spec_example() {
        // Spec section 1: md5("username" + "apikey" + "depo").
        assert_eq!(
            sign("username", "apikey", "depo"),
            "e251663c764fe6136a8f9c6861720241"
        );
    }

    #[test]
    fn usernames_are_plain() {
        let u = new_username();
        assert!(u.starts_with("madd") && u.len() == 12, "{u}");
        assert!(u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
