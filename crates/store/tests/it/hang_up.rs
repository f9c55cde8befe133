//! DESIGN.md invariant 7 (issue 8, point 5): a client that hangs up mid-request can neither cut a
//! write in half nor leave a pooled connection inside a transaction. Thousands of order requests
//! and payment webhooks are sent over raw sockets, most of them abandoned at once (after the
//! whole request, or halfway through its body); then every acknowledged order is intact, every
//! order has exactly its invoice and seller notice and its jobs, every voucher order exactly one
//! use of its voucher (and no use is left without its order), every payment is recorded once
//! and no database session is left inside a transaction — on SQLite and PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::{Backend, TestStore};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

const REQUESTS: usize = 1_500;
const CONCURRENCY: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Leave {
    /// Reads the whole answer.
    Never,
    /// Sends the whole request and closes at once.
    AfterRequest,
    /// Sends the headers and half the body, then closes.
    MidBody,
}

fn leave_for(i: usize) -> Leave {
    match i % 3 {
        0 => Leave::Never,
        1 => Leave::AfterRequest,
        _ => Leave::MidBody,
    }
}

/// A raw request. An abandoning client keeps its connection alive, as browsers and load
/// generators do, so the server keeps reading it and sees the hang-up while the handler runs.
pub(crate) fn raw_request(path: &str, extra: &str, body: &str, leave: Leave) -> (String, String) {
    let connection = if leave == Leave::Never {
        "connection: close\r\n"
    } else {
        ""
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: store\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n{extra}{connection}\r\n",
        body.len()
    );
    (head, body.to_string())
}

/// Sends one request and leaves as told; the answer's status and body when it was read.
pub(crate) async fn send(
    addr: std::net::SocketAddr,
    head: &str,
    body: &str,
    leave: Leave,
) -> Option<String> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(head.as_bytes()).await.ok()?;
    match leave {
        Leave::MidBody => {
            stream
                .write_all(&body.as_bytes()[..body.len() / 2])
                .await
                .ok()?;
            return None;
        }
        Leave::AfterRequest => {
            stream.write_all(body.as_bytes()).await.ok()?;
            return None;
        }
        Leave::Never => stream.write_all(body.as_bytes()).await.ok()?,
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok()?;
    Some(answer)
}

/// Every fourth order brings a voucher: its use is reserved in the order's transaction, so a
/// hang-up must leave neither a use without its order nor an order without its use.
const VOUCHER: &str = "BADAI";
const VOUCHER_OFF: i64 = 1_000;

fn with_voucher(i: usize) -> bool {
    i % 4 == 3
}

fn order_body(i: usize) -> String {
    // Pulsa for distinct numbers: no nickname lookup, a new order each.
    let mut body = json!({"product": "S5", "target": format!("08122{:07}", i), "whatsapp": format!("08133{:07}", i)});
    if with_voucher(i) {
        body["voucher"] = json!(VOUCHER);
    }
    body.to_string()
}

async fn storm(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = TestStore::start(backend, |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    })
    .await;
    s.voucher(
        VOUCHER,
        madd_domain::voucher::Amount::Fixed(madd_domain::Rupiah::new(VOUCHER_OFF)),
        |v| v.total_uses = Some(REQUESTS as i64),
    )
    .await;
    let addr = s.running.as_ref().unwrap().addr;
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let acknowledged = order_storm(addr, &limit).await;
    ask_again_with_keys(&s, &acknowledged).await;
    each_voucher_use_has_its_order(&s).await;
    let paid = payment_storm(&s, addr, &limit).await;
    every_order_whole(&s, paid).await;
    no_session_inside_a_transaction(&s, backend).await;
    s.stop().await;
}

/// `REQUESTS` orders, most abandoned (see `leave_for`): the codes of those a patient client was
/// given, by request number.
async fn order_storm(
    addr: std::net::SocketAddr,
    limit: &Arc<Semaphore>,
) -> BTreeSet<(usize, String)> {
    let mut tasks = Vec::new();
    for i in 0..REQUESTS {
        let permit = limit.clone().acquire_owned().await.unwrap();
        let leave = leave_for(i);
        let (head, body) = raw_request(
            "/api/v1/orders",
            &format!("idempotency-key: storm-{i}\r\n"),
            &order_body(i),
            leave,
        );
        tasks.push(tokio::spawn(async move {
            let answer = send(addr, &head, &body, leave).await;
            drop(permit);
            (i, leave, answer)
        }));
    }
    let mut acknowledged = BTreeSet::new();
    for t in tasks {
        let (i, leave, answer) = t.await.unwrap();
        if leave == Leave::Never {
            let answer = answer.expect("a patient client gets an answer");
            assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
            let code = answer
                .split("\"code\":\"")
                .nth(1)
                .and_then(|c| c.split('"').next())
                .unwrap()
                .to_string();
            acknowledged.insert((i, code));
        }
    }
    acknowledged
}

async fn ask_again_with_keys(s: &TestStore, acknowledged: &BTreeSet<(usize, String)>) {
    // Every request that was sent whole is asked again with its key: a handler that finished
    // after its client left made the order, and the same key returns it; one that never ran
    // makes it now. Either way exactly one order per key.
    for i in 0..REQUESTS {
        let (status, order) = s
            .post_json_with_key("/api/v1/orders", &format!("storm-{i}"), order_body(i))
            .await;
        match leave_for(i) {
            Leave::Never => {
                assert_eq!(status, 200, "{order}");
                assert!(acknowledged.contains(&(i, order["code"].as_str().unwrap().into())));
            }
            Leave::AfterRequest => assert!(status == 200 || status == 201, "{status} {order}"),
            // Half a body never reached a handler: nothing was made before this request.
            Leave::MidBody => assert_eq!(status, 201, "{order}"),
        }
    }
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
        REQUESTS as i64
    );
}

