//! Request parameters from a form-encoded or a multipart body, as VIP accepts both.

/// The fields of one request. Of duplicated fields the last one wins, as in PHP's `$_POST`.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Reads the body by its content type; anything unreadable is an empty set of parameters,
    /// which the API answers with "missing parameter".
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Params {
        let content_type = content_type.unwrap_or("").trim();
        let fields = if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            boundary(content_type)
                .and_then(|b| parse_multipart(body, &b))
                .unwrap_or_default()
        } else {
            serde_urlencoded::from_bytes(body).unwrap_or_default()
        };
        Params(fields)
    }

    /// A field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A minimal `multipart/form-data` reader: text fields only (files are not part of VIP's API).
fn parse_multipart(body: &[u8], boundary: &str) -> Option<Vec<(String, String)>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = &body[find(body, delimiter)? + delimiter.len()..];
    let mut fields = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(fields);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, delimiter)?;
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];

        let header_end = find(part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..header_end]).ok()?;
        let value = part[header_end + 4..]
            .strip_suffix(b"\r\n")
            .unwrap_or(&part[header_end + 4..]);
        let name = headers.lines().find_map(|line| {
            let (header, value) = line.split_once(':')?;
            if !header.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            value.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
            })
        })?;
        fields.push((name, String::from_utf8(value.to_vec()).ok()?));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoded() {
        let p = Params::parse(
            Some("application/x-www-form-urlencoded"),
            b"key=k&sign=s&type=order&data_zone=&note=a+b%26c",
        );
        assert_eq!(p.get("type"), Some("order"));
        assert_eq!(p.get("data_zone"), None);
        assert_eq!(p.get("note"), Some("a b&c"));
        assert_eq!(p.get("absent"), None);
    }

    #[test]
    fn multipart() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nservices\r\n\
                    --XyZ--\r\n";
        let p = Params::parse(Some("multipart/form-data; boundary=XyZ"), body.as_bytes());
        assert_eq!(p.get("key"), Some("k"));
        assert_eq!(p.get("type"), Some("services"));
        let broken = Params::parse(Some("multipart/form-data; boundary=XyZ"), b"--XyZ\r\nnope");
        assert_eq!(broken.get("key"), None);
        let no_boundary = Params::parse(Some("multipart/form-data"), body.as_bytes());
        assert_eq!(no_boundary.get("key"), None);
    }
}
