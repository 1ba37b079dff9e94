//! The diesel table definitions, identical for SQLite and PostgreSQL (ids are UUID text,
//! times are UTC timestamps, money is BIGINT pence).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        is_site_admin -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partnerships (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        partnership_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        address -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> partnerships (partnership_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    partnerships,
    memberships,
    api_tokens,
    sessions,
    login_attempts,
);

diesel::table! {
    rounds (id) {
        id -> Text,
        partnership_id -> Text,
        title -> Text,
        description -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        method -> Text,
        rule -> Text,
        eligibility -> Text,
        languages -> Text,
        status -> Text,
        voter_key_salt -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    areas (id) {
        id -> Text,
        round_id -> Text,
        key -> Text,
        name -> Text,
        budget -> BigInt,
        postcodes -> Text,
        position -> Integer,
    }
}

diesel::table! {
    projects (id) {
        id -> Text,
        round_id -> Text,
        area_key -> Text,
        key -> Text,
        title -> Text,
        summary -> Text,
        description -> Text,
        cost -> BigInt,
        category -> Text,
        proposer -> Text,
        location -> Text,
        image_file -> Nullable<Text>,
        image_type -> Nullable<Text>,
        created_at -> Timestamp,
        easy_read -> Text,
    }
}

diesel::table! {
    translations (round_id, project_key, language) {
        round_id -> Text,
        project_key -> Text,
        language -> Text,
        title -> Text,
        summary -> Text,
        description -> Text,
    }
}

diesel::table! {
    schedule_slots (id) {
        id -> Text,
        round_id -> Text,
        place -> Text,
        address -> Text,
        day -> Text,
        starts -> Text,
        ends -> Text,
        notes -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        partnership_id -> Text,
        actor_id -> Nullable<Text>,
        actor_email -> Text,
        at -> Timestamp,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::joinable!(rounds -> partnerships (partnership_id));
diesel::joinable!(areas -> rounds (round_id));
diesel::joinable!(projects -> rounds (round_id));
diesel::joinable!(schedule_slots -> rounds (round_id));
diesel::allow_tables_to_appear_in_same_query!(
    rounds,
    partnerships,
    areas,
    projects,
    schedule_slots,
    translations
);

diesel::table! {
    ballots (id) {
        id -> Text,
        round_id -> Text,
        area_key -> Text,
        channel -> Text,
        kiosk_id -> Nullable<Text>,
        person -> Nullable<Text>,
        cast_at -> Timestamp,
        received_at -> Timestamp,
        choices -> Text,
        language -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        tracking_code -> Text,
        assisted -> Bool,
    }
}

diesel::table! {
    voting_codes (round_id, code_hash) {
        round_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    monitoring (id) {
        id -> Text,
        round_id -> Text,
        day -> Text,
        age_band -> Nullable<Text>,
        sex -> Nullable<Text>,
        ethnic_group -> Nullable<Text>,
        disability -> Nullable<Text>,
        influence -> Nullable<Text>,
    }
}

diesel::table! {
    kiosks (id) {
        id -> Text,
        partnership_id -> Text,
        name -> Text,
        enrollment_code_hash -> Nullable<Text>,
        enrollment_expires_at -> Nullable<Timestamp>,
        public_key -> Nullable<Text>,
        enrolled_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_seen_at -> Nullable<Timestamp>,
        last_sync_at -> Nullable<Timestamp>,
        head_seq -> BigInt,
        head_hash -> Text,
        ballots_received -> BigInt,
        pending_reported -> BigInt,
        clock_skew_seconds -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kiosk_chain (kiosk_id, seq) {
        kiosk_id -> Text,
        seq -> BigInt,
        ballot_id -> Text,
        hash -> Text,
    }
}

diesel::table! {
    results (round_id) {
        round_id -> Text,
        result -> Text,
        review -> Text,
        digest -> Text,
        counted_at -> Timestamp,
        counted_by -> Text,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
    }
}

diesel::table! {
    result_files (round_id, area_key) {
        round_id -> Text,
        area_key -> Text,
        pabulib -> Text,
    }
}

diesel::table! {
    project_updates (id) {
        id -> Text,
        round_id -> Text,
        project_key -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        day -> Text,
        body -> Text,
        spend_to_date -> Nullable<BigInt>,
        photo_file -> Nullable<Text>,
        photo_type -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    monitoring_baselines (partnership_id, question, answer) {
        partnership_id -> Text,
        question -> Text,
        answer -> Text,
        per_mille -> BigInt,
    }
}

diesel::table! {
    paper_batches (id) {
        id -> Text,
        round_id -> Text,
        place -> Text,
        collected_at -> Timestamp,
        collected_by -> Text,
        sheets -> BigInt,
        status -> Text,
        first_keyer -> Nullable<Text>,
        second_keyer -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        reconciled_at -> Nullable<Timestamp>,
        reconciled_by -> Nullable<Text>,
    }
}

diesel::table! {
    paper_sheets (batch_id, pass, sheet) {
        batch_id -> Text,
        pass -> BigInt,
        sheet -> BigInt,
        postcode -> Text,
        area_key -> Nullable<Text>,
        age_confirmed -> Bool,
        name_check -> Nullable<Text>,
        dob_check -> Nullable<Text>,
        person -> Nullable<Text>,
        choices -> Text,
        spoilt -> Nullable<Text>,
        keyed_at -> Timestamp,
    }
}
