//! Storage: the one place that talks SQL. SQLite (embedded default) and PostgreSQL (scale-out)
//! share one set of queries through sqlx's `Any` driver; they differ only in their migrations and
//! in row claiming (`FOR UPDATE SKIP LOCKED` on PostgreSQL, where several processes claim jobs).
//!
//! Conventions: money is `BIGINT` rupiah, times are `BIGINT` unix milliseconds, flags are 0/1
//! integers, and every aggregate is cast to `BIGINT` (PostgreSQL's `SUM(bigint)` is `NUMERIC`).

pub mod admins;
pub mod cash_outs;
pub mod catalogue_names;
pub mod catalogue_syncs;
pub mod chat;
pub mod figures;
pub mod flash_sales;
pub mod h2h;
pub mod holds;
pub mod jobs;
pub mod messages;
pub mod nicknames;
pub mod offers;
pub mod order_cache;
pub mod order_events;
pub mod order_status;
pub mod orders;
pub mod overpayments;
pub mod payment_attempts;
pub mod payments;
pub mod postpaid;
pub mod pricing;
pub mod products;
pub mod reconciliation;
pub mod report;
pub mod reviews;
pub mod settings;
pub mod sign_in;
pub mod store_state;
pub mod storefront;
mod stored;
pub mod supplier_account;
pub mod supplier_attempts;
pub mod supplier_requests;
pub mod tiers;
pub mod topups;
pub mod transaction;
pub mod vouchers;
pub mod wallets;
pub mod webhooks_kept;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
pub use sqlx::AnyConnection as Conn;
use sqlx::{AnyPool, ConnectOptions};
pub use transaction::Tx;

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

/// A PostgreSQL connection idle longer than this is pinged before use.
const PING_WHEN_IDLE: Duration = Duration::from_secs(1);

/// How long a request waits for a database connection before it is answered `503`. Shorter than
/// the providers' own timeouts (around 10–30 s), so a webhook that cannot be recorded in a crush
/// is answered retryable while the provider still listens, and retried later, rather than cut.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(8);

/// The migration files, embedded by `build.rs`: `(version, description, sql)` in version order.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// One database's embedded migrations, as sqlx's migrator reads a folder of them.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl Embedded {
    fn of(backend: Backend) -> Embedded {
        Embedded(match backend {
            Backend::Sqlite => embedded::SQLITE,
            Backend::Postgres => embedded::POSTGRES,
        })
    }
}

