//! The seller's dashboard, one module per page around one leaf ([`view`]). Every route but the
//! login form sits behind [`auth::require_admin`]; every state-changing form carries the
//! session's CSRF token. The routes are listed once, in `web::admin_table`.

pub mod attention;
pub mod dashboard;
pub mod deposits;
pub mod flash_sales;
pub mod login;
pub mod messages;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod products;
pub mod reports;
pub mod reviews;
pub mod saldo;
pub mod settings;
pub mod suppliers;
pub mod h2h;
pub mod tiers;
pub mod view;
pub mod vouchers;

use axum::extract::State;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::app::App;
use crate::web::auth;

/// The login form is the one public admin page.
pub const PUBLIC_PATH: &str = "/login";

pub async fn guard(
    state: State<App>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    if request.uri().path() == PUBLIC_PATH {
        return next.run(request).await;
    }
    auth::require_admin(state, request, next).await
}

/// Registers each admin route on the router and in the list the access test reads, in one step.
pub struct RouteTable {
    pub router: Router<App>,
    /// `(method, path under /admin)`, e.g. `("POST", "/orders/{code}/process")`.
    pub list: Vec<(&'static str, &'static str)>,
}

impl Default for RouteTable {
    fn default() -> Self {
        RouteTable::new()
    }
}

impl RouteTable {
    pub fn new() -> RouteTable {
        RouteTable {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> RouteTable
    where
        H: axum::handler::Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.list.push(("GET", path));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> RouteTable
    where
        H: axum::handler::Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, post(handler));
        self.list.push(("POST", path));
        self
    }
}
