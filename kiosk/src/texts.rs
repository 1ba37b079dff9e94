//! The kiosk's interface text, from Fluent files in English, Welsh, Polish and Urdu (right to
//! left). The voting screen receives each language's messages as JSON, with variables left as
//! `{name}` placeholders for the page to fill in.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::collections::BTreeMap;

/// The shipped languages: code, Fluent source, text direction.
pub const LANGUAGES: [(&str, &str, &str); 4] = [
    ("en", include_str!("../locales/en/kiosk.ftl"), "ltr"),
    ("cy", include_str!("../locales/cy/kiosk.ftl"), "ltr"),
    ("pl", include_str!("../locales/pl/kiosk.ftl"), "ltr"),
    ("ur", include_str!("../locales/ur/kiosk.ftl"), "rtl"),
];

/// The variables messages may use.
const VARIABLES: [&str; 4] = ["age", "area", "money", "budget"];

/// One language's messages, rendered with placeholders; errors name the message.
pub fn messages(code: &str) -> Result<BTreeMap<String, String>, String> {
    let (_, source, _) = LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .ok_or_else(|| format!("no texts for language {code}"))?;
    let resource = FluentResource::try_new(source.to_string()).map_err(|(_, errs)| {
        format!("{code}: {} syntax error(s) in the Fluent file", errs.len())
    })?;
    let langid: unic_langid::LanguageIdentifier = code
        .parse()
        .map_err(|_| format!("{code} is not a language tag"))?;
    let mut bundle = FluentBundle::new(vec![langid]);
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|e| format!("{code}: {} duplicate message(s)", e.len()))?;
    let mut args = FluentArgs::new();
    for v in VARIABLES {
        args.set(v, FluentValue::from(format!("{{{v}}}")));
    }
    let mut out = BTreeMap::new();
    let ids = source.lines().filter_map(|l| {
        let (id, _) = l.split_once(" =")?;
        (!id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
        .then_some(id)
    });
    for id in ids {
        let msg = bundle
            .get_message(id)
            .ok_or_else(|| format!("{code}: {id} missing"))?;
        let pattern = msg
            .value()
            .ok_or_else(|| format!("{code}: {id} has no value"))?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        if !errors.is_empty() {
            return Err(format!("{code}: {id}: {errors:?}"));
        }
        out.insert(id.to_string(), text.into_owned());
    }
    Ok(out)
}

/// Every language's messages and direction, for the voting screen.
pub fn all() -> serde_json::Value {
    let mut v = serde_json::Map::new();
    for (code, _, dir) in LANGUAGES {
        let msgs = messages(code).unwrap_or_default();
        v.insert(
            code.to_string(),
            serde_json::json!({"dir": dir, "messages": msgs}),
        );
    }
    serde_json::Value::Object(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        let en = messages("en").unwrap();
        assert!(en.len() > 40);
        for (code, _, _) in LANGUAGES {
            let m = messages(code).unwrap();
            let missing: Vec<_> = en.keys().filter(|k| !m.contains_key(*k)).collect();
            let extra: Vec<_> = m.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{code}: missing {missing:?}, extra {extra:?}"
            );
        }
        assert_eq!(messages("en").unwrap()["age-label"], "I am {age} or older");
        assert_eq!(messages("ur").unwrap()["lang-name"], "اردو");
    }
}
