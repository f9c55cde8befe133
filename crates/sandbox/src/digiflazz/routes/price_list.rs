//! `/v1/price-list`: the prepaid or pasca list, whole or filtered.

use std::time::Instant;

use serde_json::{json, Value};

use super::{payload_error, refusal, Call};
use crate::digiflazz::catalogue::{PascaProduct, Product, PASCA, PREPAID};

/// A filter field of the request: absent matches everything, else any case of the value.
fn matches(field: Option<&str>, value: &str) -> bool {
    field.is_none_or(|f| f.eq_ignore_ascii_case(value))
}

impl Call<'_> {
    pub(super) fn price_list(&self) -> Result<Value, Value> {
        let cmd = match self.body.required("cmd")? {
            "prepaid" => "prepaid",
            "pasca" => "pasca",
            _ => return Err(payload_error("cmd")),
        };
        let code = self.body.text("code")?;
        let category = self.body.text("category")?;
        let brand = self.body.text("brand")?;
        let kind = self.body.text("type")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate("pricelist")?;

        if code.is_none() && self.full_list_too_soon(cmd) {
            return Err(refusal("83"));
        }
        let items: Vec<Value> = if cmd == "prepaid" {
            let available: Vec<bool> = self
                .sim
                .with_state(|s| PREPAID.iter().map(|p| s.is_available(p)).collect());
            PREPAID
                .iter()
                .zip(available)
                .filter(|(p, _)| {
                    matches(code, p.sku)
                        && matches(category, p.category)
                        && matches(brand, p.brand)
                        && matches(kind, "Umum")
                })
                .map(|(p, available)| prepaid_item(p, available))
                .collect()
        } else {
            PASCA
                .iter()
                .filter(|p| matches(code, p.sku) && matches(brand, p.brand))
                .map(pasca_item)
                .collect()
        };
        Ok(Value::Array(items))
    }

    /// Digiflazz limits how often the whole list (no `code`) is fetched, per `cmd`; a fetch
    /// that is not refused starts the wait again.
    fn full_list_too_soon(&self, cmd: &'static str) -> bool {
        let every = self.sim.config().price_list_every;
        let now = Instant::now();
        self.sim.with_state(|s| {
            let too_soon = !every.is_zero()
                && s.last_full_list
                    .get(cmd)
                    .is_some_and(|last| now < *last + every);
            if !too_soon {
                s.last_full_list.insert(cmd, now);
            }
            too_soon
        })
    }
}

/// A prepaid item as listed; a knob that changed its availability shows in the stock fields.
fn prepaid_item(p: &Product, available: bool) -> Value {
    let (unlimited_stock, stock, seller) = if available == p.available() {
        (p.unlimited_stock, p.stock, p.seller_product_status)
    } else if available {
        (true, 0, true)
    } else {
        (false, 0, p.seller_product_status)
    };
    let (start, end) = p.cut_off();
    json!({
        "product_name": p.product_name,
        "category": p.category,
        "brand": p.brand,
        "type": "Umum",
        "seller_name": p.seller_name(),
        "price": p.price,
        "buyer_sku_code": p.sku,
        "buyer_product_status": true,
        "seller_product_status": seller,
        "unlimited_stock": unlimited_stock,
        "stock": stock,
        "multi": p.multi(),
        "start_cut_off": start,
        "end_cut_off": end,
        "desc": p.desc(),
    })
}

fn pasca_item(p: &PascaProduct) -> Value {
    json!({
        "product_name": p.product_name,
        "category": "Pascabayar",
        "brand": p.brand,
        "seller_name": "Li***",
        "admin": p.admin,
        "commission": p.commission,
        "buyer_sku_code": p.sku,
        "buyer_product_status": true,
        "seller_product_status": true,
        "desc": p.desc,
    })
}
