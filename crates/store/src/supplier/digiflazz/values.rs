//! What Digiflazz's answers mean (digiflazz.md §5), as pure functions: `status` is authoritative,
//! `rc` refines it, and the HTTP status is never trusted.

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// What one `/transaction` answer means for the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; the serial number (a PLN token, a voucher code, or Digiflazz's own reference).
    Delivered { sn: String },
    /// Still running: the webhook or a re-check (same `ref_id`, at least a minute apart) ends it.
    Pending,
    /// Definitely not delivered by Digiflazz.
    Failed {
        /// A transaction record exists under this `ref_id`: a retry needs a new one.
        formed: bool,
        /// The destination itself is wrong (blocked, wrong prefix or digits, out of area): no
        /// other supplier will do better.
        customer_error: bool,
        rc: String,
        message: String,
    },
}

/// rc codes whose transaction is "formed" (*Terbentuk Transaksi* = Ya).
const FORMED: &[&str] = &[
    "00", "01", "02", "03", "50", "51", "52", "53", "54", "55", "57", "58", "59", "60", "70", "71",
    "72", "73", "74", "84", "85", "86", "99",
];
/// rc codes that say the destination (or what it asks for) is wrong, not the supplier: another
/// supplier would refuse it too.
const CUSTOMER_ERRORS: &[&str] = &["51", "52", "54", "57", "59", "72", "73"];

pub fn outcome(status: &str, rc: &str, sn: &str, message: &str) -> Outcome {
    match status {
        "Sukses" => Outcome::Delivered { sn: sn.to_string() },
        "Pending" => Outcome::Pending,
        // "Gagal", and anything unknown: no delivery was promised.
        _ => Outcome::Failed {
            formed: FORMED.contains(&rc),
            customer_error: CUSTOMER_ERRORS.contains(&rc),
            rc: rc.to_string(),
            message: message.to_string(),
        },
    }
}

/// A number Digiflazz may send as a JSON number or as a numeric string.
pub(super) fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Int(i64),
        Float(f64),
        Text(String),
    }
    match Either::deserialize(d)? {
        Either::Int(n) => Ok(n),
        // Rupiah are whole; a float is one that happens to be written with a point.
        Either::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        Either::Float(f) => Err(de::Error::custom(format!("not whole rupiah: {f}"))),
        Either::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("not a number: {t:?}"))),
    }
}

pub(super) fn default_number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    number_or_string(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_decides_and_rc_refines() {
        assert_eq!(
            outcome("Sukses", "00", "1234567890", "Transaksi Sukses"),
            Outcome::Delivered {
                sn: "1234567890".into()
            }
        );
        assert_eq!(outcome("Pending", "03", "", ""), Outcome::Pending);
        // rc 01 is a *final* failure, not a pending one.
        assert!(matches!(
            outcome("Gagal", "01", "", "Timeout"),
            Outcome::Failed {
                formed: true,
                customer_error: false,
                ..
            }
        ));
        assert!(matches!(
            outcome("Gagal", "54", "", "Nomor Tujuan Salah"),
            Outcome::Failed {
                customer_error: true,
                ..
            }
        ));
        // A request rejected before any transaction (a wrong key, an unknown SKU, no balance).
        for rc in ["41", "43", "44", "45", "49"] {
            assert!(matches!(
                outcome("Gagal", rc, "", ""),
                Outcome::Failed {
                    formed: false,
                    customer_error: false,
                    ..
                }
            ));
        }
    }
}
