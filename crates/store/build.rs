// `sqlx::migrate!` embeds the migration files at compile time; without this, a new migration
// file is not picked up until some Rust source changes (sqlx's documented advice).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
