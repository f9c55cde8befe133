//! Reviews: every review, newest first; the seller hides one with a reason (kept, marked, and
//! shown again with one button).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::web::admin::view::DoneQuery;
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct ReviewView {
    code: String,
    count: i64,
    stars: String,
    text: String,
    whatsapp: String,
    game: String,
    at: String,
    /// "by, when: why" when hidden.
    hidden: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/reviews.html")]
struct ReviewsPage {
    csrf: String,
    flash: Option<String>,
    reviews: Vec<ReviewView>,
    max_reason: usize,
}

pub(crate) async fn reviews_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let list = crate::service::reviews::all(&app).await?;
    Ok(render(&ReviewsPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|d| match d.as_str() {
            "hidden" => "Ulasan disembunyikan.".to_string(),
            _ => "Ulasan ditampilkan lagi.".to_string(),
        }),
        reviews: list
            .into_iter()
            .map(|r| ReviewView {
                code: r.order_code,
                count: r.stars,
                stars: madd_domain::review::stars_line(r.stars),
                text: r.text,
                whatsapp: madd_domain::PhoneNumber::parse(&r.whatsapp)
                    .map(|p| p.grouped())
                    .unwrap_or(r.whatsapp),
                game: r.game,
                at: clock::human(r.created_at),
                hidden: r.hidden_at.map(|at| {
                    format!(
                        "{}, {}: {}",
                        r.hidden_by.unwrap_or_default(),
                        clock::human(at),
                        r.hidden_reason.unwrap_or_default()
                    )
                }),
            })
            .collect(),
        max_reason: crate::service::reviews::MAX_REASON,
    }))
}

#[derive(Deserialize)]
pub(crate) struct HideForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn review_hide(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<HideForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::reviews::hide(&app, f.code.trim(), &f.reason, &s.actor()).await?;
    Ok(Redirect::to("/admin/reviews?done=hidden").into_response())
}

#[derive(Deserialize)]
pub(crate) struct ShowForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

pub(crate) async fn review_show(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<ShowForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::reviews::show(&app, f.code.trim(), &s.actor()).await?;
    Ok(Redirect::to("/admin/reviews?done=shown").into_response())
}
