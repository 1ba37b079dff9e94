//! Money, dates and times as residents read them: pounds with thousands separators, dates
//! with the month's name in the page's language, and times in UK local time (GMT or BST).

use crate::i18n::Lang;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};

/// Pence as pounds: `£1,250` for whole pounds, `£1,250.50` otherwise.
pub fn money(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.unsigned_abs();
    let pounds = pence / 100;
    let digits = pounds.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match pence % 100 {
        0 => format!("{sign}£{grouped}"),
        p => format!("{sign}£{grouped}.{p:02}"),
    }
}

/// The last Sunday of a month, at 01:00 UTC: when UK clocks change.
fn last_sunday_1am(year: i32, month: u32) -> NaiveDateTime {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let mut d = first_of_next - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d.and_hms_opt(1, 0, 0).unwrap_or_default()
}

/// A UTC time as UK local time: British Summer Time (UTC+1) from 01:00 UTC on the last Sunday
/// of March to 01:00 UTC on the last Sunday of October, GMT otherwise.
pub fn uk_local(t: NaiveDateTime) -> NaiveDateTime {
    let year = t.year();
    if t >= last_sunday_1am(year, 3) && t < last_sunday_1am(year, 10) {
        t + Duration::hours(1)
    } else {
        t
    }
}

/// A date in words: `2 March 2027` (in the page's language).
pub fn date(lang: Lang, day: NaiveDate) -> String {
    let month = lang.t(&format!("month-{}", day.month()));
    format!("{} {month} {}", day.day(), day.year())
}

/// A UTC time as a UK local date and time in words: `2 March 2027 at 09:00`.
pub fn date_time(lang: Lang, t: NaiveDateTime) -> String {
    let local = uk_local(t);
    lang.ta(
        "at-time",
        &[
            ("date", date(lang, local.date()).into()),
            (
                "time",
                format!("{:02}:{:02}", local.hour(), local.minute()).into(),
            ),
        ],
    )
}

/// A stored `YYYY-MM-DD` date in words, or the text as it is if it is not a date.
pub fn day_text(lang: Lang, day: &str) -> String {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_or_else(|_| day.to_string(), |d| date(lang, d))
}

/// Now, as stored times are.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A UTC `DateTime` as stored.
pub fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn money_reads_as_pounds() {
        assert_eq!(money(0), "£0");
        assert_eq!(money(12_500_000), "£125,000");
        assert_eq!(money(123_456_789), "£1,234,567.89");
        assert_eq!(money(5), "£0.05");
        assert_eq!(money(-100_000), "-£1,000");
    }

    #[test]
    fn uk_time_follows_summer_time() {
        // 2027: BST from 28 March 01:00 UTC to 31 October 01:00 UTC.
        assert_eq!(uk_local(at("2027-03-28 00:59")), at("2027-03-28 00:59"));
        assert_eq!(uk_local(at("2027-03-28 01:00")), at("2027-03-28 02:00"));
        assert_eq!(uk_local(at("2027-07-01 16:00")), at("2027-07-01 17:00"));
        assert_eq!(uk_local(at("2027-10-31 00:59")), at("2027-10-31 01:59"));
        assert_eq!(uk_local(at("2027-10-31 01:00")), at("2027-10-31 01:00"));
        assert_eq!(uk_local(at("2027-12-01 09:00")), at("2027-12-01 09:00"));
    }

    #[test]
    fn dates_are_in_words() {
        let en = Lang::ENGLISH;
        assert_eq!(
            date_time(en, at("2027-07-01 16:00")),
            "1 July 2027 at 17:00"
        );
        let cy = Lang::find("cy").unwrap();
        assert_eq!(day_text(cy, "2027-03-02"), "2 Mawrth 2027");
        assert_eq!(day_text(en, "soon"), "soon");
    }
}
