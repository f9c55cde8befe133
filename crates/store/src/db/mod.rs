//! Storage: the one place that talks SQL. SQLite (embedded default) and PostgreSQL (scale-out)
//! share one set of queries through sqlx's `Any` driver; they differ only in their migrations and
//! in row claiming (`FOR UPDATE SKIP LOCKED` on PostgreSQL, where several processes claim jobs).
//!
//! Conventions: money is `BIGINT` rupiah, times are `BIGINT` unix milliseconds, flags are 0/1
//! integers, and every aggregate is cast to `BIGINT` (PostgreSQL's `SUM(bigint)` is `NUMERIC`).

pub mod admins;
pub mod catalogue_syncs;
pub mod chat;
pub mod dashboard;
pub mod jobs;
pub mod messages;
pub mod nicknames;
pub mod orders;
pub mod overpayments;
pub mod payments;
pub mod products;
pub mod storefront;
pub mod webhooks_kept;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use sqlx::AnyConnection as Conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

pub type DbResult<T> = Result<T, DbError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool and which database is behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    /// Connects to `sqlite://file.db` (created if missing, WAL journal) or `postgres://…`.
    pub async fn connect(url: &str) -> DbResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let pool = match backend {
            Backend::Sqlite => {
                // One connection: SQLite has one writer, and a single connection can never hit
                // SQLITE_BUSY between our own transactions (a read-then-write transaction on a
                // second connection could). The embedded store serves one small shop; the
                // scale-out path is PostgreSQL.
                let url = if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_release(|conn, _| Box::pin(async move { Ok(released_clean(conn)) }))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Executor;
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                AnyPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_release(|conn, _| Box::pin(async move { Ok(released_clean(conn)) }))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Executor;
                            // Should a session ever sit inside a transaction (a task killed
                            // between BEGIN and COMMIT), the server ends it rather than let it
                            // hold locks and snapshot for good.
                            conn.execute("SET idle_in_transaction_session_timeout = '60s'")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> DbResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> DbResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn conn(&self) -> DbResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }
}

/// Whether a connection coming back to the pool may be handed out again: one still inside a
/// transaction (its owner was cancelled between BEGIN and COMMIT) is closed instead, so the next
/// request never starts its work inside someone else's half-done transaction.
fn released_clean(conn: &mut sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    if conn.is_in_transaction() {
        tracing::error!("a connection came back inside a transaction; closing it");
        return false;
    }
    true
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}
