//! Equality monitoring and influence: the optional questions asked after voting, online and at
//! kiosks, and the answers each accepts. Answers are stored with the day only and no link to
//! any ballot or person.

/// Each question's field name and the answers it accepts, in the order they are offered.
pub const QUESTIONS: [(&str, &[&str]); 5] = [
    (
        "age_band",
        &[
            "under-16",
            "16-24",
            "25-34",
            "35-44",
            "45-54",
            "55-64",
            "65-74",
            "75-plus",
            "prefer-not-to-say",
        ],
    ),
    (
        "sex",
        &[
            "female",
            "male",
            "prefer-to-self-describe",
            "prefer-not-to-say",
        ],
    ),
    (
        "ethnic_group",
        &[
            "asian",
            "black",
            "mixed",
            "white",
            "other",
            "prefer-not-to-say",
        ],
    ),
    ("disability", &["yes", "no", "prefer-not-to-say"]),
    (
        "influence",
        &[
            "definitely-agree",
            "tend-to-agree",
            "tend-to-disagree",
            "definitely-disagree",
            "dont-know",
        ],
    ),
];

/// The answers `question` accepts (none for an unknown question).
pub fn answers(question: &str) -> &'static [&'static str] {
    QUESTIONS
        .iter()
        .find(|(q, _)| *q == question)
        .map_or(&[], |(_, a)| a)
}

/// Whether `answer` is one `question` accepts.
pub fn accepts(question: &str, answer: &str) -> bool {
    answers(question).contains(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_per_question() {
        assert!(accepts("age_band", "25-34"));
        assert!(accepts("influence", "dont-know"));
        assert!(!accepts("sex", "25-34"));
        assert!(!accepts("unknown", "yes"));
        assert!(answers("nothing").is_empty());
        for (_, a) in QUESTIONS {
            assert!(!a.is_empty());
        }
    }
}
