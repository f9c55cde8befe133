//! A WhatsApp send whose answer is lost (the Cloud API took the message, the reply never came)
//! is not sent again when Meta's status report, carrying the reference the message was sent
//! under, says it was taken — on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use crate::common::{TestStore, CUSTOMER, SELLER};
use serde_json::json;

fn cloud_env(env: &mut BTreeMap<String, String>) {
    crate::outbox_template::cloud_env(env);
    // The lost answer is noticed after this long.
    env.insert("MADD_WHATSAPP_SEND_TIMEOUT_MS".into(), "300".into());
}

both_backends!(
    a_message_taken_without_an_answer_is_sent_once,
    cloud_env,
    |s: TestStore| async move {
        let wa = &s.sandbox().whatsapp;
        // Both messages of the new order (customer and seller) are taken; their answers lost.
        wa.lose_answers_next(2);
        let (status, order) = s
            .post_json(
                "/api/v1/orders",
                json!({"product": "S5", "target": "081220000077", "whatsapp": CUSTOMER}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        s.settle().await;
        // Past the wait for a status report: the retries find the messages sent already.
        s.advance(time::Duration::minutes(3)).await;
        s.advance(time::Duration::minutes(30)).await;
        let code = order["code"].as_str().unwrap();
        let to_customer = wa
            .messages_to(CUSTOMER)
            .into_iter()
            .filter(|m| m.body.contains(code))
            .count();
        let to_seller = wa
            .messages_to(SELLER)
            .into_iter()
            .filter(|m| m.body.contains(code))
            .count();
        assert_eq!((to_customer, to_seller), (1, 1), "each message sent once");
        let unsent = s
            .count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state IN ('queued', 'failed')",
            )
            .await;
        assert_eq!(unsent, 0, "both are recorded as sent");
        let without_id = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE provider_id IS NULL")
            .await;
        assert_eq!(without_id, 0, "each knows Meta's id from the status report");
        s
    }
);
