//! The seeded prepaid price list.

/// One prepaid product of the seeded price list, as Digiflazz names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// `buyer_sku_code` (`ML86`); matched without regard to case.
    pub sku: &'static str,
    /// `Games`, `Pulsa`, `Data`, `PLN` or `E-Money`.
    pub category: &'static str,
    /// In capitals, as Digiflazz spells it (`MOBILE LEGENDS`, `TELKOMSEL`, `GO PAY`).
    pub brand: &'static str,
    /// `MOBILE LEGENDS 86 Diamond`, `Telkomsel 10.000`, `PLN 20.000`.
    pub product_name: &'static str,
    /// What a transaction costs, whole rupiah.
    pub price: i64,
    /// The seller's side is up (seeded `false` for `FF720`).
    pub seller_product_status: bool,
    pub unlimited_stock: bool,
    /// Meaningful only when `unlimited_stock` is false (seeded `0` for `PUBG660`).
    pub stock: i64,
}

impl Product {
    /// Sellable as seeded: the seller is up and there is stock.
    pub const fn available(&self) -> bool {
        self.seller_product_status && (self.unlimited_stock || self.stock > 0)
    }

    /// `true` for PLN tokens (their SN carries the token and the meter's owner).
    pub fn is_pln_token(&self) -> bool {
        self.category == "PLN"
    }

    /// The token's face value for PLN items (`PLN20` → 20 000).
    pub fn pln_nominal(&self) -> Option<i64> {
        let thousands: i64 = self.sku.strip_prefix("PLN")?.parse().ok()?;
        Some(thousands * 1000)
    }

    /// Daily maintenance window (`start_cut_off`, `end_cut_off`); `00:00`/`00:00` = none.
    pub fn cut_off(&self) -> (&'static str, &'static str) {
        match self.category {
            "Pulsa" | "Data" => ("23:45", "00:15"),
            "PLN" => ("23:00", "00:30"),
            _ => ("00:00", "00:00"),
        }
    }

    /// More than one purchase of the same product for the same destination per day.
    pub fn multi(&self) -> bool {
        self.category != "PLN"
    }

    pub fn desc(&self) -> String {
        match self.category {
            "Games" => format!("{}. Nomor tujuan: ID + Zone digabung", self.product_name),
            "PLN" => format!(
                "Token {}. Nomor tujuan: nomor meter/ID pelanggan",
                self.product_name
            ),
            "Pulsa" => format!("Pulsa {}", self.product_name),
            _ => self.product_name.to_string(),
        }
    }

    /// The masked seller name the price list shows.
    pub fn seller_name(&self) -> &'static str {
        match self.category {
            "Games" => "Ga***",
            "PLN" => "Li***",
            "E-Money" => "Do***",
            _ => "Pu***",
        }
    }

    const fn seller_off(self) -> Product {
        Product {
            seller_product_status: false,
            ..self
        }
    }

    const fn limited(self, stock: i64) -> Product {
        Product {
            unlimited_stock: false,
            stock,
            ..self
        }
    }
}

const fn p(
    sku: &'static str,
    category: &'static str,
    brand: &'static str,
    product_name: &'static str,
    price: i64,
) -> Product {
    Product {
        sku,
        category,
        brand,
        product_name,
        price,
        seller_product_status: true,
        unlimited_stock: true,
        stock: 0,
    }
}

