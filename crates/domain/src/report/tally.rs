//! Adds the month's closed orders, returned overpayments, saldo credits and deposits into the
//! report's sums and its days, products and vouchers tables.

use std::collections::BTreeMap;

use super::{
    Closed, DayRow, DepositFigures, Month, OrderFigures, OverpaymentReturn, ProductRow,
    ReportInput, VoucherRow,
};
use crate::money::Rupiah;

/// The month's sums and counts, as the summary lines and notes need them.
#[derive(Default)]
pub(super) struct Totals {
    pub sales: Rupiah,
    pub overpaid: Rupiah,
    pub returned: Rupiah,
    pub refunded_in: Rupiah,
    pub refunds: Rupiah,
    pub supplier: Rupiah,
    pub pay_fees: Rupiah,
    pub dep_fees: Rupiah,
    pub discounts: Rupiah,
    pub deposited: Rupiah,
    pub n_delivered: i64,
    pub n_refunded: i64,
    pub n_returned: i64,
    pub n_deposits: i64,
    pub without_net: i64,
    /// Some payment fee of the month was Trakteer's cut on a saldo credit.
    pub credited_fees: bool,
}

impl Totals {
    pub fn net(&self) -> Rupiah {
        self.sales + self.overpaid - self.returned + self.refunded_in
            - self.refunds
            - self.supplier
            - self.pay_fees
            - self.dep_fees
    }
}

/// The report's tables, finished: every day of the month, products and vouchers by code.
pub(super) struct Tables {
    pub days: Vec<DayRow>,
    pub products: Vec<ProductRow>,
    pub vouchers: Vec<VoucherRow>,
}

/// The tables while the month's figures are added in.
struct Rows {
    days: Vec<DayRow>,
    products: BTreeMap<String, ProductRow>,
    vouchers: BTreeMap<String, VoucherRow>,
}

impl Rows {
    fn new(month: Month) -> Rows {
        Rows {
            days: (1..=month.days())
                .map(|day| DayRow {
                    day,
                    ..DayRow::default()
                })
                .collect(),
            products: BTreeMap::new(),
            vouchers: BTreeMap::new(),
        }
    }

    fn day(&mut self, day: u8) -> &mut DayRow {
        &mut self.days[usize::from(day - 1)]
    }

    fn product(&mut self, code: &str, name: &str) -> &mut ProductRow {
        self.products
            .entry(code.to_string())
            .or_insert_with(|| ProductRow {
                product_code: code.to_string(),
                product_name: name.to_string(),
                ..ProductRow::default()
            })
    }

    fn voucher(&mut self, code: &str) -> &mut VoucherRow {
        self.vouchers
            .entry(code.to_string())
            .or_insert_with(|| VoucherRow {
                code: code.to_string(),
                ..VoucherRow::default()
            })
    }

    /// Each day's and product's bottom line, from the columns added in.
    fn finish(mut self) -> Tables {
        for d in &mut self.days {
            d.net = d.income + d.supplier_cost + d.payment_fees + d.deposit_fees;
        }
        Tables {
            days: self.days,
            products: self
                .products
                .into_values()
                .map(|mut p| {
                    p.margin = p.income + p.supplier_cost + p.payment_fees;
                    p
                })
                .collect(),
            vouchers: self.vouchers.into_values().collect(),
        }
    }
}

/// The month's sums and tables; figures dated outside the month are left out.
pub(super) fn tally(input: &ReportInput) -> (Totals, Tables) {
    let month = input.month;
    let mut totals = Totals::default();
    let mut rows = Rows::new(month);
    for o in &input.orders {
        if let Some(day) = month.day_of(o.closed_at) {
            add_order(&mut totals, &mut rows, day, o);
        }
    }
    for r in &input.overpaid_returns {
        if let Some(day) = month.day_of(r.counted_at) {
            add_return(&mut totals, &mut rows, day, r);
        }
    }
    for c in &input.saldo_credit_fees {
        if let Some(day) = month.day_of(c.at) {
            totals.pay_fees += c.fee;
            totals.credited_fees = true;
            rows.day(day).payment_fees -= c.fee;
        }
    }
    for dep in &input.deposits {
        if let Some(day) = month.day_of(dep.at) {
            add_deposit(&mut totals, &mut rows, day, dep);
        }
    }
    (totals, rows.finish())
}

fn add_order(totals: &mut Totals, rows: &mut Rows, day: u8, o: &OrderFigures) {
    let (income, cost) = match o.closed {
        Closed::Delivered => {
            let over = (o.amount_paid - o.amount_due).max(Rupiah::ZERO);
            totals.sales += o.amount_due;
            totals.discounts += o.discount;
            if let Some(code) = &o.voucher {
                let v = rows.voucher(code);
                v.orders += 1;
                v.discounts += o.discount;
            }
            totals.overpaid += over;
            totals.supplier += o.supplier_cost;
            totals.n_delivered += 1;
            (o.amount_due + over, o.supplier_cost)
        }
        Closed::Refunded => {
            totals.refunded_in += o.amount_paid;
            totals.refunds += o.refund_amount;
            totals.n_refunded += 1;
            (o.amount_paid - o.refund_amount, Rupiah::ZERO)
        }
    };
    totals.pay_fees += o.payment_fee;
    totals.without_net += o.payments_without_net;
    let d = rows.day(day);
    match o.closed {
        Closed::Delivered => d.delivered += 1,
        Closed::Refunded => d.refunded += 1,
    }
    d.income += income;
    d.supplier_cost -= cost;
    d.payment_fees -= o.payment_fee;
    let p = rows.product(&o.product_code, &o.product_name);
    match o.closed {
        Closed::Delivered => {
            p.delivered += 1;
            p.discounts += o.discount;
        }
        Closed::Refunded => p.refunded += 1,
    }
    p.income += income;
    p.supplier_cost -= cost;
    p.payment_fees -= o.payment_fee;
}

fn add_return(totals: &mut Totals, rows: &mut Rows, day: u8, r: &OverpaymentReturn) {
    totals.returned += r.amount;
    totals.n_returned += 1;
    rows.day(day).income -= r.amount;
    rows.product(&r.product_code, &r.product_name).income -= r.amount;
}

fn add_deposit(totals: &mut Totals, rows: &mut Rows, day: u8, dep: &DepositFigures) {
    totals.dep_fees += dep.fee;
    totals.deposited += dep.amount;
    totals.n_deposits += 1;
    rows.day(day).deposit_fees -= dep.fee;
}
