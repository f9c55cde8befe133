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
