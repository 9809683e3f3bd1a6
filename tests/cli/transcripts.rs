//! Transcript tests: the exact stdout, stderr and exit status of a cfn run, kept as an insta
//! snapshot under tests/cli/snapshots/, so that a changed message, hint or exit code fails a
//! test and shows up in review as a diff of what the user sees.
//!
//! Only what differs between runs is normalised: the sandbox's temporary directory (`[TMP]`),
//! and, where a test asks for it, slots (`[SLOT]`), leased ports (`[PORT]`), durations (`[DUR]`), ids (`[ID]`)
//! and the versions of tools on the machine (`[VERSION]`). Everything else is compared exactly.
//! The tests of each area live in `transcripts_<area>.rs`; this file holds their helpers.
//!
//! To write or update snapshots: `INSTA_UPDATE=always cargo test --test cli transcripts`, then
//! read `git diff tests/cli/snapshots`. Under `CI` insta never writes a snapshot: a missing or
//! different one fails the test (docs/testing.md).

use crate::harness::{text, Sandbox};
use std::process::Output;

/// stdout (when there is any), stderr and the exit status of a run, as one text.
pub fn transcript(out: &Output) -> String {
    let mut shown = String::new();
    if !out.stdout.is_empty() {
        shown.push_str("----- stdout -----\n");
        shown.push_str(&text(&out.stdout));
    }
    shown.push_str("----- stderr -----\n");
    shown.push_str(&text(&out.stderr));
    let status = out.status.code().map_or_else(|| format!("{:?}", out.status), |c| c.to_string());
    shown.push_str(&format!("[exit status: {status}]\n"));
    shown
}

/// What varies between runs of one sandbox; more filters are added by [`Filters`] methods.
pub struct Filters(insta::Settings);

impl Filters {
    /// The sandbox's directory (as given and as resolved) becomes `[TMP]`.
    pub fn new(sb: &Sandbox) -> Filters {
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        let dir = sb.path().to_string_lossy().into_owned();
        let resolved = std::fs::canonicalize(sb.path()).unwrap().to_string_lossy().into_owned();
        for path in [resolved, dir] {
            settings.add_filter(&escape(&path), "[TMP]");
        }
        Filters(settings)
    }

    /// Leased host ports: `key=port` (lists), `127.0.0.1:port`, and the ports table's column.
    pub fn ports(mut self) -> Filters {
        self.0.add_filter(r"\b([a-z][a-z0-9_-]*)=\d{2,5}\b", "$1=[PORT]");
        self.0.add_filter(r"\b(127\.0\.0\.1|localhost):\d{2,5}\b", "$1:[PORT]");
        self.0.add_filter(r"(?m)^(\S+ +)\d{2,5}( +\S+:\d+/(tcp|udp))", "$1[PORT]$2");
        self.0.add_filter(r"\(port \d{2,5}\)", "(port [PORT])");
        // The PORT column of `status`'s hostname table, before its URL.
        self.0.add_filter(r"(?m)^(\S+ +\S+ +)\d{2,5}( +https?://)", "$1[PORT]$2");
        self
    }

    /// Slots: a new branch's slot is drawn at random among the free ones.
    pub fn slots(mut self) -> Filters {
        self.0.add_filter(r"\(slot \d+\)", "(slot [SLOT])");
        // The SLOT column of tables: one or two digits, padded to the column's width.
        self.0.add_filter(r"(?m)^(\S+ +)\d{1,2} +([a-z])", "$1[SLOT]  $2");
        self
    }

    /// Durations as cfn prints them: `1.2s`, `350ms`, `12s`.
    pub fn durations(mut self) -> Filters {
        self.0.add_filter(r"\b\d+(\.\d+)?(ms|s)\b", "[DUR]");
        self
    }

    /// Versions of the engine and compose on this machine.
    pub fn versions(mut self) -> Filters {
        self.0.add_filter(r"docker engine \S+ \(api [0-9.]+\)", "docker engine [VERSION] (api [VERSION])");
        self.0.add_filter(r"docker compose \S+ \(v2\)", "docker compose [VERSION] (v2)");
        self
    }

    /// Hex ids and hashes of 12 characters or more, and uuids.
    pub fn ids(mut self) -> Filters {
        self.0.add_filter(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "[ID]");
        self.0.add_filter(r"\b[0-9a-f]{12,}\b", "[ID]");
        self
    }

    /// Any other filter a single test needs.
    pub fn with(mut self, regex: &str, replacement: &str) -> Filters {
        self.0.add_filter(regex, replacement.to_string());
        self
    }

    /// Asserts the transcript of `out` against the snapshot `name` with these filters.
    #[track_caller]
    pub fn assert(&self, name: &str, out: &Output) {
        let shown = transcript(out);
        self.0.bind(|| insta::assert_snapshot!(name, shown));
    }
}

/// `text` as a regular expression matching itself.
fn escape(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, c| {
        if !c.is_ascii_alphanumeric() && c != '/' && c != '_' && c != '-' {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// Runs `cfn args` in `dir` and asserts its transcript against the snapshot `name`, with the
/// sandbox's directory normalised.
#[track_caller]
pub fn check(sb: &Sandbox, dir: &std::path::Path, name: &str, args: &[&str]) {
    let out = sb.cfn(dir, args).output().unwrap();
    Filters::new(sb).assert(name, &out);
}
