//! The reseller API ("H2H") in Digiflazz's buyer format (`shared/specs/digiflazz.md`): its
//! response codes and statuses, how an order's status reads there, the documented test cases
//! (`testing: true`), a destination that carries a game's zone, and a reseller's IP allowlist.
//! Pure: the store's `service::h2h` does the I/O.

use std::net::IpAddr;

use crate::order::OrderStatus;

/// A transaction's status as Digiflazz spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum H2hStatus {
    Pending,
    Sukses,
    Gagal,
}

impl H2hStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            H2hStatus::Pending => "Pending",
            H2hStatus::Sukses => "Sukses",
            H2hStatus::Gagal => "Gagal",
        }
    }

    pub fn parse(s: &str) -> Option<H2hStatus> {
        [H2hStatus::Pending, H2hStatus::Sukses, H2hStatus::Gagal]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// How an order's status reads to the reseller: delivered is `Sukses`; refunded and expired
    /// are `Gagal`. A failed order not yet refunded stays `Pending`: at Digiflazz a `Gagal`
    /// means the price is back in the buyer's saldo (spec 4.1), and so it does here.
    pub fn of_order(status: OrderStatus) -> H2hStatus {
        match status {
            OrderStatus::Delivered => H2hStatus::Sukses,
            OrderStatus::Refunded | OrderStatus::Expired => H2hStatus::Gagal,
            _ => H2hStatus::Pending,
        }
    }

    /// The rc that goes with the status of a formed transaction.
    pub fn rc(self) -> Rc {
        match self {
            H2hStatus::Pending => Rc::Pending,
            H2hStatus::Sukses => Rc::Sukses,
            H2hStatus::Gagal => Rc::Gagal,
        }
    }
}

/// The response codes the store answers with (Digiflazz's table, section 5 of the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rc {
    Sukses,
    Gagal,
    Pending,
    PayloadError,
    WrongSign,
    UnknownUser,
    UnknownSku,
    SaldoShort,
    UnknownIp,
    RefIdNotUnique,
    NotFound,
    WrongNumber,
    PriceAboveMax,
    RateLimited,
}

impl Rc {
    pub fn code(self) -> &'static str {
        match self {
            Rc::Sukses => "00",
            Rc::Gagal => "02",
            Rc::Pending => "03",
            Rc::PayloadError => "40",
            Rc::WrongSign => "41",
            Rc::UnknownUser => "42",
            Rc::UnknownSku => "43",
            Rc::SaldoShort => "44",
            Rc::UnknownIp => "45",
            Rc::RefIdNotUnique => "49",
            Rc::NotFound => "50",
            Rc::WrongNumber => "54",
            Rc::PriceAboveMax => "69",
            Rc::RateLimited => "85",
        }
    }

    /// The table's message for it.
    pub fn message(self) -> &'static str {
        match self {
            Rc::Sukses => "Transaksi Sukses",
            Rc::Gagal => "Transaksi Gagal",
            Rc::Pending => "Transaksi Pending",
            Rc::PayloadError => "Payload Error",
            Rc::WrongSign => "Signature tidak valid",
            Rc::UnknownUser => "Gagal memproses API Buyer",
            Rc::UnknownSku => "SKU tidak ditemukan atau non-aktif",
            Rc::SaldoShort => "Saldo tidak cukup",
            Rc::UnknownIp => "IP Anda tidak kami kenali",
            Rc::RefIdNotUnique => "Ref ID tidak unik",
            Rc::NotFound => "Transaksi Tidak Ditemukan",
            Rc::WrongNumber => "Nomor Tujuan Salah",
            Rc::PriceAboveMax => "Harga seller lebih besar dari ketentuan harga buyer",
            Rc::RateLimited => "Limitasi transaksi, coba 1 menit lagi",
        }
    }

    /// A refusal of the request itself (no transaction formed): HTTP 400, as Digiflazz answers.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            Rc::PayloadError
                | Rc::WrongSign
                | Rc::UnknownUser
                | Rc::UnknownSku
                | Rc::SaldoShort
                | Rc::UnknownIp
                | Rc::RefIdNotUnique
        )
    }
}

/// A documented test case's answer (`testing: true`, no money moves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestCase {
    pub now: H2hStatus,
    /// Where a pending test transaction ends (told by a callback).
    pub later: Option<H2hStatus>,
    pub sn: &'static str,
    pub price: i64,
    /// The saldo the answer shows: the documented figures (a test reseller's Rp 1.000.000).
    pub last_saldo: i64,
}

/// The SKU the documented prepaid test cases buy.
pub const TEST_SKU: &str = "xld10";

/// The documented prepaid test cases (`xld10`, spec section 1): Sukses, Gagal, Pending that
/// ends Sukses, Pending that ends Gagal. Any other number with `testing` is a wrong number.
pub fn test_case(sku: &str, customer_no: &str) -> Option<TestCase> {
    if !sku.eq_ignore_ascii_case(TEST_SKU) {
        return None;
    }
    let case = |now, later, sn, last_saldo| TestCase {
        now,
        later,
        sn,
        price: 10_000,
        last_saldo,
    };
    Some(match customer_no {
        "087800001230" => case(H2hStatus::Sukses, None, "1234567890", 990_000),
        "087800001232" => case(H2hStatus::Gagal, None, "", 1_000_000),
        "087800001233" => case(H2hStatus::Pending, Some(H2hStatus::Sukses), "", 990_000),
        "087800001234" => case(H2hStatus::Pending, Some(H2hStatus::Gagal), "", 990_000),
        _ => return None,
    })
}

