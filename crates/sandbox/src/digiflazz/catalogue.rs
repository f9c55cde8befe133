//! The seeded price lists (prepaid and pasca), the documented test cases of development keys,
//! and the deterministic answers about customers: PLN meter owners and postpaid bills. Pure data
//! and pure functions; no state.

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

/// One postpaid product of the pasca price list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PascaProduct {
    pub sku: &'static str,
    pub product_name: &'static str,
    pub brand: &'static str,
    /// Admin fee per bill sheet.
    pub admin: i64,
    /// What Digiflazz pays back per bill sheet (the price is the selling price minus this).
    pub commission: i64,
    pub desc: &'static str,
}

/// The pasca price list: PLN postpaid, the only postpaid product the simulator serves.
pub const PASCA: &[PascaProduct] = &[PascaProduct {
    sku: "pln",
    product_name: "Pln Pascabayar",
    brand: "PLN PASCABAYAR",
    admin: PLN_ADMIN,
    commission: PLN_COMMISSION,
    desc: "Tagihan listrik PLN pascabayar. Nomor tujuan: ID pelanggan 12 digit",
}];

pub(crate) const PLN_ADMIN: i64 = 2_500;
pub(crate) const PLN_COMMISSION: i64 = 1_000;

/// The development key's test product (`xld10`, Rp 10 000) and its documented numbers.
pub const TEST_SKU: &str = "xld10";
pub const TEST_PRICE: i64 = 10_000;
/// What the documented test cases report as the balance before (and after a failure).
pub const TEST_BALANCE: i64 = 1_000_000;
/// The SN of a successful test transaction, as documented.
pub const TEST_SN: &str = "1234567890";

/// How a new transaction ends, decided when it is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Sukses at once.
    Succeed,
    /// Gagal at once with this rc (nothing kept from the balance).
    Fail(&'static str),
    /// Pending, then Sukses (`true`) or Gagal (`false`) after `pending_for` or a release.
    Pending(bool),
    /// Pending with another rc than `03` (a forced `99`), then Sukses.
    PendingAs(&'static str),
}

impl Plan {
    /// Whether the transaction keeps its price from the balance when it starts.
    pub fn charges(self) -> bool {
        !matches!(self, Plan::Fail(_))
    }
}

/// The outcome of a seeded-catalogue transaction by the last two digits of `customer_no`.
pub(crate) fn plan_for(customer_no: &str) -> Plan {
    let last_two = customer_no
        .len()
        .checked_sub(2)
        .and_then(|i| customer_no.get(i..))
        .unwrap_or("");
    match last_two {
        "32" => Plan::Fail("02"),
        "33" => Plan::Pending(true),
        "34" => Plan::Pending(false),
        _ => Plan::Succeed,
    }
}

/// The documented prepaid test cases (`xld10`); any other number is rc 54 (formed, Gagal).
pub(crate) fn test_plan(customer_no: &str) -> Plan {
    match customer_no {
        "087800001230" => Plan::Succeed,
        "087800001232" => Plan::Fail("02"),
        "087800001233" => Plan::Pending(true),
        "087800001234" => Plan::Pending(false),
        _ => Plan::Fail("54"),
    }
}

/// FNV-1a: stable across Rust releases, so generated names and numbers never change.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `n` decimal digits drawn deterministically from `seed`.
pub(crate) fn digits_from(seed: &str, n: usize) -> String {
    let mut state = stable_hash(&[seed]) | 1;
    (0..n)
        .map(|_| {
            // xorshift64: cheap, deterministic, good enough for fake serial numbers
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 10) as u8)
        })
        .collect()
}

/// The owner of a PLN meter, as `/inquiry-pln` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlnCustomer {
    pub name: String,
    /// `R1 /000001300`
    pub segment_power: String,
    pub tariff: &'static str,
    /// VA: 900, 1300 or 2200.
    pub power: i64,
    pub meter_no: String,
    pub subscriber_id: String,
}

