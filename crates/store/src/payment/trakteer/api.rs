//! The read-only public API (`supports`, `current-balance`): the safety net for payments whose
//! webhook never arrived, never the main path.

use madd_domain::text::{clean, limit};
use madd_domain::Rupiah;
use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use serde_json::{Map, Value};

use super::values::{self, clip, json_kind};
use super::{join, Trakteer};
use crate::payment::{PaymentApiError, ReportedPayment};

/// What the store asks `supports` to include besides the default fields.
const SUPPORTS_INCLUDE: &str = "net_amount,payment_method,order_id,supporter_email,is_guest";

/// One page of `supports`, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportsPage {
    pub payments: Vec<ReportedPayment>,
    /// `support #n: reason` for each entry that could not be read.
    pub unreadable: Vec<String>,
    /// `None` when the answer had no readable `result.meta.pagination`.
    pub pagination: Option<Pagination>,
}

/// `result.meta.pagination`; a figure the answer left out is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pagination {
    pub total: Option<u64>,
    pub count: Option<u64>,
    pub per_page: Option<u64>,
    pub current_page: Option<u64>,
    /// `total_pages`, or `total_page` as some answers spell it.
    pub total_pages: Option<u64>,
}

impl Trakteer {
    /// One page (1-based) of the supports received, with `limit` items per page.
    pub async fn supports(&self, page: u32, limit: u32) -> Result<SupportsPage, PaymentApiError> {
        let query = [
            ("limit", limit.to_string()),
            ("page", page.max(1).to_string()),
            ("include", SUPPORTS_INCLUDE.to_string()),
        ];
        let result = self.get("supports", &query).await?;
        let data = match result.get("data") {
            Some(Value::Array(items)) => items,
            _ => return Err(malformed("result.data is not a list")),
        };
        let mut payments = Vec::with_capacity(data.len());
        let mut unreadable = Vec::new();
        for (i, item) in data.iter().enumerate() {
            match support(item) {
                Ok(p) => payments.push(p),
                Err(reason) => unreadable.push(format!("support #{}: {reason}", i + 1)),
            }
        }
        let pagination = result
            .pointer("/meta/pagination")
            .and_then(Value::as_object)
            .map(pagination);
        Ok(SupportsPage {
            payments,
            unreadable,
            pagination,
        })
    }

    /// The seller's balance on Trakteer (sent as `"6483.00"`).
    pub async fn current_balance(&self) -> Result<Rupiah, PaymentApiError> {
        let result = self.get("current-balance", &[]).await?;
        values::rupiah(&result)
            .map(Rupiah::new)
            .map_err(|reason| malformed(&format!("balance {reason}")))
    }

    /// A GET on the public API, answering the envelope's `result`.
    async fn get(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
    ) -> Result<Value, PaymentApiError> {
        let response = self
            .http
            .get(join(&self.config.api_url, endpoint))
            .query(query)
            .header("key", self.config.api_key.expose())
            .header(ACCEPT, "application/json")
            .header("X-Requested-With", "XMLHttpRequest")
            .send()
            .await
            .map_err(|e| PaymentApiError::Unavailable(format!("{endpoint}: {e}")))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| PaymentApiError::Unavailable(format!("{endpoint}: {e}")))?;
        let envelope = serde_json::from_slice::<Value>(&body).ok();
        let message = envelope.as_ref().map(message).unwrap_or_default();

        if !status.is_success() {
            let detail = format!("{endpoint}: HTTP {}{message}", status.as_u16());
            return Err(if is_transient(status) {
                PaymentApiError::Unavailable(detail)
            } else {
                PaymentApiError::Refused(detail)
            });
        }
        let Some(Value::Object(mut envelope)) = envelope else {
            return Err(malformed(&format!(
                "{endpoint}: answer is not a JSON object"
            )));
        };
        match envelope.get("status").and_then(Value::as_str) {
            Some("success") => Ok(envelope.remove("result").unwrap_or(Value::Null)),
            Some(_) => Err(PaymentApiError::Refused(format!(
                "{endpoint}: status error{message}"
            ))),
            None => Err(malformed(&format!("{endpoint}: envelope has no status"))),
        }
    }
}

/// Worth trying again later: the server's trouble or a rate limit, not a wrong key or URL.
fn is_transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

fn malformed(reason: &str) -> PaymentApiError {
    PaymentApiError::Unavailable(format!("malformed answer: {reason}"))
}

/// `: <message>` from the envelope, or nothing (Laravel may send an object of field errors).
fn message(envelope: &Value) -> String {
    match envelope.get("message") {
        Some(Value::String(m)) if !m.is_empty() => format!(": {}", clip(m)),
        Some(Value::Null) | None => String::new(),
        Some(other) => format!(": {}", clip(&other.to_string())),
    }
}

fn support(item: &Value) -> Result<ReportedPayment, String> {
    let obj = item
        .as_object()
        .ok_or_else(|| format!("is {}", json_kind(item)))?;
    let field = |name: &str| obj.get(name).filter(|v| !v.is_null());
    let text = |name: &str| -> Result<Option<String>, String> {
        match field(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(clean(s, limit::LONG))),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("{name} is {}", json_kind(other))),
        }
    };
    let number = |name: &str, read: fn(&Value) -> Result<i64, String>| -> Result<i64, String> {
        let value = field(name).ok_or_else(|| format!("{name} is missing"))?;
        read(value).map_err(|reason| format!("{name} {reason}"))
    };

    // Production calls the supporter `creator_name`; older answers `supporter_name`.
    let supporter_name = match text("creator_name")? {
        Some(name) => name,
        None => text("supporter_name")?.unwrap_or_default(),
    };
    let updated_at = text("updated_at")?.ok_or("updated_at is missing")?;
    let net_amount = match field("net_amount") {
        None => None,
        Some(v) => Some(Rupiah::new(
            values::rupiah(v).map_err(|reason| format!("net_amount {reason}"))?,
        )),
    };
    Ok(ReportedPayment {
        id: text("order_id")?,
        supporter_name,
        message: text("support_message")?.unwrap_or_default(),
        quantity: number("quantity", values::whole_number)?,
        amount: Rupiah::new(number("amount", values::rupiah)?),
        net_amount,
        payment_method: text("payment_method")?,
        status: text("status")?
            .ok_or("status is missing")?
            .trim()
            .to_ascii_lowercase(),
        updated_at: values::timestamp(&updated_at)
            .ok_or_else(|| format!("updated_at is not a time ({})", clip(&updated_at)))?,
    })
}

fn pagination(obj: &Map<String, Value>) -> Pagination {
    let figure = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| obj.get(*name))
            .and_then(|v| values::whole_number(v).ok())
            .and_then(|n| u64::try_from(n).ok())
    };
    Pagination {
        total: figure(&["total"]),
        count: figure(&["count"]),
        per_page: figure(&["per_page"]),
        current_page: figure(&["current_page"]),
        total_pages: figure(&["total_pages", "total_page"]),
    }
}
