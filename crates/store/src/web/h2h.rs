//! `/h2h/v1`: the reseller API, in Digiflazz's buyer format (`shared/specs/digiflazz.md`): every
//! answer wrapped in `data`, every refusal an `rc` with its message (HTTP 400 for a refused
//! request, as Digiflazz does), authentication by `username` and `sign` in the body.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use madd_domain::h2h::Rc;
use madd_domain::{PhoneNumber, ServiceKind};
use serde_json::{json, Value};

use crate::app::App;
use crate::service::h2h::transaction::{self, Buy};
use crate::service::h2h::{self, Refusal};
use crate::web::ratelimit::ClientIp;

/// The body as JSON, and its text fields (numbers are read as text too, as some bots send them).
struct Body(Value);

impl Body {
    fn parse(bytes: &Bytes) -> Result<Body, Refusal> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v @ Value::Object(_)) => Ok(Body(v)),
            _ => Err(Refusal::saying(Rc::PayloadError, "Body harus objek JSON")),
        }
    }

    fn text(&self, key: &str) -> String {
        match &self.0[key] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        }
    }

    fn flag(&self, key: &str) -> bool {
        matches!(&self.0[key], Value::Bool(true)) || self.text(key) == "true"
    }

    fn int(&self, key: &str) -> Result<Option<i64>, Refusal> {
        match &self.0[key] {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| Refusal::saying(Rc::PayloadError, format!("{key} harus bilangan bulat"))),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Refusal::saying(Rc::PayloadError, format!("{key} harus bilangan bulat"))),
            _ => Err(Refusal::saying(Rc::PayloadError, format!("{key} harus bilangan bulat"))),
        }
    }
}

/// A refusal as Digiflazz answers one; `echo` carries the request's own fields back. The store
/// being unable to look (`rc 03`) reads `Pending`, never `Gagal`: a transaction may have been
/// made, and a bot told `Gagal` would buy again under a new `ref_id` instead of asking again.
fn refused(r: Refusal, echo: Value) -> Response {
    let status = if r.rc == Rc::Pending { "Pending" } else { "Gagal" };
    let mut data = json!({ "rc": r.rc.code(), "message": r.message, "status": status });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, echo) {
        d.extend(e);
    }
    let status = if r.rc.is_rejection() {
        StatusCode::BAD_REQUEST
    } else if r.rc == Rc::RateLimited {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    (status, Json(json!({ "data": data }))).into_response()
}

async fn authenticated(
    app: &App,
    body: &Body,
    suffix: &str,
    ip: ClientIp,
) -> Result<crate::db::h2h::Account, Refusal> {
    h2h::authenticate(app, &body.text("username"), &body.text("sign"), suffix, ip.0).await
}

/// `POST /h2h/v1/cek-saldo`: the reseller's saldo.
pub(crate) async fn cek_saldo(State(app): State<App>, ip: ClientIp, bytes: Bytes) -> Response {
    let answer = async {
        let body = Body::parse(&bytes)?;
        let account = authenticated(&app, &body, "depo", ip).await?;
        let owner = PhoneNumber::parse(&account.whatsapp).map_err(|_| Refusal::new(Rc::UnknownUser))?;
        let wallet = crate::service::saldo::wallet(&app, &owner)
            .await
            .map_err(|_| h2h::busy())?;
        Ok::<_, Refusal>(json!({ "data": { "deposit": wallet.balance.amount() } }))
    };
    match answer.await {
        Ok(v) => Json(v).into_response(),
        Err(r) => refused(r, json!({})),
    }
}


/// `POST /h2h/v1/price-list`: the products, at the reseller's own price (what a transaction
/// takes from their saldo). `cmd: "pasca"` lists nothing: bills are not sold by API yet.
pub(crate) async fn price_list(State(app): State<App>, ip: ClientIp, bytes: Bytes) -> Response {
    let answer = async {
        let body = Body::parse(&bytes)?;
        let account = authenticated(&app, &body, "pricelist", ip).await?;
        match body.text("cmd").as_str() {
            "prepaid" | "" => {}
            "pasca" => return Ok(json!({ "data": [] })),
            other => {
                return Err(Refusal::saying(
                    Rc::PayloadError,
                    format!("cmd '{other}' tidak dikenal (prepaid atau pasca)"),
                ))
            }
        }
        let owner = PhoneNumber::parse(&account.whatsapp).map_err(|_| Refusal::new(Rc::UnknownUser))?;
        let (code, brand, category) = (body.text("code"), body.text("brand"), body.text("category"));
        let catalogue = crate::service::catalogue_snapshot::current(&app)
            .await
            .map_err(|_| h2h::busy())?;
        let products: Vec<_> = catalogue
            .listed()
            .filter(|p| p.kind != ServiceKind::Postpaid)
            .filter(|p| code.is_empty() || p.code.eq_ignore_ascii_case(&code))
            .filter(|p| brand.is_empty() || p.brand.eq_ignore_ascii_case(&brand))
            .filter(|p| category.is_empty() || p.category.as_str().eq_ignore_ascii_case(&category))
            .cloned()
            .collect();
        drop(catalogue);
        let mut conn = app.db.read().await.map_err(|_| h2h::busy())?;
        let now = app.now_ms();
        let mut items = Vec::with_capacity(products.len());
        for p in &products {
            let quoted = crate::service::quote::price(
                &app,
                &mut conn,
                &crate::service::quote::Ask {
                    product: p,
                    buyer: Some(&owner),
                    whatsapp: Some(&owner),
                    voucher: None,
                    bill: None,
                    now,
                },
            )
            .await
            .map_err(|_| h2h::busy())?;
            items.push(json!({
                "product_name": p.name,
                "category": p.category.as_str(),
                "brand": p.brand,
                "type": p.prepaid_type.as_deref().unwrap_or("Umum"),
                "seller_name": "Madd Store",
                "price": quoted.quote.amount_due.amount(),
                "buyer_sku_code": p.code,
                "buyer_product_status": true,
                "seller_product_status": p.sellable(),
                "unlimited_stock": true,
                "stock": 0,
                "multi": true,
                "start_cut_off": "00:00",
                "end_cut_off": "00:00",
                "desc": p.note.as_deref().unwrap_or_default(),
            }));
        }
        Ok(json!({ "data": items }))
    };
    match answer.await {
        Ok(v) => Json(v).into_response(),
        Err(r) => refused(r, json!({})),
    }
}

