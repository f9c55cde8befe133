//! The seeded prepaid items: pulsa, data packages, PLN tokens, e-money and streaming vouchers.

use super::{PrepaidItem, Prices};

/// `5.000`
pub(super) fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub(super) fn prepaid_items() -> Vec<PrepaidItem> {
    let mut items = pulsa();
    items.extend(data_packages());
    items.extend(pln_tokens());
    items.extend(emoney());
    items.extend(streaming());
    items
}

fn pulsa() -> Vec<PrepaidItem> {
    let mut items = Vec::new();
    // (brand, code prefix, fixed fee, per-mille fee, daily maintenance window)
    let operators: [(&str, &str, i64, i64, &str); 7] = [
        ("Telkomsel", "S", 400, 3, "23:45 - 00:15"),
        ("Indosat", "I", 250, 8, "23:30 - 00:30"),
        ("XL", "X", 300, 6, "23:44 - 00:16"),
        ("Axis", "AX", 300, 6, "23:44 - 00:16"),
        ("Tri", "T", 200, 10, "-"),
        ("Smartfren", "SM", 150, 12, "-"),
        ("by.U", "BYU", 350, 4, "23:45 - 00:15"),
    ];
    for (brand, prefix, fixed, per_mille, window) in operators {
        for nominal in [5_000, 10_000, 25_000, 50_000, 100_000] {
            items.push(PrepaidItem {
                brand,
                code: format!("{prefix}{}", nominal / 1000),
                name: format!("{brand} {}", thousands(nominal)),
                note: "-",
                prices: Prices::from_basic(nominal + fixed + nominal * per_mille / 1000),
                available: true,
                multi_trx: true,
                maintenance: window,
                category: "Pulsa Reguler",
                type_slug: "pulsa-reguler",
            });
        }
    }
    items
}

fn data_packages() -> [PrepaidItem; 7] {
    let data = |brand, code: &str, name: &str, category, basic, window| PrepaidItem {
        brand,
        code: code.to_string(),
        name: name.to_string(),
        note: "-",
        prices: Prices::from_basic(basic),
        available: true,
        multi_trx: true,
        maintenance: window,
        category,
        type_slug: "paket-internet",
    };
    [
        data(
            "XL",
            "XLDHR3",
            "XL HOTROD 3 GB / 30 Hari",
            "Hotrod",
            27_500,
            "23:44 - 00:16",
        ),
        data(
            "XL",
            "XLDHR6",
            "XL HOTROD 6 GB / 30 Hari",
            "Hotrod",
            45_000,
            "23:44 - 00:16",
        ),
        data(
            "Telkomsel",
            "TSELFL1",
            "Telkomsel Data Flash 1 GB / 7 Hari",
            "Data Flash",
            12_500,
            "23:45 - 00:15",
        ),
        data(
            "Telkomsel",
            "TSELFL5",
            "Telkomsel Data Flash 5 GB / 30 Hari",
            "Data Flash",
            55_000,
            "23:45 - 00:15",
        ),
        data(
            "Indosat",
            "ISATF5",
            "Indosat Freedom Internet 5 GB / 30 Hari",
            "Freedom Internet",
            33_000,
            "23:30 - 00:30",
        ),
        data(
            "Axis",
            "AXBRO2",
            "Axis Bronet 2 GB / 30 Hari",
            "Bronet",
            20_500,
            "-",
        ),
        PrepaidItem {
            available: false,
            ..data(
                "Tri",
                "TRIAON6",
                "Tri AlwaysOn 6 GB / 30 Hari",
                "AlwaysOn",
                30_000,
                "-",
            )
        },
    ]
}

fn pln_tokens() -> Vec<PrepaidItem> {
    let mut items = Vec::new();
    for nominal in [20_000, 50_000, 100_000, 200_000] {
        items.push(PrepaidItem {
            brand: "PLN",
            code: format!("PLN{}", nominal / 1000),
            name: format!("Token PLN {}", thousands(nominal)),
            note: "Masukkan nomor meter atau ID pelanggan",
            prices: Prices::from_basic(nominal + 150),
            available: true,
            multi_trx: false,
            maintenance: "23:00 - 00:30",
            category: "Token PLN",
            type_slug: "token-pln",
        });
    }
    items
}

fn emoney() -> Vec<PrepaidItem> {
    let mut items = Vec::new();
    for (brand, prefix, category, fee) in [
        ("DANA", "DANA", "Saldo DANA", 900),
        ("GoPay", "GOPAY", "Saldo GoPay", 1_000),
    ] {
        for nominal in [10_000, 20_000, 50_000] {
            items.push(PrepaidItem {
                brand,
                code: format!("{prefix}{}", nominal / 1000),
                name: format!("{brand} {}", thousands(nominal)),
                note: "-",
                prices: Prices::from_basic(nominal + fee),
                available: true,
                multi_trx: true,
                maintenance: "-",
                category,
                type_slug: "saldo-emoney",
            });
        }
    }
    items
}

fn streaming() -> Vec<PrepaidItem> {
    let mut items = Vec::new();
    for (brand, code, name, basic) in [
        ("Vidio", "VIDIOPLAT30", "Vidio Platinum 30 Hari", 39_000),
        ("Viu", "VIUPREM30", "Viu Premium 30 Hari", 30_000),
    ] {
        items.push(PrepaidItem {
            brand,
            code: code.to_string(),
            name: name.to_string(),
            note: "Kode voucher dikirim di SN",
            prices: Prices::from_basic(basic),
            available: true,
            multi_trx: false,
            maintenance: "-",
            category: "Streaming",
            type_slug: "streaming-tv",
        });
    }
    items
}
