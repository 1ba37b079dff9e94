//! Reliability: the kiosk stopped at random moments while residents vote, on SQLite and on
//! PostgreSQL servers.
//!
//! 1. Crash loop: SIGKILL at random moments (mid-request included), restart on the same store.
//! 2. Power loss: the same stops, but every write the kiosk had not yet synced to disk is lost
//!    (or, in a torn cut, a random part of it), modelled by the preload library in
//!    `tests/powercut`.
//!
//! After every stop a copy of the store must open, pass `PRAGMA integrity_check` and hold
//! every confirmed ballot in an unbroken hash chain; a resident whose request was cut off is
//! retried and is either taken then or refused as already voted, never stored twice. At the
//! end one sync must leave every ballot on the server exactly once. Short in the normal suite;
//! 2,000 residents and at least 50 stops with `YOUDECIDE_RELIABILITY_LONG=1`.

use youdecide_tests::crash_loop::{self, Fault, Plan};
use youdecide_tests::kiosk::setup;
use youdecide_tests::reliability::{long, report, size};
use youdecide_tests::{on_both_backends, Backend};

on_both_backends!(kiosk_crash_loop, kiosk_power_loss);

fn plan(fault: Fault) -> Plan {
    Plan {
        ballots: size(100, 2000),
        faults: size(5, 50),
        fault,
    }
}

fn kiosk_crash_loop(backend: Backend) {
    let setup = setup(backend);
    let plan = plan(Fault::Kill);
    let figures = crash_loop::run(&setup, plan);
    assert_eq!(figures.duplicates, 0);
    assert_eq!(figures.server_ballots, plan.ballots);
    report(
        &format!("kiosk crash loop ({backend:?})"),
        &figures.line(&plan),
    );
}

fn kiosk_power_loss(backend: Backend) {
    let setup = setup(backend);
    let plan = plan(Fault::PowerCut);
    let figures = crash_loop::run(&setup, plan);
    assert_eq!(figures.duplicates, 0);
    assert_eq!(figures.server_ballots, plan.ballots);
    if long() {
        assert!(
            figures.blocks_lost > 0,
            "some power cuts landed while the kiosk's writes were not yet durable"
        );
    }
    report(
        &format!("kiosk power loss ({backend:?})"),
        &figures.line(&plan),
    );
}
