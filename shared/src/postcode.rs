//! UK-style postcodes: normalisation (upper case, one space before the inward code), shape
//! checks for full postcodes and for the prefixes areas are defined by, and prefix matching
//! that respects the postcode's parts (so `DN1` matches `DN1 2AB` but not `DN15 6AB`).

use thiserror::Error;

/// Why a postcode or prefix was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PostcodeError {
    /// Not shaped like a UK postcode.
    #[error("\"{0}\" is not a full UK postcode, like DN15 6AB")]
    NotAPostcode(String),
    /// Not shaped like the start of a UK postcode.
    #[error("\"{0}\" is not the start of a UK postcode, like DN, DN15 or DN15 6")]
    NotAPrefix(String),
}

/// Upper case, no leading or trailing space, and exactly one space before the last three
/// characters (the inward code) when there are at least five.
pub fn normalise(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    if compact.len() >= 5 && compact.is_ascii() {
        let (out, inw) = compact.split_at(compact.len() - 3);
        format!("{out} {inw}")
    } else {
        compact
    }
}

/// Whether an outward code (`DN15`, `SW1A`, `M1`) has a valid shape: one or two letters, a
/// digit, then optionally a letter or digit.
fn valid_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
        _ => false,
    }
}

/// Normalises and checks a full postcode (`dn156ab` → `DN15 6AB`).
pub fn parse(raw: &str) -> Result<String, PostcodeError> {
    let n = normalise(raw);
    let ok = n.split_once(' ').is_some_and(|(out, inw)| {
        let i = inw.as_bytes();
        valid_outward(out)
            && i.len() == 3
            && i[0].is_ascii_digit()
            && i[1].is_ascii_uppercase()
            && i[2].is_ascii_uppercase()
    });
    if ok {
        Ok(n)
    } else {
        Err(PostcodeError::NotAPostcode(raw.trim().to_string()))
    }
}

/// Normalises and checks an area prefix: a postcode area (`DN`), district (`DN15`), sector
/// (`DN15 6`) or sector and unit letters (`DN15 6A`, `DN15 6AB`).
pub fn parse_prefix(raw: &str) -> Result<String, PostcodeError> {
    let words: Vec<String> = raw.split_whitespace().map(str::to_uppercase).collect();
    let bad = || PostcodeError::NotAPrefix(raw.trim().to_string());
    match words.as_slice() {
        [one] if one.chars().all(|c| c.is_ascii_uppercase()) && (1..=2).contains(&one.len()) => {
            Ok(one.clone())
        }
        [one] if valid_outward(one) => Ok(one.clone()),
        [out, inw] if valid_outward(out) => {
            let i = inw.as_bytes();
            let ok = !i.is_empty()
                && i.len() <= 3
                && i[0].is_ascii_digit()
                && i[1..].iter().all(u8::is_ascii_uppercase);
            if ok {
                Ok(format!("{out} {inw}"))
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

/// Whether a normalised postcode falls under a normalised prefix, part by part.
pub fn matches(prefix: &str, postcode: &str) -> bool {
    let Some((out, inw)) = postcode.split_once(' ') else {
        return false;
    };
    match prefix.split_once(' ') {
        Some((p_out, p_in)) => out == p_out && inw.starts_with(p_in),
        None if prefix.chars().all(|c| c.is_ascii_uppercase()) => {
            out.starts_with(prefix) && out[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
        }
        None => out == prefix,
    }
}

/// How specific a prefix is (longer wins when several areas match).
pub fn specificity(prefix: &str) -> usize {
    prefix.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_postcodes() {
        assert_eq!(normalise(" dn15 6ab "), "DN15 6AB");
        assert_eq!(normalise("dn156ab"), "DN15 6AB");
        assert_eq!(normalise("M1  1AE"), "M1 1AE");
        assert_eq!(parse("sw1a1aa").unwrap(), "SW1A 1AA");
        for bad in ["", "DN15", "12345", "DN15 6A1", "DNN15 6AB", "D 6AB"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn checks_prefix_shapes() {
        for (raw, norm) in [
            ("dn", "DN"),
            ("DN15", "DN15"),
            ("dn15 6", "DN15 6"),
            ("DN15  6A", "DN15 6A"),
            ("SW1A 1AA", "SW1A 1AA"),
        ] {
            assert_eq!(parse_prefix(raw).unwrap(), norm);
        }
        for bad in ["", "DN15 A", "123", "DN15 6AB7", "D-N", "DN15 6 7", "ABC"] {
            assert!(parse_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matches_by_parts() {
        assert!(matches("DN15 6", "DN15 6AB"));
        assert!(!matches("DN15 6", "DN15 7AB"));
        assert!(matches("DN15", "DN15 6AB"));
        assert!(!matches("DN1", "DN15 6AB"));
        assert!(matches("DN1", "DN1 2AB"));
        assert!(matches("DN", "DN15 6AB"));
        assert!(!matches("D", "DN15 6AB"));
        assert!(matches("M", "M1 1AE"));
    }
}