/// The meter with a fixed owner (the page lists it).
pub const NAMED_METER: (&str, &str) = ("32123456789", "BUDI SANTOSO");

fn is_meter_shaped(customer_no: &str) -> bool {
    (11..=12).contains(&customer_no.len()) && customer_no.bytes().all(|b| b.is_ascii_digit())
}

/// A stable, Indonesian-looking owner for any number: what the inquiry says for known meters,
/// and the name a PLN token's SN carries.
pub(crate) fn pln_owner(customer_no: &str) -> PlnCustomer {
    const FIRST: &[&str] = &[
        "AGUS", "BUDI", "DEWI", "EKO", "FITRI", "HENDRA", "INDAH", "JOKO", "KARTIKA", "LESTARI",
        "MUHAMMAD", "NUR", "PUTRI", "RUDI", "SITI", "WAHYU",
    ];
    const LAST: &[&str] = &[
        "SANTOSO",
        "RAHAYU",
        "SETIAWAN",
        "PRATAMA",
        "HARTONO",
        "WIJAYA",
        "SAPUTRA",
        "KURNIAWAN",
        "HIDAYAT",
        "NUGROHO",
        "PERMATASARI",
        "SURYANI",
        "MARLINA",
        "HANDAYANI",
        "SUSANTO",
        "WIBOWO",
    ];
    let (name, power) = if customer_no == NAMED_METER.0 {
        (NAMED_METER.1.to_string(), 1300)
    } else {
        let h = stable_hash(&["pln", customer_no]);
        let name = format!(
            "{} {}",
            FIRST[(h % FIRST.len() as u64) as usize],
            LAST[((h >> 8) % LAST.len() as u64) as usize]
        );
        let digit_sum: u32 = customer_no.chars().filter_map(|c| c.to_digit(10)).sum();
        (name, [900, 1300, 2200][(digit_sum % 3) as usize])
    };
    // 11 digits is a meter number, 12 an IDPEL (customer id): each answer carries both.
    let (meter_no, subscriber_id) = if customer_no.len() == 12 {
        (
            format!("1{}", digits_from(customer_no, 10)),
            customer_no.to_string(),
        )
    } else {
        (
            customer_no.to_string(),
            format!("5{}", digits_from(customer_no, 11)),
        )
    };
    PlnCustomer {
        name,
        segment_power: format!("R1 /{power:09}"),
        tariff: "R1",
        power,
        meter_no,
        subscriber_id,
    }
}

/// `/inquiry-pln`: the named meter, then any 11–12 digit number not ending in `9`.
pub(crate) fn pln_inquiry(customer_no: &str) -> Option<PlnCustomer> {
    if customer_no == NAMED_METER.0 {
        return Some(pln_owner(customer_no));
    }
    if !is_meter_shaped(customer_no) || customer_no.ends_with('9') {
        return None;
    }
    Some(pln_owner(customer_no))
}

/// The SN of a PLN token: `dddd-dddd-dddd-dddd-dddd/NAME/R1/1300VA/13.8KWH`.
pub(crate) fn pln_token_sn(ref_id: &str, customer_no: &str, nominal: i64) -> String {
    let digits = digits_from(&format!("token:{ref_id}"), 20);
    let token: Vec<&str> = (0..5).map(|i| &digits[i * 4..i * 4 + 4]).collect();
    let owner = pln_owner(customer_no);
    // R1 above 900 VA pays Rp 1.444,70 per kWh, R1 900 VA Rp 1.352.
    let rate = if owner.power == 900 { 1352.0 } else { 1444.7 };
    format!(
        "{}/{}/{}/{}VA/{:.1}KWH",
        token.join("-"),
        owner.name.replace(' ', "-"),
        owner.tariff,
        owner.power,
        nominal as f64 / rate
    )
}

/// A 16-digit serial number derived from the `ref_id`.
pub(crate) fn serial(ref_id: &str) -> String {
    digits_from(&format!("sn:{ref_id}"), 16)
}

