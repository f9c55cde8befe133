//! A QR Code encoder (ISO/IEC 18004: byte mode, error correction level M, versions 1–40) for the
//! images behind a charge's `generate-qr-code` actions. Midtrans serves a PNG there; this crate
//! has no image encoder, so the simulator serves the same picture as SVG, which an `<img>` shows
//! alike. Model: Project Nayuki's reference encoder, reduced to what one mode and one level need.

use std::fmt::Write as _;

/// Error-correction codewords per block at level M, by version (index 0 unused).
const ECC_PER_BLOCK: [usize; 41] = [
    0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];
/// Error-correction blocks at level M, by version.
const BLOCKS: [usize; 41] = [
    0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23,
    25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
];
/// Level M's two format bits.
const LEVEL_M: u32 = 0;
/// White border, in modules, that scanners need around the code.
const QUIET: usize = 4;

/// The modules of a code: `dark[y * size + x]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub size: usize,
    pub dark: Vec<bool>,
    function: Vec<bool>,
}

/// Modules available for data and error correction in a version.
fn raw_modules(version: usize) -> usize {
    let mut modules = (16 * version + 128) * version + 64;
    if version >= 2 {
        let aligns = version / 7 + 2;
        modules -= (25 * aligns - 10) * aligns - 55;
        if version >= 7 {
            modules -= 36;
        }
    }
    modules
}

fn data_codewords(version: usize) -> usize {
    raw_modules(version) / 8 - ECC_PER_BLOCK[version] * BLOCKS[version]
}

fn count_bits(version: usize) -> usize {
    if version <= 9 {
        8
    } else {
        16
    }
}

/// GF(256) product modulo x⁸ + x⁴ + x³ + x² + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u16 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u16::from((y >> i) & 1) * u16::from(x);
    }
    u8::try_from(z & 0xFF).unwrap_or(0)
}

fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_mul(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    result
}

fn rs_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for &b in data {
        let factor = b ^ result.remove(0);
        result.push(0);
        for (r, &d) in result.iter_mut().zip(divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    result
}

/// Mode, count, bytes, terminator and padding, packed into the version's data codewords.
fn data_stream(data: &[u8], version: usize) -> Vec<u8> {
    let mut bits: Vec<bool> = Vec::new();
    let mut push = |value: usize, len: usize| {
        bits.extend((0..len).rev().map(|i| (value >> i) & 1 == 1));
    };
    push(0b0100, 4);
    push(data.len(), count_bits(version));
    for &b in data {
        push(usize::from(b), 8);
    }
    let capacity = data_codewords(version) * 8;
    let terminator = (capacity - bits.len()).min(4);
    bits.extend(std::iter::repeat_n(false, terminator));
    bits.extend(std::iter::repeat_n(false, (8 - bits.len() % 8) % 8));
    let mut bytes: Vec<u8> = bits
        .chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, &b| (acc << 1) | u8::from(b)))
        .collect();
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity / 8 {
            break;
        }
        bytes.push(pad);
    }
    bytes
}

/// Splits into blocks, adds each block's error correction, interleaves.
fn with_ecc(data: &[u8], version: usize) -> Vec<u8> {
    let (blocks_n, ecc_len) = (BLOCKS[version], ECC_PER_BLOCK[version]);
    let raw = raw_modules(version) / 8;
    let short_blocks = blocks_n - raw % blocks_n;
    let short_len = raw / blocks_n;
    let divisor = rs_divisor(ecc_len);
    let mut blocks = Vec::with_capacity(blocks_n);
    let mut k = 0;
    for i in 0..blocks_n {
        let len = short_len - ecc_len + usize::from(i >= short_blocks);
        let chunk = &data[k..k + len];
        k += len;
        let mut block = chunk.to_vec();
        if i < short_blocks {
            block.push(0);
        }
        block.extend(rs_remainder(chunk, &divisor));
        blocks.push(block);
    }
    let mut out = Vec::with_capacity(raw);
    for i in 0..=short_len {
        for (j, block) in blocks.iter().enumerate() {
            // The short blocks' placeholder byte is not part of the stream.
            if i != short_len - ecc_len || j >= short_blocks {
                out.push(block[i]);
            }
        }
    }
    out
}