impl sqlx::migrate::MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
                > + Send,
        >,
    > {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                sqlx::migrate::Migration::new(
                    version,
                    description.into(),
                    sqlx::migrate::MigrationType::Simple,
                    sql.into(),
                    // As sqlx reads a file: this first line runs it outside a transaction.
                    sql.starts_with("-- no-transaction"),
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// The database: a pool for writes and a pool for reads, and which database is behind them.
///
/// Reads never queue behind writes. On SQLite there is one writer connection (SQLite has one
/// writer; with one connection our own transactions can never meet `SQLITE_BUSY`, and each write
/// transaction starts `BEGIN IMMEDIATE`, so another process's writer makes it wait at the start,
/// never fail halfway) and a pool of reader connections, which WAL lets run beside the writer; a
/// reader is opened `query_only`, so code that writes through [`Db::read`] fails at once instead
/// of racing the writer. On PostgreSQL both pools are sized from the configuration and the
/// readers' sessions are read-only.
#[derive(Clone, Debug)]
pub struct Db {
    /// The writer pool (also what migrations run on).
    pub pool: AnyPool,
    readers: AnyPool,
    pub backend: Backend,
    /// Orders shown from memory, dropped by the transactions that change them.
    pub order_cache: Arc<order_cache::OrderCache>,
}

/// Pool sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSizes {
    /// Write connections on PostgreSQL (SQLite always has one).
    pub writers: u32,
    /// Read connections.
    pub readers: u32,
}

impl Default for PoolSizes {
    fn default() -> Self {
        PoolSizes {
            writers: 10,
            readers: 4,
        }
    }
}

impl Db {
    /// Connects to `sqlite://file.db` (created if missing, WAL journal) or `postgres://…`.
    pub async fn connect(url: &str) -> DbResult<Db> {
        Db::connect_with(url, PoolSizes::default()).await
    }

    pub async fn connect_with(url: &str, sizes: PoolSizes) -> DbResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let (pool, readers) = match backend {
            Backend::Sqlite => {
                let url = if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                // A connection to a local file cannot go stale, so neither pool pings it before
                // handing it out (sqlx still pings on release, which finds a broken one).
                let writer = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .after_release(after_release)
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
                    .connect_with(options.clone())
                    .await?;
                // The writer has made the file and switched it to WAL before any reader opens it.
                let readers = AnyPoolOptions::new()
                    .max_connections(sizes.readers.max(1))
                    .min_connections(0)
                    .test_before_acquire(false)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .after_release(after_release)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Executor;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA query_only = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_lazy_with(options);
                (writer, readers)
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                // A connection is pinged before it is handed out only when it sat idle for a
                // while (sqlx's default pings every time: one more round trip to the server on
                // every page view and every write, which under a crowd is a scheduling wait
                // each). A busy connection has just answered; an idle one may have been dropped
                // by a server restart, and the ping finds that before a write does.
                let pool = |size: u32, read_only: bool| {
                    AnyPoolOptions::new()
                        .max_connections(size.max(1))
                        .test_before_acquire(false)
                        .before_acquire(|conn, meta| {
                            Box::pin(async move {
                                use sqlx::Connection;
                                if meta.idle_for > PING_WHEN_IDLE {
                                    conn.ping().await?;
                                }
                                Ok(true)
                            })
                        })
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .after_release(after_release)
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                use sqlx::Executor;
                                // Should a session ever sit inside a transaction (a task killed
                                // between BEGIN and COMMIT), the server ends it rather than let
                                // it hold locks and snapshot for good.
                                conn.execute("SET idle_in_transaction_session_timeout = '60s'")
                                    .await?;
                                if read_only {
                                    conn.execute("SET default_transaction_read_only = on")
                                        .await?;
                                }
                                Ok(())
                            })
                        })
                };
                let writer = pool(sizes.writers, false)
                    .connect_with(options.clone())
                    .await?;
                let readers = pool(sizes.readers, true).connect_lazy_with(options);
                (writer, readers)
            }
        };
        Ok(Db {
            pool,
            readers,
            backend,
            order_cache: Arc::new(order_cache::OrderCache::for_backend(backend)),
        })
    }

    pub async fn migrate(&self) -> DbResult<()> {
        let migrator = sqlx::migrate::Migrator::new(Embedded::of(self.backend)).await?;
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers and every migration this build knows has been applied:
    /// `(applied, known)`.
    pub async fn migrations(&self) -> DbResult<(usize, usize)> {
        let known = Embedded::of(self.backend).0.len();
        let mut conn = self.read().await?;
        let applied: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok((usize::try_from(applied).unwrap_or_default(), known))
    }

    /// A write transaction (`BEGIN IMMEDIATE` on SQLite: the write lock is taken at the start).
    pub async fn begin(&self) -> DbResult<Tx> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx::new(inner, self.order_cache.clone()))
    }

    /// A connection for writes (and for reads that must see the writer's own state, e.g. inside
    /// a read-then-write step).
    pub async fn write(&self) -> DbResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A connection for reads only: never waits for the writer, refuses to write.
    pub async fn read(&self) -> DbResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.readers.acquire().await?)
    }

    /// Closes both pools.
    pub async fn close(&self) {
        self.readers.close().await;
        self.pool.close().await;
    }
}

/// The pools' `after_release` hook: [`released_clean`].
fn after_release(
    conn: &mut sqlx::AnyConnection,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    Box::pin(async move { Ok(released_clean(conn).await) })
}

/// Whether a connection coming back to the pool may be handed out again. A transaction dropped
/// without a commit (a duplicate webhook, a losing click, an error) has its rollback queued on
/// the connection, not yet run, so the connection looks "inside a transaction" for a moment:
/// one round trip runs the queued rollback. Only a connection still inside a transaction after
/// that is closed, so the next request never starts its work in someone else's half-done one.
async fn released_clean(conn: &mut sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return true;
    }
    if conn.ping().await.is_ok() && !conn.is_in_transaction() {
        return true;
    }
    tracing::error!("a connection came back inside a transaction; closing it");
    false
}

/// The `VALUES` rows of a multi-row insert: `row`, its parameters written `?` and bound in the
/// order they appear, repeated `rows` times.
///
/// PostgreSQL numbers them (`$1, $2, …`). SQLite gets them anonymous: sqlx asks SQLite the name
/// of every parameter it binds, and SQLite finds a numbered parameter's name by walking the list
/// of all of them, so a group commit's 1 000-parameter insert spent a fifth of the writer
/// thread's time in that walk (a profile of order creation); an anonymous `?` has no name to
/// look for.
pub(crate) fn values_rows(backend: Backend, rows: usize, row: &str) -> String {
    let mut next = 1;
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        let one = match backend {
            Backend::Sqlite => row.to_string(),
            Backend::Postgres => {
                let mut one = String::with_capacity(row.len() + 16);
                for c in row.chars() {
                    if c == '?' {
                        one.push_str(&format!("${next}"));
                        next += 1;
                    } else {
                        one.push(c);
                    }
                }
                one
            }
        };
        out.push(one);
    }
    out.join(", ")
}

/// Which database a connection talks to.
pub(crate) fn backend_of(conn: &Conn) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_rows_number_the_parameters_for_postgres_only() {
        use super::Backend;
        assert_eq!(
            super::values_rows(Backend::Postgres, 2, "(?, ?, 0)"),
            "($1, $2, 0), ($3, $4, 0)"
        );
        assert_eq!(
            super::values_rows(Backend::Sqlite, 2, "(?, ?, 0)"),
            "(?, ?, 0), (?, ?, 0)"
        );
    }
}
