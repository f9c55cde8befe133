//! The picture behind `qr_url`: a QR code (ISO/IEC 18004, byte mode, level M) drawn as SVG.
//! Tripay serves a PNG there, but this crate has neither a QR nor an image encoder and its
//! dependencies are fixed, so the simulator draws the symbol itself and serves SVG, which every
//! browser and wallet-app scanner reads off a screen just as well. Versions 1–20 are enough for
//! any QRIS payload (they stay under 300 characters; version 20 holds 666 bytes).

use std::fmt::Write as _;

/// Level M, versions 1–20: (EC codewords per block, blocks of group 1, data codewords per block
/// of group 1, blocks of group 2, data codewords per block of group 2) — ISO/IEC 18004 Table 9.
const LEVEL_M: [(usize, usize, usize, usize, usize); 20] = [
    (10, 1, 16, 0, 0),
    (16, 1, 28, 0, 0),
    (26, 1, 44, 0, 0),
    (18, 2, 32, 0, 0),
    (24, 2, 43, 0, 0),
    (16, 4, 27, 0, 0),
    (18, 4, 31, 0, 0),
    (22, 2, 38, 2, 39),
    (22, 3, 36, 2, 37),
    (26, 4, 43, 1, 44),
    (30, 1, 50, 4, 51),
    (22, 6, 36, 2, 37),
    (22, 8, 37, 1, 38),
    (24, 4, 40, 5, 41),
    (24, 5, 41, 5, 42),
    (28, 7, 45, 3, 46),
    (28, 10, 46, 1, 47),
    (26, 9, 43, 4, 44),
    (26, 3, 44, 11, 45),
    (26, 3, 41, 13, 42),
];

/// Centre coordinates of the alignment patterns, versions 2–20 (version 1 has none).
const ALIGNMENT: [&[usize]; 19] = [
    &[6, 18],
    &[6, 22],
    &[6, 26],
    &[6, 30],
    &[6, 34],
    &[6, 22, 38],
    &[6, 24, 42],
    &[6, 26, 46],
    &[6, 28, 50],
    &[6, 30, 54],
    &[6, 32, 58],
    &[6, 34, 62],
    &[6, 26, 46, 66],
    &[6, 26, 48, 70],
    &[6, 26, 50, 74],
    &[6, 30, 54, 78],
    &[6, 30, 56, 82],
    &[6, 30, 58, 86],
    &[6, 34, 62, 90],
];

/// The symbol as an SVG document, or `None` when `text` is longer than version 20 holds.
pub(super) fn svg(text: &str) -> Option<String> {
    let grid = encode(text.as_bytes(), None)?;
    let size = grid.size;
    // The standard quiet zone of four modules on every side.
    let full = size + 8;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if grid.dark(x, y) {
                let _ = write!(path, "M{} {}h1v1h-1z", x + 4, y + 4);
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QRIS\">\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// A square of modules, row by row; `function` marks the modules data may not use.
pub(super) struct Grid {
    pub(super) size: usize,
    modules: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn new(size: usize) -> Grid {
        Grid {
            size,
            modules: vec![false; size * size],
            function: vec![false; size * size],
        }
    }

    pub(super) fn dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.size + x]
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.modules[i] = dark;
        self.function[i] = true;
    }
}

/// The smallest version that holds `data` in byte mode at level M.
fn version_for(len: usize) -> Option<usize> {
    (1..=20).find(|&v| {
        let (_, b1, d1, b2, d2) = LEVEL_M[v - 1];
        let count_bits = if v < 10 { 8 } else { 16 };
        4 + count_bits + 8 * len <= 8 * (b1 * d1 + b2 * d2)
    })
}

/// Encodes `data`; `mask` forces a mask pattern (tests), else the one with the lowest penalty.
pub(super) fn encode(data: &[u8], mask: Option<u8>) -> Option<Grid> {
    let version = version_for(data.len())?;
    let codewords = codewords(data, version);
    let mut base = Grid::new(17 + 4 * version);
    draw_function_patterns(&mut base, version);
    draw_codewords(&mut base, &codewords);
    let masks: Vec<u8> = match mask {
        Some(m) => vec![m & 7],
        None => (0..8).collect(),
    };
    masks
        .into_iter()
        .map(|m| {
            let mut grid = Grid {
                size: base.size,
                modules: base.modules.clone(),
                function: base.function.clone(),
            };
            apply_mask(&mut grid, m);
            draw_format(&mut grid, m);
            (penalty(&grid), grid)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, grid)| grid)
}

