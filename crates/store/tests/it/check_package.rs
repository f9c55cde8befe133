//! `scripts/check-package` installs the Debian package, then purges it and deletes
//! `/var/lib/maddstore`: where a store is installed it must refuse and change nothing.

#[test]
fn check_package_refuses_where_a_store_is_installed() {
    let root = std::env::temp_dir().join(format!("madd-installed-{}", rand::random::<u64>()));
    let data = root.join("var/lib/maddstore");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("maddstore.db"), b"every order").unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check-package");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .env("CHECK_PACKAGE_ROOT", &root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("a Madd Store is installed here"));
    assert_eq!(
        std::fs::read(data.join("maddstore.db")).unwrap(),
        b"every order"
    );
    std::fs::remove_dir_all(&root).unwrap();
}
