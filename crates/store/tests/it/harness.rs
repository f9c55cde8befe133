//! The harness itself: a test that panics (its store dropped without `stop`) leaves no database
//! behind, and the copies of the migrated template are complete databases.

use crate::common::{Backend, TestStore};

async fn dropped_store_leaves_nothing(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = TestStore::start(backend, |_| {}).await;
    // A copy of the template has every migration applied.
    let applied = s
        .count("SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations WHERE success")
        .await;
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count() as i64;
    assert_eq!(applied, files);
    let url = s.database_url.clone();
    drop(s); // what unwinding from a failed assertion does
    match backend {
        Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            assert!(!std::path::Path::new(path).exists(), "{path} removed");
        }
        Backend::Postgres => {
            let name = url.rsplit('/').next().unwrap().to_string();
            use sqlx::Connection;
            let mut admin = sqlx::AnyConnection::connect(&crate::common::postgres_admin_url())
                .await
                .unwrap();
            let left: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_database WHERE datname = $1",
            )
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            assert_eq!(left, 0, "{name} dropped");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_store_leaves_no_database_sqlite() {
    dropped_store_leaves_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_store_leaves_no_database_postgres() {
    dropped_store_leaves_nothing(Backend::Postgres).await;
}

/// A database a dead run left behind (its process id is past any real one) is swept; this
/// run's own are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_runs_databases_are_swept() {
    use sqlx::Connection;
    if crate::common::skip(Backend::Postgres) {
        return;
    }
    let s = TestStore::start(Backend::Postgres, |_| {}).await;
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(&crate::common::postgres_admin_url())
        .await
        .unwrap();
    let dead = "madd_t_4294967295_00000000deadbeef";
    sqlx::query(&format!("DROP DATABASE IF EXISTS {dead}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {dead}"))
        .execute(&mut admin)
        .await
        .unwrap();
    crate::common::sweep_postgres(&mut admin).await;
    let exists = |name: String| {
        let url = crate::common::postgres_admin_url();
        async move {
            let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_database WHERE datname = $1",
            )
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        exists(dead.to_string()).await,
        0,
        "the dead run's database is gone"
    );
    let own = s.database_url.rsplit('/').next().unwrap().to_string();
    assert_eq!(exists(own).await, 1, "this run's database is kept");
    s.stop().await;
}
