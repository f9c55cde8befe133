//! `/v1/inquiry-pln`: who owns a PLN meter.

use serde_json::{json, Value};

use super::Call;
use crate::digiflazz::catalogue::{pln_inquiry, rc_message};

const MSG_NO_METER: &str = "IDPEL/No Meter salah";

impl Call<'_> {
    pub(super) fn inquiry_pln(&self) -> Result<Value, Value> {
        let customer_no = self.body.required("customer_no")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate(customer_no)?;
        if self.sim.forced_rc() == Some("86") {
            return Ok(
                json!({"message": rc_message("86"), "status": "Gagal", "rc": "86",
                             "customer_no": customer_no}),
            );
        }
        Ok(match pln_inquiry(customer_no) {
            Some(owner) => json!({
                "message": rc_message("00"),
                "status": "Sukses",
                "rc": "00",
                "customer_no": customer_no,
                "meter_no": owner.meter_no,
                "subscriber_id": owner.subscriber_id,
                "name": owner.name,
                "segment_power": owner.segment_power,
            }),
            None => json!({
                "message": MSG_NO_METER,
                "status": "Gagal",
                "rc": "54",
                "customer_no": customer_no,
                "meter_no": "",
                "subscriber_id": "",
                "name": "",
                "segment_power": "",
            }),
        })
    }
}
