//! The lines of a buyer's price as every surface shows them: the confirmation card and the chat
//! read them off the [`Quote`], the invoice and its WhatsApp message off the stored order — one
//! builder, so the customer reads the same lines, labels and amounts everywhere.

use crate::money::Rupiah;
use crate::pricing::Tier;
use crate::quote::Quote;

/// What a voucher did to a price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoucherLine {
    pub code: String,
    /// What it took off.
    pub off: Rupiah,
    /// What it promised (its percentage or amount); more than `off` when the floor or the
    /// payment unit held it back.
    pub worth: Rupiah,
}

/// A product order's price, line by line (postpaid bills have their own lines: bill, admin, fee).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The guest price.
    pub list: Rupiah,
    pub tier: Tier,
    /// The buyer's tier price (the list price for a guest).
    pub tier_price: Rupiah,
    /// The flash-sale price, when the order was bought on a sale.
    pub sale: Option<Rupiah>,
    pub voucher: Option<VoucherLine>,
    pub fee: Rupiah,
    pub total: Rupiah,
    /// The smallest payable price (cost, minimum markup and the payment cut): tells why a
    /// voucher took less than it promised.
    pub floor: Rupiah,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    List,
    Tier,
    Sale,
    Voucher,
    Fee,
    Total,
}

impl LineKind {
    /// The element id a page gives the line's amount (tests and the card's script read it).
    pub fn id(self) -> &'static str {
        match self {
            LineKind::List => "price",
            LineKind::Tier => "tier-price",
            LineKind::Sale => "sale-price",
            LineKind::Voucher => "discount",
            LineKind::Fee => "fee",
            LineKind::Total => "total",
        }
    }
}

/// One line: what it is, its Indonesian label and its amount (`minus`: taken off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub label: String,
    pub amount: Rupiah,
    pub minus: bool,
}

impl Line {
    /// `Rp 44.000`, or `− Rp 1.000` for what is taken off.
    pub fn shown(&self) -> String {
        if self.minus {
            format!("− {}", self.amount.display_spaced())
        } else {
            self.amount.display_spaced()
        }
    }
}

impl Receipt {
    /// The card's lines, from the quote the order will be written with.
    pub fn of_quote(quote: &Quote, voucher: Option<&str>) -> Receipt {
        Receipt {
            list: quote.list,
            tier: quote.tier,
            tier_price: quote.tier_price,
            sale: quote.sale,
            voucher: voucher
                .filter(|_| quote.voucher_discount.is_positive())
                .map(|code| VoucherLine {
                    code: code.to_string(),
                    off: quote.voucher_discount,
                    worth: quote.voucher_nominal.max(quote.voucher_discount),
                }),
            fee: quote.fee,
            total: quote.amount_due,
            floor: quote.floor,
        }
    }

    /// List price; the tier's price when it is lower; the sale price; the voucher; the fee
    /// (when there is one); the total.
    pub fn lines(&self) -> Vec<Line> {
        let tiered = self.tier_price < self.list;
        let mut lines = vec![Line {
            kind: LineKind::List,
            label: if tiered { "Harga umum" } else { "Harga" }.to_string(),
            amount: self.list,
            minus: false,
        }];
        if tiered {
            lines.push(Line {
                kind: LineKind::Tier,
                label: format!("Harga {}", self.tier.label_id().to_lowercase()),
                amount: self.tier_price,
                minus: false,
            });
        }
        if let Some(sale) = self.sale {
            lines.push(Line {
                kind: LineKind::Sale,
                label: "Harga flash sale".to_string(),
                amount: sale,
                minus: false,
            });
        }
        if let Some(v) = &self.voucher {
            lines.push(Line {
                kind: LineKind::Voucher,
                label: format!("Voucher {}", v.code),
                amount: v.off,
                minus: true,
            });
        }
        if self.fee.is_positive() {
            lines.push(Line {
                kind: LineKind::Fee,
                label: "Biaya admin".to_string(),
                amount: self.fee,
                minus: false,
            });
        }
        lines.push(Line {
            kind: LineKind::Total,
            label: "Total bayar".to_string(),
            amount: self.total,
            minus: false,
        });
        lines
    }

