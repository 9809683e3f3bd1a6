//! The one rule for a test whose tool or service is missing (redis-server, PostgreSQL, the
//! Docker engine, compose, busybox...): outside CI the test is skipped with a note; under CI,
//! where `scripts/setup-test.sh` provides everything, it fails, so a skipped test can never
//! pass for a green one there.

use std::io::Write as _;

/// Whether the tests run under CI: `CI` is set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// `None` (skip the test, with a note on stderr) when `what` is missing; a panic under CI.
pub fn missing<T>(what: &str) -> Option<T> {
    if in_ci() {
        panic!("{what} is required under CI but is not available (scripts/setup-test.sh provides it)");
    }
    // Written to stderr itself: the test harness would swallow an eprintln! of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping this test: {what} is not available (scripts/setup-test.sh provides it)"
    );
    None
}

/// `available`, or as [`missing`]: false (skip) outside CI, a panic under CI.
pub fn require(available: bool, what: &str) -> bool {
    available || missing::<()>(what).is_some()
}