async fn each_voucher_use_has_its_order(s: &TestStore) {
    // Each voucher order took its discount and exactly one use; no use without its order.
    let vouchered = (0..REQUESTS).filter(|i| with_voucher(*i)).count() as i64;
    assert_eq!(
        s.count(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE voucher = '{VOUCHER}' \
             AND discount = {VOUCHER_OFF}"
        ))
        .await,
        vouchered
    );
    assert_eq!(
        s.count(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE voucher IS NULL AND discount = 0"
        )
        .await,
        REQUESTS as i64 - vouchered
    );
    assert_eq!(
        s.count(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM voucher_uses u JOIN orders o ON o.id = u.order_id \
             WHERE u.code = '{VOUCHER}' AND o.voucher = '{VOUCHER}'"
        ))
        .await,
        vouchered
    );
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM voucher_uses")
            .await,
        vouchered,
        "no use without its order"
    );
    assert_eq!(
        s.count(&format!(
            "SELECT CAST(used AS BIGINT) FROM vouchers WHERE code = '{VOUCHER}'"
        ))
        .await,
        vouchered
    );
}

/// Answers how many orders the webhooks paid.
async fn payment_storm(s: &TestStore, addr: std::net::SocketAddr, limit: &Arc<Semaphore>) -> usize {
    // Payment webhooks, each abandoned once and then delivered properly (Trakteer retries).
    let token = s.app().config.trakteer.webhook_token.expose().to_string();
    let mut conn = s.app().db.write().await.unwrap();
    let orders: Vec<(String, i64)> =
        sqlx::query_as("SELECT code, amount_due FROM orders ORDER BY id LIMIT 300")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    drop(conn);
    let webhook = |n: usize, code: &str, due: i64| {
        json!({"transaction_id": format!("0000{n:04}-0000-4000-8000-000000000000"), "type": "tip",
               "supporter_name": "Budi", "supporter_message": code, "unit": "Koin",
               "quantity": due / 1000, "price": due, "net_amount": due * 9 / 10,
               "created_at": "2026-11-25T14:50:10+07:00"})
        .to_string()
    };
    let mut tasks = Vec::new();
    for (n, (code, due)) in orders.iter().enumerate() {
        let leave = if n % 2 == 0 {
            Leave::AfterRequest
        } else {
            Leave::MidBody
        };
        let (head, body) = raw_request(
            "/webhooks/trakteer",
            &format!("x-webhook-token: {token}\r\n"),
            &webhook(n, code, *due),
            leave,
        );
        let permit = limit.clone().acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            send(addr, &head, &body, leave).await;
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for (n, (code, due)) in orders.iter().enumerate() {
        let r = s
            .http
            .post(s.url("/webhooks/trakteer"))
            .header("x-webhook-token", &token)
            .header("content-type", "application/json")
            .body(webhook(n, code, *due))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    s.settle().await;
    orders.len()
}

/// `paid`: how many orders `payment_storm` paid.
async fn every_order_whole(s: &TestStore, paid: usize) {
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
            .await,
        paid as i64,
        "each payment once"
    );
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE status = 'paid'")
            .await,
        paid as i64
    );
    // Every order whole: its invoice and seller notice, and when paid one confirmation to each
    // side; no message written twice.
    assert_eq!(
        s.count(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE \
             (SELECT COUNT(*) FROM messages m WHERE m.order_id = o.id \
                AND m.kind IN ('order_created', 'seller_new_order')) <> 2 \
             OR (SELECT COUNT(*) FROM messages m WHERE m.order_id = o.id \
                AND m.kind IN ('payment_received', 'seller_payment_received')) \
                <> CASE WHEN o.status = 'paid' THEN 2 ELSE 0 END"
        )
        .await,
        0
    );
    assert_eq!(
        s.count(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT order_id, kind FROM messages \
             GROUP BY order_id, kind HAVING COUNT(*) > 1) AS twice"
        )
        .await,
        0
    );
    assert_eq!(
        s.count(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE NOT EXISTS \
             (SELECT 1 FROM jobs j WHERE j.kind = 'expire_order' AND j.ref_id = o.id)"
        )
        .await,
        0
    );
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'queued'")
            .await,
        0,
        "every message sent"
    );
    let mut conn = s.app().db.write().await.unwrap();
    let states: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT state, COALESCE(last_error, ''), CAST(COUNT(*) AS BIGINT) FROM messages GROUP BY state, last_error",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    eprintln!("message states: {states:?}");
    let sent = s.sandbox().whatsapp.sent_total() as i64;
    assert_eq!(
        sent,
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state <> 'failed'")
            .await,
        "no message sent twice (the simulated gateway refuses a few numbers: failed, not sent)"
    );
}

async fn no_session_inside_a_transaction(s: &TestStore, backend: Backend) {
    // No session left inside a transaction.
    match backend {
        Backend::Postgres => assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_activity \
                 WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
            )
            .await,
            0
        ),
        Backend::Sqlite => {
            // A connection stuck in a transaction would hold SQLite's write lock: a fresh
            // connection that does not wait must still get it.
            use sqlx::Connection;
            let path = s.database_url.trim_start_matches("sqlite://").to_string();
            let mut fresh = sqlx::sqlite::SqliteConnection::connect_with(
                &sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&path)
                    .busy_timeout(std::time::Duration::ZERO),
            )
            .await
            .unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut fresh)
                .await
                .expect("no connection holds the write lock");
            sqlx::query("ROLLBACK").execute(&mut fresh).await.unwrap();
        }
    }
}

mod hang_up_storm_loses_and_duplicates_nothing {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        storm(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        storm(Backend::Postgres).await;
    }
}