/// A game destination as resellers send it: the account and its zone in one `customer_no`,
/// separated by `|`, a space, a comma or in parentheses (`123456780|2345`, `123456780 (2345)`);
/// a destination without a separator has no zone.
pub fn split_destination(customer_no: &str) -> (String, Option<String>) {
    let s = customer_no.trim();
    // `123456780 (2345)`, as the game shows it: the storefront's own reading.
    if let Some((id, zone)) = crate::catalog::split_pasted(s) {
        return (id.to_string(), Some(zone.to_string()));
    }
    match s.split_once(['|', ' ', ',']) {
        Some((id, zone)) => (
            id.trim().to_string(),
            Some(zone.trim().to_string()).filter(|z| !z.is_empty()),
        ),
        None => (s.to_string(), None),
    }
}

/// One allowlist entry: an address or a CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRule {
    net: IpAddr,
    prefix: u8,
}

impl IpRule {
    pub fn parse(text: &str) -> Option<IpRule> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpRule { net, prefix })
    }

    pub fn allows(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// A reseller's allowlist as the seller or reseller typed it (one entry a line or comma);
/// `Err` names the first entry that is not an address or block.
pub fn parse_allowlist(text: &str) -> Result<Vec<IpRule>, String> {
    text.split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| IpRule::parse(t).ok_or_else(|| t.to_string()))
        .collect()
}

/// Whether `ip` may call: an empty allowlist lets nobody in, as at Digiflazz.
pub fn allowed(rules: &[IpRule], ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| rules.iter().any(|r| r.allows(ip)))
}

/// Whether a callback may go to this address: not loopback, private, link-local, shared
/// (100.64/10), unspecified, multicast or documentation space — a reseller's URL must not make
/// the store call its own network.
pub fn public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| !public_address(IpAddr::V4(v4))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_read_as_digiflazz_statuses() {
        assert_eq!(
            H2hStatus::of_order(OrderStatus::Delivered),
            H2hStatus::Sukses
        );
        assert_eq!(H2hStatus::of_order(OrderStatus::Refunded), H2hStatus::Gagal);
        assert_eq!(H2hStatus::of_order(OrderStatus::Paid), H2hStatus::Pending);
        assert_eq!(H2hStatus::of_order(OrderStatus::Failed), H2hStatus::Pending);
        assert_eq!(H2hStatus::Gagal.rc().code(), "02");
        assert!(Rc::SaldoShort.is_rejection() && !Rc::Gagal.is_rejection());
    }

    #[test]
    fn the_documented_test_cases() {
        let ok = test_case("xld10", "087800001230").unwrap();
        assert_eq!(
            (ok.now, ok.sn, ok.last_saldo),
            (H2hStatus::Sukses, "1234567890", 990_000)
        );
        assert_eq!(
            test_case("xld10", "087800001232").unwrap().last_saldo,
            1_000_000
        );
        assert_eq!(
            test_case("XLD10", "087800001234").unwrap().later,
            Some(H2hStatus::Gagal)
        );
        assert_eq!(test_case("xld10", "087800001231"), None);
        assert_eq!(test_case("ML86-S1", "087800001230"), None);
    }

    #[test]
    fn a_destination_carries_its_zone() {
        assert_eq!(
            split_destination("123456780|2345"),
            ("123456780".into(), Some("2345".into()))
        );
        assert_eq!(
            split_destination(" 123456780 (2345) "),
            ("123456780".into(), Some("2345".into()))
        );
        assert_eq!(
            split_destination("081234567890"),
            ("081234567890".into(), None)
        );
    }

    #[test]
    fn an_allowlist_of_addresses_and_blocks() {
        let rules = parse_allowlist("203.0.113.7, 198.51.100.0/24\n2001:db8::/32").unwrap();
        assert!(allowed(&rules, "203.0.113.7".parse().ok()));
        assert!(allowed(&rules, "198.51.100.200".parse().ok()));
        assert!(!allowed(&rules, "198.51.101.1".parse().ok()));
        assert!(allowed(&rules, "2001:db8::1".parse().ok()));
        assert!(
            !allowed(&[], "203.0.113.7".parse().ok()),
            "empty lets nobody in"
        );
        assert!(!allowed(&rules, None));
        assert_eq!(parse_allowlist("1.2.3.4, nope"), Err("nope".to_string()));
        assert_eq!(IpRule::parse("10.0.0.0/33"), None);
        assert!(allowed(
            &parse_allowlist("0.0.0.0/0").unwrap(),
            "8.8.8.8".parse().ok()
        ));
    }

    #[test]
    fn callbacks_go_only_to_public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public_address(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "52.74.250.133", "2606:4700::1111"] {
            assert!(public_address(public.parse().unwrap()), "{public}");
        }
    }
}
