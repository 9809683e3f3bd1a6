//! The test binary's own bookkeeping, as jj's `test_no_forgotten_test_files`: a file in
//! tests/cli/ that main.rs does not declare would never compile or run, silently; a snapshot
//! no test names any more would never be compared.

use std::collections::BTreeSet;
use std::path::Path;

fn cli_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli"))
}

/// The names of the `mod x;` lines of main.rs, in order; a `#[path]`-included module (the
/// shared support) counts under its own name.
fn declared() -> Vec<String> {
    let main = std::fs::read_to_string(cli_dir().join("main.rs")).unwrap();
    main.lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';').map(str::to_string))
        .collect()
}

/// The files of `dir` ending in `.ext`, by their name without it.
fn stems(dir: &Path, ext: &str) -> BTreeSet<String> {
    let names =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    names.filter_map(|n| n.strip_suffix(&format!(".{ext}")).map(str::to_string)).collect()
}

#[test]
fn every_file_in_tests_cli_is_a_module_of_the_test_binary() {
    let declared: BTreeSet<String> = declared().into_iter().collect();
    let mut files = stems(cli_dir(), "rs");
    files.remove("main");
    let forgotten: Vec<&String> = files.difference(&declared).collect();
    assert!(forgotten.is_empty(), "add `mod x;` to tests/cli/main.rs for: {forgotten:?}");
    let missing: Vec<&String> = declared.iter().filter(|m| *m != "support" && !files.contains(*m)).collect();
    assert!(missing.is_empty(), "tests/cli/main.rs declares modules without a file: {missing:?}");
}

#[test]
fn every_file_of_the_shared_support_is_a_module_of_it() {
    let dir = cli_dir().join("../support");
    let text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let declared: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_string))
        .collect();
    let mut files = stems(&dir, "rs");
    files.remove("mod");
    assert_eq!(files, declared, "tests/support/mod.rs declares exactly the files of tests/support/");
}

#[test]
fn the_modules_of_the_test_binary_are_listed_alphabetically() {
    // The harness and the shared support come first, on purpose; the areas follow in order.
    let areas: Vec<String> = declared().into_iter().filter(|m| m != "harness" && m != "support").collect();
    let mut sorted = areas.clone();
    sorted.sort();
    assert_eq!(areas, sorted, "keep the `mod` lines of tests/cli/main.rs in alphabetical order");
}

#[test]
fn every_snapshot_is_named_by_exactly_one_transcript_test() {
    let mut sources = String::new();
    for file in stems(cli_dir(), "rs").into_iter().filter(|f| f.starts_with("transcripts")) {
        sources.push_str(&std::fs::read_to_string(cli_dir().join(format!("{file}.rs"))).unwrap());
    }
    let snapshots = stems(&cli_dir().join("snapshots"), "snap");
    let named = |s: &String| sources.matches(&format!("\"{s}\"")).count();
    let unnamed: Vec<&String> = snapshots.iter().filter(|s| named(s) == 0).collect();
    assert!(unnamed.is_empty(), "delete the snapshots no test names any more: {unnamed:?}");
    // Two tests naming one snapshot would compare their outputs with each other's.
    let shared: Vec<&String> = snapshots.iter().filter(|s| named(s) > 1).collect();
    assert!(shared.is_empty(), "snapshots named by more than one test: {shared:?}");
}
