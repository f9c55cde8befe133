//! Settings the seller changes from the dashboard: stored in the `settings` table, every change
//! audited (who, when, old → new). A setting never changed falls back to the configuration
//! (`MADD_FEE_PERCENT`, `MADD_FULFILMENT`, …) or to the default written here, so the store works
//! before anyone opens the settings page.
//!
//! The core reads them through [`current`] (outside a transaction) or [`on`] (inside one, on the
//! transaction's own connection: SQLite's pool has a single connection).

use std::collections::BTreeMap;

use madd_domain::report::DepositFee;
use madd_domain::{Bps, CustomerFee, Markup, PaymentCost, PhoneNumber, Rupiah};

use crate::app::App;
use crate::config::{Config, Fulfilment};
use crate::db::{Conn, DbResult};
use crate::error::{AppError, AppResult};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Percent,
    Rupiah,
    Phone,
    /// One of a few values: `(stored value, what the seller reads)`.
    Choice(&'static [(&'static str, &'static str)]),
    /// A short line of text shown to customers (no line breaks).
    Text,
    /// A whole number of minutes, 1 to a day.
    Minutes,
}

/// How paid orders reach the supplier.
pub const FULFILMENT_CHOICES: &[(&str, &str)] = &[
    ("manual", "Manual: penjual menekan Proses"),
    ("auto", "Otomatis: langsung ke supplier setelah lunas"),
];

/// What happens to the money of a paid order that finally fails.
pub const FAILED_REFUND_CHOICES: &[(&str, &str)] = &[
    ("saldo", "Otomatis ke saldo pembeli"),
    ("manual", "Tanya saya dulu (refund manual)"),
];

/// Which new orders the seller hears of on WhatsApp.
pub const SELLER_NOTICE_CHOICES: &[(&str, &str)] = &[
    ("paid", "Hanya yang sudah dibayar"),
    ("all", "Semua, juga yang belum dibayar"),
];

pub struct Spec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: Kind,
}

/// Every dashboard setting, in the order the settings page shows them.
pub const SPECS: &[Spec] = &[
    Spec {
        key: "fee_percent",
        label: "Biaya admin pelanggan (%)",
        help: "Ditambahkan ke harga saat checkout (dibulatkan ke atas). Bawaan 0: Bank Indonesia \
               melarang penjual membebankan biaya QRIS (MDR) kepada pembeli.",
        kind: Kind::Percent,
    },
    Spec {
        key: "fee_fixed",
        label: "Biaya admin pelanggan (Rp tetap)",
        help: "Ditambahkan per pesanan, setelah persentase.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "payment_fee_percent",
        label: "Potongan Trakteer + metode bayar (%)",
        help: "Perkiraan untuk penjaga margin saat Trakteer jadi jalur bayar; laporan memakai angka \
               neto asli dari Trakteer. Potongan Midtrans dan Tripay diatur di konfigurasi.",
        kind: Kind::Percent,
    },
    Spec {
        key: "payment_fee_fixed",
        label: "Potongan pembayaran tetap (Rp)",
        help: "Per pembayaran, untuk penjaga margin.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "deposit_fee_gopay_percent",
        label: "Biaya deposit GoPay (%)",
        help: "Sekitar 0,7% per isi saldo.",
        kind: Kind::Percent,
    },
    Spec {
        key: "deposit_fee_gopay_fixed",
        label: "Biaya deposit GoPay (Rp)",
        help: "Sekitar Rp 2.000 per isi saldo.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "deposit_fee_bank_percent",
        label: "Biaya deposit transfer bank (%)",
        help: "Biasanya gratis.",
        kind: Kind::Percent,
    },
    Spec {
        key: "deposit_fee_bank_fixed",
        label: "Biaya deposit transfer bank (Rp)",
        help: "Biasanya gratis.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "deposit_fee_qris_percent",
        label: "Biaya deposit QRIS (%)",
        help: "",
        kind: Kind::Percent,
    },
    Spec {
        key: "deposit_fee_qris_fixed",
        label: "Biaya deposit QRIS (Rp)",
        help: "",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "deposit_fee_other_percent",
        label: "Biaya deposit lainnya (%)",
        help: "",
        kind: Kind::Percent,
    },
    Spec {
        key: "deposit_fee_other_fixed",
        label: "Biaya deposit lainnya (Rp)",
        help: "",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "service_share_percent",
        label: "Biaya layanan website (% laba bersih)",
        help: "Biasanya 25–30% dari laba bersih bulanan.",
        kind: Kind::Percent,
    },
    Spec {
        key: "markup_percent",
        label: "Markup bawaan (%)",
        help: "Dipakai bila tidak ada aturan kategori/brand/produk.",
        kind: Kind::Percent,
    },
    Spec {
        key: "markup_min",
        label: "Markup minimum bawaan (Rp)",
        help: "Keuntungan minimum per produk.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "seller_whatsapp",
        label: "WhatsApp penjual",
        help: "Menerima pemberitahuan pesanan dan peringatan saldo. Kosongkan untuk mematikan.",
        kind: Kind::Phone,
    },
    Spec {
        key: "fulfilment",
        label: "Pemrosesan pesanan",
        help: "Otomatis: pesanan lunas langsung dikirim ke supplier.",
        kind: Kind::Choice(FULFILMENT_CHOICES),
    },
    Spec {
        key: "failed_refund",
        label: "Refund pesanan gagal",
        help: "Otomatis: dana pesanan yang gagal di supplier langsung masuk saldo pembeli, yang bisa dipakai belanja lagi.",
        kind: Kind::Choice(FAILED_REFUND_CHOICES),
    },
    Spec {
        key: "seller_notice",
        label: "Kabari penjual soal pesanan baru",
        help: "Pesanan yang belum dibayar sering ditinggal; pembayaran selalu dikabarkan.",
        kind: Kind::Choice(SELLER_NOTICE_CHOICES),
    },
    Spec {
        key: "seller_hours",
        label: "Jam layanan penjual",
        help: "Ditampilkan ke pembeli saat pesanan menunggu diproses manual, mis. 08.00–22.00 WIB.",
        kind: Kind::Text,
    },
    Spec {
        key: "reseller_auto_spend",
        label: "Naik ke reseller otomatis (Rp belanja 30 hari)",
        help: "Member yang belanja sebanyak ini dalam 30 hari mendapat harga reseller; 0 = hanya yang disetujui penjual.",
        kind: Kind::Rupiah,
    },
    Spec {
        key: "watchdog_minutes",
        label: "Pesanan lunas harus selesai dalam (menit)",
        help: "Pesanan lunas yang belum terkirim atau di-refund setelah ini masuk Perlu tindakan dan Anda dikabari sekali.",
        kind: Kind::Minutes,
    },
    Spec {
        key: "low_balance_threshold",
        label: "Batas saldo supplier rendah (Rp)",
        help: "Di bawah ini penjual diberi peringatan (sekali per kejadian).",
        kind: Kind::Rupiah,
    },
];

