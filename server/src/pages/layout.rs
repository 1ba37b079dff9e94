//! The page frame shared by every page, and HTML escaping.

use actix_web::http::StatusCode;
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
#[derive(Debug)]
pub struct Page<'a> {
    /// The `<title>` and the page's subject.
    pub title: &'a str,
    /// The `<main>` content, already escaped.
    pub main: String,
    /// Who is signed in, for the header.
    pub signed_in_as: Option<&'a str>,
    /// CSRF token for the sign-out form when signed in.
    pub csrf_token: Option<&'a str>,
}

impl Page<'_> {
    /// Renders the page as an HTML response with the given status.
    pub fn respond(&self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(self.render())
    }

    /// The complete HTML document.
    pub fn render(&self) -> String {
        let account = match (self.signed_in_as, self.csrf_token) {
            (Some(email), Some(csrf)) => format!(
                r#"<p class="govuk-body-s">Signed in as {}</p>
<form method="post" action="/logout" novalidate><input type="hidden" name="csrf_token" value="{}">
<button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Sign out</button></form>"#,
                escape(email),
                escape(csrf)
            ),
            _ => String::new(),
        };
        format!(
            r##"<!DOCTYPE html>
<html lang="en" dir="ltr" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{title} – youdecide</title>
</head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header" role="banner"><div class="govuk-header__container govuk-width-container">
<a href="/" class="govuk-header__link govuk-header__service-name">youdecide</a>{account}
</div></header>
<div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content" role="main">
{main}
</main>
</div>
<footer class="govuk-footer" role="contentinfo"><div class="govuk-width-container">
<p class="govuk-body-s">youdecide – participatory budgeting for community partnerships</p>
</div></footer>
</body>
</html>"##,
            title = escape(self.title),
            main = self.main,
        )
    }
}

/// A GOV.UK error summary listing messages, each linking to its field.
pub fn error_summary(errors: &[(&str, String)]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let items: String = errors
        .iter()
        .map(|(field, msg)| {
            format!(
                r##"<li><a href="#{}">{}</a></li>"##,
                escape(field),
                escape(msg)
            )
        })
        .collect();
    format!(
        r#"<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert">
<h2 class="govuk-error-summary__title">There is a problem</h2>
<div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">{items}</ul></div>
</div></div>"#
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
