//! `/healthz` and `/readyz`: the process answers; the store is ready only with its database
//! reachable, every migration applied and its workers running — on SQLite and PostgreSQL.

use crate::common::TestStore;

both_backends!(
    ready_only_with_every_migration_and_worker,
    |s: TestStore| async move {
        let health = s.http.get(s.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);

        let (status, ready) = s.get_json("/readyz").await;
        assert_eq!(status, 200, "{ready}");
        assert_eq!(ready["ready"], true);
        assert_eq!(ready["database"], "ok");
        assert_eq!(ready["workers"], "ok");
        let (started, running) = s.app().workers.counts();
        assert!(started >= 4, "a worker per lane at least: {started}");
        assert_eq!(ready["workers_running"].as_u64(), Some(running as u64));

        // A database missing a migration this build needs is not ready.
        let mut conn = s.app().db.write().await.unwrap();
        sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
        drop(conn);
        let (status, ready) = s.get_json("/readyz").await;
        assert_eq!(status, 503, "{ready}");
        assert_eq!(ready["ready"], false);
        assert!(
            ready["database"]
                .as_str()
                .unwrap()
                .contains("migrations applied"),
            "{ready}"
        );
        s
    }
);