    /// Why a voucher took less than it promised: the price floor, or the payment unit the
    /// total is rounded to.
    pub fn voucher_note(&self) -> Option<String> {
        let v = self.voucher.as_ref().filter(|v| v.worth > v.off)?;
        let (worth, off) = (v.worth.display_spaced(), v.off.display_spaced());
        Some(if v.worth > self.tier_price - self.floor {
            format!(
                "Voucher ini bernilai {worth}, tapi potongannya dibatasi {off} agar harga tidak \
                 di bawah modal dan biaya pembayaran."
            )
        } else {
            format!(
                "Voucher ini bernilai {worth}; potongannya dibulatkan ke bawah jadi {off} \
                 (kelipatan satuan pembayaran)."
            )
        })
    }

    /// The lines as a WhatsApp message shows them, one per line, the total in bold, the
    /// voucher's note in italics under it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in self.lines() {
            if !text.is_empty() {
                text.push('\n');
            }
            if line.kind == LineKind::Total {
                text.push_str(&format!("{}: *{}*", line.label, line.shown()));
            } else {
                text.push_str(&format!("{}: {}", line.label, line.shown()));
            }
            if line.kind == LineKind::Voucher {
                if let Some(note) = self.voucher_note() {
                    text.push_str(&format!("\n_{note}_"));
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt {
            list: Rupiah::new(45_000),
            tier: Tier::Guest,
            tier_price: Rupiah::new(45_000),
            sale: None,
            voucher: None,
            fee: Rupiah::new(0),
            total: Rupiah::new(45_000),
            floor: Rupiah::new(44_000),
        }
    }

    fn labels(r: &Receipt) -> Vec<(String, String)> {
        r.lines()
            .iter()
            .map(|l| (l.label.clone(), l.shown()))
            .collect()
    }

    #[test]
    fn a_guest_without_discount_reads_price_and_total() {
        let r = receipt();
        assert_eq!(
            labels(&r),
            [
                ("Harga".to_string(), "Rp 45.000".to_string()),
                ("Total bayar".to_string(), "Rp 45.000".to_string())
            ]
        );
        assert_eq!(r.text(), "Harga: Rp 45.000\nTotal bayar: *Rp 45.000*");
    }

    #[test]
    fn a_reseller_reads_the_guest_price_beside_theirs() {
        let r = Receipt {
            tier: Tier::Reseller,
            tier_price: Rupiah::new(44_500),
            fee: Rupiah::new(500),
            ..receipt()
        };
        assert_eq!(
            labels(&r),
            [
                ("Harga umum".to_string(), "Rp 45.000".to_string()),
                ("Harga reseller".to_string(), "Rp 44.500".to_string()),
                ("Biaya admin".to_string(), "Rp 500".to_string()),
                ("Total bayar".to_string(), "Rp 45.000".to_string())
            ]
        );
    }

    #[test]
    fn a_voucher_held_by_the_floor_says_so_and_one_rounded_says_that() {
        let held = Receipt {
            voucher: Some(VoucherLine {
                code: "HEMAT10".into(),
                off: Rupiah::new(1_000),
                worth: Rupiah::new(4_500),
            }),
            total: Rupiah::new(44_000),
            ..receipt()
        };
        assert!(held.voucher_note().unwrap().contains("di bawah modal"));
        assert!(held
            .text()
            .contains("Voucher HEMAT10: − Rp 1.000\n_Voucher ini bernilai Rp 4.500"));
        let rounded = Receipt {
            floor: Rupiah::new(30_000),
            voucher: Some(VoucherLine {
                code: "HEMAT".into(),
                off: Rupiah::new(4_000),
                worth: Rupiah::new(4_500),
            }),
            ..receipt()
        };
        assert!(rounded.voucher_note().unwrap().contains("dibulatkan"));
        let whole = Receipt {
            voucher: Some(VoucherLine {
                code: "X".into(),
                off: Rupiah::new(1_000),
                worth: Rupiah::new(1_000),
            }),
            ..receipt()
        };
        assert_eq!(whole.voucher_note(), None);
    }

    #[test]
    fn a_sale_line_follows_the_list_price() {
        let r = Receipt {
            sale: Some(Rupiah::new(40_000)),
            total: Rupiah::new(40_000),
            ..receipt()
        };
        let kinds: Vec<_> = r.lines().iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [LineKind::List, LineKind::Sale, LineKind::Total]);
    }
}
