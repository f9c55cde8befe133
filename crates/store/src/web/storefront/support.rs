//! `/cs`: the floating "chat with us" button on every storefront page. It redirects to the
//! seller's WhatsApp with a first line written for the customer, so the pages need not carry the
//! seller's number (which the seller may change at any time in the dashboard).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::App;
use crate::service::catalogue_snapshot;
use crate::web::i18n::Lang;
use crate::web::page::PageResult;

#[derive(Deserialize, Default)]
pub(crate) struct SupportQuery {
    /// The order the customer is asking about, when they came from its invoice.
    #[serde(default)]
    order: String,
}

pub(crate) async fn support(
    State(app): State<App>,
    Lang(t): Lang,
    Query(q): Query<SupportQuery>,
) -> PageResult {
    let catalogue = catalogue_snapshot::current(&app).await?;
    let Some(seller) = catalogue.seller_whatsapp.as_ref() else {
        // No number to chat with: the order tracker is the next best help.
        return Ok(Redirect::to("/cek").into_response());
    };
    // Only an order code's characters are echoed into the message.
    let order: String = q
        .order
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(16)
        .collect();
    let text = if order.is_empty() {
        t.cs_hello.to_string()
    } else {
        format!("{} {order}", t.cs_text)
    };
    Ok(redirect_to_chat(seller.as_str(), &text))
}

fn redirect_to_chat(number: &str, text: &str) -> Response {
    let url = format!(
        "https://wa.me/{number}?text={}",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    );
    Redirect::to(&url).into_response()
}
