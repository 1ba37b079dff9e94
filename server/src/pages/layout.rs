//! The page frame shared by every page, and HTML escaping.

use crate::assets;
use crate::i18n::Lang;
use actix_web::cookie::Cookie;
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page: title (plain text) and main content (HTML).
#[derive(Debug, Default)]
pub struct Page<'a> {
    /// The `<title>` and the page's subject.
    pub title: &'a str,
    /// The `<main>` content, already escaped.
    pub main: String,
    /// Who is signed in, for the header.
    pub signed_in_as: Option<&'a str>,
    /// CSRF token for the sign-out form when signed in.
    pub csrf_token: Option<&'a str>,
    /// The page's language (English unless set).
    pub lang: Lang,
    /// The language switcher, when the page is offered in several languages.
    pub switcher: Option<String>,
    /// A cookie to set with the page (the chosen language).
    pub cookie: Option<Cookie<'static>>,
}

impl Page<'_> {
    /// Renders the page as an HTML response with the given status.
    pub fn respond(&self, status: StatusCode) -> HttpResponse {
        let mut resp = HttpResponse::build(status);
        resp.content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, self.lang.code));
        if let Some(c) = &self.cookie {
            resp.cookie(c.clone());
        }
        resp.body(self.render())
    }

    /// The complete HTML document.
    pub fn render(&self) -> String {
        let l = self.lang;
        let account = match (self.signed_in_as, self.csrf_token) {
            (Some(email), Some(csrf)) => format!(
                r#"<div class="yd-account"><p class="govuk-body-s yd-header-text">{}</p>
<form method="post" action="/logout" novalidate><input type="hidden" name="csrf_token" value="{}">
<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">{}</button></form></div>"#,
                escape(&l.ta("signed-in-as", &[("email", email.into())])),
                escape(csrf),
                escape(&l.t("sign-out")),
            ),
            _ => String::new(),
        };
        let scripts = if assets::installed() {
            format!(
                r#"<script type="module" src="{}"></script>"#,
                escape(&assets::init_js_href())
            )
        } else {
            String::new()
        };
        format!(
            r##"<!DOCTYPE html>
<html lang="{lang}" dir="{dir}" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{title} – {service}</title>
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{app_css}">
</head>
<body class="govuk-template__body">
<script src="{app_js}"></script>
<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">{skip}</a>
<header class="govuk-header" data-module="govuk-header"><div class="govuk-header__container govuk-width-container">
{account}<div class="govuk-header__logo"><a href="/" class="govuk-header__link govuk-header__service-name">{service}</a></div>
</div></header>
<div class="govuk-width-container">
{switcher}<main class="govuk-main-wrapper" id="main-content">
{main}
</main>
</div>
<footer class="govuk-footer"><div class="govuk-width-container">
<p class="govuk-body-s">{footer}</p>
</div></footer>
{scripts}
</body>
</html>"##,
            lang = l.code,
            dir = l.dir,
            title = escape(self.title),
            service = escape(&l.t("service-name")),
            css = escape(&assets::css_href()),
            app_js = escape(&assets::app_js_href()),
            app_css = escape(&assets::app_css_href()),
            skip = escape(&l.t("skip-link")),
            switcher = self.switcher.as_deref().unwrap_or(""),
            footer = escape(&l.t("footer")),
            main = self.main,
        )
    }
}

/// Links to the same page in each of `offered` languages, each named in its own language;
/// the current one is plain text.
pub fn language_switcher(current: Lang, offered: &[String], path: &str) -> Option<String> {
    let langs: Vec<Lang> = offered.iter().filter_map(|c| Lang::find(c)).collect();
    if langs.len() < 2 {
        return None;
    }
    let items: String = langs
        .iter()
        .map(|l| {
            let name = escape(&l.t("lang-name"));
            if *l == current {
                format!(
                    r#"<li class="yd-lang-item"><span class="govuk-body-s govuk-!-font-weight-bold" lang="{}" aria-current="true">{name}</span></li>"#,
                    l.code
                )
            } else {
                format!(
                    r#"<li class="yd-lang-item"><a class="govuk-link govuk-body-s" href="{}{}lang={}" lang="{}" hreflang="{}">{name}</a></li>"#,
                    escape(path),
                    if path.contains('?') { '&' } else { '?' },
                    l.code,
                    l.code,
                    l.code
                )
            }
        })
        .collect();
    Some(format!(
        r#"<nav class="yd-languages govuk-!-padding-top-2" aria-label="{}"><ul class="govuk-list yd-lang-list">{items}</ul></nav>
"#,
        escape(&current.t("language-label"))
    ))
}

/// A GOV.UK error summary listing messages, each linking to its field.
pub fn error_summary(errors: &[(&str, String)]) -> String {
    error_summary_titled(
        "There is a problem",
        errors.iter().map(|(f, m)| (*f, m.as_str())),
    )
}

/// An error summary under a given (translated) title.
pub fn error_summary_titled<'a>(
    title: &str,
    errors: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let items: String = errors
        .into_iter()
        .map(|(field, msg)| {
            format!(
                r##"<li><a href="#{}">{}</a></li>"##,
                escape(field),
                escape(msg)
            )
        })
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!(
        r#"<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert">
<h2 class="govuk-error-summary__title">{}</h2>
<div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">{items}</ul></div>
</div></div>"#,
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
