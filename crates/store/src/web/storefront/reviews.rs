//! Verified reviews on the storefront: the review form behind the delivery message's link
//! (`/ulasan/{code}/{token}`) and a game's reviews (`/produk/{slug}/ulasan`).
//!
//! Why a separate page fetched by the game page instead of reviews in the catalogue snapshot: the
//! game page is built once per catalogue version (`page::from_snapshot`), and a review is not
//! catalogue. Making the `reviews` table move the catalogue version (as flash sales do) would
//! rebuild every cached page and the snapshot itself on each review or hide. So the game page
//! carries one placeholder, `web/assets`' script fills it from `/produk/{slug}/ulasan` (a small
//! page, never cached in the snapshot, `max-age` of a minute in browsers), and without JavaScript
//! a `<noscript>` link opens the same page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use madd_domain::review::{self, ReviewErrors};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::error::AppError;
use crate::service::reviews::{self as service, Reviewable, Submitted};
use crate::web::closed::Closed;
use crate::web::i18n::{Lang, Texts};
use crate::web::page::{render_status, PageResult};

/// What the review page shows.
#[derive(PartialEq, Eq)]
enum Shown {
    Form,
    Thanks,
    Already,
}

#[derive(Template)]
#[template(path = "ulasan.html")]
struct ReviewPage {
    t: &'static Texts,
    closed: bool,
    state: Shown,
    action: String,
    code: String,
    product: String,
    game: String,
    /// `(value, stars, label)`, best first.
    choices: Vec<(String, String, &'static str)>,
    stars: String,
    text: String,
    errors: ReviewErrors,
    max_text: usize,
}

impl ReviewPage {
    fn new(t: &'static Texts, closed: bool, target: &Reviewable, action: String) -> ReviewPage {
        ReviewPage {
            t,
            closed,
            state: if target.already_reviewed {
                Shown::Already
            } else {
                Shown::Form
            },
            action,
            code: target.order.code.to_string(),
            product: target.order.product_name.clone(),
            game: target.game.clone(),
            choices: [
                (5, "5 – Sangat puas"),
                (4, "4 – Puas"),
                (3, "3 – Biasa"),
                (2, "2 – Kurang"),
                (1, "1 – Kecewa"),
            ]
            .into_iter()
            .map(|(n, label)| (n.to_string(), review::stars_line(n), label))
            .collect(),
            stars: String::new(),
            text: String::new(),
            errors: ReviewErrors::default(),
            max_text: review::MAX_TEXT,
        }
    }

    fn first_error(&self) -> Option<&'static str> {
        if self.errors.stars.is_some() {
            Some("stars")
        } else if self.errors.text.is_some() {
            Some("text")
        } else {
            None
        }
    }
}

fn action(code: &str, token: &str) -> String {
    format!("/ulasan/{code}/{token}")
}

/// The longest token and code a link may carry (anything longer is not ours).
const MAX_SEGMENT: usize = 64;

fn bounded(code: &str, token: &str) -> Result<(), AppError> {
    if code.len() > MAX_SEGMENT || token.len() > MAX_SEGMENT {
        return Err(AppError::not_found("review_link_not_found", "Link ulasan"));
    }
    Ok(())
}

pub(crate) async fn review_form(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Path((code, token)): Path<(String, String)>,
) -> PageResult {
    bounded(&code, &token)?;
    let target = service::open(&app, &code, &token).await?;
    let page = ReviewPage::new(t, closed, &target, action(&code, &token));
    Ok(no_store(render_status(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct ReviewForm {
    #[serde(default)]
    stars: String,
    #[serde(default)]
    text: String,
}

pub(crate) async fn review_submit(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Path((code, token)): Path<(String, String)>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    bounded(&code, &token)?;
    // Bounded before anything else: the body limit allows far more than a review needs.
    let stars: String = f.stars.chars().take(8).collect();
    let response = match service::submit(&app, &code, &token, &stars, &f.text).await? {
        Submitted::Recorded(target) => {
            let mut page = ReviewPage::new(t, closed, &target, action(&code, &token));
            page.state = Shown::Thanks;
            render_status(StatusCode::OK, &page)
        }
        Submitted::AlreadyReviewed(target) => {
            let mut page = ReviewPage::new(t, closed, &target, action(&code, &token));
            page.state = Shown::Already;
            render_status(StatusCode::CONFLICT, &page)
        }
        Submitted::Invalid(target, errors) => {
            let mut page = ReviewPage::new(t, closed, &target, action(&code, &token));
            page.stars = stars;
            // Kept for the customer to shorten, but never more than the form could hold twice.
            page.text = f.text.chars().take(review::MAX_TEXT * 2).collect();
            page.errors = errors;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    Ok(no_store(response))
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

struct ReviewView {
    stars: i64,
    stars_line: String,
    who: String,
    date: String,
    text: String,
}

#[derive(Template)]
#[template(path = "ulasan_game.html")]
struct GameReviewsPage {
    t: &'static Texts,
    closed: bool,
    slug: String,
    game: String,
    average: Option<String>,
    count: i64,
    reviews: Vec<ReviewView>,
}

/// A game's latest visible reviews, their average and count: the fragment the game page's
/// script inserts (`#ulasan-list`), and a page of its own without JavaScript.
pub(crate) async fn game_reviews(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Path(slug): Path<String>,
) -> PageResult {
    let result = game_reviews_for(&app, t, closed, &slug).await;
    super::forms::or_moved(&app, &slug, "/ulasan", result).await
}

async fn game_reviews_for(
    app: &App,
    t: &'static crate::web::i18n::Texts,
    closed: bool,
    slug: &str,
) -> PageResult {
    let catalogue = crate::service::catalogue_snapshot::current(app).await?;
    let products: Vec<_> = catalogue
        .listed()
        .filter(|p| madd_domain::text::slug(p.game()) == slug)
        .collect();
    let Some(game) = products.first().map(|p| p.game().to_string()) else {
        return Err(AppError::not_found("product_not_found", "Produk").into());
    };
    // By product, not by the name the game had when a review was written: reviews follow the
    // products through renames and merges.
    let codes: Vec<String> = products.iter().map(|p| p.code.clone()).collect();
    let (latest, sum, count) = service::for_products(app, &codes).await?;
    let page = GameReviewsPage {
        t,
        closed,
        slug: slug.to_string(),
        game,
        average: review::average(sum, count),
        count,
        reviews: latest
            .into_iter()
            .map(|r| ReviewView {
                stars: r.stars,
                stars_line: review::stars_line(r.stars),
                who: review::mask_whatsapp(&r.whatsapp),
                date: clock::human(r.created_at)
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                text: r.text,
            })
            .collect(),
    };
    let mut response = render_status(StatusCode::OK, &page);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response.into_response())
}
