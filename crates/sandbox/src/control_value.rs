//! What the simulators' control endpoints read: the same field from an HTML form (always text)
//! or from a JSON body (a number, a boolean or text).

use serde::Deserialize;

/// A form value or a JSON value: forms send everything as text.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Text(String),
}

impl Scalar {
    pub fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Text(t) => t.trim().to_string(),
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Text(t) => t.trim().parse().ok(),
            Scalar::Bool(_) => None,
        }
    }

    pub fn bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            Scalar::Text(t) => match t.trim() {
                "true" | "1" | "on" | "yes" => Some(true),
                "false" | "0" | "off" | "no" => Some(false),
                _ => None,
            },
            Scalar::Int(i) => Some(*i != 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scalar;

    #[test]
    fn a_form_and_a_json_body_read_alike() {
        let form: Scalar = serde_json::from_str(r#"" 250 ""#).unwrap();
        let json: Scalar = serde_json::from_str("250").unwrap();
        assert_eq!((form.int(), json.int()), (Some(250), Some(250)));
        let on: Scalar = serde_json::from_str(r#""on""#).unwrap();
        let yes: Scalar = serde_json::from_str("true").unwrap();
        assert_eq!((on.bool(), yes.bool()), (Some(true), Some(true)));
        assert_eq!(json.text(), "250");
    }
}
