//! HTTP: the storefront pages, the JSON API, the admin dashboard and the webhooks. Handlers are
//! thin: they parse into domain types, call a service and render; none calls a provider.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod closed;
pub mod h2h;
pub mod customer;
pub mod error_response;
pub mod health;
pub mod i18n;
pub mod input;
pub mod load_shed;
pub mod page;
pub mod ratelimit;
pub mod storefront;
pub mod webhooks;
pub mod whatsapp;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

use crate::app::App;

/// The store's whole router, every route in one table (the sandbox is mounted separately by
/// startup; the dashboard's routes are [`admin_table`], which the access test walks too).
pub fn router(app: App) -> Router {
    use axum::routing::{get, post};
    use storefront::{
        account, art, bill, brand, checkout, home, invoice, language, og_image, pulsa, reviews,
        reseller_api, seo, support, track,
    };

    let limiter = std::sync::Arc::new(ratelimit::RateLimiter::new(
        app.config.lookup_rate_per_minute,
    ));
    let api = Router::new()
        .route("/products", get(api::list_products))
        .route("/nickname", post(api::check_nickname))
        .route("/quote", post(api::quote))
        .route("/orders", post(api::create_order))
        .route("/orders/{code}", get(api::get_order))
        .route("/postpaid/inquiry", post(api::postpaid_inquiry))
        .route("/otp", post(customer::request_code))
        .route("/session", post(customer::open_session))
        .route("/wallet", get(customer::wallet))
        .route("/wallet/topup", post(customer::topup));
    let fixed_page = || middleware::from_fn_with_state(app.clone(), seo::page_url);
    Router::new()
        // The storefront
        // The fixed storefront pages keep their own URL for their canonical and Open Graph tags:
        // the home page while it builds its cached page (`seo::scoped`), the others through
        // `seo::page_url` on their routes only — as a router-wide layer it cost every request
        // about a third of the page throughput (A/B of release builds under wrk).
        .route("/", get(home::home))
        .route("/produk/{slug}", get(brand::brand_page))
        .route("/produk/{slug}/ulasan", get(reviews::game_reviews))
        .route(
            "/ulasan/{code}/{token}",
            get(reviews::review_form).post(reviews::review_submit),
        )
        .route("/pulsa", get(pulsa::pulsa_page).layer(fixed_page()))
        .route("/pln/tagihan", get(bill::bill_page).layer(fixed_page()))
        .route("/checkout", post(checkout::checkout))
        .route("/order", post(checkout::place_order))
        .route("/order/{code}", get(invoice::invoice))
        .route("/order/{code}/qr.svg", get(invoice::qr_code))
        .route("/order/{code}/qris.png", get(storefront::qris::png))
        .route(
            "/cek",
            get(track::cek_form).post(track::cek).layer(fixed_page()),
        )
        .route("/cs", get(support::support))
        .route("/akun", get(account::account))
        .route("/akun/masuk", post(account::sign_in_form))
        .route("/akun/keluar", post(account::sign_out))
        .route("/akun/isi", post(account::top_up))
        .route("/akun/tarik", post(account::cash_out))
        .route("/akun/h2h", get(reseller_api::reseller_api))
        .route("/akun/h2h/kunci", post(reseller_api::new_key))
        .route("/akun/h2h/akses", post(reseller_api::access))
        .route("/akun/h2h/ulang", post(reseller_api::resend))
        .route("/order/{code}/saldo", post(account::pay_with_saldo))
        .route("/bahasa/{lang}", get(language::switch_language))
        .route("/art/{name}", get(art::art))
        .route("/static/{file}", get(assets::serve))
        // Search engines and shared links
        .route("/sitemap.xml", get(seo::sitemap))
        .route("/robots.txt", get(seo::robots))
        .route("/og/{file}", get(og_image::og_image))
        // The JSON API
        .nest("/api/v1", api)
        .route("/api/openapi.json", get(api::openapi))
        // The reseller API, in Digiflazz's format
        .route("/h2h/v1/cek-saldo", post(h2h::cek_saldo))
        .route("/h2h/v1/price-list", post(h2h::price_list))
        .route("/h2h/v1/transaction", post(h2h::transaction))
        .route("/h2h/v1/inquiry-pln", post(h2h::inquiry_pln))
        // The seller's dashboard
        .nest(
            "/admin",
            admin_table()
                .router
                .layer(middleware::from_fn_with_state(app.clone(), admin::guard)),
        )
        // The machine's questions
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        // Providers' webhooks
        .route("/webhooks/trakteer", post(webhooks::trakteer))
        .route("/webhooks/midtrans", post(webhooks::midtrans))
        .route("/webhooks/tripay", post(webhooks::tripay))
        .route("/webhooks/vip-reseller", post(webhooks::vip_reseller))
        .route("/webhooks/digiflazz", post(webhooks::digiflazz))
        .route(
            "/webhooks/whatsapp",
            get(whatsapp::subscribe).post(whatsapp::cloud_events),
        )
        .route("/webhooks/fonnte/{secret}", post(whatsapp::fonnte_incoming))
        .layer(middleware::from_fn(crate::telemetry::track_requests))
        .layer(middleware::from_fn(input::clean))
        .layer(middleware::from_fn_with_state(limiter, ratelimit::limit))
        .layer(middleware::from_fn(page::localise_errors))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            load_shed::InFlight::new(load_shed::IN_FLIGHT),
            finish_without_the_client,
        ))
        // gzip or brotli for pages, JSON, CSS and JS when the client takes it (phones on slow
        // data pay for every byte).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(app)
}

