//! The fault knobs of spec §11.4–11.5, as `GET`/`POST /faults` show and take them (JSON).

use serde::{Deserialize, Serialize};

/// The knobs of §11.4–11.5; the default is all off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// The next API calls fail (after authentication).
    pub fail_next: Option<FailNext>,
    /// Every API answer waits this long (capped at two minutes).
    pub latency_ms: u64,
    /// API calls never answer.
    pub hang: bool,
    /// Every API call answers `Invalid API Key`.
    pub auth_fail: bool,
    /// Every API call answers HTTP 403 `Unauthorized IP (…)`.
    pub ip_block: bool,
    /// Every channel is listed inactive and create refuses it.
    pub channel_inactive: bool,
    /// Create refuses every amount as outside the channel's limits.
    pub amount_out_of_range: bool,
    /// Callback bodies escape `/` as PHP does (`\/`), with a note that contains one.
    pub escape_slashes: bool,
    /// Every callback is sent twice at once.
    pub duplicate: bool,
    /// The next N callbacks are never sent.
    pub drop_first: u32,
    /// No callback is sent.
    pub drop_all: bool,
    /// A stale EXPIRED callback follows each PAID one.
    pub reorder: bool,
    /// Callbacks carry a wrong signature.
    pub tamper: bool,
    /// Callbacks are signed correctly but say a `total_amount` other than the transaction's.
    pub bad_amount: bool,
    /// Callbacks come with `X-Callback-Event: something_else`.
    pub wrong_event: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailNext {
    /// How many API calls fail.
    pub count: u32,
    /// Their HTTP status (500, 502, 503, 504…).
    pub http: u16,
    #[serde(default)]
    pub body: FailBody,
    /// A create still makes its transaction (the client saw an error; §10 rule 2).
    #[serde(default)]
    pub created: bool,
}

/// What a failed call's body is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailBody {
    /// Empty.
    #[default]
    None,
    /// A proxy's HTML error page.
    Html,
    /// Laravel's `{"message":"Server Error"}`: JSON, but no `success`.
    JsonError,
}
