//! Text from outside (webhooks, forms, chat, supplier answers), made safe to store and show.
//!
//! PostgreSQL refuses U+0000 in `TEXT` (the whole insert fails), terminals and logs misbehave on
//! control characters, and a stranger's megabyte-long "name" must not cost megabytes per row. So
//! every such text is cleaned once, where it enters the store, by [`clean`]:
//! - U+0000 and every other control character (C0, DEL, C1) is removed, except line feed and tab,
//!   which chat messages and notes legitimately carry; a carriage return is dropped, so `\r\n`
//!   becomes `\n`;
//! - the Unicode non-characters U+FFFE/U+FFFF are removed;
//! - the result is cut to at most `max_chars` characters (on a character boundary).
//!
//! Nothing else changes: letters of every script, emoji and punctuation pass as they are.

/// Limits for the kinds of outside text the store keeps.
pub mod limit {
    /// Names, ids, codes, nicknames: one line.
    pub const SHORT: usize = 200;
    /// Messages, notes, reasons, serial numbers.
    pub const LONG: usize = 4_000;
    /// A raw body kept for the record (webhooks).
    pub const RAW: usize = 64 * 1024;
}

/// A name as a URL path segment: `Mobile Legends B` → `mobile-legends-b`, `by.U` → `by-u`. The
/// storefront's game pages and game art are addressed by it.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Whether `c` survives [`clean`].
pub fn is_kept(c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => !c.is_control(),
    }
}

/// `text` without control characters, cut to `max_chars` characters.
pub fn clean(text: &str, max_chars: usize) -> String {
    if text.len() <= max_chars && text.chars().all(is_kept) {
        return text.to_owned();
    }
    text.chars()
        .filter(|&c| is_kept(c))
        .take(max_chars)
        .collect()
}

/// A single line: [`clean`], with line breaks and tabs turned into spaces and the ends trimmed.
pub fn clean_line(text: &str, max_chars: usize) -> String {
    let cleaned = clean(text, max_chars);
    if cleaned.contains(['\n', '\t']) {
        cleaned.replace(['\n', '\t'], " ").trim().to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

/// A raw body kept for review: bytes that are not UTF-8 become U+FFFD, control characters are
/// written as `\u{…}` escapes (so the record still shows that they were there), and the whole is
/// cut to [`limit::RAW`] characters.
pub fn printable_raw(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len().min(limit::RAW));
    for c in text.chars() {
        if out.len() >= limit::RAW {
            break;
        }
        if is_kept(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// The text with its first letter in upper case ("nomor salah" → "Nomor salah"): an error
/// message shown as a sentence.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn removes_nul_and_control_characters() {
        assert_eq!(clean("MS-AB\u{0}CD", 100), "MS-ABCD");
        assert_eq!(clean("a\u{1b}[31mb\u{7f}c\u{85}d", 100), "a[31mbcd");
        assert_eq!(clean("baris 1\r\nbaris 2\tx", 100), "baris 1\nbaris 2\tx");
        assert_eq!(clean("\u{FFFF}ok\u{FFFE}", 100), "ok");
    }

    #[test]
    fn keeps_every_script_and_emoji() {
        let s = "Budi 🎮 ダイヤ Ñandú — «ok»";
        assert_eq!(clean(s, 100), s);
    }

    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(clean("ééééé", 3), "ééé");
        assert_eq!(clean(&"x".repeat(10_000), limit::SHORT).len(), limit::SHORT);
    }

    #[test]
    fn one_line() {
        assert_eq!(clean_line("  Budi\n\u{0}Santoso\t ", 100), "Budi Santoso");
    }

    #[test]
    fn raw_bodies_show_what_was_removed() {
        assert_eq!(printable_raw(b"{\"a\":\"x\0y\"}"), "{\"a\":\"x\\u{0}y\"}");
        assert_eq!(printable_raw(&[0xff, b'a']), "\u{FFFD}a");
        assert!(printable_raw(&vec![b'a'; 200_000]).len() <= limit::RAW);
    }

    proptest! {
        #[test]
        fn cleaned_text_has_no_control_characters_and_is_bounded(s in ".*", max in 0usize..64) {
            let c = clean(&s, max);
            prop_assert!(c.chars().all(is_kept));
            prop_assert!(!c.contains(char::from(0)));
            prop_assert!(c.chars().count() <= max);
            // Cleaning is idempotent.
            prop_assert_eq!(clean(&c, max), c.clone());
        }

        #[test]
        fn clean_text_passes_unchanged(s in "[a-zA-Z0-9 éü🎮\\n]{0,40}") {
            prop_assert_eq!(clean(&s, 100), s);
        }
    }
}