/// Every dashboard route (under `/admin`). The guard wraps the whole admin router, so even a
/// route added outside this table is refused to anonymous requests; only the login form is
/// public.
pub fn admin_table() -> admin::RouteTable {
    use admin::{
        dashboard, deposits, flash_sales, login, messages, orders, payments, pricing, products,
        reports, reviews, saldo, settings, suppliers, tiers, vouchers, PUBLIC_PATH,
    };
    use admin::h2h as admin_h2h;
    admin::RouteTable::new()
        .get(PUBLIC_PATH, login::login_form)
        .post(PUBLIC_PATH, login::login)
        .post("/logout", login::logout)
        .get("/", dashboard::dashboard)
        .post("/store", dashboard::store_switch)
        .get("/orders", orders::orders_list)
        .get("/orders/{code}", orders::order_page)
        .post("/orders/{code}/process", orders::process)
        .post("/orders/{code}/recheck", orders::recheck)
        .post("/orders/{code}/refund", orders::refund)
        .post("/orders/{code}/overpayment", orders::overpayment_return)
        .get("/payments", payments::payments_page)
        .post("/payments/{id}/attach", payments::attach_payment)
        .post("/payments/{id}/saldo", payments::credit_payment)
        .post("/payments/reconcile", payments::reconcile_now)
        .post("/payments/rails/{rail}", payments::rail_switch)
        .post("/payments/kept/{id}/reviewed", payments::kept_reviewed)
        .get("/messages", messages::messages_page)
        .post("/messages/{id}/resend", messages::resend_message)
        .get("/reports", reports::reports_index)
        .get("/reports/{month}", reports::report_page)
        .get("/reports/{month}/csv", reports::report_csv)
        .get("/settings", settings::settings_page)
        .post("/settings", settings::settings_save)
        .post("/settings/checks", settings::checks_run)
        .get("/saldo", saldo::saldo_page)
        .post("/saldo/{id}/paid", saldo::cash_out_paid)
        .post("/saldo/{id}/refused", saldo::cash_out_refused)
        .get("/deposits", deposits::deposits_page)
        .post("/deposits", deposits::deposit_add)
        .post("/balance/check", deposits::balance_check)
        .get("/flash-sales", flash_sales::flash_sales_page)
        .post("/flash-sales", flash_sales::flash_sale_add)
        .post("/flash-sales/stop", flash_sales::flash_sale_stop)
        .get("/tiers", tiers::tiers_page)
        .post("/tiers/resellers", tiers::reseller_change)
        .post("/tiers/rules", tiers::rule_change)
        .get("/h2h", admin_h2h::h2h_page)
        .post("/h2h/open", admin_h2h::open)
        .post("/h2h/access", admin_h2h::access)
        .post("/h2h/close", admin_h2h::close)
        .post("/h2h/resend", admin_h2h::resend)
        .post("/h2h/saldo", admin_h2h::grant)
        .get("/vouchers", vouchers::vouchers_page)
        .post("/vouchers", vouchers::voucher_add)
        .post("/vouchers/switch", vouchers::voucher_switch)
        .get("/reviews", reviews::reviews_page)
        .post("/reviews/hide", reviews::review_hide)
        .post("/reviews/show", reviews::review_show)
        .get("/suppliers", suppliers::suppliers_page)
        .post("/suppliers/pause", suppliers::pause)
        .post("/suppliers/first", suppliers::put_first)
        .post("/suppliers/match", suppliers::set_match)
        .get("/products", products::products_page)
        .post("/products/{code}/toggle", products::product_toggle)
        .post("/products/{code}/name", products::product_name)
        .get("/catalogue", products::catalogue_page)
        .post("/catalogue/games", products::catalogue_game)
        .post("/catalogue/art", products::catalogue_art)
        .post("/products/sync", products::sync_now)
        .get("/pricing", pricing::pricing_page)
        .post("/pricing/rules", pricing::rule_save)
        .post("/pricing/rules/{id}/delete", pricing::rule_delete)
}

