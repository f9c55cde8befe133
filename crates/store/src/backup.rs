//! Backups of an SQLite store: a consistent copy of a running store's database, and putting one
//! back. PostgreSQL is backed up with its own tools (`pg_dump`; see docs/going-live.md, PostgreSQL instead of SQLite).
//!
//! A store that serves holds a shared lock on `<database>.serving` for as long as it runs
//! ([`ServingLock`]); `restore` takes it exclusively, so it never replaces the file under a
//! running store (`--force` skips the check, for when you know better). The lock is the
//! operating system's (`flock`): it goes with the process, so a crash leaves none behind.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sqlx::{Connection, SqliteConnection};

/// The database file of an `sqlite://` URL (`None` for PostgreSQL).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".serving");
    PathBuf::from(p)
}

/// Held by a serving store for its whole life (the lock goes when the file is closed).
#[derive(Debug)]
pub struct ServingLock {
    _file: File,
}

impl ServingLock {
    /// Takes the shared lock of the store at `database_url` (nothing for PostgreSQL).
    pub fn take(database_url: &str) -> anyhow::Result<Option<ServingLock>> {
        let Some(db) = sqlite_file(database_url) else {
            return Ok(None);
        };
        let path = lock_path(&db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        file.lock_shared()
            .with_context(|| format!("locking {}", path.display()))?;
        Ok(Some(ServingLock { _file: file }))
    }
}

/// A consistent copy of the store's database, written to `to` (which must not exist), while the
/// store may go on serving: SQLite's `VACUUM INTO` copies one read snapshot.
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<()> {
    let Some(db) = sqlite_file(database_url) else {
        bail!(
            "backup copies an SQLite store; for PostgreSQL use pg_dump \
             (pg_dump --format=custom --file=maddstore.dump \"$MADD_DATABASE_URL\")"
        );
    };
    if !db.exists() {
        bail!("no database at {}", db.display());
    }
    if to.exists() {
        bail!("{} exists already; choose a new file name", to.display());
    }
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .with_context(|| format!("writing {}", to.display()))?;
    conn.close().await.ok();
    check(to).await
}

/// Checks that `file` is a whole store database: SQLite's integrity check passes and it has
/// been migrated.
pub async fn check(file: &Path) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display()))
        .await
        .with_context(|| format!("opening {}", file.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not an SQLite database", file.display()))?;
    if integrity != "ok" {
        bail!("{} is damaged: {integrity}", file.display());
    }
    let migrated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a Madd Store database", file.display()))?;
    if migrated == 0 {
        bail!("{} is not a Madd Store database", file.display());
    }
    conn.close().await.ok();
    Ok(())
}

/// Puts the backup `from` in place of the store's database. Refuses while a store serves from it
/// unless `force`. The old database's write-ahead log goes too (it belongs to the old file).
pub async fn restore(database_url: &str, from: &Path, force: bool) -> anyhow::Result<()> {
    let Some(db) = sqlite_file(database_url) else {
        bail!("restore replaces an SQLite store; for PostgreSQL use pg_restore");
    };
    check(from).await?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(&db))
        .with_context(|| format!("opening {}", lock_path(&db).display()))?;
    let held = lock.try_lock().is_ok();
    if !held && !force {
        bail!(
            "a store is serving from {}; stop it first (or pass --force if you are sure it is not)",
            db.display()
        );
    }
    let mut staged = db.as_os_str().to_owned();
    staged.push(".restoring");
    let staged = PathBuf::from(staged);
    std::fs::copy(from, &staged)
        .with_context(|| format!("copying {} to {}", from.display(), staged.display()))?;
    File::open(&staged)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(&p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.to_string_lossy())),
        }
    }
    std::fs::rename(&staged, &db)
        .with_context(|| format!("moving {} into place", staged.display()))?;
    drop(lock);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_from_urls() {
        assert_eq!(
            sqlite_file("sqlite://maddstore.db"),
            Some(PathBuf::from("maddstore.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/maddstore/store.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/maddstore/store.db"))
        );
        assert_eq!(sqlite_file("postgres://localhost/madd"), None);
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
