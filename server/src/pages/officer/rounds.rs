//! Creating, changing, opening, closing and cancelling a round, and its page for officers.

use super::forms::*;
use super::projects::project_form;
use super::schedule::slot_form;
use super::*;

pub(super) fn round_values(round: Option<&Round>) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let Some(r) = round else {
        v.insert("method_kind".into(), "approval".into());
        v.insert("min_choices".into(), "1".into());
        v.insert("within_budget".into(), "yes".into());
        v.insert("rule".into(), "equal-shares-completed".into());
        v.insert("min_age".into(), "16".into());
        v.insert("mode".into(), "self-declared".into());
        v.insert("languages_en".into(), "en".into());
        return v;
    };
    v.insert("title".into(), r.spec.title.clone());
    v.insert("description".into(), r.spec.description.clone());
    v.insert("opens_at".into(), local_input(r.row.opens_at));
    v.insert("closes_at".into(), local_input(r.row.closes_at));
    match &r.spec.method {
        Method::Approval {
            min_choices,
            max_choices,
            within_budget,
        } => {
            v.insert("method_kind".into(), "approval".into());
            v.insert("min_choices".into(), min_choices.to_string());
            v.insert(
                "max_choices".into(),
                max_choices.map(|m| m.to_string()).unwrap_or_default(),
            );
            if *within_budget {
                v.insert("within_budget".into(), "yes".into());
            }
        }
        Method::Cumulative {
            points,
            max_per_project,
        } => {
            v.insert("method_kind".into(), "cumulative".into());
            v.insert("points".into(), points.to_string());
            v.insert(
                "max_per_project".into(),
                max_per_project.map(|m| m.to_string()).unwrap_or_default(),
            );
        }
        Method::Ranked { max_ranks } => {
            v.insert("method_kind".into(), "ranked".into());
            v.insert("max_ranks".into(), max_ranks.to_string());
        }
    }
    v.insert("rule".into(), r.spec.rule.clone());
    v.insert("min_age".into(), r.spec.eligibility.min_age.to_string());
    v.insert(
        "mode".into(),
        match r.spec.eligibility.mode {
            EligibilityMode::SelfDeclared => "self-declared",
            EligibilityMode::Code => "code",
            EligibilityMode::Attended => "attended",
        }
        .into(),
    );
    for l in &r.spec.languages {
        v.insert(format!("languages_{l}"), l.clone());
    }
    let areas: Vec<String> = r
        .spec
        .areas
        .iter()
        .map(|a| {
            format!(
                "{} | {} | {} | {}",
                a.key,
                a.name,
                pounds_input(a.budget),
                a.postcodes.join(", ")
            )
        })
        .collect();
    v.insert("areas".into(), areas.join("\n"));
    v
}

