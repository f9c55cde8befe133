//! Pulsa and data: the operator is read from the number typed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use madd_domain::storefront::brand_is_operator;
use madd_domain::{Category, Operator, PhoneNumber};
use serde::Deserialize;

use crate::app::App;
use crate::db::products::Product;
use crate::web::closed::Closed;
use crate::web::i18n::{Lang, Texts};
use crate::web::page::{render, render_status, PageResult};
use crate::web::storefront::view::{listed, nominal_groups, NominalGroupView};

#[derive(Template)]
#[template(path = "pulsa.html")]
struct PulsaPage {
    t: &'static Texts,
    closed: bool,
    number: String,
    operator: Option<&'static str>,
    error: Option<String>,
    groups: Vec<NominalGroupView>,
    selected: String,
    whatsapp: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct PulsaQuery {
    #[serde(default)]
    nomor: String,
}

/// The products of the number's operator (pulsa and data), recognised by its prefix.
pub fn operator_products(all: Vec<Product>, operator: Operator) -> Vec<Product> {
    all.into_iter()
        .filter(|p| {
            matches!(p.category, Category::Pulsa | Category::Data)
                && brand_is_operator(&p.brand, operator)
        })
        .collect()
}

pub(crate) async fn pulsa_page(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Query(q): Query<PulsaQuery>,
) -> PageResult {
    let number = q.nomor.trim().to_string();
    let mut page = PulsaPage {
        t,
        closed,
        number: number.clone(),
        operator: None,
        error: None,
        groups: vec![],
        selected: String::new(),
        whatsapp: String::new(),
    };
    if number.is_empty() {
        return Ok(render(&page));
    }
    let phone = match PhoneNumber::parse(&number) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(madd_domain::text::capitalise(&e.to_string()));
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let Some(operator) = Operator::of(&phone) else {
        page.error = Some(t.operator_unknown.into());
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    page.operator = Some(operator.name());
    page.number = phone.local();
    page.whatsapp = phone.local();
    let catalogue = crate::service::catalogue_snapshot::current(&app).await?;
    page.groups = nominal_groups(
        &operator_products(listed(&app).await?, operator),
        &catalogue.flash_sales,
        app.now_ms(),
        t,
    );
    Ok(render(&page))
}
