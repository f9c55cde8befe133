//! Which providers fill each role, in priority order: the suppliers and the payment rails. The
//! two are read alike — one variable says simulated or names the one real service, a list names
//! several.

use madd_domain::{RailId, SupplierId};

use super::values::Values;
use super::{Config, ConfigError, PaymentChoice, SupplierChoice};

impl Config {
    /// `MADD_SUPPLIER` says simulated (`sandbox`, the default) or names the one real supplier;
    /// `MADD_SUPPLIERS` lists several in priority order. Set alone, `MADD_SUPPLIERS` means the
    /// real services; with `MADD_SUPPLIER=sandbox` beside it, their simulators. Neither set: both
    /// simulators (the demo shows failover).
    pub(super) fn read_suppliers(
        values: &Values,
    ) -> Result<(SupplierChoice, Vec<SupplierId>), ConfigError> {
        let one = values.choice("supplier", &["sandbox", "vip-reseller", "digiflazz"])?;
        let explicit_one = values.get("supplier").is_some();
        let Some(list) = values.get("suppliers") else {
            return Ok(match SupplierId::parse(&one) {
                Some(id) => (SupplierChoice::Live, vec![id]),
                None => (
                    SupplierChoice::Sandbox,
                    vec![SupplierId::VipReseller, SupplierId::Digiflazz],
                ),
            });
        };
        let mut ids = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let id = SupplierId::parse(name).ok_or_else(|| {
                values.invalid(
                    "suppliers",
                    format!("'{name}' is not vip-reseller or digiflazz"),
                )
            })?;
            if ids.contains(&id) {
                return Err(values.invalid("suppliers", format!("'{name}' is listed twice")));
            }
            ids.push(id);
        }
        if ids.is_empty() {
            return Err(values.invalid(
                "suppliers",
                "name at least one supplier (vip-reseller, digiflazz)".into(),
            ));
        }
        let mode = match SupplierId::parse(&one) {
            _ if !explicit_one => SupplierChoice::Live,
            None => SupplierChoice::Sandbox,
            Some(id) if ids.contains(&id) => SupplierChoice::Live,
            Some(id) => {
                return Err(values.invalid(
                    "supplier",
                    format!(
                        "'{}' is not in MADD_SUPPLIERS; leave MADD_SUPPLIER out (or set it to \
                         sandbox to simulate the listed suppliers)",
                        id.as_str()
                    ),
                ))
            }
        };
        Ok((mode, ids))
    }

    /// Like the suppliers: `MADD_PAYMENT` says simulated (`sandbox`, the default) or names the
    /// one real rail; `MADD_PAYMENTS` lists several in priority order (`midtrans,tripay,trakteer`).
    /// Set alone, `MADD_PAYMENTS` means the real services; with `MADD_PAYMENT=sandbox` beside it,
    /// their simulators. Neither set: the Trakteer simulator (the seed's rail).
    pub(super) fn read_payments(
        values: &Values,
    ) -> Result<(PaymentChoice, Vec<RailId>), ConfigError> {
        let one = values.choice("payment", &["sandbox", "trakteer", "midtrans", "tripay"])?;
        let explicit_one = values.get("payment").is_some();
        let Some(list) = values.get("payments") else {
            return Ok(match RailId::parse(&one) {
                Some(id) => (PaymentChoice::Live, vec![id]),
                None => (PaymentChoice::Sandbox, vec![RailId::Trakteer]),
            });
        };
        let mut ids = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let id = RailId::parse(name).ok_or_else(|| {
                values.invalid(
                    "payments",
                    format!("'{name}' is not midtrans, tripay or trakteer"),
                )
            })?;
            if ids.contains(&id) {
                return Err(values.invalid("payments", format!("'{name}' is listed twice")));
            }
            ids.push(id);
        }
        if ids.is_empty() {
            return Err(values.invalid(
                "payments",
                "name at least one rail (midtrans, tripay, trakteer)".into(),
            ));
        }
        let mode = match RailId::parse(&one) {
            _ if !explicit_one => PaymentChoice::Live,
            None => PaymentChoice::Sandbox,
            Some(id) if ids.contains(&id) => PaymentChoice::Live,
            Some(id) => {
                return Err(values.invalid(
                    "payment",
                    format!(
                        "'{}' is not in MADD_PAYMENTS; leave MADD_PAYMENT out (or set it to \
                         sandbox to simulate the listed rails)",
                        id.as_str()
                    ),
                ))
            }
        };
        Ok((mode, ids))
    }
}
