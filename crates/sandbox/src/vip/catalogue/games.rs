//! The seeded game items, game by game, in the order VIP lists them.

use super::{GameItem, Prices};

const ML: &str = "Mobile Legends B";

fn item(
    code: &'static str,
    game: &'static str,
    name: &'static str,
    prices: Prices,
    needs_zone: bool,
) -> GameItem {
    GameItem {
        code,
        game,
        name,
        prices,
        available: true,
        needs_zone,
    }
}

pub(super) fn game_items() -> Vec<GameItem> {
    let mut items = mobile_legends();
    items.extend(free_fire());
    items.extend(genshin_impact());
    items.extend(honkai_star_rail());
    items.extend(pubg_and_valorant());
    // Out of stock: listed, but orders are refused.
    items.push(GameItem {
        available: false,
        ..item(
            "GI8080-S1",
            "Genshin Impact",
            "6480 + 1600 Genesis Crystals",
            Prices::from_basic(1_265_000),
            true,
        )
    });
    items
}

fn mobile_legends() -> Vec<GameItem> {
    let b = Prices::from_basic;
    vec![
        // The spec's own example, prices as recorded.
        item(
            "ML14-S14",
            "Mobile Legends A",
            "14 Diamonds ( 13 + 1 Bonus )",
            Prices::new(3310, 3260, 3235),
            true,
        ),
        item("ML5-S1", ML, "5 Diamonds", b(1_420), true),
        item("ML12-S1", ML, "12 Diamonds (11 + 1 Bonus)", b(3_350), true),
        item("ML28-S1", ML, "28 Diamonds (25 + 3 Bonus)", b(7_690), true),
        item("ML86-S1", ML, "86 Diamonds (78 + 8 Bonus)", b(20_210), true),
        item(
            "ML172-S1",
            ML,
            "172 Diamonds (156 + 16 Bonus)",
            b(40_420),
            true,
        ),
        item(
            "ML257-S1",
            ML,
            "257 Diamonds (234 + 23 Bonus)",
            b(60_310),
            true,
        ),
        item(
            "ML344-S1",
            ML,
            "344 Diamonds (312 + 32 Bonus)",
            b(80_840),
            true,
        ),
        item(
            "ML429-S1",
            ML,
            "429 Diamonds (390 + 39 Bonus)",
            b(100_730),
            true,
        ),
        item(
            "ML706-S1",
            ML,
            "706 Diamonds (625 + 81 Bonus)",
            b(161_680),
            true,
        ),
        // Premium price 195 695: the spec's example order.
        item("ML1048-S1", ML, "1048 Diamonds", b(198_675), true),
        item(
            "ML2195-S1",
            ML,
            "2195 Diamonds (1860 + 335 Bonus)",
            b(402_300),
            true,
        ),
        item("MLWDP-S1", ML, "Weekly Diamond Pass", b(27_150), true),
    ]
}

fn free_fire() -> Vec<GameItem> {
    let b = Prices::from_basic;
    vec![
        item("FF5-S1", "Free Fire", "5 Diamonds", b(900), false),
        item("FF50-S1", "Free Fire", "50 Diamonds", b(7_300), false),
        item("FF70-S1", "Free Fire", "70 Diamonds", b(9_450), false),
        item("FF140-S1", "Free Fire", "140 Diamonds", b(18_700), false),
        item("FF355-S1", "Free Fire", "355 Diamonds", b(46_300), false),
        item("FF720-S1", "Free Fire", "720 Diamonds", b(92_500), false),
        item(
            "FFMM-S1",
            "Free Fire",
            "Membership Mingguan",
            b(28_900),
            false,
        ),
    ]
}

fn genshin_impact() -> Vec<GameItem> {
    let b = Prices::from_basic;
    vec![
        item(
            "GI60-S1",
            "Genshin Impact",
            "60 Genesis Crystals",
            b(12_900),
            true,
        ),
        item(
            "GI330-S1",
            "Genshin Impact",
            "300 + 30 Genesis Crystals",
            b(63_500),
            true,
        ),
        item(
            "GI1090-S1",
            "Genshin Impact",
            "980 + 110 Genesis Crystals",
            b(190_000),
            true,
        ),
        item(
            "GI2240-S1",
            "Genshin Impact",
            "1980 + 260 Genesis Crystals",
            b(379_000),
            true,
        ),
        item(
            "GIWELKIN-S1",
            "Genshin Impact",
            "Blessing of the Welkin Moon",
            b(63_500),
            true,
        ),
    ]
}

fn honkai_star_rail() -> Vec<GameItem> {
    let b = Prices::from_basic;
    vec![
        item(
            "HSR60-S1",
            "Honkai Star Rail",
            "60 Oneiric Shard",
            b(12_900),
            true,
        ),
        item(
            "HSR330-S1",
            "Honkai Star Rail",
            "300 + 30 Oneiric Shard",
            b(63_500),
            true,
        ),
        item(
            "HSREXP-S1",
            "Honkai Star Rail",
            "Express Supply Pass",
            b(63_500),
            true,
        ),
    ]
}

fn pubg_and_valorant() -> Vec<GameItem> {
    let b = Prices::from_basic;
    vec![
        item("PUBG60-S1", "PUBGM INDO", "60 UC", b(14_300), false),
        item("PUBG325-S1", "PUBGM INDO", "325 UC", b(71_000), false),
        item("PUBG660-S1", "PUBGM INDO", "660 UC", b(142_000), false),
        item("VAL420-S1", "Valorant", "420 Points", b(47_500), false),
        item("VAL700-S1", "Valorant", "700 Points", b(76_000), false),
        item("VAL1375-S1", "Valorant", "1375 Points", b(148_000), false),
    ]
}
