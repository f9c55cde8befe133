//! The payment channels and their fees (spec §3): the three QRIS codes of the docs' table and a
//! virtual account for variety.

/// A payment channel as `merchant/payment-channel` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channel {
    pub group: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub flat: i64,
    /// The percentage part in hundredths of a percent (70 = 0,70 %).
    pub percent_bps: i64,
    pub min_amount: i64,
    pub max_amount: i64,
    /// The expiry window, in minutes from creation.
    pub min_expiry_minutes: i64,
    pub max_expiry_minutes: i64,
    /// A QRIS channel (answers `qr_string`/`qr_url`) rather than a virtual account.
    pub qris: bool,
}

const fn qris(code: &'static str, name: &'static str, max_expiry_minutes: i64) -> Channel {
    Channel {
        group: "E-Wallet",
        code,
        name,
        flat: 750,
        percent_bps: 70,
        min_amount: 1_000,
        max_amount: 5_000_000,
        min_expiry_minutes: 10,
        max_expiry_minutes,
        qris: true,
    }
}

/// The standard fees and limits of the docs' table (§3.2), plus a virtual account for variety.
pub const CHANNELS: [Channel; 4] = [
    qris("QRIS2", "QRIS", 1_440),
    qris("QRIS", "QRIS by ShopeePay", 60),
    qris("QRISC", "QRIS (Customizable)", 1_440),
    Channel {
        group: "Virtual Account",
        code: "BRIVA",
        name: "BRI Virtual Account",
        flat: 4_250,
        percent_bps: 0,
        min_amount: 10_000,
        max_amount: 50_000_000,
        min_expiry_minutes: 60,
        max_expiry_minutes: 1_440,
        qris: false,
    },
];

impl Channel {
    pub fn find(code: &str) -> Option<Channel> {
        CHANNELS.into_iter().find(|c| c.code == code)
    }

    /// `flat + ceil(amount × percent / 100)`: every recorded fee fits it (spec §3.4).
    pub fn fee(&self, amount: i64) -> i64 {
        let part = (i128::from(amount.max(0)) * i128::from(self.percent_bps) + 9_999) / 10_000;
        self.flat + i64::try_from(part).unwrap_or(i64::MAX - self.flat)
    }
}