/// Mode, count, data, terminator and padding, split into blocks with their Reed–Solomon
/// codewords, then interleaved as the symbol stores them.
fn codewords(data: &[u8], version: usize) -> Vec<u8> {
    let (ec_len, b1, d1, b2, d2) = LEVEL_M[version - 1];
    let capacity = b1 * d1 + b2 * d2;
    let mut bits: Vec<bool> = Vec::with_capacity(capacity * 8);
    let mut push = |value: usize, width: usize| {
        for i in (0..width).rev() {
            bits.push((value >> i) & 1 == 1);
        }
    };
    push(0b0100, 4);
    push(data.len(), if version < 10 { 8 } else { 16 });
    for &b in data {
        push(usize::from(b), 8);
    }
    let terminator = (capacity * 8 - bits.len()).min(4);
    bits.extend(std::iter::repeat_n(false, terminator));
    while !bits.len().is_multiple_of(8) {
        bits.push(false);
    }
    let mut bytes: Vec<u8> = bits
        .chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, &b| (acc << 1) | u8::from(b)))
        .collect();
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity {
            break;
        }
        bytes.push(pad);
    }
    let divisor = rs_divisor(ec_len);
    let mut blocks: Vec<(&[u8], Vec<u8>)> = Vec::with_capacity(b1 + b2);
    let mut rest = &bytes[..];
    for len in std::iter::repeat_n(d1, b1).chain(std::iter::repeat_n(d2, b2)) {
        let (block, tail) = rest.split_at(len);
        blocks.push((block, rs_remainder(block, &divisor)));
        rest = tail;
    }
    let mut out = Vec::with_capacity(capacity + ec_len * (b1 + b2));
    for i in 0..d1.max(d2) {
        out.extend(blocks.iter().filter_map(|(block, _)| block.get(i)));
    }
    for i in 0..ec_len {
        out.extend(blocks.iter().map(|(_, ec)| ec[i]));
    }
    out
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u16 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u16::from((y >> i) & 1) * u16::from(x);
    }
    u8::try_from(z & 0xFF).unwrap_or(0)
}

/// The generator polynomial of degree `degree` (leading 1 left out), highest power first.
fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root: u8 = 1;
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
        let factor = b ^ result[0];
        result.rotate_left(1);
        if let Some(last) = result.last_mut() {
            *last = 0;
        }
        for (r, &d) in result.iter_mut().zip(divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    result
}

fn draw_function_patterns(grid: &mut Grid, version: usize) {
    let size = grid.size;
    for i in 0..size {
        grid.set_function(6, i, i % 2 == 0);
        grid.set_function(i, 6, i % 2 == 0);
    }
    for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
        for dy in -4i64..=4 {
            for dx in -4i64..=4 {
                let (Some(x), Some(y)) = (offset(cx, dx, size), offset(cy, dy, size)) else {
                    continue;
                };
                let dist = dx.abs().max(dy.abs());
                grid.set_function(x, y, dist != 2 && dist != 4);
            }
        }
    }
    if version >= 2 {
        let positions = ALIGNMENT[version - 2];
        let last = positions.len() - 1;
        for (i, &x) in positions.iter().enumerate() {
            for (j, &y) in positions.iter().enumerate() {
                // The three corners taken by the finder patterns.
                if [(0, 0), (0, last), (last, 0)].contains(&(i, j)) {
                    continue;
                }
                for dy in 0..5usize {
                    for dx in 0..5usize {
                        let dist = dx.abs_diff(2).max(dy.abs_diff(2));
                        grid.set_function(x + dx - 2, y + dy - 2, dist != 1);
                    }
                }
            }
        }
    }
    // Reserves the format areas (and the dark module); the real bits come with the mask.
    draw_format(grid, 0);
    if version >= 7 {
        let mut rem = version;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let bits = (version << 12) | rem;
        for i in 0..18 {
            let dark = (bits >> i) & 1 == 1;
            let a = size - 11 + i % 3;
            let b = i / 3;
            grid.set_function(a, b, dark);
            grid.set_function(b, a, dark);
        }
    }
}

