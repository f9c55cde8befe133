//! Priorities under overload. Every request — including one whose client hung up, which still
//! runs to its end (`finish_without_the_client`) — holds a place among a bounded number in
//! flight. When places run short the least important requests are refused first, with `503` and
//! `Retry-After`: anonymous pages and lookups when half the places are taken, new orders at three
//! quarters, and the providers' webhooks and the seller's dashboard only when every place is
//! taken. A webhook refused that way is answered retryable (Trakteer, VIP, Digiflazz and Meta
//! all retry a 5xx), never dropped silently; one that is let in is recorded or kept raw.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::Method;
use axum::response::{IntoResponse, Response};

/// How many requests may be in flight at once in one process.
pub const IN_FLIGHT: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Anyone's page, asset, lookup or read.
    Anonymous,
    /// A customer creating an order or checking out.
    Order,
    /// Money and the seller: providers' webhooks, the dashboard, the machine's health checks.
    Vital,
}

impl Priority {
    pub fn of(method: &Method, path: &str) -> Priority {
        let vital = ["/webhooks/", "/admin", "/healthz", "/readyz", "/metrics"];
        if vital.iter().any(|p| path.starts_with(p)) {
            return Priority::Vital;
        }
        let ordering = ["/order", "/checkout", "/api/v1/orders"];
        if method == Method::POST && ordering.iter().any(|p| path.starts_with(p)) {
            return Priority::Order;
        }
        Priority::Anonymous
    }

    /// How many places may be taken when a request of this priority still gets one.
    fn room(self, capacity: usize) -> usize {
        match self {
            Priority::Anonymous => capacity / 2,
            Priority::Order => capacity * 3 / 4,
            Priority::Vital => capacity,
        }
    }
}

/// The places in flight, shared by every request of the process.
#[derive(Debug)]
pub struct InFlight {
    taken: AtomicUsize,
    capacity: usize,
}

/// A place, given back when the request (or its abandoned task) ends.
#[derive(Debug)]
pub struct Place(Arc<InFlight>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.taken.fetch_sub(1, Ordering::AcqRel);
    }
}

impl InFlight {
    pub fn new(capacity: usize) -> Arc<InFlight> {
        Arc::new(InFlight {
            taken: AtomicUsize::new(0),
            capacity: capacity.max(4),
        })
    }

    /// A place for a request of `priority`, or `None` when it must be refused now.
    pub fn enter(self: &Arc<Self>, priority: Priority) -> Option<Place> {
        let room = priority.room(self.capacity);
        self.taken
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                (taken < room).then_some(taken + 1)
            })
            .ok()
            .map(|_| Place(self.clone()))
    }

    pub fn taken(&self) -> usize {
        self.taken.load(Ordering::Acquire)
    }
}

/// The answer to a request refused for load: the store at its own bound, retry shortly (the
/// one `AppError::Busy` answer: 503, `Retry-After`, the API's error body).
pub fn refused(priority: Priority) -> Response {
    metrics::counter!("madd_requests_shed_total", "priority" => format!("{priority:?}"))
        .increment(1);
    crate::error::AppError::Busy {
        retry_after_secs: 2,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_important_are_refused_first_and_places_come_back() {
        let places = InFlight::new(8);
        let anon: Vec<Place> = (0..4)
            .map(|_| places.enter(Priority::Anonymous).unwrap())
            .collect();
        assert!(places.enter(Priority::Anonymous).is_none(), "half taken");
        let order: Vec<Place> = (0..2)
            .map(|_| places.enter(Priority::Order).unwrap())
            .collect();
        assert!(
            places.enter(Priority::Order).is_none(),
            "three quarters taken"
        );
        let vital: Vec<Place> = (0..2)
            .map(|_| places.enter(Priority::Vital).unwrap())
            .collect();
        assert!(places.enter(Priority::Vital).is_none(), "all taken");
        assert_eq!(places.taken(), 8);
        drop((anon, order, vital));
        assert_eq!(places.taken(), 0);
        assert!(places.enter(Priority::Anonymous).is_some());
    }

    #[test]
    fn money_and_the_seller_come_first() {
        let p = |m: Method, path: &str| Priority::of(&m, path);
        assert_eq!(p(Method::POST, "/webhooks/trakteer"), Priority::Vital);
        assert_eq!(p(Method::GET, "/admin/orders"), Priority::Vital);
        assert_eq!(p(Method::POST, "/api/v1/orders"), Priority::Order);
        assert_eq!(p(Method::POST, "/checkout"), Priority::Order);
        assert_eq!(p(Method::GET, "/order/MS-ABC"), Priority::Anonymous);
        assert_eq!(p(Method::POST, "/api/v1/nickname"), Priority::Anonymous);
        assert_eq!(p(Method::GET, "/"), Priority::Anonymous);
    }
}
