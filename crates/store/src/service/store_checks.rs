//! The dashboard's copy of `maddstore doctor`: the same checks, made by the running store with the
//! clients it serves with, as a background job (every few hours and when the seller asks), never
//! inside a page request — a provider that hangs must not hang the dashboard. The last result is
//! kept in the database, so every process shows the same one.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::db::store_state;
use crate::doctor::{self, Check};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::providers::Providers;
use crate::service::settings;

pub const JOB_KEY: &str = "periodic:store-checks";
/// Credentials rarely change; an expired token is caught by the first failed send anyway.
pub const INTERVAL_MS: i64 = 6 * 60 * 60 * 1000;

/// The last run of the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreChecks {
    /// When they ran (ms since the epoch).
    pub at: i64,
    pub checks: Vec<Check>,
}

impl StoreChecks {
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.failed())
    }
}

/// Runs the checks and keeps the result.
pub async fn job(app: &App) -> AppResult<Outcome> {
    let providers = Providers {
        suppliers: app.suppliers.clone(),
        payment: app.payment.clone(),
        rails: app.rails.clone(),
        messenger: app.messenger.clone(),
    };
    // The seller may have set their number in the dashboard rather than the configuration.
    let seller = settings::current(app).await?.seller_whatsapp;
    let checks = doctor::on_running(&app.config, &app.db, &providers, seller.as_ref()).await;
    let now = app.now_ms();
    let result = StoreChecks { at: now, checks };
    let json = serde_json::to_string(&result).map_err(AppError::internal)?;
    let mut conn = app.db.write().await?;
    store_state::save_checks(&mut conn, &json, now).await?;
    Ok(Outcome::Later(now + INTERVAL_MS))
}

/// The seller asks for the checks now (the periodic job is brought forward).
pub async fn request(app: &App) -> AppResult<()> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    jobs::run_now(&mut conn, JobKind::CheckStore, JOB_KEY, now).await?;
    drop(conn);
    app.wake_workers();
    Ok(())
}

/// The last result, if the checks have run (and were written by a version that reads the same).
pub async fn latest(app: &App) -> AppResult<Option<StoreChecks>> {
    let mut conn = app.db.read().await?;
    let stored = store_state::checks(&mut conn).await?;
    Ok(stored.and_then(|json| match serde_json::from_str(&json) {
        Ok(checks) => Some(checks),
        Err(e) => {
            tracing::warn!(error = %e, "stored store checks do not parse; they run again soon");
            None
        }
    }))
}