/// The seeded prepaid price list. Most items have a VIP Reseller counterpart with the same
/// nominal (same diamonds, rupiah, token value) at a price 1–4 % off VIP's Premium column, some
/// cheaper, some dearer; `MLTP`, `FF1450`, `PUBG1800` and `OVO*` are Digiflazz-only, and
/// `GI8080`/`TRIAON6` are sellable here while VIP has them `empty`. `FF720` has its seller down
/// and `PUBG660` a limited stock of 0: both listed, both refused with rc 68.
pub const PREPAID: &[Product] = &[
    p(
        "ML5",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 5 Diamond",
        1357,
    ),
    p(
        "ML12",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 12 Diamond",
        3366,
    ),
    p(
        "ML14",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 14 Diamond",
        3227,
    ),
    p(
        "ML28",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 28 Diamond",
        7878,
    ),
    p(
        "ML86",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 86 Diamond",
        19508,
    ),
    p(
        "ML172",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 172 Diamond",
        40213,
    ),
    p(
        "ML257",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 257 Diamond",
        57029,
    ),
    p(
        "ML344",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 344 Diamond",
        82017,
    ),
    p(
        "ML429",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 429 Diamond",
        97235,
    ),
    p(
        "ML706",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 706 Diamond",
        164033,
    ),
    p(
        "ML1048",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 1048 Diamond",
        197652,
    ),
    p(
        "ML2195",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS 2195 Diamond",
        392303,
    ),
    p(
        "MLWDP",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS Weekly Diamond Pass",
        25940,
    ),
    p(
        "MLTP",
        "Games",
        "MOBILE LEGENDS",
        "MOBILE LEGENDS Twilight Pass",
        142500,
    ),
    p("FF5", "Games", "FREE FIRE", "FREE FIRE 5 Diamond", 905),
    p("FF50", "Games", "FREE FIRE", "FREE FIRE 50 Diamond", 7119),
    p("FF70", "Games", "FREE FIRE", "FREE FIRE 70 Diamond", 9682),
    p(
        "FF140",
        "Games",
        "FREE FIRE",
        "FREE FIRE 140 Diamond",
        18051,
    ),
    p(
        "FF355",
        "Games",
        "FREE FIRE",
        "FREE FIRE 355 Diamond",
        46063,
    ),
    p(
        "FF720",
        "Games",
        "FREE FIRE",
        "FREE FIRE 720 Diamond",
        87468,
    )
    .seller_off(),
    p(
        "FF1450",
        "Games",
        "FREE FIRE",
        "FREE FIRE 1450 Diamond",
        181900,
    ),
    p(
        "FFMM",
        "Games",
        "FREE FIRE",
        "FREE FIRE Membership Mingguan",
        29322,
    ),
    p(
        "GI60",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT 60 Genesis Crystals",
        12452,
    ),
    p(
        "GI330",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT 300 + 30 Genesis Crystals",
        64425,
    ),
    p(
        "GI1090",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT 980 + 110 Genesis Crystals",
        189022,
    ),
    p(
        "GI2240",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT 1980 + 260 Genesis Crystals",
        369581,
    ),
    p(
        "GI8080",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT 6480 + 1600 Genesis Crystals",
        1208644,
    ),
    p(
        "GIWELKIN",
        "Games",
        "GENSHIN IMPACT",
        "GENSHIN IMPACT Blessing of the Welkin Moon",
        63799,
    ),
    p(
        "HSR60",
        "Games",
        "HONKAI STAR RAIL",
        "HONKAI STAR RAIL 60 Oneiric Shard",
        12579,
    ),
    p(
        "HSR330",
        "Games",
        "HONKAI STAR RAIL",
        "HONKAI STAR RAIL 300 + 30 Oneiric Shard",
        65050,
    ),
    p(
        "HSREXP",
        "Games",
        "HONKAI STAR RAIL",
        "HONKAI STAR RAIL Express Supply Pass",
        61297,
    ),
    p("PUBG60", "Games", "PUBG MOBILE", "PUBG MOBILE 60 UC", 14227),
    p(
        "PUBG325",
        "Games",
        "PUBG MOBILE",
        "PUBG MOBILE 325 UC",
        67137,
    ),
    p(
        "PUBG660",
        "Games",
        "PUBG MOBILE",
        "PUBG MOBILE 660 UC",
        144067,
    )
    .limited(0),
    p(
        "PUBG1800",
        "Games",
        "PUBG MOBILE",
        "PUBG MOBILE 1800 UC",
        356000,
    ),
    p("VAL420", "Games", "VALORANT", "VALORANT 420 Points", 45852),
    p("VAL700", "Games", "VALORANT", "VALORANT 700 Points", 77106),
    p(
        "VAL1375",
        "Games",
        "VALORANT",
        "VALORANT 1375 Points",
        147238,
    )
    .limited(25),
    p("TSEL5", "Pulsa", "TELKOMSEL", "Telkomsel 5.000", 5280),
    p("TSEL10", "Pulsa", "TELKOMSEL", "Telkomsel 10.000", 9965),
    p("TSEL25", "Pulsa", "TELKOMSEL", "Telkomsel 25.000", 25595),
    p("TSEL50", "Pulsa", "TELKOMSEL", "Telkomsel 50.000", 49294),
    p("TSEL100", "Pulsa", "TELKOMSEL", "Telkomsel 100.000", 103158),
    p("ISAT5", "Pulsa", "INDOSAT", "Indosat 5.000", 5106),
    p("ISAT10", "Pulsa", "INDOSAT", "Indosat 10.000", 10278),
    p("ISAT25", "Pulsa", "INDOSAT", "Indosat 25.000", 24066),
    p("ISAT50", "Pulsa", "INDOSAT", "Indosat 50.000", 51388),
    p("ISAT100", "Pulsa", "INDOSAT", "Indosat 100.000", 97544),
    p("XL5", "Pulsa", "XL", "XL 5.000", 5409),
    p("XL10", "Pulsa", "XL", "XL 10.000", 10308),
    p("XL25", "Pulsa", "XL", "XL 25.000", 24818),
    p("XL50", "Pulsa", "XL", "XL 50.000", 48345),
    p("XL100", "Pulsa", "XL", "XL 100.000", 101375),
    p("AXIS5", "Pulsa", "AXIS", "Axis 5.000", 5198),
    p("AXIS10", "Pulsa", "AXIS", "Axis 10.000", 10614),
    p("AXIS25", "Pulsa", "AXIS", "Axis 25.000", 24567),
    p("AXIS50", "Pulsa", "AXIS", "Axis 50.000", 50340),
    p("AXIS100", "Pulsa", "AXIS", "Axis 100.000", 95411),
    p("TRI5", "Pulsa", "TRI", "Tri 5.000", 5328),
    p("TRI10", "Pulsa", "TRI", "Tri 10.000", 9943),
    p("TRI25", "Pulsa", "TRI", "Tri 25.000", 25822),
    p("TRI50", "Pulsa", "TRI", "Tri 50.000", 50440),
    p("TRI100", "Pulsa", "TRI", "Tri 100.000", 98685),
    p("SMART5", "Pulsa", "SMARTFREN", "Smartfren 5.000", 4978),
    p("SMART10", "Pulsa", "SMARTFREN", "Smartfren 10.000", 10319),
    p("SMART25", "Pulsa", "SMARTFREN", "Smartfren 25.000", 24818),
    p("SMART50", "Pulsa", "SMARTFREN", "Smartfren 50.000", 51989),
    p("SMART100", "Pulsa", "SMARTFREN", "Smartfren 100.000", 97833),
    p("BYU5", "Pulsa", "BY.U", "by.U 5.000", 5343),
    p("BYU10", "Pulsa", "BY.U", "by.U 10.000", 9825),
    p("BYU25", "Pulsa", "BY.U", "by.U 25.000", 25822),
    p("BYU50", "Pulsa", "BY.U", "by.U 50.000", 48796),
    p("BYU100", "Pulsa", "BY.U", "by.U 100.000", 102217),
    p(
        "TSELFL1",
        "Data",
        "TELKOMSEL",
        "Telkomsel Data Flash 1 GB / 7 Hari",
        12437,
    ),
    p(
        "TSELFL5",
        "Data",
        "TELKOMSEL",
        "Telkomsel Data Flash 5 GB / 30 Hari",
        53633,
    ),
    p(
        "ISATF5",
        "Data",
        "INDOSAT",
        "Indosat Freedom Internet 5 GB / 30 Hari",
        31529,
    ),
    p("XLHR3", "Data", "XL", "XL Hotrod 3 GB / 30 Hari", 27630),
    p("XLHR6", "Data", "XL", "XL Hotrod 6 GB / 30 Hari", 43881),
    p(
        "AXBRO2",
        "Data",
        "AXIS",
        "Axis Bronet 2 GB / 30 Hari",
        21001,
    ),
    p(
        "TRIAON6",
        "Data",
        "TRI",
        "Tri AlwaysOn 6 GB / 30 Hari",
        28959,
    ),
    p("PLN20", "PLN", "PLN", "PLN 20.000", 20047),
    p("PLN50", "PLN", "PLN", "PLN 50.000", 51374),
    p("PLN100", "PLN", "PLN", "PLN 100.000", 101608),
    p("PLN200", "PLN", "PLN", "PLN 200.000", 201091),
    p("DANA10", "E-Money", "DANA", "DANA 10.000", 11060),
    p("DANA20", "E-Money", "DANA", "DANA 20.000", 20793),
    p("DANA50", "E-Money", "DANA", "DANA 50.000", 50639),
    p("GOPAY10", "E-Money", "GO PAY", "Go Pay 10.000", 11161),
    p("GOPAY20", "E-Money", "GO PAY", "Go Pay 20.000", 21099),
    p("GOPAY50", "E-Money", "GO PAY", "Go Pay 50.000", 50738),
    p("OVO10", "E-Money", "OVO", "OVO 10.000", 10950),
    p("OVO20", "E-Money", "OVO", "OVO 20.000", 20950),
    p("OVO50", "E-Money", "OVO", "OVO 50.000", 50950),
];

/// A seeded prepaid product by its SKU (any case).
pub fn product(sku: &str) -> Option<&'static Product> {
    PREPAID.iter().find(|p| p.sku.eq_ignore_ascii_case(sku))
}
