//! Form bodies read strictly: `application/x-www-form-urlencoded` fields that must decode to
//! UTF-8. (The usual decoders replace bad bytes silently, which would turn a malformed name into
//! a different voter key.) A bad body gets 400 `invalid_form` and changes nothing.

use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// The largest form body read (the pages' forms are a few kilobytes).
const LIMIT: usize = 256 * 1024;

/// A form's fields in the order sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The fields in order.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// The fields by name (the last of a repeated name wins).
    pub fn into_map(self) -> HashMap<String, String> {
        self.0.into_iter().collect()
    }

    /// Parses a form body.
    pub fn parse(body: &[u8]) -> Result<FormFields, AppError> {
        let mut fields = Vec::new();
        for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            fields.push((decode(name)?, decode(value)?));
        }
        Ok(FormFields(fields))
    }
}

fn unreadable() -> AppError {
    AppError::bad_request(
        "invalid_form",
        "The form could not be read: it must be form fields in UTF-8.",
    )
}

/// Decodes `+` and `%XX`, then requires UTF-8.
fn decode(raw: &[u8]) -> Result<String, AppError> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex),
                    raw.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(unreadable());
                };
                out.push(h << 4 | l);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| unreadable())
}

impl FromRequest for FormFields {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::bad_request(
                    "invalid_form",
                    "Send the form as application/x-www-form-urlencoded.",
                ));
            }
            let body = body.await.map_err(|_| {
                AppError::bad_request(
                    "invalid_form",
                    format!("The form is too large (more than {} KB).", LIMIT / 1024),
                )
            })?;
            if body.len() > LIMIT {
                return Err(AppError::bad_request(
                    "invalid_form",
                    format!("The form is too large (more than {} KB).", LIMIT / 1024),
                ));
            }
            FormFields::parse(&body)
        })
    }
}

/// A form's fields by name (the last of a repeated name wins), read as strictly.
#[derive(Debug, Clone, Default)]
pub struct FormMap(pub HashMap<String, String>);

impl std::ops::Deref for FormMap {
    type Target = HashMap<String, String>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FromRequest for FormMap {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fields = FormFields::from_request(req, payload);
        Box::pin(async move { Ok(FormMap(fields.await?.into_map())) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_decode_strictly() {
        let f = FormFields::parse(
            b"name=Ann+O%27Hara&p-bench=yes&empty=&flag&caf%C3%A9=%C5%81%C3%B3d%C5%BA",
        )
        .unwrap();
        assert_eq!(
            f.0,
            vec![
                ("name".into(), "Ann O'Hara".into()),
                ("p-bench".into(), "yes".into()),
                ("empty".into(), String::new()),
                ("flag".into(), String::new()),
                ("café".into(), "Łódź".into()),
            ]
        );
        for bad in [
            &b"name=%FF%FE"[..],
            b"name=\xff",
            b"name=%4",
            b"name=%zz",
            b"%C3=1",
        ] {
            let e = FormFields::parse(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_form", "{bad:?}");
        }
        assert_eq!(FormFields::parse(b"").unwrap(), FormFields::default());
    }
}
