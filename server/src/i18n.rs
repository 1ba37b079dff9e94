//! Interface text of the public pages in English, Welsh, Polish and Urdu (right to left), from
//! the Fluent files in `server/locales`, and the choice of language for a request: `?lang=`,
//! then the `yd_lang` cookie, then the browser's `Accept-Language`, among the languages a page
//! offers; English otherwise.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The cookie remembering a chosen language.
pub const COOKIE: &str = "yd_lang";

/// A shipped language: code, direction, Fluent sources.
struct Shipped {
    code: &'static str,
    dir: &'static str,
    sources: &'static [&'static str],
}

const SHIPPED: [Shipped; 4] = [
    Shipped {
        code: "en",
        dir: "ltr",
        sources: &[
            include_str!("../locales/en/pages.ftl"),
            include_str!("../locales/en/vote.ftl"),
            include_str!("../locales/en/results.ftl"),
        ],
    },
    Shipped {
        code: "cy",
        dir: "ltr",
        sources: &[
            include_str!("../locales/cy/pages.ftl"),
            include_str!("../locales/cy/vote.ftl"),
            include_str!("../locales/cy/results.ftl"),
        ],
    },
    Shipped {
        code: "pl",
        dir: "ltr",
        sources: &[
            include_str!("../locales/pl/pages.ftl"),
            include_str!("../locales/pl/vote.ftl"),
            include_str!("../locales/pl/results.ftl"),
        ],
    },
    Shipped {
        code: "ur",
        dir: "rtl",
        sources: &[
            include_str!("../locales/ur/pages.ftl"),
            include_str!("../locales/ur/vote.ftl"),
            include_str!("../locales/ur/results.ftl"),
        ],
    },
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<&'static str, Bundle> {
    static BUNDLES: OnceLock<HashMap<&'static str, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|s| {
                let id: unic_langid::LanguageIdentifier =
                    s.code.parse().expect("shipped language codes are valid");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                bundle.set_use_isolating(false);
                for source in s.sources {
                    // Syntax errors are caught by the tests below; a bad entry is skipped.
                    let resource = FluentResource::try_new((*source).to_string())
                        .unwrap_or_else(|(partial, _)| partial);
                    bundle.add_resource_overriding(resource);
                }
                (s.code, bundle)
            })
            .collect()
    })
}

/// A language the pages are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang {
    /// BCP 47 code: `en`, `cy`, `pl` or `ur`.
    pub code: &'static str,
    /// Text direction: `ltr` or `rtl`.
    pub dir: &'static str,
}

impl Default for Lang {
    fn default() -> Self {
        Lang::ENGLISH
    }
}

impl Lang {
    /// English.
    pub const ENGLISH: Lang = Lang {
        code: "en",
        dir: "ltr",
    };

    /// A shipped language by code.
    pub fn find(code: &str) -> Option<Lang> {
        SHIPPED
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(code.trim()))
            .map(|s| Lang {
                code: s.code,
                dir: s.dir,
            })
    }

    /// The language for a request among `offered` codes (English is always offered).
    pub fn pick(req: &HttpRequest, offered: &[String]) -> Lang {
        let ok = |code: &str| {
            Lang::find(code).filter(|l| l.code == "en" || offered.iter().any(|o| o == l.code))
        };
        let query = req.query_string().split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == "lang").then_some(v)
        });
        if let Some(l) = query.and_then(ok) {
            return l;
        }
        if let Some(l) = req.cookie(COOKIE).and_then(|c| ok(c.value())) {
            return l;
        }
        let accept = req
            .headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut wanted: Vec<(f32, &str)> = accept
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, tag.split('-').next()?))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
        wanted
            .into_iter()
            .find_map(|(_, tag)| ok(tag))
            .unwrap_or(Lang::ENGLISH)
    }

    /// A cookie remembering this language, when the request chose it with `?lang=`.
    pub fn cookie_if_chosen(self, req: &HttpRequest) -> Option<Cookie<'static>> {
        req.query_string().contains("lang=").then(|| {
            Cookie::build(COOKIE, self.code)
                .path("/")
                .same_site(SameSite::Lax)
                .max_age(actix_web::cookie::time::Duration::days(365))
                .finish()
        })
    }

    /// A message.
    pub fn t(self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with variables.
    pub fn ta(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.format(id, Some(&fa))
    }

    /// Formats `id` in this language, else in English, else returns the id.
    fn format(self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for code in [self.code, "en"] {
            let Some(bundle) = bundles().get(code) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    /// The message ids of a language's files.
    fn ids(code: &str) -> Vec<String> {
        let shipped = SHIPPED.iter().find(|s| s.code == code);
        shipped
            .into_iter()
            .flat_map(|s| s.sources.iter())
            .flat_map(|src| src.lines())
            .filter_map(|l| {
                let (id, _) = l.split_once(" =")?;
                (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                    .then(|| id.to_string())
            })
            .collect()
    }

    #[test]
    fn every_language_parses_and_has_every_message() {
        let english = ids("en");
        assert!(english.len() > 50, "{}", english.len());
        for s in &SHIPPED {
            for source in s.sources {
                assert!(
                    FluentResource::try_new((*source).to_string()).is_ok(),
                    "{}: a syntax error",
                    s.code
                );
            }
            let own = ids(s.code);
            let missing: Vec<_> = english.iter().filter(|id| !own.contains(id)).collect();
            let extra: Vec<_> = own.iter().filter(|id| !english.contains(id)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                s.code
            );
        }
    }

    #[test]
    fn messages_take_variables() {
        let en = Lang::ENGLISH;
        assert_eq!(
            en.ta("who-self", &[("age", 16.into())]),
            "You can vote if you live in the area and are 16 or older. Each person can vote once."
        );
        assert_eq!(Lang::find("ur").unwrap().dir, "rtl");
        assert_eq!(Lang::find("ur").unwrap().t("lang-name"), "اردو");
        assert_eq!(en.t("no-such-message"), "no-such-message");
    }

    #[test]
    fn the_request_picks_among_offered_languages() {
        let offered = vec!["en".to_string(), "cy".to_string()];
        let pick = |req: TestRequest| Lang::pick(&req.to_http_request(), &offered).code;
        assert_eq!(pick(TestRequest::with_uri("/r?lang=cy")), "cy");
        assert_eq!(pick(TestRequest::with_uri("/r?lang=ur")), "en");
        assert_eq!(
            pick(TestRequest::default().cookie(Cookie::new(COOKIE, "cy"))),
            "cy"
        );
        assert_eq!(
            pick(TestRequest::default().insert_header(("Accept-Language", "pl, cy;q=0.8"))),
            "cy"
        );
        assert_eq!(pick(TestRequest::default()), "en");
    }
}
