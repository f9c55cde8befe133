//! QRIS payloads (EMVCo merchant-presented mode, Indonesian profile): the payment simulators make
//! them, their pay pages and the store's invoice read them back — `shared/specs/midtrans.md`
//! §10.2–10.3. A
//! payload is `TAG(2) LEN(2) VALUE` fields, templates nest the same encoding, `00` comes first
//! and the CRC (`63`) last; everything between may come in any order.

use std::fmt::Write as _;

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR).
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// One field: its two-digit tag, its length in two decimal digits, its value.
fn field(out: &mut String, tag: &str, value: &str) {
    let _ = write!(out, "{tag}{:02}{value}", value.len());
}

/// How the amount is written in tag 54: Midtrans writes `20000.00`, Tripay `20000`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountStyle {
    Decimals,
    Integer,
}

/// What a simulated dynamic QRIS carries.
#[derive(Clone, Debug)]
pub struct Payload<'a> {
    /// Reverse-domain id of the (fake) acquirer in the merchant template.
    pub acquirer: &'a str,
    pub amount: i64,
    pub style: AmountStyle,
    pub merchant_name: &'a str,
    pub city: &'a str,
    /// Tag 62.05, the reference label (the merchant's order reference), at most 25 characters.
    pub reference: &'a str,
}

/// A syntactically valid dynamic QRIS with obviously fake identifiers (no real switch routes it).
pub fn build(p: &Payload<'_>) -> String {
    let mut merchant = String::new();
    field(&mut merchant, "00", p.acquirer);
    field(&mut merchant, "01", "936099990000000001");
    field(&mut merchant, "02", "MS0000000000001");
    field(&mut merchant, "03", "UMI");
    let mut national = String::new();
    field(&mut national, "00", "ID.CO.QRIS.WWW");
    field(&mut national, "02", "ID0000000000000");
    field(&mut national, "03", "UMI");
    let amount = match p.style {
        AmountStyle::Decimals => format!("{}.00", p.amount),
        AmountStyle::Integer => p.amount.to_string(),
    };
    let reference: String = p.reference.chars().take(25).collect();
    let mut extra = String::new();
    field(&mut extra, "05", &reference);
    field(&mut extra, "07", "SIM01");
    let name: String = p.merchant_name.chars().take(25).collect();
    let city: String = p.city.chars().take(15).collect();
    let mut out = String::new();
    field(&mut out, "00", "01");
    field(&mut out, "01", "12");
    field(&mut out, "26", &merchant);
    field(&mut out, "51", &national);
    field(&mut out, "52", "5816");
    field(&mut out, "53", "360");
    field(&mut out, "54", &amount);
    field(&mut out, "58", "ID");
    field(&mut out, "59", &name);
    field(&mut out, "60", &city);
    field(&mut out, "61", "10110");
    field(&mut out, "62", &extra);
    out.push_str("6304");
    let crc = crc16(out.as_bytes());
    let _ = write!(out, "{crc:04X}");
    out
}

/// A payload read back, as a wallet app would before paying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// `true` for a dynamic (single-use, per-order) code.
    pub dynamic: bool,
    /// Tag 54 in whole rupiah (`20000.00` and `20000` both read 20 000).
    pub amount: Option<i64>,
    pub merchant_name: String,
    /// Tag 62.05.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrisError {
    #[error("not a QRIS payload: {0}")]
    Malformed(&'static str),
    #[error("the CRC does not match (expected {expected}, found {found})")]
    Crc { expected: String, found: String },
}

/// The fields of one level: `(tag, value)` in their order.
fn fields(text: &str) -> Result<Vec<(&str, &str)>, QrisError> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if rest.len() < 4 || !rest.is_char_boundary(4) {
            return Err(QrisError::Malformed("a field is cut short"));
        }
        let tag = &rest[..2];
        let len: usize = rest[2..4]
            .parse()
            .map_err(|_| QrisError::Malformed("a length is not two digits"))?;
        let end = 4 + len;
        if rest.len() < end || !rest.is_char_boundary(end) {
            return Err(QrisError::Malformed("a value runs past the end"));
        }
        out.push((tag, &rest[4..end]));
        rest = &rest[end..];
    }
    Ok(out)
}

/// Parses `text`, checking the CRC over everything up to and including `6304`.
pub fn parse(text: &str) -> Result<Parsed, QrisError> {
    let text = text.trim();
    if !text.starts_with("000201") {
        return Err(QrisError::Malformed("it does not start with 000201"));
    }
    let Some(body_end) = text.len().checked_sub(4) else {
        return Err(QrisError::Malformed("too short"));
    };
    if !text.is_char_boundary(body_end) || !text[..body_end].ends_with("6304") {
        return Err(QrisError::Malformed("the CRC field 63 is not last"));
    }
    let found = text[body_end..].to_ascii_uppercase();
    let expected = format!("{:04X}", crc16(&text.as_bytes()[..body_end]));
    if found != expected {
        return Err(QrisError::Crc { expected, found });
    }
    let mut parsed = Parsed {
        dynamic: false,
        amount: None,
        merchant_name: String::new(),
        reference: None,
    };
    for (tag, value) in fields(text)? {
        match tag {
            "01" => parsed.dynamic = value == "12",
            "54" => {
                let whole = value.strip_suffix(".00").unwrap_or(value);
                parsed.amount = Some(
                    whole
                        .parse()
                        .map_err(|_| QrisError::Malformed("the amount is not a number"))?,
                );
            }
            "59" => parsed.merchant_name = value.to_string(),
            "62" => {
                parsed.reference = fields(value)?
                    .into_iter()
                    .find(|(t, _)| *t == "05")
                    .map(|(_, v)| v.to_string());
            }
            _ => {}
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(format!("{:04X}", crc16(b"123456789")), "29B1");
    }

    #[test]
    fn the_specs_payload_is_reproduced() {
        let p = Payload {
            acquirer: "ID.MADDSTORE.SANDBOX",
            amount: 20_000,
            style: AmountStyle::Decimals,
            merchant_name: "MADD STORE SANDBOX",
            city: "JAKARTA",
            reference: "MS-7K3Q9XW2-1",
        };
        let expected = "00020101021226720020ID.MADDSTORE.SANDBOX01189360999900000000010215MS00000000000010303UMI51440014ID.CO.QRIS.WWW0215ID00000000000000303UMI520458165303360540820000.005802ID5918MADD STORE SANDBOX6007JAKARTA61051011062260513MS-7K3Q9XW2-10705SIM016304D2AC";
        assert_eq!(build(&p), expected);
        let integer = build(&Payload {
            style: AmountStyle::Integer,
            ..p
        });
        assert!(integer.ends_with("63047D58"), "{integer}");
    }

    #[test]
    fn a_payload_round_trips_and_a_changed_one_is_refused() {
        let text = build(&Payload {
            acquirer: "ID.MADDSTORE.SANDBOX",
            amount: 123_456,
            style: AmountStyle::Integer,
            merchant_name: "MADD STORE SANDBOX",
            city: "JAKARTA",
            reference: "MS-ABCDEFGH-3",
        });
        let parsed = parse(&text).unwrap();
        assert!(parsed.dynamic);
        assert_eq!(parsed.amount, Some(123_456));
        assert_eq!(parsed.merchant_name, "MADD STORE SANDBOX");
        assert_eq!(parsed.reference.as_deref(), Some("MS-ABCDEFGH-3"));
        let tampered = text.replace("123456", "123457");
        assert!(matches!(parse(&tampered), Err(QrisError::Crc { .. })));
        assert!(parse("hello").is_err());
        assert!(parse("000201").is_err());
    }
}
