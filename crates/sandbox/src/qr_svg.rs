//! QR pictures of payloads for the gateway simulators' image URLs and pay pages, drawn with the
//! `qrcode` crate (the same encoder the store's invoice uses). SVG, not the PNG the real gateways
//! serve: no image encoder is needed, and a browser or a scanner reads either.

/// An SVG of the code for `text` with its quiet zone; `band` adds a header band with that label
/// above it (Midtrans's `generate-qr-code-v2` image has the QRIS frame). `None` when the text is
/// too long for a QR code.
pub fn svg(text: &str, band: Option<&str>) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let size = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let width = size + 2 * quiet;
    let header = if band.is_some() { 8 } else { 0 };
    let mut path = String::new();
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % size + quiet, i / size + quiet + header);
            path.push_str(&format!("M{x},{y}h1v1h-1z"));
        }
    }
    let height = width + header;
    let top = band.map_or_else(String::new, |label| {
        format!(
            "<rect width=\"{width}\" height=\"{header}\" fill=\"#be1e2d\"/>\
             <text x=\"{x}\" y=\"5.5\" font-family=\"sans-serif\" font-size=\"4\" font-weight=\"700\" \
             fill=\"#fff\" text-anchor=\"middle\">{label}</text>",
            x = width / 2,
            label = crate::html::escape(label),
        )
    });
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{w}\" height=\"{h}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QRIS\">\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>{top}\
         <path fill=\"#000\" d=\"{path}\"/></svg>",
        w = width * 6,
        h = height * 6,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_drawn_and_a_band_labelled() {
        let plain = super::svg("hello", None).unwrap();
        assert!(
            plain.starts_with("<svg") && plain.contains("M4,4h1v1h-1z"),
            "{plain}"
        );
        let framed = super::svg("hello", Some("QRIS · MADD STORE SANDBOX")).unwrap();
        assert!(framed.contains("QRIS · MADD STORE SANDBOX") && framed.contains("M4,12h1v1h-1z"));
        assert!(super::svg(&"x".repeat(5000), None).is_none());
    }
}
