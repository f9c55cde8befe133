//! Automatic daily backups of an SQLite store (`MADD_BACKUP_DIR`, `MADD_BACKUP_KEEP`): once per
//! WIB day a consistent copy (`crate::backup`, `VACUUM INTO`) is written as
//! `maddstore-YYYY-MM-DD.db`, first under a `.partial` name and renamed when whole and checked, so
//! a half-written file never looks like a backup; then the oldest beyond the count are deleted.
//! Only files of that exact shape are ever deleted. The job runs every hour and does nothing when
//! today's copy exists, so a store restarted all day long still makes one a day. PostgreSQL is
//! backed up with `pg_dump` (docs/going-live.md).

use std::path::{Path, PathBuf};

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::jobs::queue::Outcome;

pub const JOB_KEY: &str = "periodic:daily-backup";
/// A minute after start: a store that crash-loops does not copy its database on every start.
pub const FIRST_IN_MS: i64 = 60_000;
const INTERVAL_MS: i64 = 60 * 60 * 1000;
const PREFIX: &str = "maddstore-";
const SUFFIX: &str = ".db";

/// `maddstore-2026-11-30.db` for the WIB day of `now`.
pub fn file_name(now_ms: i64) -> String {
    let t = crate::clock::from_millis(now_ms).to_offset(crate::clock::WIB);
    format!(
        "{PREFIX}{:04}-{:02}-{:02}{SUFFIX}",
        t.year(),
        u8::from(t.month()),
        t.day()
    )
}

/// Whether `name` is one of ours (`maddstore-YYYY-MM-DD.db`): nothing else is ever deleted.
fn is_backup(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|date| {
            date.len() == 10
                && date.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
        })
}

/// Our backups in `dir`, newest first (the names sort by date).
pub fn backups(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_backup))
        .map(|e| e.path())
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    Ok(found)
}

pub async fn job(app: &App) -> AppResult<Outcome> {
    let now = app.now_ms();
    let next = Outcome::Later(now + INTERVAL_MS);
    let Some(dir) = app.config.backup_dir.clone() else {
        return Ok(next);
    };
    if crate::backup::sqlite_file(&app.config.database_url).is_none() {
        // PostgreSQL: pg_dump's job, said once an hour in the log.
        tracing::warn!("MADD_BACKUP_DIR is set, but PostgreSQL is backed up with pg_dump");
        return Ok(next);
    }
    let made = run(app, &dir, now).await?;
    if let Some(file) = made {
        tracing::info!(file = %file.display(), "daily backup written");
    }
    Ok(next)
}

/// Makes today's backup in `dir` if it is missing, then keeps the newest `backup_keep`. Answers
/// the file written, if one was.
pub async fn run(app: &App, dir: &Path, now: i64) -> AppResult<Option<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::internal(format!("creating {}: {e}", dir.display())))?;
    let today = dir.join(file_name(now));
    let mut made = None;
    if !today.exists() {
        let partial = today.with_extension("db.partial");
        // A crash in the middle of an earlier attempt leaves this behind.
        let _ = std::fs::remove_file(&partial);
        crate::backup::backup(&app.config.database_url, &partial)
            .await
            .map_err(|e| AppError::internal(format!("backup to {}: {e:#}", partial.display())))?;
        std::fs::rename(&partial, &today)
            .map_err(|e| AppError::internal(format!("renaming {}: {e}", partial.display())))?;
        made = Some(today);
    }
    let all =
        backups(dir).map_err(|e| AppError::internal(format!("listing {}: {e}", dir.display())))?;
    for old in all.iter().skip(app.config.backup_keep) {
        if let Err(e) = std::fs::remove_file(old) {
            tracing::warn!(file = %old.display(), error = %e, "an old backup could not be deleted");
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_wib_days_and_only_ours_are_backups() {
        // 2026-11-29 17:30 UTC is already the 30th in WIB.
        let ms = 1_795_973_400_000;
        assert_eq!(file_name(ms), "maddstore-2026-11-30.db");
        assert!(is_backup("maddstore-2026-11-30.db"));
        for other in [
            "maddstore-2026-11-30.db.partial",
            "maddstore.db",
            "maddstore-latest.db",
            "maddstore-2026-1-30.db",
            "notes.txt",
        ] {
            assert!(!is_backup(other), "{other}");
        }
    }
}