/// One bill sheet of a postpaid customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sheet {
    pub periode: String,
    pub nilai_tagihan: i64,
    pub admin: i64,
    pub denda: i64,
    pub meter_awal: i64,
    pub meter_akhir: i64,
}

/// A postpaid customer's bill, as `inq-pasca` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bill {
    pub customer_name: String,
    pub tarif: &'static str,
    pub daya: i64,
    pub sheets: Vec<Sheet>,
    pub commission_per_sheet: i64,
}

impl Bill {
    pub fn admin(&self) -> i64 {
        self.sheets.iter().map(|s| s.admin).sum()
    }

    /// What the customer should be asked for: bills, fines and admin.
    pub fn selling_price(&self) -> i64 {
        self.sheets
            .iter()
            .map(|s| s.nilai_tagihan + s.denda + s.admin)
            .sum()
    }

    /// What the payment takes from the deposit: the selling price minus the commission.
    pub fn price(&self) -> i64 {
        self.selling_price() - self.commission_per_sheet * self.sheets.len() as i64
    }
}

/// What an inquiry finds, and how the payment after it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PascaCase {
    /// The bill, and the plan of its payment.
    Bill(Bill, Plan),
    /// The inquiry fails with this rc.
    NoBill(&'static str),
}

fn test_sheet(periode: &str, nilai: i64, denda: i64) -> Sheet {
    Sheet {
        periode: periode.to_string(),
        nilai_tagihan: nilai,
        admin: PLN_ADMIN,
        denda,
        meter_awal: 80_000,
        meter_akhir: 80_125,
    }
}

/// The documented postpaid test cases of `pln`: 1 bill (admin 2 500, price 10 000, selling
/// price 11 000) or 2 bills (admin 5 000, price 23 000, selling price 25 000).
pub(crate) fn test_pasca(customer_no: &str) -> PascaCase {
    let one = || Bill {
        customer_name: "Nama Pelanggan Pertama".to_string(),
        tarif: "R1",
        daya: 1300,
        sheets: vec![test_sheet("201901", 8_000, 500)],
        commission_per_sheet: PLN_COMMISSION,
    };
    let two = || Bill {
        customer_name: "Nama Pelanggan Kedua".to_string(),
        tarif: "R1",
        daya: 1300,
        sheets: vec![
            test_sheet("201901", 9_500, 500),
            test_sheet("201902", 9_500, 500),
        ],
        commission_per_sheet: PLN_COMMISSION,
    };
    match customer_no {
        "530000000001" => PascaCase::Bill(one(), Plan::Succeed),
        "530000000002" => PascaCase::Bill(two(), Plan::Succeed),
        "530000000003" => PascaCase::NoBill("02"),
        "530000000006" => PascaCase::Bill(one(), Plan::Fail("02")),
        "630000000001" => PascaCase::Bill(one(), Plan::Pending(true)),
        "630000000002" => PascaCase::Bill(two(), Plan::Pending(true)),
        "630000000006" => PascaCase::Bill(one(), Plan::Pending(false)),
        _ => PascaCase::NoBill("54"),
    }
}

/// A production PLN postpaid customer: 12 digits not ending in `9` have one bill of
/// `45 000 + 37 × (last four digits)` plus admin 2 500 for `periode` (`YYYYMM`); the payment
/// follows the last-two-digits rule. Others: rc 54 (wrong number) at inquiry.
pub(crate) fn pasca_bill(customer_no: &str, periode: &str) -> PascaCase {
    if customer_no.len() != 12
        || !customer_no.bytes().all(|b| b.is_ascii_digit())
        || customer_no.ends_with('9')
    {
        return PascaCase::NoBill("54");
    }
    let last_four: i64 = customer_no[8..].parse().unwrap_or(0);
    let owner = pln_owner(customer_no);
    let start = 10_000 + (stable_hash(&["meter", customer_no]) % 80_000) as i64;
    let bill = Bill {
        customer_name: owner.name,
        tarif: owner.tariff,
        daya: owner.power,
        sheets: vec![Sheet {
            periode: periode.to_string(),
            nilai_tagihan: 45_000 + 37 * last_four,
            admin: PLN_ADMIN,
            denda: 0,
            meter_awal: start,
            meter_akhir: start + 150 + last_four % 100,
        }],
        commission_per_sheet: PLN_COMMISSION,
    };
    PascaCase::Bill(bill, plan_for(customer_no))
}