/// Turns the round form into the API's JSON, or field problems.
pub(super) fn round_json(form: &HashMap<String, String>) -> Result<Value, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let time = |name: &str, errors: &mut Vec<(String, String)>| match NaiveDateTime::parse_from_str(
        field(form, name),
        "%Y-%m-%dT%H:%M",
    ) {
        Ok(t) => Some(
            chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(
                from_uk_local(t),
                chrono::Utc,
            )
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        Err(_) => {
            errors.push((
                name.to_string(),
                "Enter a date and time, like 2027-03-01 09:00".to_string(),
            ));
            None
        }
    };
    let opens = time("opens_at", &mut errors);
    let closes = time("closes_at", &mut errors);
    let number = |name: &str, errors: &mut Vec<(String, String)>| -> Option<Value> {
        let text = field(form, name);
        if text.is_empty() {
            return Some(Value::Null);
        }
        match text.parse::<u32>() {
            Ok(n) => Some(json!(n)),
            Err(_) => {
                errors.push((name.to_string(), "Enter a whole number".to_string()));
                None
            }
        }
    };
    let method = match field(form, "method_kind") {
        "cumulative" => {
            json!({"kind": "cumulative", "points": number("points", &mut errors), "max_per_project": number("max_per_project", &mut errors)})
        }
        "ranked" => json!({"kind": "ranked", "max_ranks": number("max_ranks", &mut errors)}),
        _ => {
            json!({"kind": "approval", "min_choices": number("min_choices", &mut errors).filter(|v| !v.is_null()).unwrap_or(json!(1)),
                    "max_choices": number("max_choices", &mut errors), "within_budget": form.contains_key("within_budget")})
        }
    };
    let mut areas = Vec::new();
    for (i, line) in field(form, "areas").lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let budget = parts.get(2).and_then(|b| pence(b));
        if parts.len() < 3 || budget.is_none() {
            errors.push((
                "areas".into(),
                format!(
                    "Line {} of the areas must be: key | name | budget in pounds | postcodes",
                    i + 1
                ),
            ));
            continue;
        }
        let postcodes: Vec<&str> = parts
            .get(3)
            .map(|p| {
                p.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        areas.push(
            json!({"key": parts[0], "name": parts[1], "budget": budget, "postcodes": postcodes}),
        );
    }
    let languages: Vec<&str> = LANGUAGES
        .iter()
        .copied()
        .filter(|l| *l == "en" || form.contains_key(&format!("languages_{l}")))
        .collect();
    let min_age = field(form, "min_age").parse::<u32>().unwrap_or_else(|_| {
        errors.push((
            "min_age".into(),
            "Enter the youngest age that can vote, like 16".into(),
        ));
        0
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(json!({
        "title": field(form, "title"),
        "description": form.get("description").map_or("", |s| s.trim()),
        "opens_at": opens, "closes_at": closes,
        "method": method,
        "rule": field(form, "rule"),
        "areas": areas,
        "eligibility": {"min_age": min_age, "mode": field(form, "mode")},
        "languages": languages,
    }))
}

pub(super) fn round_form(
    action: &str,
    token: &str,
    v: &HashMap<String, String>,
    errors: &[(String, String)],
) -> String {
    let get = |k: &str| v.get(k).map_or("", String::as_str);
    let languages: Vec<(&str, &str)> = vec![
        ("en", "English (always offered)"),
        ("cy", "Welsh (Cymraeg)"),
        ("pl", "Polish (Polski)"),
        ("ur", "Urdu (اردو)"),
    ];
    format!(
        r#"{summary}<form method="post" action="{action}" novalidate>{csrf}
{title}{description}{opens}{closes}
{method_kind}
<div class="govuk-inset-text">For approval voting: {min_choices}{max_choices}
{within}
For cumulative voting: {points}{max_per_project}
For ranked voting: {max_ranks}</div>
{rule}
{min_age}{mode}
{languages}
{areas}
<button type="submit" class="govuk-button" data-module="govuk-button">Save round</button>
</form>"#,
        summary = summary_of(errors),
        csrf = hidden_csrf(token),
        title = input("title", "Title", "What residents will see, like Riverside Decides 2027", get("title"), "text", errors, ""),
        description = input("description", "What the round is for", "Plain English. Leave a blank line between paragraphs.", get("description"), "textarea", errors, ""),
        opens = input("opens_at", "Voting opens (UK time)", "", get("opens_at"), "datetime-local", errors, "govuk-input--width-20"),
        closes = input("closes_at", "Voting closes (UK time)", "", get("closes_at"), "datetime-local", errors, "govuk-input--width-20"),
        method_kind = choices("radios", "method_kind", "How residents vote", &[("approval", "Choose projects (approval)"), ("cumulative", "Share out points (cumulative)"), ("ranked", "Put projects in order (ranked)")], &|x| get("method_kind") == x, errors),
        min_choices = input("min_choices", "Fewest projects to choose", "", get("min_choices"), "text", errors, "govuk-input--width-4"),
        max_choices = input("max_choices", "Most projects to choose", "Leave empty for no limit", get("max_choices"), "text", errors, "govuk-input--width-4"),
        within = choices("checkboxes", "within", "Budget", &[("budget", "The chosen projects must fit in the area's budget")], &|_| v.contains_key("within_budget"), errors),
        points = input("points", "Points each voter shares out", "", get("points"), "text", errors, "govuk-input--width-4"),
        max_per_project = input("max_per_project", "Most points for one project", "Leave empty for no limit", get("max_per_project"), "text", errors, "govuk-input--width-4"),
        max_ranks = input("max_ranks", "How many projects can be ranked", "", get("max_ranks"), "text", errors, "govuk-input--width-4"),
        rule = choices("radios", "rule", "How the votes are counted", &[("greedy", "Most votes first (greedy)"), ("equal-shares", "Method of Equal Shares"), ("equal-shares-completed", "Method of Equal Shares, with the money left over used (recommended)"), ("phragmen", "Phragmén's method (approval voting only)")], &|x| get("rule") == x, errors),
        min_age = input("min_age", "Youngest age that can vote", "", get("min_age"), "text", errors, "govuk-input--width-4"),
        mode = choices("radios", "mode", "How residents show they can vote", &[("self-declared", "Postcode, age, name and date of birth (not stored)"), ("code", "A voting code from a poll card"), ("attended", "Checked in person by the kiosk attendant")], &|x| get("mode") == x, errors),
        languages = choices("checkboxes", "languages", "Languages", &languages, &|x| v.contains_key(&format!("languages_{x}")), errors),
        areas = input("areas", "Areas", "One area per line: key | name | budget in pounds | postcode prefixes, separated by commas. For example: town | Town Centre | 35,000 | DN15 6, DN15 7", get("areas"), "textarea", errors, ""),
    )
}

/// The JSON body of an API answer.
pub(super) async fn new_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let values = round_values(None);
    Ok(page(
        &req,
        &caller,
        "Create a round",
        StatusCode::OK,
        |token| {
            format!(
                r#"<h1 class="govuk-heading-l">Create a round</h1>{}"#,
                round_form(&format!("/officer/p/{pid}/rounds/new"), token, &values, &[])
            )
        },
    ))
}

pub(super) async fn create_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let pid = path.into_inner();
    let partnership: PartnershipId = parse_id(&pid, "partnership")?;
    caller.require(&state, partnership, Role::Admin).await?;
    let refused = |errors: Vec<(String, String)>, status: StatusCode| {
        page(&req, &caller, "Create a round", status, |token| {
            format!(
                r#"<h1 class="govuk-heading-l">Create a round</h1>{}"#,
                round_form(
                    &format!("/officer/p/{pid}/rounds/new"),
                    token,
                    &form,
                    &errors
                )
            )
        })
    };
    let body = match round_json(&form) {
        Ok(b) => b,
        Err(errors) => return Ok(refused(errors, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    match api::create(
        state,
        caller.clone(),
        web::Path::from(pid.clone()),
        bytes(&body),
    )
    .await
    {
        Ok(resp) => {
            let created = body_json(resp).await;
            let id = created["id"].as_str().unwrap_or_default();
            Ok(see_other(&format!("/officer/rounds/{id}")))
        }
        Err(
            e @ (AppError::InvalidFields { .. }
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => Ok(refused(problems(&e), refused_status(&e))),
        Err(e) => Err(e),
    }
}

/// Loads a round the officer may see, with their role.
pub(super) async fn edit_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let round = managed_as(&state, &caller, &path, Role::Admin).await?;
    let values = round_values(Some(&round));
    Ok(page(
        &req,
        &caller,
        "Change the round",
        StatusCode::OK,
        |token| {
            format!(
                r#"<h1 class="govuk-heading-l">Change the round</h1>{}"#,
                round_form(
                    &format!("/officer/rounds/{}/edit", round.row.id),
                    token,
                    &values,
                    &[]
                )
            )
        },
    ))
}

pub(super) async fn save_round(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    managed_as(&state, &caller, &rid, Role::Admin).await?;
    let refused = |errors: Vec<(String, String)>, status: StatusCode| {
        page(&req, &caller, "Change the round", status, |token| {
            format!(
                r#"<h1 class="govuk-heading-l">Change the round</h1>{}"#,
                round_form(
                    &format!("/officer/rounds/{rid}/edit"),
                    token,
                    &form,
                    &errors
                )
            )
        })
    };
    let body = match round_json(&form) {
        Ok(b) => b,
        Err(errors) => return Ok(refused(errors, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    match api::update(
        state,
        caller.clone(),
        web::Path::from(rid.clone()),
        bytes(&body),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}"))),
        Err(
            e @ (AppError::InvalidFields { .. }
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => Ok(refused(problems(&e), refused_status(&e))),
        Err(e) => Err(e),
    }
}

pub(super) async fn change_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let p = web::Path::from(rid.clone());
    let done = match field(&form, "action") {
        "open" => api::open(state.clone(), caller.clone(), p).await,
        "close" => api::close(state.clone(), caller.clone(), p).await,
        "cancel" => api::cancel(state.clone(), caller.clone(), p).await,
        _ => Err(AppError::bad_request(
            "unknown_action",
            "Choose open, close or cancel.",
        )),
    };
    back_to_round(&req, &state, &caller, &rid, done).await
}

/// After a change through the API: back to the round's page, or that page with the reason
/// the change was refused.
pub(super) async fn back_to_round(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    done: Result<HttpResponse, AppError>,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}"))),
        Err(e @ (AppError::Conflict { .. } | AppError::BadRequest { .. })) => {
            round_view(
                req,
                state,
                caller,
                rid,
                &problems(&e),
                None,
                refused_status(&e),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn round_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    round_view(&req, &state, &caller, &path, &[], None, StatusCode::OK).await
}

/// The round's page for officers, with the problems of a refused form and that form's
/// values (`("project" | "slot", values)`) if any.
pub(super) async fn round_view(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    errors: &[(String, String)],
    typed: Option<(&str, &HashMap<String, String>)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (round, role) = managed(state, caller, rid).await?;
    let lang = Lang::ENGLISH;
    let id = escape(&round.row.id);
    let draft = round.status == RoundStatus::Draft;
    let admin = role == Role::Admin;
    let total: i64 = round.spec.areas.iter().map(|a| a.budget).sum();
    let row = |k: &str, v: String| {
        format!(
            r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{k}</dt><dd class="govuk-summary-list__value">{v}</dd></div>"#
        )
    };
    let areas: Vec<String> = round
        .spec
        .areas
        .iter()
        .map(|a| format!("{} ({})", escape(&a.name), escape(&money(a.budget))))
        .collect();
    let summary = [
        row(
            "Status",
            format!(r#"<strong class="govuk-tag">{}</strong>"#, round.status),
        ),
        row(
            "Voting",
            escape(&format!(
                "{} to {}",
                date_time(lang, round.row.opens_at),
                date_time(lang, round.row.closes_at)
            )),
        ),
        row("Money", escape(&money(total))),
        row("Areas", areas.join("<br>")),
        row("Counted with", escape(&round.spec.rule)),
        row("Languages", escape(&round.spec.languages.join(", "))),
    ]
    .concat();
    let blockers = if draft {
        let reasons = round.open_blockers(chrono::Utc::now());
        if reasons.is_empty() {
            r#"<div class="govuk-inset-text">This round is ready to open.</div>"#.to_string()
        } else {
            let items: String = reasons
                .iter()
                .map(|r| format!("<li>{}</li>", escape(r)))
                .collect();
            format!(
                r#"<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>This round cannot open yet:</strong></div><ul class="govuk-list govuk-list--bullet">{items}</ul>"#
            )
        }
    } else {
        String::new()
    };
    let project_rows: String = round
        .projects
        .iter()
        .map(|p| {
            let area = round.area(&p.area_key).map_or(p.area_key.as_str(), |a| a.name.as_str());
            let edit = if draft && admin {
                format!(
                    r#"<a class="govuk-link" href="/officer/rounds/{id}/projects/{}">Change<span class="govuk-visually-hidden"> {}</span></a>"#,
                    escape(&p.key),
                    escape(&p.title)
                )
            } else {
                String::new()
            };
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell">{edit}</td></tr>"#,
                escape(&p.key),
                escape(area),
                escape(&p.title),
                escape(&money(p.cost)),
            )
        })
        .collect();
    let projects = if round.projects.is_empty() {
        r#"<p class="govuk-body">There are no projects yet.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Key</th><th scope="col" class="govuk-table__header">Area</th><th scope="col" class="govuk-table__header">Title</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Cost</th><th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th></tr></thead><tbody class="govuk-table__body">{project_rows}</tbody></table>"#
        )
    };
    let empty = HashMap::new();
    let (project_typed, slot_typed) = match typed {
        Some(("project", v)) => (v, &empty),
        Some((_, v)) => (&empty, v),
        None => (&empty, &empty),
    };
    let (project_errors, slot_errors, general): (Vec<_>, Vec<_>, Vec<_>) = match typed {
        Some(("project", _)) => (errors.to_vec(), Vec::new(), Vec::new()),
        Some(_) => (Vec::new(), errors.to_vec(), Vec::new()),
        None => (Vec::new(), Vec::new(), errors.to_vec()),
    };
    let slot_rows: String = round
        .schedule
        .iter()
        .map(|s| {
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{} {}–{}</td><td class="govuk-table__cell"><form method="post" action="/officer/rounds/{id}/schedule/{}/delete" novalidate>{{csrf}}<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">Remove<span class="govuk-visually-hidden"> {}</span></button></form></td></tr>"#,
                escape(&s.place),
                escape(&s.address),
                escape(&s.day),
                escape(&s.starts),
                escape(&s.ends),
                escape(&s.id),
                escape(&s.place),
            )
        })
        .collect();
    let schedule_open = matches!(round.status, RoundStatus::Draft | RoundStatus::Open);
    let title = round.spec.title.clone();
    let status_buttons: Vec<(&str, &str, &str)> = match round.status {
        RoundStatus::Draft => vec![
            ("open", "Open the round", ""),
            ("cancel", "Cancel the round", " govuk-button--warning"),
        ],
        RoundStatus::Open => vec![
            ("close", "Close voting now", " govuk-button--warning"),
            ("cancel", "Cancel the round", " govuk-button--warning"),
        ],
        _ => Vec::new(),
    };
    let paper_link = if matches!(round.status, RoundStatus::Open | RoundStatus::Closed) {
        format!(
            r#"<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{id}/paper">Paper ballots: record and key batches</a></p>"#
        )
    } else {
        String::new()
    };
    let count_link = if matches!(
        round.status,
        RoundStatus::Closed | RoundStatus::Counted | RoundStatus::Published
    ) {
        format!(
            r#"{paper_link}<p class="govuk-body"><a class="govuk-link govuk-!-font-weight-bold" href="/officer/rounds/{id}/result">Count and publish the result</a></p>"#
        )
    } else {
        paper_link
    };
    let public_link = if round.status.is_public() {
        format!(r#" · <a class="govuk-link" href="/rounds/{id}">Public page</a>"#)
    } else {
        String::new()
    };
    Ok(page(req, caller, &title, status, |token| {
        let csrf = hidden_csrf(token);
        let buttons: String = status_buttons
            .iter()
            .map(|(action, label, class)| {
                format!(
                    r#"<form method="post" action="/officer/rounds/{id}/status" class="yd-inline-form" novalidate>{csrf}<input type="hidden" name="action" value="{action}"><button type="submit" class="govuk-button{class}" data-module="govuk-button">{label}</button></form>"#
                )
            })
            .collect();
        let edit_link = if draft && admin {
            format!(
                r#"<a class="govuk-link" href="/officer/rounds/{id}/edit">Change the round</a> · "#
            )
        } else {
            String::new()
        };
        let add_project = if draft && admin {
            format!(
                r#"<h3 class="govuk-heading-s">Add a project</h3>{}"#,
                project_form(
                    &format!("/officer/rounds/{id}/projects"),
                    token,
                    &round,
                    project_typed,
                    &project_errors,
                    true
                )
            )
        } else {
            String::new()
        };
        let add_slot = if schedule_open {
            format!(
                r#"<h3 class="govuk-heading-s">Add a pop-up session</h3>{}"#,
                slot_form(
                    &format!("/officer/rounds/{id}/schedule"),
                    token,
                    slot_typed,
                    &slot_errors
                )
            )
        } else {
            String::new()
        };
        let slots = if round.schedule.is_empty() {
            r#"<p class="govuk-body">No pop-up sessions yet.</p>"#.to_string()
        } else {
            format!(
                r#"<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Place</th><th scope="col" class="govuk-table__header">Address</th><th scope="col" class="govuk-table__header">When</th><th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th></tr></thead><tbody class="govuk-table__body">{}</tbody></table>"#,
                slot_rows.replace("{csrf}", &csrf)
            )
        };
        format!(
            r#"{errors}<span class="govuk-caption-l">Round</span><h1 class="govuk-heading-l">{title}</h1>
<p class="govuk-body">{edit_link}<a class="govuk-link" href="/officer/rounds/{id}/preview">Preview as residents will see it</a>{public_link} · <a class="govuk-link" href="/officer/p/{pid}">All rounds</a></p>
<dl class="govuk-summary-list">{summary}</dl>
{blockers}{buttons}{count_link}
<h2 class="govuk-heading-m">Projects</h2>{projects}{add_project}
<h2 class="govuk-heading-m">Pop-up schedule</h2>{slots}{add_slot}"#,
            errors = summary_of(&general),
            title = escape(&round.spec.title),
            pid = escape(&round.row.partnership_id),
        )
    }))
}