pub fn spec(key: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.key == key)
}

/// How the seller pays for supplier top-ups.
pub const DEPOSIT_METHODS: &[(&str, &str)] = &[
    ("gopay", "GoPay"),
    ("bank", "Transfer bank"),
    ("qris", "QRIS"),
    ("other", "Lainnya"),
];

/// The effective settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub customer_fee: CustomerFee,
    pub payment_cost: PaymentCost,
    pub deposit_fees: BTreeMap<&'static str, DepositFee>,
    pub service_share: Bps,
    pub markup: Markup,
    pub seller_whatsapp: Option<PhoneNumber>,
    pub fulfilment: Fulfilment,
    pub low_balance_threshold: Rupiah,
    /// Members who spend this much in 30 days pay reseller prices (zero: off).
    pub reseller_auto_spend: Rupiah,
    /// Whether the seller hears of orders that are not paid yet.
    pub notify_unpaid: bool,
    /// Whether a paid order that finally fails is refunded to the customer's saldo at once.
    pub refund_to_saldo: bool,
    /// When the seller answers (customers waiting on a manual order are told).
    pub seller_hours: String,
    /// How long a paid order may take to be delivered or refunded before the seller is alerted.
    pub watchdog_ms: i64,
    /// Each setting's value as text (normalised) and whether it was set from the dashboard.
    pub values: BTreeMap<&'static str, (String, bool)>,
}

impl Settings {
    pub fn deposit_fee(&self, method: &str) -> DepositFee {
        self.deposit_fees.get(method).copied().unwrap_or_default()
    }
}

fn percent_text(b: Bps) -> String {
    format!("{}.{:02}", b.value() / 100, b.value() % 100)
}

