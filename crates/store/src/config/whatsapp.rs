//! WhatsApp's section: which gateway (the sandbox, Meta's Cloud API or Fonnte) and its
//! credentials, webhook secrets and message templates.

use std::collections::HashMap;

use url::Url;

use super::values::{require, Values};
use super::{ConfigError, WhatsAppChoice};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct WhatsApp {
    pub gateway: WhatsAppChoice,
    pub api_url: Url,
    pub token: Secret,
    pub phone_number_id: String,
    pub app_secret: Secret,
    pub verify_token: Secret,
    /// The secret path segment of `POST /webhooks/fonnte/{secret}` (Fonnte signs nothing).
    pub fonnte_webhook_secret: Secret,
    pub template_language: String,
    /// Message kind → approved template name (Cloud API, outside the 24-hour window).
    pub templates: HashMap<String, String>,
    /// How long a send may take before its answer counts as lost
    /// (`MADD_WHATSAPP_SEND_TIMEOUT_MS`, default 20 000).
    pub send_timeout: std::time::Duration,
}

impl WhatsApp {
    pub(super) fn read(
        v: &Values,
        gateway: WhatsAppChoice,
        templates: HashMap<String, String>,
    ) -> Result<WhatsApp, ConfigError> {
        let default_url = match gateway {
            WhatsAppChoice::Fonnte => "https://api.fonnte.com",
            _ => "https://graph.facebook.com/v23.0",
        };
        Ok(WhatsApp {
            gateway,
            api_url: v.url("whatsapp_api_url", default_url)?,
            token: v.secret("whatsapp_token"),
            phone_number_id: v.text("whatsapp_phone_number_id", ""),
            app_secret: v.secret("whatsapp_app_secret"),
            verify_token: v.secret("whatsapp_verify_token"),
            fonnte_webhook_secret: v.secret("fonnte_webhook_secret"),
            template_language: v.text("whatsapp_template_language", "id"),
            templates,
            send_timeout: std::time::Duration::from_millis(
                v.int("whatsapp_send_timeout_ms", 20_000, 100)? as u64,
            ),
        })
    }

    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        match self.gateway {
            WhatsAppChoice::Cloud => {
                let because = "MADD_WHATSAPP=cloud";
                require(!self.token.is_empty(), "MADD_WHATSAPP_TOKEN", because)?;
                require(
                    !self.phone_number_id.is_empty(),
                    "MADD_WHATSAPP_PHONE_NUMBER_ID",
                    because,
                )
            }
            WhatsAppChoice::Fonnte => require(
                !self.token.is_empty(),
                "MADD_WHATSAPP_TOKEN",
                "MADD_WHATSAPP=fonnte",
            ),
            WhatsAppChoice::Sandbox => Ok(()),
        }
    }
}