/// What every rc means (digiflazz.md §5): the message the simulator sends, and whether a
/// transaction is formed (a record exists under the `ref_id`).
pub(crate) const RCS: &[(&str, &str, bool)] = &[
    ("00", "Transaksi Sukses", true),
    ("01", "Timeout", true),
    ("02", "Transaksi Gagal", true),
    ("03", "Transaksi Pending", true),
    ("40", "Payload Error", false),
    ("41", "Signature Anda salah", false),
    ("42", "Gagal memproses API Buyer", false),
    ("43", "SKU tidak di temukan atau Non-Aktif", false),
    ("44", "Saldo tidak cukup", false),
    ("45", "IP Anda tidak kami kenali", false),
    ("47", "Transaksi sudah terjadi di buyer lain", false),
    ("49", "Ref ID tidak unik", false),
    ("50", "Transaksi Tidak Ditemukan", true),
    ("51", "Nomor Tujuan Diblokir", true),
    ("52", "Prefix Tidak Sesuai Operator", true),
    ("53", "Produk Seller Sedang Tidak Tersedia", true),
    ("54", "Nomor Tujuan Salah", true),
    ("55", "Produk Sedang Gangguan", true),
    ("56", "Limit saldo seller", false),
    ("57", "Jumlah Digit Kurang Atau Lebih", true),
    ("58", "Sedang Cut Off", true),
    ("59", "Tujuan di Luar Wilayah/Cluster", true),
    ("60", "Tagihan belum tersedia", true),
    ("61", "Belum pernah melakukan deposit", false),
    ("62", "Seller sedang mengalami gangguan", false),
    ("63", "Tidak support transaksi multi", false),
    (
        "64",
        "Tarik tiket gagal, coba nominal lain atau hubungi admin",
        false,
    ),
    ("65", "Limit transaksi multi", false),
    ("66", "Cut Off (Perbaikan Sistem Seller)", false),
    ("67", "Seller belum ter-verifikasi", false),
    ("68", "Stok habis", false),
    (
        "69",
        "Harga seller lebih besar dari ketentuan harga Buyer",
        false,
    ),
    ("70", "Timeout Dari Biller", true),
    ("71", "Produk Sedang Tidak Stabil", true),
    ("72", "Lakukan Unreg Paket Dahulu", true),
    ("73", "Kwh Melebihi Batas", true),
    ("74", "Transaksi Refund", true),
    ("80", "Akun Anda telah diblokir oleh Seller", false),
    ("81", "Seller ini telah diblokir oleh Anda", false),
    ("82", "Akun Anda belum ter-verifikasi", false),
    (
        "83",
        "Anda telah mencapai limitasi pengecekan pricelist",
        false,
    ),
    ("84", "Nominal tidak valid", true),
    ("85", "Limitasi transaksi, coba 1 menit lagi", true),
    ("86", "Limitasi pengecekan nomor PLN", true),
    ("87", "E-money wajib kelipatan Rp 1.000", false),
    ("88", "Akun tidak dapat melakukan aksi ini", false),
    ("99", "DF Router Issue", true),
];

/// The rc's table entry, spelled as in the table (`"02"`).
pub(crate) fn rc_entry(rc: &str) -> Option<(&'static str, &'static str, bool)> {
    RCS.iter().copied().find(|(code, _, _)| *code == rc)
}

pub(crate) fn rc_message(rc: &str) -> &'static str {
    rc_entry(rc).map_or("Transaksi Gagal", |(_, message, _)| message)
}

#[cfg(test)]
mod tests;