/// `POST /h2h/v1/transaction`: a prepaid top-up (or the status of one, by its `ref_id`).
pub(crate) async fn transaction(State(app): State<App>, ip: ClientIp, bytes: Bytes) -> Response {
    let body = match Body::parse(&bytes) {
        Ok(b) => b,
        Err(r) => return refused(r, json!({})),
    };
    let echo = json!({
        "ref_id": body.text("ref_id"),
        "customer_no": body.text("customer_no"),
        "buyer_sku_code": body.text("buyer_sku_code"),
    });
    let answer = async {
        let ref_id = body.text("ref_id");
        let account = authenticated(&app, &body, &ref_id, ip).await?;
        let commands = body.text("commands");
        if !commands.is_empty() {
            return Err(Refusal::saying(
                Rc::PayloadError,
                format!("commands '{commands}' belum didukung toko ini (hanya prabayar)"),
            ));
        }
        let buy = Buy {
            sku: body.text("buyer_sku_code"),
            customer_no: body.text("customer_no"),
            ref_id,
            testing: body.flag("testing"),
            max_price: body.int("max_price")?,
            cb_url: Some(body.text("cb_url")),
        };
        transaction::buy(&app, &account, &buy).await
    };
    match answer.await {
        Ok(a) => Json(json!({ "data": a.to_json() })).into_response(),
        Err(r) => refused(r, echo),
    }
}

/// `POST /h2h/v1/inquiry-pln`: whose a PLN token meter is (sign suffix: the `customer_no`),
/// through the same lookup the storefront uses.
pub(crate) async fn inquiry_pln(State(app): State<App>, ip: ClientIp, bytes: Bytes) -> Response {
    let body = match Body::parse(&bytes) {
        Ok(b) => b,
        Err(r) => return refused(r, json!({})),
    };
    let customer_no = body.text("customer_no");
    let echo = json!({ "customer_no": customer_no });
    let answer = async {
        authenticated(&app, &body, &customer_no, ip).await?;
        let rule = madd_domain::TargetRule::PlnCustomer;
        let account = madd_domain::GameAccount::parse(&rule, &customer_no, None)
            .map_err(|e| Refusal::saying(Rc::WrongNumber, e.to_string()))?;
        let wait = crate::web::storefront::view::LOOKUP_WAIT;
        match crate::service::nickname::lookup(&app, &rule, &account, wait).await {
            Ok(crate::service::nickname::NicknameAnswer::Found(owner)) => {
                // The lookup keeps `NAME · R1/1300 VA`; Digiflazz gives the two apart.
                let (name, segment) = owner.split_once(" · ").unwrap_or((owner.as_str(), ""));
                Ok(json!({ "data": {
                    "message": Rc::Sukses.message(), "status": "Sukses", "rc": Rc::Sukses.code(),
                    "customer_no": account.target(), "meter_no": account.target(),
                    "subscriber_id": account.target(), "name": name, "segment_power": segment,
                }}))
            }
            Ok(crate::service::nickname::NicknameAnswer::NotChecked) => Err(Refusal::saying(
                Rc::Gagal,
                "Cek nomor PLN belum tersedia di toko ini",
            )),
            Err(e) if e.code() == "meter_not_found" || e.code().starts_with("invalid_") => {
                Err(Refusal::saying(Rc::WrongNumber, e.to_string()))
            }
            Err(_) => Err(h2h::busy()),
        }
    };
    match answer.await {
        Ok(v) => Json(v).into_response(),
        Err(r) => refused(r, echo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn data_of(response: Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice::<Value>(&bytes).unwrap()["data"].clone())
    }

    #[tokio::test]
    async fn a_store_that_could_not_look_says_pending_never_gagal() {
        let (http, busy) = data_of(refused(h2h::busy(), json!({"ref_id": "r1"}))).await;
        assert_eq!((http, busy["status"].as_str(), busy["rc"].as_str()), (200, Some("Pending"), Some("03")));
        assert_eq!(busy["ref_id"], "r1");
        let (http, short) = data_of(refused(Refusal::new(Rc::SaldoShort), json!({}))).await;
        assert_eq!((http, short["status"].as_str()), (400, Some("Gagal")));
        let (http, _) = data_of(refused(Refusal::new(Rc::RateLimited), json!({}))).await;
        assert_eq!(http, 429);
    }
}
