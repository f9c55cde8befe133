//! The QRIS gateways' sections: Midtrans (Core API) and Tripay (closed payment). Keys come from
//! the environment or the config file, never from code; the sandbox fills them with its
//! simulators' own when a rail is simulated.

use madd_domain::{PaymentCost, Rupiah};
use url::Url;

use super::values::{require, Values};
use super::ConfigError;
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct Midtrans {
    /// `https://api.sandbox.midtrans.com` or `https://api.midtrans.com`.
    pub api_url: Url,
    pub server_key: Secret,
    /// `gopay` (default) or `airpay shopee`.
    pub acquirer: String,
    /// What Midtrans keeps of a payment (0.7 % for a regular QRIS merchant; set it to what the
    /// contract says, VAT included if it is charged).
    pub cost: PaymentCost,
}

impl Midtrans {
    pub(super) fn read(v: &Values) -> Result<Midtrans, ConfigError> {
        let acquirer = v.text("midtrans_acquirer", "gopay");
        if !matches!(acquirer.as_str(), "gopay" | "airpay shopee") {
            return Err(v.invalid(
                "midtrans_acquirer",
                format!("'{acquirer}' is not gopay or \"airpay shopee\""),
            ));
        }
        Ok(Midtrans {
            api_url: v.url("midtrans_api_url", "https://api.midtrans.com")?,
            server_key: v.secret("midtrans_server_key"),
            acquirer,
            cost: PaymentCost {
                rate: v.percent("midtrans_fee_percent", "0.7")?,
                fixed: Rupiah::ZERO,
            },
        })
    }

    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        require(
            !self.server_key.is_empty(),
            "MADD_MIDTRANS_SERVER_KEY",
            "midtrans is a live payment rail",
        )
    }
}

#[derive(Clone, Debug)]
pub struct Tripay {
    /// `https://tripay.co.id/api` (production) or `https://tripay.co.id/api-sandbox`.
    pub api_url: Url,
    pub api_key: Secret,
    pub private_key: Secret,
    pub merchant_code: String,
    /// The QRIS channel code (`QRIS` default; `QRIS2`, `QRISC` on some merchants).
    pub method: String,
    /// Tripay asks every buyer for an e-mail; customers here have only WhatsApp, so the store's
    /// own address goes there.
    pub customer_email: String,
    /// Tripay's standard QRIS fee: Rp 750 + 0.7 % (the callback's `total_fee` is booked when
    /// it comes).
    pub cost: PaymentCost,
}

impl Tripay {
    pub(super) fn read(v: &Values) -> Result<Tripay, ConfigError> {
        let method = v.text("tripay_method", "QRIS").trim().to_ascii_uppercase();
        if method.is_empty()
            || !method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(v.invalid("tripay_method", format!("'{method}' is not a channel code")));
        }
        Ok(Tripay {
            api_url: v.url("tripay_api_url", "https://tripay.co.id/api")?,
            api_key: v.secret("tripay_api_key"),
            private_key: v.secret("tripay_private_key"),
            merchant_code: v.text("tripay_merchant_code", ""),
            method,
            customer_email: v.text("tripay_customer_email", "pembeli@maddstore.id"),
            cost: PaymentCost {
                rate: v.percent("tripay_fee_percent", "0.7")?,
                fixed: Rupiah::new(v.int("tripay_fee_fixed", 750, 0)?),
            },
        })
    }

    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        let because = "tripay is a live payment rail";
        require(!self.api_key.is_empty(), "MADD_TRIPAY_API_KEY", because)?;
        require(
            !self.private_key.is_empty(),
            "MADD_TRIPAY_PRIVATE_KEY",
            because,
        )?;
        require(
            !self.merchant_code.trim().is_empty(),
            "MADD_TRIPAY_MERCHANT_CODE",
            because,
        )
    }
}
