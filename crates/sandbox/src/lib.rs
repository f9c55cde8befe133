//! Local simulators of the store's outside services, faithful to `shared/specs/`: VIP Reseller,
//! Digiflazz, Trakteer, the QRIS gateways Midtrans and Tripay, and a WhatsApp gateway (Cloud API
//! and Fonnte). The demo mounts them under
//! `/sandbox`; tests start them on their own. Each simulator is a cheap-to-clone handle with an
//! axum router (routes relative to its mount point) and Rust methods for tests to inspect it and
//! turn knobs.

mod control_value;
pub mod digiflazz;
pub mod html;
pub mod midtrans;
mod qr_svg;
pub mod qris;
pub mod trakteer;
pub mod tripay;
pub mod vip;
pub mod whatsapp;

use axum::response::{Html, Redirect};
use axum::routing::get;
use axum::Router;

/// How quickly the simulated services move: at a person's pace for the demo, at once for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Demo,
    Tests,
}

/// The simulators, wired to one store.
#[derive(Clone)]
pub struct Sandbox {
    pub vip: vip::VipSim,
    pub digiflazz: digiflazz::DigiflazzSim,
    pub trakteer: trakteer::TrakteerSim,
    pub midtrans: midtrans::MidtransSim,
    pub tripay: tripay::TripaySim,
    pub whatsapp: whatsapp::WhatsAppSim,
}

impl Sandbox {
    /// `store_base` is where the store listens (`http://127.0.0.1:8080`): the simulators post
    /// their webhooks and callbacks there. `trakteer_token` is the webhook token both sides share.
    /// `public_base` is where customers' browsers reach the store (the gateways' QR images and
    /// pay pages are under it).
    pub fn new(
        profile: Profile,
        store_base: &str,
        public_base: &str,
        trakteer_token: &str,
    ) -> Sandbox {
        let base = store_base.trim_end_matches('/');
        let mut vip_config = match profile {
            Profile::Demo => vip::Config::demo(),
            Profile::Tests => vip::Config::for_tests(),
        };
        vip_config.callback_url = Some(format!("{base}/webhooks/vip-reseller"));
        let mut digiflazz_config = match profile {
            Profile::Demo => digiflazz::Config::demo(),
            Profile::Tests => digiflazz::Config::for_tests(),
        };
        digiflazz_config.webhook_url = Some(format!("{base}/webhooks/digiflazz"));
        let mut trakteer_config = match profile {
            Profile::Demo => trakteer::Config::demo(),
            Profile::Tests => trakteer::Config::for_tests(),
        };
        trakteer_config.webhook_url = Some(format!("{base}/webhooks/trakteer"));
        trakteer_config.webhook_token = trakteer_token.to_string();
        let public = public_base.trim_end_matches('/');
        let mut midtrans_config = match profile {
            Profile::Demo => midtrans::Config::demo(),
            Profile::Tests => midtrans::Config::for_tests(),
        };
        midtrans_config.notification_url = Some(format!("{base}/webhooks/midtrans"));
        midtrans_config.public_base = Some(format!("{public}/sandbox/midtrans"));
        let mut tripay_config = match profile {
            Profile::Demo => tripay::Config::demo(),
            Profile::Tests => tripay::Config::for_tests(),
        };
        tripay_config.callback_url = Some(format!("{base}/webhooks/tripay"));
        tripay_config.public_base = Some(format!("{public}/sandbox/tripay"));
        let mut wa_config = match profile {
            Profile::Demo => whatsapp::Config::demo(),
            Profile::Tests => whatsapp::Config::for_tests(),
        };
        wa_config.status_webhook_url = Some(format!("{base}/webhooks/whatsapp"));
        wa_config.inbound_webhook_url = Some(format!("{base}/webhooks/whatsapp"));
        Sandbox {
            vip: vip::VipSim::new(vip_config),
            digiflazz: digiflazz::DigiflazzSim::new(digiflazz_config),
            trakteer: trakteer::TrakteerSim::new(trakteer_config),
            midtrans: midtrans::MidtransSim::new(midtrans_config),
            tripay: tripay::TripaySim::new(tripay_config),
            whatsapp: whatsapp::WhatsAppSim::new(wa_config),
        }
    }

    /// All simulators under one router, to be nested at `/sandbox`.
    pub fn router(&self) -> Router {
        self.router_for(Simulators::ALL)
    }

