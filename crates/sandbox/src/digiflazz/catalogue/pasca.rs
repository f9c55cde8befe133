//! The pasca price list and the postpaid bills its inquiries find.

use super::{plan_for, pln_owner, stable_hash, Plan};

/// One postpaid product of the pasca price list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PascaProduct {
    pub sku: &'static str,
    pub product_name: &'static str,
    pub brand: &'static str,
    /// Admin fee per bill sheet.
    pub admin: i64,
    /// What Digiflazz pays back per bill sheet (the price is the selling price minus this).
    pub commission: i64,
    pub desc: &'static str,
}

/// The pasca price list: PLN postpaid, the only postpaid product the simulator serves.
pub const PASCA: &[PascaProduct] = &[PascaProduct {
    sku: "pln",
    product_name: "Pln Pascabayar",
    brand: "PLN PASCABAYAR",
    admin: PLN_ADMIN,
    commission: PLN_COMMISSION,
    desc: "Tagihan listrik PLN pascabayar. Nomor tujuan: ID pelanggan 12 digit",
}];

const PLN_ADMIN: i64 = 2_500;
const PLN_COMMISSION: i64 = 1_000;

/// One bill sheet of a postpaid customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sheet {
    pub periode: String,
    pub nilai_tagihan: i64,
    pub admin: i64,
    pub denda: i64,
    pub meter_awal: i64,
    pub meter_akhir: i64,
}

/// A postpaid customer's bill, as `inq-pasca` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bill {
    pub customer_name: String,
    pub tarif: &'static str,
    pub daya: i64,
    pub sheets: Vec<Sheet>,
    pub commission_per_sheet: i64,
}

impl Bill {
    pub fn admin(&self) -> i64 {
        self.sheets.iter().map(|s| s.admin).sum()
    }

    /// What the customer should be asked for: bills, fines and admin.
    pub fn selling_price(&self) -> i64 {
        self.sheets
            .iter()
            .map(|s| s.nilai_tagihan + s.denda + s.admin)
            .sum()
    }

    /// What the payment takes from the deposit: the selling price minus the commission.
    pub fn price(&self) -> i64 {
        self.selling_price() - self.commission_per_sheet * self.sheets.len() as i64
    }
}

/// What an inquiry finds, and how the payment after it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PascaCase {
    /// The bill, and the plan of its payment.
    Bill(Bill, Plan),
    /// The inquiry fails with this rc.
    NoBill(&'static str),
}

fn test_sheet(periode: &str, nilai: i64, denda: i64) -> Sheet {
    Sheet {
        periode: periode.to_string(),
        nilai_tagihan: nilai,
        admin: PLN_ADMIN,
        denda,
        meter_awal: 80_000,
        meter_akhir: 80_125,
    }
}

/// The documented postpaid test cases of `pln`: 1 bill (admin 2 500, price 10 000, selling
/// price 11 000) or 2 bills (admin 5 000, price 23 000, selling price 25 000).
pub(crate) fn test_pasca(customer_no: &str) -> PascaCase {
    let one = || Bill {
        customer_name: "Nama Pelanggan Pertama".to_string(),
        tarif: "R1",
        daya: 1300,
        sheets: vec![test_sheet("201901", 8_000, 500)],
        commission_per_sheet: PLN_COMMISSION,
    };
    let two = || Bill {
        customer_name: "Nama Pelanggan Kedua".to_string(),
        tarif: "R1",
        daya: 1300,
        sheets: vec![
            test_sheet("201901", 9_500, 500),
            test_sheet("201902", 9_500, 500),
        ],
        commission_per_sheet: PLN_COMMISSION,
    };
    match customer_no {
        "530000000001" => PascaCase::Bill(one(), Plan::Succeed),
        "530000000002" => PascaCase::Bill(two(), Plan::Succeed),
        "530000000003" => PascaCase::NoBill("02"),
        "530000000006" => PascaCase::Bill(one(), Plan::Fail("02")),
        "630000000001" => PascaCase::Bill(one(), Plan::Pending(true)),
        "630000000002" => PascaCase::Bill(two(), Plan::Pending(true)),
        "630000000006" => PascaCase::Bill(one(), Plan::Pending(false)),
        _ => PascaCase::NoBill("54"),
    }
}

/// A production PLN postpaid customer: 12 digits not ending in `9` have one bill of
/// `45 000 + 37 × (last four digits)` plus admin 2 500 for `periode` (`YYYYMM`); the payment
/// follows the last-two-digits rule. Others: rc 54 (wrong number) at inquiry.
pub(crate) fn pasca_bill(customer_no: &str, periode: &str) -> PascaCase {
    if customer_no.len() != 12
        || !customer_no.bytes().all(|b| b.is_ascii_digit())
        || customer_no.ends_with('9')
    {
        return PascaCase::NoBill("54");
    }
    let last_four: i64 = customer_no[8..].parse().unwrap_or(0);
    let owner = pln_owner(customer_no);
    let start = 10_000 + (stable_hash(&["meter", customer_no]) % 80_000) as i64;
    let bill = Bill {
        customer_name: owner.name,
        tarif: owner.tariff,
        daya: owner.power,
        sheets: vec![Sheet {
            periode: periode.to_string(),
            nilai_tagihan: 45_000 + 37 * last_four,
            admin: PLN_ADMIN,
            denda: 0,
            meter_awal: start,
            meter_akhir: start + 150 + last_four % 100,
        }],
        commission_per_sheet: PLN_COMMISSION,
    };
    PascaCase::Bill(bill, plan_for(customer_no))
}
