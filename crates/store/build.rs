//! Embeds the migration files in the binary: writes `$OUT_DIR/migrations.rs`, one table per
//! database of `(version, description, sql)` read with `include_str!`, in version order, named
//! the way sqlx names a migration file (`0019_vouchers.sql` → 19, "vouchers"). `db::migrations`
//! hands them to sqlx's migrator. Doing it here rather than with `sqlx::migrate!` keeps sqlx's
//! proc-macro crate — and a second, host-side build of sqlx, its drivers, rustls and tokio — out
//! of every build (docs/benchmarks.md, "Cold build").

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut out = String::new();
    for (name, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        writeln!(out, "pub const {name}: &[(i64, &str, &str)] = &[").unwrap();
        for path in files {
            let file = path.file_name().unwrap().to_str().expect("a UTF-8 name");
            let (version, rest) = file
                .split_once('_')
                .unwrap_or_else(|| panic!("{file}: not VERSION_DESCRIPTION.sql"));
            let version: i64 = version
                .parse()
                .unwrap_or_else(|_| panic!("{file}: the version is not a number"));
            let description = rest.trim_end_matches(".sql").replace('_', " ");
            writeln!(
                out,
                "    ({version}, {description:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    std::fs::write(dest, out).expect("writing migrations.rs");
}
