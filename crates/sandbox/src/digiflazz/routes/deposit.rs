//! `/v1/deposit`: a ticket for topping the account up by bank transfer.

use serde_json::{json, Value};

use super::{payload_error, refusal, Call};
use crate::digiflazz::catalogue::{digits_from, stable_hash};
use crate::digiflazz::DepositTicket;

impl Call<'_> {
    pub(super) fn deposit(&self) -> Result<Value, Value> {
        let amount = self
            .body
            .integer("amount")?
            .filter(|a| *a > 0)
            .ok_or_else(|| payload_error("amount"))?;
        // The doc's example spells it `Bank`, its table `bank`.
        let bank = match self.body.text("bank")? {
            Some(bank) => bank,
            None => self.body.required("Bank")?,
        };
        let owner_name = self.body.required("owner_name")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate("deposit")?;

        let (bank, method, account_no) = match bank.to_ascii_uppercase().as_str() {
            "BCA" => ("BCA", "Bank Transfer", "0123 4567 89"),
            "MANDIRI" => ("MANDIRI", "Bank Transfer", "123 00 0456789 0"),
            "BRI" => ("BRI", "Bank Transfer", "0123 01 000456 50 1"),
            "BNI" => ("BNI", "Bank Transfer", "0123456789"),
            "FLIP" => ("Flip", "Virtual Account", "8808 0812 3456 7890"),
            "SHOPEEPAY" => ("ShopeePay", "Virtual Account", "8930 0812 3456 7890"),
            _ => return Err(refusal("64")),
        };
        let ticket = self.sim.with_state(|s| {
            let seed = format!("{}:{amount}:{owner_name}:{bank}", s.deposits.len());
            let h = stable_hash(&[&seed]);
            const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            let notes: String = (0..7)
                .map(|i| char::from(LETTERS[((h >> (i * 5)) % LETTERS.len() as u64) as usize]))
                .collect();
            let unique: i64 = digits_from(&seed, 3).parse::<i64>().unwrap_or(0) % 999 + 1;
            let ticket = DepositTicket {
                bank: bank.to_string(),
                owner_name: owner_name.to_string(),
                amount: amount + unique,
                notes,
            };
            s.deposits.push(ticket.clone());
            ticket
        });
        Ok(json!({
            "rc": "00",
            "bank": ticket.bank,
            "payment_method": method,
            "account_no": account_no,
            "notes": ticket.notes,
            "amount": ticket.amount,
        }))
    }
}
