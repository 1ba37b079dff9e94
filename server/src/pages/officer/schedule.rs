//! Adding and removing pop-up sessions.

use super::forms::*;
use super::rounds::{back_to_round, round_view};
use super::*;

pub(super) fn slot_form(
    action: &str,
    token: &str,
    v: &HashMap<String, String>,
    errors: &[(String, String)],
) -> String {
    let get = |k: &str| v.get(k).map_or("", String::as_str);
    format!(
        r#"{summary}<form method="post" action="{action}" novalidate>{csrf}{place}{address}{date}{starts}{ends}{notes}
<button type="submit" class="govuk-button" data-module="govuk-button">Add session</button></form>"#,
        summary = summary_of(errors),
        csrf = hidden_csrf(token),
        place = input(
            "place",
            "Place",
            "For example, Tesco Extra",
            get("place"),
            "text",
            errors,
            ""
        ),
        address = input("address", "Address", "", get("address"), "text", errors, ""),
        date = input(
            "date",
            "Date",
            "",
            get("date"),
            "date",
            errors,
            "govuk-input--width-10"
        ),
        starts = input(
            "starts",
            "Starts",
            "",
            get("starts"),
            "time",
            errors,
            "govuk-input--width-5"
        ),
        ends = input(
            "ends",
            "Ends",
            "",
            get("ends"),
            "time",
            errors,
            "govuk-input--width-5"
        ),
        notes = input(
            "notes",
            "Anything else people should know",
            "",
            get("notes"),
            "text",
            errors,
            ""
        ),
    )
}

pub(super) async fn add_slot(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let date = field(&form, "date");
    let result = if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        Err((
            vec![(
                "date".to_string(),
                "Enter a date, like 2027-03-06".to_string(),
            )],
            AppError::invalid("invalid_schedule", "The date is not valid."),
        ))
    } else {
        let body = json!({"place": field(&form, "place"), "address": field(&form, "address"), "date": date,
                          "starts": field(&form, "starts"), "ends": field(&form, "ends"), "notes": field(&form, "notes")});
        api::add_slot(
            state.clone(),
            caller.clone(),
            web::Path::from(rid.clone()),
            bytes(&body),
        )
        .await
        .map_err(|e| (problems(&e), e))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}"))),
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
                Some(("slot", &form)),
                e.status_code(),
            )
            .await
        }
        Err((_, e)) => Err(e),
    }
}

pub(super) async fn delete_slot(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let (rid, sid) = path.into_inner();
    let done = api::delete_slot(
        state.clone(),
        caller.clone(),
        web::Path::from((rid.clone(), sid)),
    )
    .await;
    back_to_round(&req, &state, &caller, &rid, done).await
}
