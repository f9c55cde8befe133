//! PLN postpaid: the bill form (the inquiry runs at checkout).

use axum::extract::State;

use crate::app::App;
use crate::web::closed::Closed;
use crate::web::i18n::Lang;
use crate::web::page::{render, PageResult};
use crate::web::storefront::forms::{bill_product, BillPage};

pub(crate) async fn bill_page(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
) -> PageResult {
    let product = bill_product(&app).await?;
    Ok(render(&BillPage {
        t,
        closed,
        product_code: product.code,
        target: String::new(),
        whatsapp: String::new(),
        errors: Default::default(),
    }))
}
