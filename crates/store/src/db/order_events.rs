//! An order's timeline: what happened to it, when and by whom.

use super::{Conn, DbResult};
use sqlx::Row;

/// One line of an order's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEvent {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(
    conn: &mut Conn,
    order_id: i64,
    at: i64,
    actor: &str,
    kind: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO order_events (order_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut Conn, order_id: i64) -> DbResult<Vec<OrderEvent>> {
    let rows = sqlx::query(
        "SELECT at, actor, kind, detail FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OrderEvent {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// One timeline entry, for [`add_events`].
pub struct NewEvent<'a> {
    pub order_id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub kind: &'a str,
    pub detail: &'a str,
}

/// Several timeline entries in one statement.
pub async fn add_events(conn: &mut Conn, events: &[NewEvent<'_>]) -> DbResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = super::values_rows(super::backend_of(conn), events.len(), "(?, ?, ?, ?, ?)");
    let sql = format!("INSERT INTO order_events (order_id, at, actor, kind, detail) VALUES {rows}");
    let mut query = sqlx::query(&sql);
    for e in events {
        query = query
            .bind(e.order_id)
            .bind(e.at)
            .bind(e.actor)
            .bind(e.kind)
            .bind(e.detail);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