fn alignment_positions(version: usize) -> Vec<usize> {
    if version == 1 {
        return Vec::new();
    }
    let n = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + n * 2 + 1) / (n * 2 - 2) * 2
    };
    let size = version * 4 + 17;
    let mut positions: Vec<usize> = (0..n - 1).map(|i| size - 7 - i * step).collect();
    positions.push(6);
    positions.reverse();
    positions
}

fn mask_bit(mask: u8, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (x / 3 + y / 2).is_multiple_of(2),
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + x * y % 3).is_multiple_of(2),
    }
}

impl Matrix {
    fn new(version: usize) -> Matrix {
        let size = version * 4 + 17;
        let mut m = Matrix {
            size,
            dark: vec![false; size * size],
            function: vec![false; size * size],
        };
        m.draw_function_patterns(version);
        m
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.dark[i] = dark;
        self.function[i] = true;
    }

    fn draw_function_patterns(&mut self, version: usize) {
        let size = self.size;
        for i in 0..size {
            self.set_function(6, i, i % 2 == 0);
            self.set_function(i, 6, i % 2 == 0);
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            self.draw_square(x, y, 4, |d| d != 2 && d != 4);
        }
        let positions = alignment_positions(version);
        let last = positions.len().saturating_sub(1);
        for (i, &y) in positions.iter().enumerate() {
            for (j, &x) in positions.iter().enumerate() {
                let corner = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
                if !corner {
                    self.draw_square(x, y, 2, |d| d != 1);
                }
            }
        }
        self.draw_format(0);
        self.draw_version(version);
    }

    /// The square of `radius` around (x, y): a module is dark when `dark(distance)`.
    fn draw_square(&mut self, x: usize, y: usize, radius: isize, dark: impl Fn(isize) -> bool) {
        for dy in -radius..=radius {
            for dx in -radius..=radius {
                let (Some(xx), Some(yy)) = (x.checked_add_signed(dx), y.checked_add_signed(dy))
                else {
                    continue;
                };
                if xx < self.size && yy < self.size {
                    self.set_function(xx, yy, dark(dx.abs().max(dy.abs())));
                }
            }
        }
    }

