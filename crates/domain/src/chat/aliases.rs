//! The names people type for games and operators, and the brands they mean.

use super::words::tokens;

/// Game aliases → the brand name the store's catalogue starts with. Two-word aliases first.
pub(super) const GAMES: &[(&[&str], &str)] = &[
    (&["mobile", "legends"], "Mobile Legends"),
    (&["mobile", "legend"], "Mobile Legends"),
    (&["free", "fire"], "Free Fire"),
    (&["genshin", "impact"], "Genshin Impact"),
    (&["honkai", "star", "rail"], "Honkai Star Rail"),
    (&["call", "of", "duty"], "Call of Duty"),
    (&["arena", "of", "valor"], "Arena of Valor"),
    (&["higgs", "domino"], "Higgs Domino"),
    (&["honor", "of", "kings"], "Honor of Kings"),
    (&["hok"], "Honor of Kings"),
    (&["ml"], "Mobile Legends"),
    (&["mlbb"], "Mobile Legends"),
    (&["mobilelegends"], "Mobile Legends"),
    (&["mobile"], "Mobile Legends"),
    (&["ff"], "Free Fire"),
    (&["freefire"], "Free Fire"),
    (&["gi"], "Genshin Impact"),
    (&["genshin"], "Genshin Impact"),
    (&["hsr"], "Honkai Star Rail"),
    (&["honkai"], "Honkai Star Rail"),
    (&["pubg"], "PUBG"),
    (&["pubgm"], "PUBG"),
    (&["valo"], "Valorant"),
    (&["valorant"], "Valorant"),
    (&["cod"], "Call of Duty"),
    (&["codm"], "Call of Duty"),
    (&["aov"], "Arena of Valor"),
    (&["higgs"], "Higgs Domino"),
];

/// Operator aliases → the brand name of its pulsa and data products.
pub(super) const OPERATORS: &[(&[&str], &str)] = &[
    (&["by", "u"], "by.U"),
    (&["telkomsel"], "Telkomsel"),
    (&["tsel"], "Telkomsel"),
    (&["simpati"], "Telkomsel"),
    (&["indosat"], "Indosat"),
    (&["isat"], "Indosat"),
    (&["im3"], "Indosat"),
    (&["ooredoo"], "Indosat"),
    (&["xl"], "XL"),
    (&["axis"], "Axis"),
    (&["tri"], "Tri"),
    (&["three"], "Tri"),
    (&["3"], "Tri"),
    (&["smartfren"], "Smartfren"),
    (&["sf"], "Smartfren"),
    (&["byu"], "by.U"),
];

/// The alias at the start of `words`: (canonical name, words used).
pub(super) fn alias(
    table: &[(&[&str], &'static str)],
    words: &[String],
) -> Option<(&'static str, usize)> {
    table.iter().find_map(|(alias, name)| {
        (words.len() >= alias.len() && alias.iter().zip(words).all(|(a, w)| *a == w))
            .then_some((*name, alias.len()))
    })
}

/// The words people search a brand by (`Mobile Legends B` → `ml mlbb mobile legends …`): the
/// chat's aliases, so the storefront's search and the chat's price lists know the same names.
pub fn search_aliases(brand: &str) -> String {
    let brand = brand.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for (alias, name) in GAMES.iter().chain(OPERATORS) {
        if brand.starts_with(&name.to_lowercase()) {
            let words = alias.join(" ");
            if !out.contains(&words) {
                out.push(words);
            }
        }
    }
    out.join(" ")
}

/// A game brand for `cek`/price lists (`ml` → `Mobile Legends`).
pub fn game_alias(word: &str) -> Option<&'static str> {
    let words: Vec<String> = tokens(&word.to_lowercase());
    match alias(GAMES, &words) {
        Some((name, used)) if used == words.len() => Some(name),
        _ => None,
    }
}
