//! Telling the reseller: when a transaction's status moves, a callback exactly as Digiflazz
//! sends one — the same `{"data": …}` body, `X-Hub-Signature: sha1=` HMAC-SHA1 of the raw body
//! with the reseller's webhook secret, `X-Digiflazz-Event: update`, `User-Agent:
//! Digiflazz-Hookshot` — delivered by the job queue with its backoff, every try in the log.
//!
//! Two jobs: the watch (one per pending transaction) looks at the order until its status moves
//! and then writes the callback; the delivery (one per callback) posts it until the receiver
//! answers 2xx or the tries run out. A callback URL must be `https` on a public address, checked
//! when it is set and again at every delivery (a name can start pointing inside later), and the
//! request goes to the address that was checked.

use std::net::SocketAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use madd_domain::h2h::{self as rules, H2hStatus};
use sha1::Sha1;

use super::transaction;
use crate::app::App;
use crate::db::h2h::{self as repo, NewCallback};
use crate::db::jobs::Job;
use crate::db::{Conn, DbResult};
use crate::error::AppResult;
use crate::jobs::queue::{self, JobKind, Outcome};

/// How long a receiver has to answer one delivery.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts watching a pending transaction, in the caller's transaction.
pub async fn watch(conn: &mut Conn, transaction_id: i64, now: i64) -> DbResult<()> {
    queue::schedule(
        conn,
        JobKind::H2hWatch,
        transaction_id,
        now + look_again_in(0),
        now,
        Some(&format!("h2h-watch:{transaction_id}")),
    )
    .await?;
    Ok(())
}

/// Often while a transaction is young (most are done in seconds), rarely once it is old.
fn look_again_in(age_ms: i64) -> i64 {
    if age_ms <= 300_000 {
        2_000
    } else if age_ms <= 3_600_000 {
        30_000
    } else {
        600_000
    }
}

/// The watch job: has the transaction's status moved since the reseller was told?
pub async fn watch_job(app: &App, id: i64) -> AppResult<Outcome> {
    let now = app.now_ms();
    let (t, account, status) = {
        let mut conn = app.db.read().await?;
        let Some(t) = repo::transaction_by_id(&mut conn, id).await? else {
            return Ok(Outcome::Done);
        };
        let Some(account) = repo::account(&mut conn, &t.username).await? else {
            return Ok(Outcome::Done);
        };
        let status = match t.order_id {
            // A pending test transaction ends as the spec says, at the first look.
            None => t
                .test_later
                .as_deref()
                .and_then(H2hStatus::parse)
                .unwrap_or(H2hStatus::Pending),
            Some(order_id) => match crate::db::orders::by_id(&mut conn, order_id).await? {
                Some(order) => H2hStatus::of_order(order.status),
                None => return Ok(Outcome::Done),
            },
        };
        (t, account, status)
    };
    if status.as_str() == t.told {
        return Ok(if status == H2hStatus::Pending {
            Outcome::Later(now + look_again_in(now - t.created_at))
        } else {
            Outcome::Done
        });
    }
    let told = repo::Transaction {
        told: status.as_str().to_string(),
        ..t.clone()
    };
    let body = match transaction::answer(app, &account, &told).await {
        Ok(answer) => serde_json::json!({ "data": answer.to_json() }).to_string(),
        Err(refusal) => return Ok(Outcome::Retry(refusal.message)),
    };
    let url = Some(t.cb_url.as_str())
        .filter(|u| !u.is_empty())
        .unwrap_or(&account.callback_url)
        .to_string();
    let mut tx = app.db.begin().await?;
    if !repo::set_told(&mut tx, t.id, (&t.told, status.as_str()), now).await? {
        return Ok(Outcome::Done);
    }
    if !url.is_empty() {
        let callback = repo::insert_callback(
            &mut tx,
            &NewCallback {
                transaction_id: t.id,
                username: &t.username,
                event: "update",
                url: &url,
                body: &body,
            },
            now,
        )
        .await?;
        queue::schedule(&mut tx, JobKind::H2hCallback, callback, now, now, None).await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(if status == H2hStatus::Pending {
        Outcome::Later(now + look_again_in(now - t.created_at))
    } else {
        Outcome::Done
    })
}

/// Queues the reseller's *kirim ulang* of a callback: a new delivery of the same body.
pub async fn resend(app: &App, username: &str, callback_id: i64) -> AppResult<bool> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(c) = repo::callback(&mut tx, callback_id).await? else {
        return Ok(false);
    };
    if c.username != username {
        return Ok(false);
    }
    let again = repo::insert_callback(
        &mut tx,
        &NewCallback {
            transaction_id: c.transaction_id,
            username: &c.username,
            event: &c.event,
            url: &c.url,
            body: &c.body,
        },
        now,
    )
    .await?;
    queue::schedule(&mut tx, JobKind::H2hCallback, again, now, now, None).await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(true)
}