fn offset(centre: usize, delta: i64, size: usize) -> Option<usize> {
    let v = i64::try_from(centre).ok()? + delta;
    usize::try_from(v).ok().filter(|&v| v < size)
}

/// The 15 format bits (level M = `00`, the mask, BCH code, XOR mask) in both copies.
fn draw_format(grid: &mut Grid, mask: u8) {
    let size = grid.size;
    let data = usize::from(mask);
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    let bits = ((data << 10) | rem) ^ 0x5412;
    let bit = |i: usize| (bits >> i) & 1 == 1;
    for i in 0..=5 {
        grid.set_function(8, i, bit(i));
    }
    grid.set_function(8, 7, bit(6));
    grid.set_function(8, 8, bit(7));
    grid.set_function(7, 8, bit(8));
    for i in 9..15 {
        grid.set_function(14 - i, 8, bit(i));
    }
    for i in 0..8 {
        grid.set_function(size - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        grid.set_function(8, size - 15 + i, bit(i));
    }
    grid.set_function(8, size - 8, true);
}

/// Places the codewords in the two-column zigzag, skipping function modules.
fn draw_codewords(grid: &mut Grid, data: &[u8]) {
    let size = grid.size;
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
            for j in 0..2 {
                let x = right - j;
                let index = y * size + x;
                if !grid.function[index] && i < total {
                    grid.modules[index] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1;
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

fn apply_mask(grid: &mut Grid, mask: u8) {
    let size = grid.size;
    for y in 0..size {
        for x in 0..size {
            let invert = match mask {
                0 => (x + y) % 2 == 0,
                1 => y % 2 == 0,
                2 => x % 3 == 0,
                3 => (x + y) % 3 == 0,
                4 => (x / 3 + y / 2) % 2 == 0,
                5 => x * y % 2 + x * y % 3 == 0,
                6 => (x * y % 2 + x * y % 3) % 2 == 0,
                _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
            };
            let index = y * size + x;
            if invert && !grid.function[index] {
                grid.modules[index] = !grid.modules[index];
            }
        }
    }
}

/// The standard's penalty rules 1 (runs), 2 (2×2 blocks) and 4 (balance); rule 3 (finder-like
/// runs) is left out: it only steers the choice among masks that all decode.
fn penalty(grid: &Grid) -> usize {
    let size = grid.size;
    let mut score = 0;
    for line in 0..size {
        for horizontal in [true, false] {
            let mut run = 0;
            let mut last = None;
            for k in 0..size {
                let dark = if horizontal {
                    grid.dark(k, line)
                } else {
                    grid.dark(line, k)
                };
                if Some(dark) == last {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                    last = Some(dark);
                }
            }
            if run >= 5 {
                score += run - 2;
            }
        }
    }
    for y in 0..size - 1 {
        for x in 0..size - 1 {
            let d = grid.dark(x, y);
            if d == grid.dark(x + 1, y) && d == grid.dark(x, y + 1) && d == grid.dark(x + 1, y + 1)
            {
                score += 3;
            }
        }
    }
    let dark = grid.modules.iter().filter(|&&d| d).count();
    let total = size * size;
    let k = (dark * 20)
        .abs_diff(total * 10)
        .div_ceil(total)
        .saturating_sub(1);
    score + k * 10
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every version 1–20 and mask was compared module by module with the `qrcode` crate's symbol
    // for the same bytes (a scratch program; that crate is not a dependency here).
    #[test]
    fn picks_the_smallest_version() {
        assert_eq!(version_for(14), Some(1));
        assert_eq!(version_for(15), Some(2));
        assert_eq!(version_for(213), Some(10));
        assert_eq!(version_for(666), Some(20));
        assert_eq!(version_for(667), None);
    }

    #[test]
    fn draws_an_svg_with_finder_patterns() {
        let grid = encode(b"hello", Some(0)).unwrap();
        assert_eq!(grid.size, 21);
        // Finder pattern corners are dark, their separators light.
        assert!(grid.dark(0, 0) && grid.dark(6, 6) && !grid.dark(7, 7));
        assert!(grid.dark(20, 0) && grid.dark(0, 20));
        let picture = svg("hello").unwrap();
        assert!(picture.starts_with("<svg") && picture.contains("viewBox=\"0 0 29 29\""));
        assert!(svg(&"x".repeat(700)).is_none());
    }
}
