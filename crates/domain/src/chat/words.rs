//! How a message is cut into words.

use super::MAX_TOKEN_CHARS;

/// Splits a message into words: whitespace and punctuation separate, except the characters
/// that live inside codes and ids (`-` in `ML86-S1`, `_` in `os_asia`, `#` in Riot ids, `+` in
/// `+62…`). Overlong tokens are cut.
pub(super) fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | ':'
                    | '!'
                    | '?'
                    | '.'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '/'
                    | '\\'
                    | '"'
                    | '\''
                    | '`'
                    | '*'
                    | '~'
                    | '='
                    | '<'
                    | '>'
                    | '|'
            )
    })
    .filter(|t| !t.is_empty() && t.chars().any(|c| c.is_alphanumeric()))
    .map(|t| t.chars().take(MAX_TOKEN_CHARS).collect())
    .collect()
}

/// The original text after the first word, trimmed (what `cs …` forwards).
pub(super) fn rest_after_first_word(text: &str) -> String {
    let start = text
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, _)| i);
    let Some(start) = start else {
        return String::new();
    };
    let after = &text[start..];
    let end = after
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map(|(i, _)| i)
        .unwrap_or(after.len());
    after[end..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '-' | '.'))
        .trim()
        .to_string()
}
