//! `cfn::error::report`, the one place that turns an error into what the user reads and the exit
//! code: the message, each distinct cause, exactly one hint (the error's own, else the generic
//! one), and no message at all for a child's exit status or a reader that went away.

use anyhow::Context as _;
use cfn::error::{exit, report, SilentExit, UserError, GENERIC_HINT};

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_user_error_prints_its_message_and_hint_and_exits_1() {
    let err = anyhow::Error::from(UserError::new("no worktree for branch x").hint("see `cfn worktree list`"));
    assert_eq!(
        report(&err),
        (exit::FAILURE, lines(&["error: no worktree for branch x", "hint: see `cfn worktree list`"]))
    );
}

#[test]
fn a_usage_error_exits_2_and_a_timeout_124() {
    let usage = anyhow::Error::from(UserError::usage("bad flag").hint("fix it"));
    assert_eq!(report(&usage).0, exit::USAGE);
    let timeout = anyhow::Error::from(UserError::new("no signal").hint("wait longer").code(exit::TIMEOUT));
    assert_eq!(report(&timeout), (124, lines(&["error: no signal", "hint: wait longer"])));
}

#[test]
fn a_user_error_under_context_keeps_its_hint_and_code_and_shows_the_chain() {
    let inner: anyhow::Result<()> =
        Err(UserError::usage("CFN_LOCK_WAIT is not a number").hint("e.g. 60").into());
    let err = inner.context("cannot remove feat").unwrap_err();
    let expected =
        lines(&["error: cannot remove feat", "  caused by: CFN_LOCK_WAIT is not a number", "hint: e.g. 60"]);
    assert_eq!(report(&err), (exit::USAGE, expected));
}

#[test]
fn an_unforeseen_error_gets_the_generic_hint_and_exits_1() {
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
    let err = anyhow::Error::from(io).context("cannot read /x");
    let expected =
        lines(&["error: cannot read /x", "  caused by: permission denied", &format!("hint: {GENERIC_HINT}")]);
    assert_eq!(report(&err), (exit::FAILURE, expected));
}

#[test]
fn a_cause_that_repeats_the_message_is_not_printed_twice() {
    let err = anyhow::anyhow!("lock r is held").context(UserError::new("lock r is held").hint("wait"));
    assert_eq!(report(&err), (exit::FAILURE, lines(&["error: lock r is held", "hint: wait"])));
}

#[test]
fn a_childs_exit_status_passes_through_silently() {
    assert_eq!(report(&anyhow::Error::from(SilentExit(3))), (3, Vec::new()));
}

#[test]
fn a_reader_that_went_away_is_no_error() {
    let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe");
    let err = anyhow::Error::from(pipe).context("writing the table");
    assert_eq!(report(&err), (exit::SUCCESS, Vec::new()));
}