fn default_text(config: &Config, key: &str) -> String {
    match key {
        "fee_percent" => percent_text(config.customer_fee.rate),
        "fee_fixed" => config.customer_fee.fixed.amount().to_string(),
        "payment_fee_percent" => "5.78".into(),
        "deposit_fee_gopay_percent" | "deposit_fee_qris_percent" => "0.70".into(),
        "deposit_fee_gopay_fixed" => "2000".into(),
        "service_share_percent" => "25.00".into(),
        "markup_percent" => percent_text(config.markup.rate),
        "markup_min" => config.markup.min.amount().to_string(),
        "seller_whatsapp" => config
            .seller_whatsapp
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        "fulfilment" => match config.fulfilment {
            Fulfilment::Auto => "auto".into(),
            Fulfilment::Manual => "manual".into(),
        },
        "low_balance_threshold" => config.low_balance_threshold.amount().to_string(),
        "seller_notice" => if config.notify_unpaid { "all" } else { "paid" }.into(),
        "failed_refund" => if config.refund_to_saldo {
            "saldo"
        } else {
            "manual"
        }
        .into(),
        "seller_hours" => "08.00–22.00 WIB".into(),
        "watchdog_minutes" => "15".into(),
        k if k.ends_with("_percent") => "0.00".into(),
        _ => "0".into(),
    }
}

/// Reads what a person typed into a setting's normalised text, or says why it is refused.
pub fn normalise(spec: &Spec, input: &str) -> Result<String, String> {
    let input = input.trim();
    match spec.kind {
        Kind::Percent => {
            let b = Bps::parse_percent(input).map_err(|e| e.to_string())?;
            if b > Bps::HUNDRED_PERCENT
                || (spec.key == "payment_fee_percent" && b >= Bps::HUNDRED_PERCENT)
            {
                return Err("paling besar 100%".into());
            }
            Ok(percent_text(b))
        }
        Kind::Rupiah => {
            let n = Rupiah::parse_typed(input)
                .map_err(|e| e.to_string())?
                .amount();
            if !(0..=1_000_000_000).contains(&n) {
                return Err("harus antara 0 dan 1.000.000.000".into());
            }
            Ok(n.to_string())
        }
        Kind::Phone => {
            if input.is_empty() {
                return Ok(String::new());
            }
            PhoneNumber::parse(input)
                .map(|p| p.as_str().to_string())
                .map_err(|e| e.to_string())
        }
        Kind::Choice(choices) => {
            let wanted = input.to_ascii_lowercase();
            choices
                .iter()
                .find(|(value, _)| *value == wanted)
                .map(|(value, _)| value.to_string())
                .ok_or_else(|| {
                    let names: Vec<&str> = choices.iter().map(|(v, _)| *v).collect();
                    format!("pilih salah satu: {}", names.join(", "))
                })
        }
        Kind::Minutes => match input.parse::<i64>() {
            Ok(n) if (1..=1_440).contains(&n) => Ok(n.to_string()),
            _ => Err("isi menit, 1 sampai 1440".into()),
        },
        Kind::Text => {
            if input.chars().count() > 80 || input.chars().any(char::is_control) {
                return Err("paling banyak 80 huruf, satu baris".into());
            }
            Ok(input.to_string())
        }
    }
}

/// The effective settings from the stored rows over the configuration's defaults. A stored value
/// that no longer reads (never written by this code) is logged and ignored.
pub fn resolve(config: &Config, stored: &[(String, String)]) -> Settings {
    let mut values: BTreeMap<&'static str, (String, bool)> = BTreeMap::new();
    for s in SPECS {
        let from_db = stored
            .iter()
            .find(|(k, _)| k == s.key)
            .and_then(|(_, v)| match normalise(s, v) {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::error!(key = s.key, error = %e, "stored setting unreadable; using the default");
                    None
                }
            });
        let entry = match from_db {
            Some(v) => (v, true),
            None => (default_text(config, s.key), false),
        };
        values.insert(s.key, entry);
    }
    let text = |k: &str| values.get(k).map(|(v, _)| v.as_str()).unwrap_or("");
    let pct = |k: &str| Bps::parse_percent(text(k)).unwrap_or_default();
    let rp = |k: &str| Rupiah::new(text(k).parse().unwrap_or_default());
    let deposit_fees = DEPOSIT_METHODS
        .iter()
        .map(|(m, _)| {
            (
                *m,
                DepositFee {
                    rate: pct(&format!("deposit_fee_{m}_percent")),
                    fixed: rp(&format!("deposit_fee_{m}_fixed")),
                },
            )
        })
        .collect();
    Settings {
        customer_fee: CustomerFee {
            rate: pct("fee_percent"),
            fixed: rp("fee_fixed"),
        },
        payment_cost: PaymentCost {
            rate: pct("payment_fee_percent"),
            fixed: rp("payment_fee_fixed"),
        },
        deposit_fees,
        service_share: pct("service_share_percent"),
        markup: Markup {
            rate: pct("markup_percent"),
            min: rp("markup_min"),
        },
        seller_whatsapp: PhoneNumber::parse(text("seller_whatsapp")).ok(),
        fulfilment: if text("fulfilment") == "auto" {
            Fulfilment::Auto
        } else {
            Fulfilment::Manual
        },
        low_balance_threshold: rp("low_balance_threshold"),
        reseller_auto_spend: rp("reseller_auto_spend"),
        notify_unpaid: text("seller_notice") == "all",
        refund_to_saldo: text("failed_refund") == "saldo",
        seller_hours: text("seller_hours").to_string(),
        watchdog_ms: text("watchdog_minutes").parse::<i64>().unwrap_or(15) * 60_000,
        values,
    }
}

