//! The outside services — suppliers, the payment channel, the WhatsApp gateway — built from the
//! configuration: the real clients, pointed at the real services or (after `startup::start`
//! rewrote their URLs) at the simulators. The store and `maddstore doctor` build them the same way.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::config::{Config, WhatsAppChoice};
use crate::messenger::cloud::{CloudApi, CloudConfig};
use crate::messenger::fonnte::{Fonnte, FonnteConfig};
use crate::messenger::Messenger;
use crate::payment::gateway::Gateway;
use crate::payment::midtrans::{Midtrans, MidtransConfig};
use crate::payment::trakteer::{Trakteer, TrakteerConfig};
use crate::payment::tripay::{Tripay, TripayConfig};
use crate::payment::PaymentChannel;
use crate::supplier::digiflazz::{Digiflazz, DigiflazzConfig};
use crate::supplier::vip_reseller::{VipConfig, VipReseller};
use crate::supplier::{Supplier, Suppliers};
use madd_domain::RailId;

/// The three outside roles, as the configuration chooses them (after `start` pointed the
/// sandbox ones at the simulators).
pub struct Providers {
    pub suppliers: Suppliers,
    pub payment: Arc<dyn PaymentChannel>,
    pub rails: crate::payment::Rails,
    pub messenger: Arc<dyn Messenger>,
}

/// Builds the real clients of `config`'s providers.
pub fn providers(config: &Config, http: &reqwest::Client) -> Providers {
    let suppliers = Suppliers::new(
        config
            .suppliers
            .iter()
            .map(|id| -> Arc<dyn Supplier> {
                match id {
                    madd_domain::SupplierId::VipReseller => Arc::new(VipReseller::new(
                        VipConfig {
                            base_url: config.vip.api_url.clone(),
                            api_id: config.vip.api_id.clone(),
                            api_key: config.vip.api_key.clone(),
                            tier: config.vip.price_tier,
                        },
                        http.clone(),
                    )),
                    madd_domain::SupplierId::Digiflazz => Arc::new(Digiflazz::new(
                        DigiflazzConfig {
                            api_url: config.digiflazz.api_url.clone(),
                            username: config.digiflazz.username.clone(),
                            api_key: config.digiflazz.api_key.clone(),
                            testing: config.digiflazz.testing,
                        },
                        http.clone(),
                    )),
                }
            })
            .collect(),
    );
    let payment: Arc<dyn PaymentChannel> = Arc::new(Trakteer::new(
        TrakteerConfig {
            page_url: config.trakteer.page_url.clone(),
            unit_price: config.trakteer.unit_price,
            api_url: config.trakteer.api_url.clone(),
            api_key: config.trakteer.api_key.clone(),
        },
        http.clone(),
    ));
    let messenger: Arc<dyn Messenger> = match config.whatsapp.gateway {
        WhatsAppChoice::Cloud => Arc::new(CloudApi::new(
            CloudConfig {
                api_url: config.whatsapp.api_url.clone(),
                phone_number_id: config.whatsapp.phone_number_id.clone(),
                token: config.whatsapp.token.clone(),
                template_language: config.whatsapp.template_language.clone(),
                template_names: config.whatsapp.templates.clone(),
            },
            // Its own bound: a send unanswered this long may have been taken (the status
            // report, carrying our reference, will say).
            provider_http_with(config.whatsapp.send_timeout).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "a client with the WhatsApp send timeout failed to build");
                http.clone()
            }),
        )),
        WhatsAppChoice::Fonnte | WhatsAppChoice::Sandbox => Arc::new(Fonnte::new(
            FonnteConfig {
                api_url: config.whatsapp.api_url.clone(),
                token: config.whatsapp.token.clone(),
            },
            http.clone(),
        )),
    };

    let rails = crate::payment::Rails::new(config.payments.clone(), gateways(config, http));
    Providers {
        suppliers,
        payment,
        rails,
        messenger,
    }
}

/// A client for every gateway rail the configuration lists.
fn gateways(config: &Config, http: &reqwest::Client) -> Vec<Arc<dyn Gateway>> {
    config
        .payments
        .iter()
        .filter_map(|rail| -> Option<Arc<dyn Gateway>> {
            match rail {
                RailId::Trakteer => None,
                RailId::Midtrans => Some(Arc::new(Midtrans::new(
                    MidtransConfig {
                        api_url: config.midtrans.api_url.clone(),
                        server_key: config.midtrans.server_key.clone(),
                        acquirer: config.midtrans.acquirer.clone(),
                        cost: config.midtrans.cost,
                        create_timeout: config.payment_create_timeout,
                    },
                    http.clone(),
                ))),
                RailId::Tripay => Some(Arc::new(Tripay::new(
                    TripayConfig {
                        api_url: config.tripay.api_url.clone(),
                        api_key: config.tripay.api_key.clone(),
                        private_key: config.tripay.private_key.clone(),
                        merchant_code: config.tripay.merchant_code.clone(),
                        method: config.tripay.method.clone(),
                        customer_email: config.tripay.customer_email.clone(),
                        cost: config.tripay.cost,
                        create_timeout: config.payment_create_timeout,
                    },
                    http.clone(),
                ))),
            }
        })
        .collect()
}

/// The HTTP client every provider client shares.
pub fn provider_http() -> anyhow::Result<reqwest::Client> {
    provider_http_with(Duration::from_secs(20))
}

/// The shared client's settings with another bound on each call.
pub fn provider_http_with(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // Every provider call is bounded: a hung supplier must not hold a job (or its lease) forever.
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("maddstore/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}
