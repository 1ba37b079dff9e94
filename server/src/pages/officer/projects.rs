//! Adding, changing and deleting a round's projects.

use super::forms::*;
use super::rounds::{back_to_round, round_view};
use super::*;

pub(super) fn project_form(
    action: &str,
    token: &str,
    round: &Round,
    v: &HashMap<String, String>,
    errors: &[(String, String)],
    new: bool,
) -> String {
    let get = |k: &str| v.get(k).map_or("", String::as_str);
    let areas: Vec<(&str, &str)> = round
        .spec
        .areas
        .iter()
        .map(|a| (a.key.as_str(), a.name.as_str()))
        .collect();
    let first = areas.first().map_or("", |a| a.0);
    let chosen_area = if get("area").is_empty() {
        first
    } else {
        get("area")
    };
    let key = if new {
        input(
            "key",
            "Key",
            "A short id, unique in the round, like P12",
            get("key"),
            "text",
            errors,
            "govuk-input--width-10",
        )
    } else {
        String::new()
    };
    format!(
        r#"{summary}<form method="post" action="{action}" novalidate>{csrf}{key}
{area}{title}{summary_field}{easy_read}{description}{cost}{category}{proposer}{location}
<button type="submit" class="govuk-button" data-module="govuk-button">{button}</button></form>"#,
        summary = summary_of(errors),
        csrf = hidden_csrf(token),
        area = choices(
            "radios",
            "area",
            "Area",
            &areas,
            &|x| chosen_area == x,
            errors
        ),
        title = input("title", "Title", "", get("title"), "text", errors, ""),
        summary_field = input(
            "summary",
            "Summary",
            "One sentence residents will see on the card",
            get("summary"),
            "text",
            errors,
            ""
        ),
        description = input(
            "description",
            "Description",
            "",
            get("description"),
            "textarea",
            errors,
            ""
        ),
        cost = input(
            "cost",
            "Cost in pounds",
            "For example, 12,000",
            get("cost"),
            "text",
            errors,
            "govuk-input--width-10"
        ),
        category = input(
            "category",
            "Category",
            "",
            get("category"),
            "text",
            errors,
            ""
        ),
        proposer = input(
            "proposer",
            "Proposed by",
            "",
            get("proposer"),
            "text",
            errors,
            ""
        ),
        location = input("location", "Where", "", get("location"), "text", errors, ""),
        easy_read = input(
            "easy_read",
            "Easy-read summary (optional)",
            "Short sentences and everyday words, shown at kiosks to those who ask for easy read",
            get("easy_read"),
            "textarea",
            errors,
            ""
        ),
        button = if new { "Add project" } else { "Save project" },
    )
}

/// The project form as the API's JSON, or field problems.
pub(super) fn project_json(
    form: &HashMap<String, String>,
    key: Option<&str>,
) -> Result<Value, Vec<(String, String)>> {
    let Some(cost) = pence(field(form, "cost")) else {
        return Err(vec![(
            "cost".into(),
            "Enter the cost in pounds, like 12,000".into(),
        )]);
    };
    let mut v = json!({
        "area": field(form, "area"), "title": field(form, "title"), "summary": field(form, "summary"),
        "description": form.get("description").map_or("", |s| s.trim()), "cost": cost,
        "category": field(form, "category"), "proposer": field(form, "proposer"), "location": field(form, "location"), "easy_read": field(form, "easy_read"),
    });
    if let Some(k) = key {
        v["key"] = json!(k);
    }
    Ok(v)
}

pub(super) async fn add_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let result = match project_json(&form, Some(field(&form, "key"))) {
        Ok(body) => api::add_project(
            state.clone(),
            caller.clone(),
            web::Path::from(rid.clone()),
            bytes(&body),
        )
        .await
        .map_err(|e| (problems(&e), e)),
        Err(errors) => Err((
            errors,
            AppError::invalid("invalid_project", "The project form has problems."),
        )),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}#projects"))),
        Err((errors, e))
            if e.status_code().is_client_error()
                && !matches!(e, AppError::Forbidden { .. } | AppError::NotFound { .. }) =>
        {
            round_view(
                &req,
                &state,
                &caller,
                &rid,
                &errors,
                Some(("project", &form)),
                e.status_code(),
            )
            .await
        }
        Err((_, e)) => Err(e),
    }
}

pub(super) async fn edit_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let (rid, key) = path.into_inner();
    let round = managed_as(&state, &caller, &rid, Role::Admin).await?;
    let p = round
        .projects
        .iter()
        .find(|p| p.key == key)
        .ok_or_else(|| AppError::not_found("There is no project with that key in this round."))?;
    let mut v = HashMap::new();
    for (k, val) in [
        ("area", p.area_key.clone()),
        ("title", p.title.clone()),
        ("summary", p.summary.clone()),
        ("description", p.description.clone()),
        ("cost", pounds_input(p.cost)),
        ("category", p.category.clone()),
        ("proposer", p.proposer.clone()),
        ("location", p.location.clone()),
        ("easy_read", p.easy_read.clone()),
    ] {
        v.insert(k.to_string(), val);
    }
    Ok(project_page(
        &req,
        &caller,
        &round,
        &key,
        &v,
        &[],
        StatusCode::OK,
    ))
}

pub(super) fn project_page(
    req: &HttpRequest,
    caller: &Caller,
    round: &Round,
    key: &str,
    v: &HashMap<String, String>,
    errors: &[(String, String)],
    status: StatusCode,
) -> HttpResponse {
    let id = escape(&round.row.id);
    let k = escape(key);
    page(req, caller, "Change a project", status, |token| {
        format!(
            r#"<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-l">Change project {k}</h1>{form}
<form method="post" action="/officer/rounds/{id}/projects/{k}/delete" novalidate>{csrf}<button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">Delete this project</button></form>
<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{id}">Back to the round</a></p>"#,
            round_title = escape(&round.spec.title),
            form = project_form(
                &format!("/officer/rounds/{id}/projects/{k}"),
                token,
                round,
                v,
                errors,
                false
            ),
            csrf = hidden_csrf(token),
        )
    })
}

pub(super) async fn save_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let (rid, key) = path.into_inner();
    managed_as(&state, &caller, &rid, Role::Admin).await?;
    let result = match project_json(&form, None) {
        Ok(body) => api::update_project(
            state.clone(),
            caller.clone(),
            web::Path::from((rid.clone(), key.clone())),
            bytes(&body),
        )
        .await
        .map_err(|e| (problems(&e), e)),
        Err(errors) => Err((
            errors,
            AppError::invalid("invalid_project", "The project form has problems."),
        )),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}"))),
        Err((errors, e))
            if e.status_code().is_client_error()
                && !matches!(e, AppError::Forbidden { .. } | AppError::NotFound { .. }) =>
        {
            let (round, _) = managed(&state, &caller, &rid).await?;
            Ok(project_page(
                &req,
                &caller,
                &round,
                &key,
                &form,
                &errors,
                e.status_code(),
            ))
        }
        Err((_, e)) => Err(e),
    }
}

pub(super) async fn delete_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let (rid, key) = path.into_inner();
    let done = api::delete_project(
        state.clone(),
        caller.clone(),
        web::Path::from((rid.clone(), key)),
    )
    .await;
    back_to_round(&req, &state, &caller, &rid, done).await
}
