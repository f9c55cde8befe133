//! PLN meters: who owns one, what `/inquiry-pln` says about it, and a token's SN.

use super::{digits_from, stable_hash};

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
