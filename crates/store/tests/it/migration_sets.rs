//! The SQLite and PostgreSQL migration sets are written twice (their dialects differ), so
//! nothing but this test keeps them building the same schema: the same tables, the same columns
//! in each, the same named indexes.

use std::collections::BTreeSet;

use sqlx::Connection;

use crate::common::{database_url, postgres_admin_url, postgres_template, sqlite_template};

/// `table.column` and `index name (table)` lines of a schema.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    columns: BTreeSet<String>,
    indexes: BTreeSet<String>,
}

fn kept(table: &str) -> bool {
    // sqlx's own bookkeeping differs by backend and is not ours.
    !table.starts_with("_sqlx") && !table.starts_with("sqlite_")
}

async fn sqlite_schema() -> Schema {
    let path = sqlite_template().await;
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    schema(rows, indexes)
}

async fn postgres_schema() -> Schema {
    let admin_url = postgres_admin_url();
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
    let name = postgres_template(&mut admin, &admin_url).await;
    let mut conn = sqlx::AnyConnection::connect(&database_url(&admin_url, name))
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
         WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    // Indexes the migrations name (CREATE INDEX …), not those behind primary keys and UNIQUE
    // constraints, which SQLite keeps unnamed.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(i.indexname AS TEXT), CAST(i.tablename AS TEXT) FROM pg_indexes i \
         WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
         WHERE c.conname = i.indexname)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    schema(rows, indexes)
}

fn schema(columns: Vec<(String, String)>, indexes: Vec<(String, String)>) -> Schema {
    Schema {
        columns: columns
            .into_iter()
            .filter(|(t, _)| kept(t))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect(),
        indexes: indexes
            .into_iter()
            .filter(|(_, t)| kept(t))
            .map(|(i, t)| format!("{i} ({t})"))
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let (lite, pg) = (sqlite_schema().await, postgres_schema().await);
    assert!(
        lite.columns.len() > 100 && lite.indexes.len() > 10,
        "{lite:?}"
    );
    let only =
        |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!(
        (
            only(&lite.columns, &pg.columns),
            only(&pg.columns, &lite.columns)
        ),
        (vec![], vec![]),
        "columns only in SQLite, only in PostgreSQL"
    );
    assert_eq!(
        (
            only(&lite.indexes, &pg.indexes),
            only(&pg.indexes, &lite.indexes)
        ),
        (vec![], vec![]),
        "indexes only in SQLite, only in PostgreSQL"
    );
}