/// Every dashboard route but the login form, as `(method, path)` with `/admin` in front: what
/// the access test requests anonymously.
pub fn protected_admin_routes() -> Vec<(&'static str, String)> {
    admin_table()
        .list
        .into_iter()
        .filter(|(_, p)| *p != admin::PUBLIC_PATH)
        .map(|(m, p)| {
            let path = if p == "/" {
                "/admin".to_string()
            } else {
                format!("/admin{p}")
            };
            (m, path)
        })
        .collect()
}

/// Runs the rest of the request in its own task, so a client that hangs up cannot cut a
/// handler in half. Hyper drops a request's future when its connection closes; dropped in the
/// middle of a transaction, a handler would leave a write half done and a pooled connection in
/// an unknown state. In its own task the handler always runs to its end (its answer is then
/// simply not delivered): every write a handler starts is finished or rolled back by the
/// handler itself. The cost is one task spawn per request.
///
/// Each request holds a place among a bounded number in flight for as long as its task runs
/// (hang-up or not), or is refused at once by priority ([`load_shed`]).
async fn finish_without_the_client(
    State(places): State<Arc<load_shed::InFlight>>,
    request: Request,
    next: Next,
) -> Response {
    use tracing::Instrument;
    let priority = load_shed::Priority::of(request.method(), request.uri().path());
    let Some(place) = places.enter(priority) else {
        return load_shed::refused(priority);
    };
    let span = tracing::Span::current();
    let run = async move {
        let _place = place;
        next.run(request).await
    };
    match tokio::spawn(run.instrument(span)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "request task panicked");
            crate::error::AppError::internal("request task failed").into_response()
        }
    }
}

/// One span per request, named by the route's pattern rather than its URI: a path can carry a
/// secret (`/webhooks/fonnte/{secret}`) and a query a customer's number, neither of which may
/// reach a log line.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    tracing::info_span!("request", method = %request.method(), route)
}

/// Headers every store page carries. The CSP allows only the store's own files: no CDN, no
/// inline script, so a nickname that smuggles in `<script>` cannot run even if escaping failed.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