/// The settings, read on the caller's connection (use inside a transaction).
pub async fn on(conn: &mut Conn, config: &Config) -> DbResult<Settings> {
    let stored = crate::db::settings::settings(conn).await?;
    Ok(resolve(config, &stored))
}

/// The settings, on a connection of its own (never while holding another one).
pub async fn current(app: &App) -> AppResult<Settings> {
    let mut conn = app.db.read().await?;
    Ok(on(&mut conn, &app.config).await?)
}

/// Changes settings from a form: every value is checked first, then all changed ones are written
/// with their audit rows in one transaction. Answers the keys that changed.
pub async fn update(
    app: &App,
    actor: &str,
    changes: &[(String, String)],
) -> AppResult<Vec<&'static str>> {
    let mut checked = Vec::new();
    for (key, input) in changes {
        let Some(spec) = spec(key) else {
            return Err(AppError::invalid(
                "unknown_setting",
                format!("Pengaturan '{key}' tidak dikenal"),
            ));
        };
        let value = normalise(spec, input)
            .map_err(|e| AppError::invalid("invalid_setting", format!("{}: {e}", spec.label)))?;
        checked.push((spec.key, value));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let current = on(&mut tx, &app.config).await?;
    let mut changed = Vec::new();
    for (key, value) in checked {
        // Submitting the form unchanged must not write "default → same value" audit rows.
        let same_as_effective = current.values.get(key).map(|(v, _)| v) == Some(&value);
        let stored = current.values.get(key).map(|(_, s)| *s).unwrap_or(false);
        if same_as_effective && !stored {
            continue;
        }
        if crate::db::settings::set_setting(&mut tx, key, &value, actor, now).await? {
            tracing::info!(key, %actor, "setting changed");
            changed.push(key);
        }
    }
    tx.commit().await?;
    app.catalogue.invalidate();
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_sources(None, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn defaults_come_from_the_config() {
        let s = resolve(&config(), &[]);
        assert_eq!(s.markup.rate, Bps::new(1000));
        assert_eq!(s.deposit_fee("gopay"), DepositFee::GOPAY);
        assert_eq!(s.deposit_fee("bank"), DepositFee::default());
        assert_eq!(s.service_share, Bps::new(2500));
        assert_eq!(s.fulfilment, Fulfilment::Manual);
        assert!(s.values.values().all(|(_, stored)| !stored));
    }

    #[test]
    fn stored_values_win() {
        let s = resolve(
            &config(),
            &[
                ("fee_percent".into(), "1.40".into()),
                ("fulfilment".into(), "auto".into()),
                ("seller_whatsapp".into(), "6281200000009".into()),
                ("service_share_percent".into(), "garbage".into()),
            ],
        );
        assert_eq!(s.customer_fee.rate, Bps::new(140));
        assert_eq!(s.fulfilment, Fulfilment::Auto);
        assert_eq!(s.seller_whatsapp.unwrap().as_str(), "6281200000009");
        assert_eq!(s.service_share, Bps::new(2500), "unreadable falls back");
    }

    #[test]
    fn inputs_are_normalised_or_refused() {
        let p = spec("fee_percent").unwrap();
        assert_eq!(normalise(p, "0,7").unwrap(), "0.70");
        assert!(normalise(p, "101").is_err());
        let r = spec("fee_fixed").unwrap();
        assert_eq!(normalise(r, "Rp 2.000").unwrap(), "2000");
        assert!(normalise(r, "-5").is_err());
        let w = spec("seller_whatsapp").unwrap();
        assert_eq!(normalise(w, "0812-0000-0009").unwrap(), "6281200000009");
        assert_eq!(normalise(w, "").unwrap(), "");
        assert!(normalise(spec("fulfilment").unwrap(), "kadang").is_err());
    }
}