/// `sha1=` and the hex HMAC-SHA1 of the raw body with the reseller's webhook secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The delivery job: one POST; a 2xx ends it, anything else is tried again after the queue's
/// backoff until the tries run out. Every try is in the reseller's log.
pub async fn deliver_job(app: &App, id: i64, job: &Job) -> AppResult<Outcome> {
    let (callback, account) = {
        let mut conn = app.db.read().await?;
        let Some(c) = repo::callback(&mut conn, id).await? else {
            return Ok(Outcome::Done);
        };
        let Some(a) = repo::account(&mut conn, &c.username).await? else {
            return Ok(Outcome::Done);
        };
        (c, a)
    };
    if callback.state != "pending" {
        return Ok(Outcome::Done);
    }
    let secret = super::webhook_secret(app, &account);
    let result = post(app, &callback.url, &callback.body, secret.expose()).await;
    let last = job.attempts >= job.max_attempts;
    let (status, answer, ok) = match result {
        Ok((status, answer)) => (Some(i64::from(status)), answer, (200..300).contains(&status)),
        Err(why) => (None, why, false),
    };
    let state = match (ok, last) {
        (true, _) => "delivered",
        (false, true) => "failed",
        (false, false) => "pending",
    };
    let mut conn = app.db.write().await?;
    repo::record_try(&mut conn, id, (status, &answer), state, app.now_ms()).await?;
    Ok(if ok {
        Outcome::Done
    } else {
        Outcome::Retry(match status {
            Some(s) => format!("the reseller's receiver answered {s}"),
            None => answer,
        })
    })
}

/// Posts `body` to `url` at the address [`check_url`] approved: `(status, start of the answer)`.
async fn post(app: &App, url: &str, body: &str, secret: &str) -> Result<(u16, String), String> {
    let addresses = check_url(app, url).await?;
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, addresses[0])
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "Digiflazz-Hookshot")
        .header("x-digiflazz-event", "update")
        .header("x-hub-signature", signature(secret, body.as_bytes()))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("no answer: {}", without_url(&e)))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Ok((status, text.chars().take(200).collect()))
}

/// reqwest's error without the URL (a callback URL may carry the reseller's own token).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

/// Whether callbacks may go to `url`: `https`, and every address its name resolves to public
/// (`h2h_allow_private_callbacks` lifts both, for the demo and tests). The addresses, to post to.
pub async fn check_url(app: &App, url: &str) -> Result<Vec<SocketAddr>, String> {
    let private_ok = app.config.h2h.allow_private_callbacks;
    let parsed = url::Url::parse(url).map_err(|_| format!("'{url}' bukan URL"))?;
    if parsed.scheme() != "https" && !(private_ok && parsed.scheme() == "http") {
        return Err("URL callback harus https://".into());
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| "URL callback tanpa nama host".to_string())?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| format!("nama {host} tidak bisa dicari"))?
    .map_err(|_| format!("nama {host} tidak dikenal"))?
    .collect();
    if addresses.is_empty() {
        return Err(format!("nama {host} tidak punya alamat"));
    }
    if !private_ok && addresses.iter().any(|a| !rules::public_address(a.ip())) {
        return Err(format!(
            "{host} menunjuk ke alamat lokal atau privat; callback hanya ke alamat publik"
        ));
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_spec_example() {
        // Spec section 6: secret `secret`, body `{"data":{"ref_id":"r1"}}`.
        assert_eq!(
            signature("secret", br#"{"data":{"ref_id":"r1"}}"#),
            "sha1=e03e679a098edfd4931952b6e2816e5a73715fe0"
        );
    }

    #[test]
    fn young_transactions_are_watched_closely() {
        assert!(look_again_in(1_000) < look_again_in(600_000));
        assert!(look_again_in(600_000) < look_again_in(7_200_000));
    }
}
