//! Reading VIP's answers: its envelopes' quirks (numbers as text, fields that come and go,
//! errors worded in Indonesian), the service lists and the order records.

use super::*;

/// Messages that are about the request or the account, not about the looked-up game account.
pub(super) fn is_request_problem(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("api key")
        || m.contains("signature")
        || m.starts_with("ip ")
        || m.contains(" ip ")
        || m.contains("not permitted")
        || m.contains("pemeliharaan")
        || m.contains("maintenance")
        || m.contains("parameter")
        || m.contains("layanan tidak ditemukan")
}

pub(super) fn is_not_found(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("tidak ditemukan") || m.contains("not found")
}

pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string or a number as text (VIP sends ids and targets either way).
pub(super) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What the order request said, for answers that leave fields out (`pay-pasca`).
#[derive(Clone, Copy)]
pub(super) struct Fallback<'a> {
    pub(super) target: &'a str,
    pub(super) zone: Option<&'a str>,
    pub(super) service: &'a str,
}

/// Reads one order record (answer to `order`/`pay-pasca`, `status` item, callback `data`).
pub(super) fn order_from_value(
    value: &Value,
    fallback: Option<Fallback<'_>>,
) -> Result<SupplierOrder, String> {
    let map: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| format!("order is {}, expected an object", kind_of(value)))?;
    let trxid = map
        .get("trxid")
        .and_then(text_of)
        .filter(|t| !t.is_empty())
        .ok_or("order without `trxid`")?;
    let status_text = map
        .get("status")
        .and_then(text_of)
        .ok_or("order without `status`")?;
    let status = SupplierStatus::parse(&status_text)
        .ok_or_else(|| format!("unknown order status '{status_text}'"))?;
    let target = match map.get("data") {
        Some(Value::Object(customer)) => customer.get("no").and_then(text_of),
        Some(other) => text_of(other),
        None => None,
    }
    .or_else(|| fallback.map(|f| f.target.to_string()))
    .unwrap_or_default();
    let zone = map
        .get("zone")
        .and_then(text_of)
        .or_else(|| fallback.and_then(|f| f.zone.map(str::to_string)))
        .filter(|z| !z.is_empty());
    let service = map
        .get("service")
        .and_then(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| fallback.map(|f| f.service.to_string()))
        .unwrap_or_default();
    let note = map.get("note").and_then(text_of).unwrap_or_default();
    let price = match map.get("price") {
        None | Some(Value::Null) => None,
        // `pay-pasca` may answer with the inquiry's {bill, admin, total}.
        Some(Value::Object(parts)) => Some(
            parts
                .get("total")
                .ok_or("price object without `total`")
                .and_then(|v| amount_of(v).map_err(|_| "bad price total"))?,
        ),
        Some(v) => Some(amount_of(v).map_err(|e| format!("bad price: {e}"))?),
    };
    let balance = match map.get("balance") {
        None | Some(Value::Null) => None,
        Some(v) => Some(amount_of(v).map_err(|e| format!("bad balance: {e}"))?),
    };
    Ok(SupplierOrder {
        trxid,
        target,
        zone,
        service,
        status,
        note,
        price,
        balance,
        customer_error: false,
    })
}

pub(super) fn amount_of(value: &Value) -> Result<Rupiah, String> {
    Amount::deserialize(value)
        .map(|a| Rupiah::new(a.0))
        .map_err(|e| e.to_string())
}

/// Whole rupiah from a JSON integer or a numeric string, without floating-point arithmetic.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Amount(pub(super) i64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;

        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole rupiah amount (integer or numeric string)")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                i64::try_from(v)
                    .map(Amount)
                    .map_err(|_| E::custom("amount too large"))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // A PHP float such as 3310.0 is a whole number; anything with a fraction is not
                // a rupiah amount. Only a conversion, no arithmetic.
                const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: exact in f64
                if v.fract() == 0.0 && v.abs() < LIMIT {
                    Ok(Amount(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not a whole rupiah amount")))
                }
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                parse_amount_text(v)
                    .map(Amount)
                    .ok_or_else(|| E::custom(format!("'{v}' is not an amount")))
            }
        }

        deserializer.deserialize_any(AmountVisitor)
    }
}

/// `"3310"`, `"-5"`, `"3310.00"`; not `"1.000"` (could be a thousands separator) nor `"3310.5"`.
pub(super) fn parse_amount_text(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b == b'0') {
            return None;
        }
    }
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

#[derive(Deserialize)]
pub(super) struct TierPrices {
    pub(super) basic: Amount,
    pub(super) premium: Amount,
    pub(super) special: Amount,
}

impl TierPrices {
    pub(super) fn at(&self, tier: PriceTier) -> Rupiah {
        Rupiah::new(
            match tier {
                PriceTier::Basic => self.basic,
                PriceTier::Premium => self.premium,
                PriceTier::Special => self.special,
            }
            .0,
        )
    }
}

#[derive(Deserialize)]
pub(super) struct GameServiceRaw {
    pub(super) code: String,
    pub(super) game: String,
    pub(super) name: String,
    pub(super) price: TierPrices,
    pub(super) status: String,
}

impl GameServiceRaw {
    pub(super) fn into_service(self, tier: PriceTier) -> SupplierService {
        SupplierService {
            cost: self.price.at(tier),
            available: is_available(&self.status),
            code: self.code,
            brand: self.game,
            name: self.name,
            kind: ServiceKind::Game,
            prepaid_type: None,
            note: None,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct PrepaidServiceRaw {
    pub(super) brand: String,
    pub(super) code: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) note: Option<String>,
    pub(super) price: TierPrices,
    pub(super) status: String,
    /// Sic: VIP's spelling of the daily maintenance window.
    #[serde(default)]
    pub(super) maintenace: Option<String>,
    #[serde(rename = "type", default)]
    pub(super) service_type: Option<String>,
}

impl PrepaidServiceRaw {
    pub(super) fn into_service(self, tier: PriceTier) -> SupplierService {
        let meaningful = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "-")
                .map(str::to_string)
        };
        let note = meaningful(&self.note);
        let window = meaningful(&self.maintenace).map(|w| format!("Maintenance {w}"));
        let note = match (note, window) {
            (Some(n), Some(w)) => Some(format!("{n} · {w}")),
            (n, w) => n.or(w),
        };
        SupplierService {
            cost: self.price.at(tier),
            available: is_available(&self.status),
            code: self.code,
            brand: self.brand,
            name: self.name,
            kind: ServiceKind::Prepaid,
            prepaid_type: self
                .service_type
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            note,
        }
    }
}

pub(super) fn is_available(status: &str) -> bool {
    status.trim().eq_ignore_ascii_case("available")
}

#[derive(Deserialize)]
pub(super) struct ProfileRaw {
    pub(super) username: String,
    pub(super) balance: Amount,
    pub(super) level: String,
}

#[derive(Deserialize)]
pub(super) struct InquiryRaw {
    pub(super) data: InquiryCustomer,
    pub(super) price: InquiryPrice,
}

#[derive(Deserialize)]
pub(super) struct InquiryCustomer {
    #[serde(default)]
    pub(super) no: Option<Value>,
    #[serde(default)]
    pub(super) name: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct InquiryPrice {
    pub(super) bill: Amount,
    pub(super) admin: Amount,
    pub(super) total: Amount,
}
