//! Trakteer (trakteer.id) as the payment channel: pre-filled pay links, the webhook (token check
//! and parsing, in [`webhook`]) and the read-only public API used to reconcile payments whose
//! webhook never came (in [`api`]). Trakteer cannot create a payment, so the link is the whole
//! "payment request": the order code rides in the supporter message.

pub mod api;
mod values;
pub mod webhook;

use async_trait::async_trait;
use madd_domain::{OrderCode, Rupiah};
use url::Url;
pub use webhook::{parse_webhook, token_matches, PriceReading, TipEvent, WebhookError};

use super::{PaymentApiError, PaymentChannel, RecentPayments};
use crate::secret::Secret;

/// Page size used by [`PaymentChannel::recent_payments`].
pub const SUPPORTS_PAGE_SIZE: u32 = 20;

#[derive(Clone, Debug)]
pub struct TrakteerConfig {
    /// The seller's page, e.g. `https://trakteer.id/maddstore` (a trailing slash or a path prefix
    /// such as `/sandbox/trakteer/maddstore` is fine).
    pub page_url: Url,
    /// The price of the seller's unit on Trakteer; every amount due is a multiple of it.
    pub unit_price: Rupiah,
    /// The public API base, e.g. `https://api.trakteer.id/v1/public/`.
    pub api_url: Url,
    pub api_key: Secret,
}

pub struct Trakteer {
    config: TrakteerConfig,
    http: reqwest::Client,
}

impl Trakteer {
    /// `http` carries the timeouts; the client adds its own headers per request.
    ///
    /// # Panics
    /// If the unit price is not positive or a URL cannot have a path (`mailto:`): configuration
    /// errors, to be refused when the configuration is loaded.
    pub fn new(config: TrakteerConfig, http: reqwest::Client) -> Self {
        assert!(
            config.unit_price.is_positive(),
            "Trakteer unit price must be positive"
        );
        assert!(
            !config.page_url.cannot_be_a_base() && !config.api_url.cannot_be_a_base(),
            "Trakteer page and API URLs must be http(s) URLs"
        );
        Trakteer { config, http }
    }

    pub fn config(&self) -> &TrakteerConfig {
        &self.config
    }

    /// The link where the customer pays `quantity` units for the order `code`, e.g. the rest of
    /// an underpaid order (a shortfall is a whole number of units when the total is).
    pub fn pay_url_for_units(&self, quantity: i64, code: &OrderCode, display_name: &str) -> String {
        let mut url = join(&self.config.page_url, "tip");
        let quantity = quantity.to_string();
        let query = [
            ("quantity", quantity.as_str()),
            ("step", "2"),
            ("display_name", display_name),
            ("supporter_message", code.as_str()),
            ("payment_method", "qris"),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
        url.set_query(Some(&query));
        url.into()
    }
}

#[async_trait]
impl PaymentChannel for Trakteer {
    fn unit_price(&self) -> Rupiah {
        self.config.unit_price
    }

    fn pay_url(&self, code: &OrderCode, amount: Rupiah, display_name: &str) -> String {
        self.pay_url_for_units(amount.units_of(self.config.unit_price), code, display_name)
    }

    async fn recent_payments(&self, page: u32) -> Result<RecentPayments, PaymentApiError> {
        let page = self.supports(page, SUPPORTS_PAGE_SIZE).await?;
        Ok(RecentPayments {
            payments: page.payments,
            unreadable: page.unreadable,
        })
    }
}

/// `base` + `/segment`, whether or not `base` ends with a slash; query and fragment dropped.
fn join(base: &Url, segment: &str) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(segment);
    }
    url
}

/// RFC 3986 encoding of a query value: everything but the unreserved characters as UTF-8 `%XX`.
/// `url`'s form encoder writes a space as `+`, which only form parsers read back as a space; `%20`
/// survives every parser and every chat app that re-links the URL.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
