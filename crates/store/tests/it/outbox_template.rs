//! A free text the Cloud API accepted and later reported `failed` with 131047 (outside the
//! 24-hour window) is sent again, once, as its kind's approved template — through the outbox
//! job, never from the webhook — on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use crate::common::{TestStore, CUSTOMER};
use madd_sandbox::whatsapp::sign;
use serde_json::{json, Value};
use sqlx::Row as _;

/// The store on the Cloud API, pointed at its own WhatsApp simulator.
pub(crate) fn cloud_env(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_WHATSAPP".into(), "cloud".into());
    env.insert(
        "MADD_WHATSAPP_API_URL".into(),
        "{base}/sandbox/whatsapp/cloud/v23.0".into(),
    );
    env.insert("MADD_WHATSAPP_TOKEN".into(), "test-cloud-token".into());
    env.insert("MADD_WHATSAPP_PHONE_NUMBER_ID".into(), "1234567890".into());
    // The sandbox signs its status webhooks with this secret too.
    env.insert("MADD_WHATSAPP_APP_SECRET".into(), "test-app-secret".into());
}

fn envelope(value: Value) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]
    })
    .to_string()
}

fn inbound(id: &str, text: &str) -> String {
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281299990001", "phone_number_id": "1234567890"},
        "contacts": [{"profile": {"name": "Budi"}, "wa_id": CUSTOMER}],
        "messages": [{"from": CUSTOMER, "id": id, "timestamp": "1749416383", "type": "text",
                      "text": {"body": text}}]
    }))
}

/// Meta's late failure of an accepted message.
fn failed(provider_id: &str, code: i64, title: &str) -> String {
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281299990001", "phone_number_id": "1234567890"},
        "statuses": [{"id": provider_id, "status": "failed", "timestamp": "1749416400",
                      "recipient_id": CUSTOMER,
                      "errors": [{"code": code, "title": title, "message": title,
                                  "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]}]
    }))
}

async fn post_signed(s: &TestStore, body: &str) -> u16 {
    let secret = s.app().config.whatsapp.app_secret.expose().to_string();
    s.http
        .post(s.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&secret, body.as_bytes()))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[derive(Debug)]
struct Row {
    id: i64,
    kind: String,
    state: String,
    provider_id: Option<String>,
    last_error: Option<String>,
    force_template: i64,
    replaces_id: Option<i64>,
}

async fn rows(s: &TestStore) -> Vec<Row> {
    let mut conn = s.app().db.write().await.unwrap();
    let rows = sqlx::query(
        "SELECT id, kind, state, provider_id, last_error, force_template, replaces_id \
         FROM messages WHERE recipient = $1 ORDER BY id",
    )
    .bind(CUSTOMER)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| Row {
            id: r.get("id"),
            kind: r.get("kind"),
            state: r.get("state"),
            provider_id: r.get("provider_id"),
            last_error: r.get("last_error"),
            force_template: r.get("force_template"),
            replaces_id: r.get("replaces_id"),
        })
        .collect()
}

async fn row(s: &TestStore, id: i64) -> Row {
    rows(s).await.into_iter().find(|r| r.id == id).unwrap()
}

const REENGAGEMENT: &str = "Re-engagement message";

