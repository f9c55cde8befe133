//! Prices by tier (migration 0021): each tier's markup rules, and the approved resellers.

use madd_domain::{Rupiah, Tier};
use sqlx::Row;

use super::pricing::RuleScope;
use super::{Conn, DbResult};

/// A tier's markup rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierRule {
    pub tier: Tier,
    pub scope: RuleScope,
    pub target: String,
    pub rate_bps: i64,
    pub min_markup: Rupiah,
}

pub async fn rules(conn: &mut Conn) -> DbResult<Vec<TierRule>> {
    let rows = sqlx::query(
        "SELECT tier, scope, target, rate_bps, min_markup FROM tier_rules ORDER BY tier, scope, target",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .filter_map(|r| {
            let tier: String = match r.try_get("tier") {
                Ok(t) => t,
                Err(e) => return Some(Err(e.into())),
            };
            let tier = Tier::parse(&tier)?;
            Some((|| {
                Ok(TierRule {
                    tier,
                    scope: RuleScope::decode(&r.try_get::<String, _>("scope")?)?,
                    target: r.try_get("target")?,
                    rate_bps: r.try_get("rate_bps")?,
                    min_markup: Rupiah::new(r.try_get("min_markup")?),
                })
            })())
        })
        .collect()
}

pub async fn set_rule(conn: &mut Conn, rule: &TierRule, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO tier_rules (tier, scope, target, rate_bps, min_markup, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tier, scope, target) DO UPDATE SET \
         rate_bps = excluded.rate_bps, min_markup = excluded.min_markup, updated_at = excluded.updated_at",
    )
    .bind(rule.tier.as_str())
    .bind(rule.scope.as_str())
    .bind(&rule.target)
    .bind(rule.rate_bps)
    .bind(rule.min_markup.amount())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn delete_rule(
    conn: &mut Conn,
    tier: Tier,
    scope: RuleScope,
    target: &str,
) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM tier_rules WHERE tier = $1 AND scope = $2 AND target = $3")
        .bind(tier.as_str())
        .bind(scope.as_str())
        .bind(target)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An approved reseller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reseller {
    pub whatsapp: String,
    pub note: String,
    pub approved_at: i64,
    pub approved_by: String,
}

pub async fn resellers(conn: &mut Conn) -> DbResult<Vec<Reseller>> {
    let rows = sqlx::query(
        "SELECT whatsapp, note, approved_at, approved_by FROM resellers ORDER BY approved_at DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Reseller {
                whatsapp: r.try_get("whatsapp")?,
                note: r.try_get("note")?,
                approved_at: r.try_get("approved_at")?,
                approved_by: r.try_get("approved_by")?,
            })
        })
        .collect()
}

pub async fn is_reseller(conn: &mut Conn, whatsapp: &str) -> DbResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM resellers WHERE whatsapp = $1")
            .bind(whatsapp)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

pub async fn approve(
    conn: &mut Conn,
    whatsapp: &str,
    note: &str,
    actor: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO resellers (whatsapp, note, approved_at, approved_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (whatsapp) DO UPDATE SET note = excluded.note",
    )
    .bind(whatsapp)
    .bind(note)
    .bind(now)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn remove(conn: &mut Conn, whatsapp: &str) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM resellers WHERE whatsapp = $1")
        .bind(whatsapp)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What `whatsapp` paid for delivered orders since `since` (the automatic upgrade's measure).
pub async fn spent_since(conn: &mut Conn, whatsapp: &str, since: i64) -> DbResult<Rupiah> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(price), 0) AS BIGINT) FROM orders \
         WHERE whatsapp = $1 AND status = 'delivered' AND delivered_at >= $2",
    )
    .bind(whatsapp)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Rupiah::new(n))
}