    fn draw_format(&mut self, mask: u8) {
        let data = (LEVEL_M << 3) | u32::from(mask);
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = ((data << 10) | rem) ^ 0x5412;
        let bit = |i: usize| (bits >> i) & 1 == 1;
        let size = self.size;
        for i in 0..=5 {
            self.set_function(8, i, bit(i));
        }
        self.set_function(8, 7, bit(6));
        self.set_function(8, 8, bit(7));
        self.set_function(7, 8, bit(8));
        for i in 9..15 {
            self.set_function(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set_function(size - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set_function(8, size - 15 + i, bit(i));
        }
        self.set_function(8, size - 8, true);
    }

    fn draw_version(&mut self, version: usize) {
        if version < 7 {
            return;
        }
        let v = u32::try_from(version).unwrap_or(0);
        let mut rem = v;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let bits = (v << 12) | rem;
        for i in 0..18 {
            let dark = (bits >> i) & 1 == 1;
            let (a, b) = (self.size - 11 + i % 3, i / 3);
            self.set_function(a, b, dark);
            self.set_function(b, a, dark);
        }
    }

    /// The zigzag from the bottom-right corner, two columns at a time, skipping column 6.
    fn draw_codewords(&mut self, data: &[u8]) {
        let size = self.size;
        let total = data.len() * 8;
        let mut i = 0;
        let mut right = size - 1;
        while right >= 1 {
            if right == 6 {
                right = 5;
            }
            let upward = (right + 1) & 2 == 0;
            for vert in 0..size {
                let y = if upward { size - 1 - vert } else { vert };
                for x in [right, right - 1] {
                    let k = y * size + x;
                    if !self.function[k] && i < total {
                        self.dark[k] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1;
                        i += 1;
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    fn apply_mask(&mut self, mask: u8) {
        for y in 0..self.size {
            for x in 0..self.size {
                let k = y * self.size + x;
                if !self.function[k] && mask_bit(mask, x, y) {
                    self.dark[k] = !self.dark[k];
                }
            }
        }
    }

    /// Runs, 2×2 blocks and balance (the finder-like rule is left out: any mask is valid, this
    /// only picks a comfortable one).
    fn penalty(&self) -> usize {
        let n = self.size;
        let at = |x: usize, y: usize| self.dark[y * n + x];
        let mut score = 0;
        for line in 0..n {
            for horizontal in [true, false] {
                let mut run = 1;
                for i in 1..=n {
                    let same = i < n
                        && if horizontal {
                            at(i, line) == at(i - 1, line)
                        } else {
                            at(line, i) == at(line, i - 1)
                        };
                    if same {
                        run += 1;
                    } else {
                        score += if run >= 5 { run - 2 } else { 0 };
                        run = 1;
                    }
                }
            }
        }
        for y in 0..n - 1 {
            for x in 0..n - 1 {
                let c = at(x, y);
                if c == at(x + 1, y) && c == at(x, y + 1) && c == at(x + 1, y + 1) {
                    score += 3;
                }
            }
        }
        let dark = self.dark.iter().filter(|&&d| d).count();
        let total = n * n;
        let k = (dark * 20)
            .abs_diff(total * 10)
            .div_ceil(total)
            .saturating_sub(1);
        score + k * 10
    }
}

/// The code for `data` with the given mask (0–7), in the smallest version that holds it.
pub fn encode_with_mask(data: &[u8], mask: u8) -> Option<Matrix> {
    let version =
        (1..=40).find(|&v| 4 + count_bits(v) + data.len() * 8 <= data_codewords(v) * 8)?;
    let mut m = Matrix::new(version);
    m.draw_codewords(&with_ecc(&data_stream(data, version), version));
    m.apply_mask(mask % 8);
    m.draw_format(mask % 8);
    Some(m)
}

/// The code for `data` with the mask of lowest penalty; `None` beyond version 40's capacity.
pub fn encode(data: &[u8]) -> Option<Matrix> {
    (0..8)
        .filter_map(|mask| encode_with_mask(data, mask))
        .min_by_key(Matrix::penalty)
}

/// An SVG of the code for `text` with its quiet zone; `framed` adds the QRIS header band that
/// Midtrans's `generate-qr-code-v2` image has.
pub fn svg(text: &str, framed: bool) -> Option<String> {
    let m = encode(text.as_bytes())?;
    let width = m.size + 2 * QUIET;
    let band = if framed { 8 } else { 0 };
    let mut path = String::new();
    for y in 0..m.size {
        for x in 0..m.size {
            if m.dark[y * m.size + x] {
                let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET, y + QUIET + band);
            }
        }
    }
    let height = width + band;
    let header = if framed {
        format!(
            "<rect width=\"{width}\" height=\"{band}\" fill=\"#be1e2d\"/>\
             <text x=\"{x}\" y=\"5.5\" font-family=\"sans-serif\" font-size=\"4\" font-weight=\"700\" \
             fill=\"#fff\" text-anchor=\"middle\">QRIS · MADD STORE SANDBOX</text>",
            x = width / 2
        )
    } else {
        String::new()
    };
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{w}\" height=\"{h}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>{header}\
         <path fill=\"#000\" d=\"{path}\"/></svg>",
        w = width * 6,
        h = height * 6,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_match_the_standard() {
        // Byte-mode capacities at level M (ISO/IEC 18004 table 7).
        let capacity = |v: usize| (data_codewords(v) * 8 - 4 - count_bits(v)) / 8;
        assert_eq!(capacity(1), 14);
        assert_eq!(capacity(10), 213);
        assert_eq!(capacity(11), 251);
        assert_eq!(capacity(40), 2331);
    }

    #[test]
    fn alignment_patterns_sit_where_the_standard_puts_them() {
        assert_eq!(alignment_positions(2), [6, 18]);
        assert_eq!(alignment_positions(7), [6, 22, 38]);
        assert_eq!(alignment_positions(32), [6, 34, 60, 86, 112, 138]);
    }

    #[test]
    fn a_payload_gets_finders_and_format_bits() {
        let m = encode(b"00020101021226720020ID.MADDSTORE.SANDBOX").unwrap();
        assert_eq!(m.size, 29);
        // Finder corners dark, separator light, the dark module present.
        assert!(m.dark[0] && m.dark[6] && !m.dark[7]);
        assert!(m.dark[(m.size - 8) * m.size + 8]);
        let svg = svg("hello", true).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("QRIS"));
        assert!(encode(&[b'x'; 3000]).is_none());
    }
}