    /// Only the chosen simulators under one router, to be nested at `/sandbox`: a store mounts
    /// the simulator of a provider only while that provider is in sandbox mode, so a simulator
    /// can never stand in for (or hold the secret of) a real provider.
    pub fn router_for(&self, which: Simulators) -> Router {
        let mut router = Router::new().route("/", get(move || index(which)));
        // `/sandbox/vip-reseller/` (the form people type and the index used to print) leads to
        // the page at `/sandbox/vip-reseller`; a nested router alone answers it with 404.
        if which.vip {
            router = router.nest("/vip-reseller", self.vip.router()).route(
                "/vip-reseller/",
                get(|| async { Redirect::permanent("../vip-reseller") }),
            );
        }
        if which.digiflazz {
            router = router.nest("/digiflazz", self.digiflazz.router()).route(
                "/digiflazz/",
                get(|| async { Redirect::permanent("../digiflazz") }),
            );
        }
        if which.trakteer {
            router = router.nest("/trakteer", self.trakteer.router()).route(
                "/trakteer/",
                get(|| async { Redirect::permanent("../trakteer") }),
            );
        }
        if which.midtrans {
            router = router.nest("/midtrans", self.midtrans.router());
        }
        if which.tripay {
            router = router.nest("/tripay", self.tripay.router());
        }
        if which.whatsapp {
            router = router.nest("/whatsapp", self.whatsapp.router());
        }
        router
    }
}

/// Which simulators a store mounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Simulators {
    pub vip: bool,
    pub digiflazz: bool,
    pub trakteer: bool,
    pub midtrans: bool,
    pub tripay: bool,
    pub whatsapp: bool,
}

impl Simulators {
    pub const ALL: Simulators = Simulators {
        vip: true,
        digiflazz: true,
        trakteer: true,
        midtrans: true,
        tripay: true,
        whatsapp: true,
    };

    pub fn any(self) -> bool {
        self.vip || self.digiflazz || self.trakteer || self.midtrans || self.tripay || self.whatsapp
    }
}

/// Whether `path` (relative to the sandbox's mount point, e.g. `/vip-reseller/api/profile`) is a
/// simulated provider API — authenticated by the simulated provider's own key, as the real one
/// is — rather than a page or a knob. Outside the demo, a store lets only these through without
/// an admin session: the pages show every customer's messages and can make payments.
pub fn is_provider_api(path: &str) -> bool {
    const APIS: &[&str] = &[
        "/vip-reseller/api/",
        "/digiflazz/v1/",
        "/trakteer/api/v1/public/",
        "/midtrans/v2/",
        "/tripay/api/",
        "/tripay/api-sandbox/",
        "/whatsapp/cloud/",
        "/whatsapp/fonnte/send",
        "/whatsapp/fonnte/device",
    ];
    APIS.iter().any(|prefix| path.starts_with(prefix)) && !path.contains("/../")
}

async fn index(which: Simulators) -> Html<String> {
    let mut links = String::new();
    if which.whatsapp {
        links.push_str(
            "<li><a href=\"/sandbox/whatsapp/inbox\">WhatsApp: kotak masuk per nomor</a></li>",
        );
    }
    if which.trakteer {
        links.push_str(
            "<li><a href=\"/sandbox/trakteer\">Trakteer: dukungan &amp; webhook</a></li>",
        );
    }
    if which.midtrans {
        links.push_str(
            "<li><a href=\"/sandbox/midtrans/qris\">Midtrans: QRIS per pesanan — bayar, tolak, kedaluwarsa</a></li>",
        );
    }
    if which.tripay {
        links.push_str(
            "<li><a href=\"/sandbox/tripay/checkout\">Tripay: QRIS per pesanan — bayar, gagal, kedaluwarsa</a></li>",
        );
    }
    if which.vip {
        links.push_str("<li><a href=\"/sandbox/vip-reseller\">VIP Reseller: saldo, pesanan &amp; gangguan</a></li>");
    }
    if which.digiflazz {
        links.push_str(
            "<li><a href=\"/sandbox/digiflazz\">Digiflazz: saldo, transaksi &amp; gangguan</a></li>",
        );
    }
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sandbox – Madd Store</title></head><body style=\"font-family:system-ui;max-width:640px;margin:24px auto;padding:0 16px\">\
         <h1>Sandbox Madd Store</h1><p>Simulator lokal layanan luar. Tidak ada uang atau pesan sungguhan.</p><ul>\
         {links}<li><a href=\"/\">Kembali ke toko</a></li></ul></body></html>"
    ))
}

/// Every credential the simulators use in their demo and test profiles. They are in this
/// repository for anyone to read, so a store that deals with real money never trusts a webhook
/// signed with one, nor a live provider configured with one.
pub fn published_secrets() -> Vec<String> {
    let wa = [whatsapp::Config::demo(), whatsapp::Config::for_tests()];
    let pay = [trakteer::Config::demo(), trakteer::Config::for_tests()];
    let dg = digiflazz::Config::demo();
    let mut all: Vec<String> = wa
        .into_iter()
        .flat_map(|c| [c.app_secret, c.cloud_token, c.fonnte_token])
        .chain(pay.into_iter().flat_map(|c| [c.webhook_token, c.api_key]))
        .chain([dg.api_key, dg.webhook_secret, vip::Config::demo().api_key])
        .chain(
            [midtrans::Config::demo(), midtrans::Config::for_tests()]
                .into_iter()
                .map(|c| c.server_key),
        )
        .chain(
            [tripay::Config::demo(), tripay::Config::for_tests()]
                .into_iter()
                .flat_map(|c| [c.api_key, c.private_key]),
        )
        .collect();
    all.sort();
    all.dedup();
    all
}
