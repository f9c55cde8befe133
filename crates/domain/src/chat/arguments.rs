//! The arguments of the commands that take some: price lists, checks, buying, cashing out.

use super::aliases::{alias, GAMES, OPERATORS};
use super::{Command, PriceQuery, Usage};
use crate::catalog::Category;
use crate::order::OrderCode;

pub(super) fn price_query(category: Option<Category>, words: &[String]) -> PriceQuery {
    // `harga pulsa telkomsel` = `pulsa telkomsel`.
    if category.is_none() {
        if let Some(first) = words.first() {
            let explicit = match first.as_str() {
                "game" | "games" => Some(Category::Game),
                "pulsa" => Some(Category::Pulsa),
                "data" | "kuota" | "paket" | "internet" => Some(Category::Data),
                "pln" | "token" | "listrik" => Some(Category::Pln),
                "voucher" | "streaming" => Some(Category::Voucher),
                _ => None,
            };
            if explicit.is_some() {
                return price_query(explicit, &words[1..]);
            }
        }
    }
    if words.is_empty() {
        return PriceQuery {
            category,
            brand: None,
        };
    }
    if let Some((name, used)) = alias(GAMES, words) {
        if used == words.len() && matches!(category, None | Some(Category::Game)) {
            return PriceQuery {
                category: Some(Category::Game),
                brand: Some(name.to_string()),
            };
        }
    }
    if let Some((name, used)) = alias(OPERATORS, words) {
        if used == words.len() {
            return PriceQuery {
                category,
                brand: Some(name.to_string()),
            };
        }
    }
    PriceQuery {
        category,
        brand: Some(words.join(" ")),
    }
}

pub(super) fn check(args: &[String], lower: &[String]) -> Command {
    if let Some((game, used)) = alias(GAMES, lower) {
        let rest = &args[used..];
        return match split_target(rest) {
            Some((target, zone)) => Command::CheckId {
                game: game.to_string(),
                target,
                zone,
            },
            None => Command::Usage(Usage::CheckId),
        };
    }
    if !args.is_empty() {
        if let Some(code) = OrderCode::parse(&args.concat()) {
            if lower[0].starts_with("ms") {
                return Command::CheckOrder(code);
            }
        }
    }
    Command::Usage(Usage::CheckId)
}

/// `tarik 50000 dana 081234567890` (also `tarik saldo 50.000 …`, `tarik Rp50.000 …`): read from
/// the raw text, split on spaces only, so `50.000` stays one amount and `a.n. Budi` one account.
pub(super) fn cash_out(rest: &str) -> Command {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skip = usize::from(
        words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("saldo")),
    );
    let (Some(amount), Some(method)) = (words.get(skip), words.get(skip + 1)) else {
        return Command::Usage(Usage::CashOut);
    };
    let amount = crate::Rupiah::parse_typed(amount);
    let method = match method.to_lowercase().as_str() {
        "transfer" | "rekening" | "bca" | "bri" | "bni" | "mandiri" | "bsi" => {
            Ok(crate::RefundMethod::Bank)
        }
        m => m.parse::<crate::RefundMethod>(),
    };
    let account: String = words[(skip + 2).min(words.len())..]
        .join(" ")
        .chars()
        .take(60)
        .collect();
    match (amount, method) {
        (Ok(amount), Ok(method))
            if amount.is_positive()
                && method != crate::RefundMethod::Saldo
                && account.chars().any(|c| c.is_ascii_digit()) =>
        {
            Command::CashOut {
                amount,
                method,
                account,
            }
        }
        _ => Command::Usage(Usage::CashOut),
    }
}

pub(super) fn buy(args: &[String], lower: &[String]) -> Command {
    // `… kode PROMO` and `… pakai saldo` (or a last `saldo`), in either order at the end.
    let mut args = args.to_vec();
    let mut lower = lower.to_vec();
    let mut voucher = None;
    let mut saldo = false;
    loop {
        match lower.as_slice() {
            [.., a, b] if a == "pakai" && b == "saldo" => {
                saldo = true;
                args.truncate(args.len() - 2);
                lower.truncate(lower.len() - 2);
            }
            [.., b] if b == "saldo" => {
                saldo = true;
                args.truncate(args.len() - 1);
                lower.truncate(lower.len() - 1);
            }
            [.., k, _] if (k == "kode" || k == "voucher" || k == "promo") && voucher.is_none() => {
                voucher = args.last().map(|v| v.to_uppercase());
                args.truncate(args.len() - 2);
                lower.truncate(lower.len() - 2);
            }
            _ => break,
        }
    }
    let Some(product) = args.first() else {
        return Command::Buy {
            product: None,
            target: None,
            zone: None,
            saldo,
            voucher,
        };
    };
    if !is_product_code(product) {
        return Command::Usage(Usage::Buy);
    }
    let product = Some(product.to_uppercase());
    match split_target(&args[1..]) {
        Some((target, zone)) => Command::Buy {
            product,
            target: Some(target),
            zone,
            saldo,
            voucher,
        },
        None if args.len() == 1 => Command::Buy {
            product,
            target: None,
            zone: None,
            saldo,
            voucher,
        },
        None => Command::Usage(Usage::Buy),
    }
}

fn is_product_code(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_alphabetic())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// `123456789 2345` → target and zone; one token → no zone; a phone number typed in groups
/// (`0812 3456 7890`) → the last group as the "zone", which the store joins back to the target
/// when the product takes no zone. `None` for no tokens or more than four.
fn split_target(args: &[String]) -> Option<(String, Option<String>)> {
    match args {
        [] => None,
        [target] => Some((target.clone(), None)),
        [init @ .., zone] if args.len() <= 4 => Some((init.join(" "), Some(zone.clone()))),
        _ => None,
    }
}
