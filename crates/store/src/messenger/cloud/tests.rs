use super::*;

#[test]
fn truncates_on_char_boundaries() {
    assert_eq!(truncate_chars("abc", 3), "abc");
    assert_eq!(truncate_chars("abcd", 3), "ab…");
    let long = "é".repeat(5000);
    let cut = truncate_chars(&long, MAX_TEXT_CHARS);
    assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
    assert!(cut.ends_with('…'));
    assert_eq!(truncate_chars("🙂🙂🙂", 2), "🙂…");
}

#[test]
fn template_params_lose_what_meta_refuses() {
    assert_eq!(template_param("Budi\n\tSantoso"), "Budi Santoso");
    assert_eq!(template_param("a      b"), "a b");
    assert_eq!(template_param("  "), "-");
    assert_eq!(template_param("Rp50.000"), "Rp50.000");
}
