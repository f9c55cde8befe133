//! Deterministic numbers: the same input always gives the same serial, token and name.

/// FNV-1a: stable across Rust releases, so generated names and numbers never change.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `n` decimal digits drawn deterministically from `seed`.
pub(crate) fn digits_from(seed: &str, n: usize) -> String {
    let mut state = stable_hash(&[seed]) | 1;
    (0..n)
        .map(|_| {
            // xorshift64: cheap, deterministic, good enough for fake serial numbers
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 10) as u8)
        })
        .collect()
}

/// A 16-digit serial number derived from the `ref_id`.
pub(crate) fn serial(ref_id: &str) -> String {
    digits_from(&format!("sn:{ref_id}"), 16)
}
