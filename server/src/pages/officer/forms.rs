//! Form fields in GOV.UK patterns, and the conversions of what officers type: pounds to
//! pence, UK local times to UTC.

use super::*;

pub(super) fn input(
    id: &str,
    label: &str,
    hint: &str,
    value: &str,
    kind: &str,
    errors: &[(String, String)],
    class: &str,
) -> String {
    let error = errors.iter().find(|(f, _)| f == id).map(|(_, m)| m);
    let group = if error.is_some() {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    };
    let hint_html = if hint.is_empty() {
        String::new()
    } else {
        format!(
            r#"<div id="{id}-hint" class="govuk-hint">{}</div>"#,
            escape(hint)
        )
    };
    let error_html = error.map_or(String::new(), |m| {
        format!(
            r#"<p id="{id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
            escape(m)
        )
    });
    let described: Vec<String> = [
        (!hint.is_empty()).then(|| format!("{id}-hint")),
        error.map(|_| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let aria = if described.is_empty() {
        String::new()
    } else {
        format!(r#" aria-describedby="{}""#, described.join(" "))
    };
    let control = if kind == "textarea" {
        format!(
            r#"<textarea class="govuk-textarea" id="{id}" name="{id}" rows="5"{aria}>{}</textarea>"#,
            escape(value)
        )
    } else {
        let err_class = if error.is_some() {
            " govuk-input--error"
        } else {
            ""
        };
        format!(
            r#"<input class="govuk-input {class}{err_class}" id="{id}" name="{id}" type="{kind}" value="{}"{aria}>"#,
            escape(value)
        )
    };
    format!(
        r#"<div class="{group}"><label class="govuk-label" for="{id}">{}</label>{hint_html}{error_html}{control}</div>"#,
        escape(label)
    )
}

/// Radios or checkboxes in a fieldset.
pub(super) fn choices(
    kind: &str,
    name: &str,
    legend: &str,
    options: &[(&str, &str)],
    chosen: &dyn Fn(&str) -> bool,
    errors: &[(String, String)],
) -> String {
    let error = errors.iter().find(|(f, _)| f == name).map(|(_, m)| m);
    let items: String = options
        .iter()
        .enumerate()
        .map(|(i, (value, label))| {
            let id = if i == 0 {
                name.to_string()
            } else {
                format!("{name}-{i}")
            };
            let checked = if chosen(value) { " checked" } else { "" };
            let input_name = if kind == "checkboxes" {
                format!("{name}_{value}")
            } else {
                name.to_string()
            };
            let class = if kind == "checkboxes" { "govuk-checkboxes" } else { "govuk-radios" };
            let input_type = if kind == "checkboxes" { "checkbox" } else { "radio" };
            format!(
                r#"<div class="{class}__item"><input class="{class}__input" id="{id}" name="{input_name}" type="{input_type}" value="{value}"{checked}><label class="govuk-label {class}__label" for="{id}">{}</label></div>"#,
                escape(label)
            )
        })
        .collect();
    let class = if kind == "checkboxes" {
        "govuk-checkboxes"
    } else {
        "govuk-radios"
    };
    let (group, err) = match error {
        Some(m) => (
            "govuk-form-group govuk-form-group--error",
            format!(
                r#"<p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
                escape(m)
            ),
        ),
        None => ("govuk-form-group", String::new()),
    };
    format!(
        r#"<div class="{group}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>{err}<div class="{class} govuk-checkboxes--small" data-module="{class}">{items}</div></fieldset></div>"#,
        escape(legend)
    )
}

/// A UK local date and time as typed (`2027-03-01T09:00`) to UTC.
pub(super) fn from_uk_local(local: NaiveDateTime) -> NaiveDateTime {
    let summer = local - Duration::hours(1);
    if uk_local(summer) == local {
        summer
    } else {
        local
    }
}

/// For a `datetime-local` input: a stored UTC time in UK local time.
pub(super) fn local_input(t: NaiveDateTime) -> String {
    uk_local(t).format("%Y-%m-%dT%H:%M").to_string()
}

/// Pounds as typed (`£12,000.50`) to pence.
pub(super) fn pence(text: &str) -> Option<i64> {
    let clean: String = text
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let pounds: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    pounds.checked_mul(100)?.checked_add(frac)
}

pub(super) fn pounds_input(pence: i64) -> String {
    if pence % 100 == 0 {
        (pence / 100).to_string()
    } else {
        format!("{}.{:02}", pence / 100, pence % 100)
    }
}

// ----- the partnership's rounds and audit log -----