both_backends!(
    late_131047_is_sent_again_once_as_the_template,
    cloud_env,
    |s: TestStore| async move {
        // The customer writes: the store (and the gateway) allow free text, so the reply is text.
        s.sandbox().whatsapp.open_window(CUSTOMER);
        assert_eq!(post_signed(&s, &inbound("wamid.in1", "menu")).await, 200);
        s.settle().await;
        let text = rows(&s).await.pop().unwrap();
        // `delivered` when the sandbox's own status webhook came first.
        assert!(
            ["sent", "delivered"].contains(&text.state.as_str()),
            "{text:?}"
        );
        assert_eq!(text.force_template, 0);
        let wamid = text.provider_id.clone().unwrap();
        let inbox = s.inbox(CUSTOMER);
        assert_eq!(inbox.last().unwrap().kind, "text");
        let sent_before = inbox.len();

        // Meta reports it failed later: outside the window after all. While the gateway is down
        // the webhook still answers at once; the copy waits in the outbox for its job.
        s.sandbox().whatsapp.set_outage(true);
        assert_eq!(
            post_signed(&s, &failed(&wamid, 131047, REENGAGEMENT)).await,
            200
        );
        s.settle().await;
        let original = row(&s, text.id).await;
        assert_eq!(original.state, "failed");
        assert!(
            original.last_error.as_deref().unwrap().contains("131047"),
            "{original:?}"
        );
        let all = rows(&s).await;
        let copy = all.last().unwrap();
        assert_eq!(copy.replaces_id, Some(text.id), "{all:?}");
        assert_eq!(copy.force_template, 1);
        assert_eq!(copy.kind, text.kind);
        assert_eq!(copy.state, "queued", "gateway down: still queued");
        assert_eq!(s.inbox(CUSTOMER).len(), sent_before);
        let copy_id = copy.id;

        // The gateway is back: the copy's job retries and sends the kind's template, although
        // the store still counts the window as open.
        s.sandbox().whatsapp.set_outage(false);
        s.advance(time::Duration::minutes(10)).await;
        let copy = row(&s, copy_id).await;
        assert!(
            ["sent", "delivered"].contains(&copy.state.as_str()),
            "{copy:?}"
        );
        let inbox = s.inbox(CUSTOMER);
        assert_eq!(inbox.len(), sent_before + 1);
        let template = inbox.last().unwrap();
        assert_eq!(template.kind, "template");
        assert_eq!(template.template_name.as_deref(), Some(text.kind.as_str()));

        // The same failed status again: nothing new.
        assert_eq!(
            post_signed(&s, &failed(&wamid, 131047, REENGAGEMENT)).await,
            200
        );
        s.settle().await;
        assert_eq!(rows(&s).await.len(), all.len());
        assert_eq!(s.inbox(CUSTOMER).len(), sent_before + 1);

        // The template fails too: it stays failed, no copy of the copy.
        let copy_wamid = copy.provider_id.clone().unwrap();
        assert_eq!(
            post_signed(&s, &failed(&copy_wamid, 131047, REENGAGEMENT)).await,
            200
        );
        s.settle().await;
        assert_eq!(row(&s, copy_id).await.state, "failed");
        assert_eq!(rows(&s).await.len(), all.len());
        assert_eq!(s.inbox(CUSTOMER).len(), sent_before + 1);

        // The seller sees the pair; the replaced original cannot be resent by hand.
        let (session, csrf) = s.admin_login().await;
        let page = s
            .http
            .get(s.url("/admin/messages"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("template pengganti pesan #{}", text.id)),
            "{page}"
        );
        assert!(page.contains(&format!("dikirim ulang sebagai template: pesan #{copy_id}")));
        assert!(!page.contains(&format!("/admin/messages/{}/resend", text.id)));
        assert!(page.contains(&format!("/admin/messages/{copy_id}/resend")));
        let resend = s
            .http
            .post(s.url(&format!("/admin/messages/{}/resend", text.id)))
            .header("cookie", &session)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resend.status().as_u16(), 409);
        s
    }
);

both_backends!(
    other_late_failures_are_only_recorded,
    cloud_env,
    |s: TestStore| async move {
        s.sandbox().whatsapp.open_window(CUSTOMER);
        assert_eq!(post_signed(&s, &inbound("wamid.in2", "menu")).await, 200);
        s.settle().await;
        let text = rows(&s).await.pop().unwrap();
        let wamid = text.provider_id.clone().unwrap();
        let sent_before = s.inbox(CUSTOMER).len();
        assert_eq!(
            post_signed(&s, &failed(&wamid, 131026, "Message Undeliverable")).await,
            200
        );
        s.settle().await;
        let all = rows(&s).await;
        assert_eq!(all.last().unwrap().id, text.id, "no copy: {all:?}");
        assert_eq!(all.last().unwrap().state, "failed");
        assert_eq!(s.inbox(CUSTOMER).len(), sent_before);
        s
    }
);
