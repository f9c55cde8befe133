//! Local simulators of the store's outside services, faithful to `shared/specs/`: VIP Reseller,
//! Trakteer and a WhatsApp gateway (Cloud API and Fonnte). The demo mounts them under `/sandbox`;
//! tests start them on their own. Each simulator is a cheap-to-clone handle with an axum router
//! (routes relative to its mount point) and Rust methods for tests to inspect it and turn knobs.

pub mod html;
pub mod trakteer;
pub mod vip;
pub mod whatsapp;

use axum::response::Html;
use axum::routing::get;
use axum::Router;

/// How quickly the simulated services move: at a person's pace for the demo, at once for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Demo,
    Tests,
}

/// The three simulators, wired to one store.
#[derive(Clone)]
pub struct Sandbox {
    pub vip: vip::VipSim,
    pub trakteer: trakteer::TrakteerSim,
    pub whatsapp: whatsapp::WhatsAppSim,
}

impl Sandbox {
    /// `store_base` is where the store listens (`http://127.0.0.1:8080`): the simulators post
    /// their webhooks and callbacks there. `trakteer_token` is the webhook token both sides share.
    pub fn new(profile: Profile, store_base: &str, trakteer_token: &str) -> Sandbox {
        let base = store_base.trim_end_matches('/');
        let mut vip_config = match profile {
            Profile::Demo => vip::Config::demo(),
            Profile::Tests => vip::Config::for_tests(),
        };
        vip_config.callback_url = Some(format!("{base}/webhooks/vip-reseller"));
        let mut trakteer_config = match profile {
            Profile::Demo => trakteer::Config::demo(),
            Profile::Tests => trakteer::Config::for_tests(),
        };
        trakteer_config.webhook_url = Some(format!("{base}/webhooks/trakteer"));
        trakteer_config.webhook_token = trakteer_token.to_string();
        let mut wa_config = match profile {
            Profile::Demo => whatsapp::Config::demo(),
            Profile::Tests => whatsapp::Config::for_tests(),
        };
        wa_config.status_webhook_url = Some(format!("{base}/webhooks/whatsapp"));
        wa_config.inbound_webhook_url = Some(format!("{base}/webhooks/whatsapp"));
        Sandbox {
            vip: vip::VipSim::new(vip_config),
            trakteer: trakteer::TrakteerSim::new(trakteer_config),
            whatsapp: whatsapp::WhatsAppSim::new(wa_config),
        }
    }

    /// All simulators under one router, to be nested at `/sandbox`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(index))
            .nest("/vip-reseller", self.vip.router())
            .nest("/trakteer", self.trakteer.router())
            .nest("/whatsapp", self.whatsapp.router())
    }
}

async fn index() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sandbox – Madd Store</title></head><body style=\"font-family:system-ui;max-width:640px;margin:24px auto;padding:0 16px\">\
         <h1>Sandbox Madd Store</h1><p>Simulator lokal layanan luar. Tidak ada uang atau pesan sungguhan.</p><ul>\
         <li><a href=\"/sandbox/whatsapp/inbox\">WhatsApp: kotak masuk per nomor</a></li>\
         <li><a href=\"/sandbox/trakteer/\">Trakteer: dukungan &amp; webhook</a></li>\
         <li><a href=\"/sandbox/vip-reseller/\">VIP Reseller: saldo, pesanan &amp; gangguan</a></li>\
         <li><a href=\"/\">Kembali ke toko</a></li></ul></body></html>",
    )
}
