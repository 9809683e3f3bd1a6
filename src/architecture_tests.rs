//! The layers of docs/architecture.md, checked on the source: which top-level module may name
//! which (`crate::` paths and groups, `super::` chains that reach the crate root), no import
//! cycle between top-level modules, the terminal touched only by the command line (also
//! enforced by clippy's `print_stdout`/`print_stderr` lints, see lib.rs), and a `//!` doc on
//! every module file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. A module may name modules of its own layer or of a layer below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "primitives",
        &[
            "agents",
            "bus",
            "compose",
            "config",
            "context",
            "crash_point",
            "engine",
            "error",
            "git",
            "git_hooks",
            "health",
            "interrupt",
            "lock_file",
            "migrate",
            "names",
            "pg",
            "ports",
            "process",
            "protocol",
            "render",
            "runtime",
            "safe_path",
            "state",
            "token",
        ],
    ),
    ("branch", &["branch"]),
    ("features", &["data", "doctor", "init", "proxy", "stack", "workloop", "worktrees"]),
    ("front-ends", &["cli"]),
];

/// Files outside `src/cli/` that may write to the terminal: the entry point, the one door of
/// lower layers to the user ([`crate::context::Context`]) and the crash hook's last words.
const TERMINAL_ALLOWED: &[&str] = &["main.rs", "context.rs", "crash_point.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src`, with its path relative to `src`.
fn files() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.sort();
    out
}

fn is_test_file(rel: &str) -> bool {
    rel.contains("/tests/") || rel.ends_with("_tests.rs") || rel.starts_with("tests/")
}

/// The file's text without an inline `#[cfg(test)] mod tests { … }` block (written last, by
/// convention; a `#[cfg(test)] mod tests;` declaration cuts nothing).
fn without_inline_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests {").map_or(text, |i| &text[..i])
}

/// The module path of a file below `src`: `stack/wait.rs` is `[stack, wait]`, `stack/mod.rs`
/// is `[stack]`.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The first segments of every path in a `use` tree after `crate::{`: `a`, `b` in
/// `{a::x, b::{y, z}}`, reading nested groups by their braces.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let (mut depth, mut at_start) = (0, true);
    let mut word = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_start = true,
            c if at_start && (c.is_ascii_alphanumeric() || c == '_') => word.push(c),
            _ if at_start && !word.is_empty() => {
                heads.push(std::mem::take(&mut word));
                at_start = false;
            }
            _ => {}
        }
    }
    if !word.is_empty() {
        heads.push(word);
    }
    heads
}

/// The top-level modules a file names: through `crate::` paths and groups, and through
/// `super::` chains that climb to the crate root.
fn named_tops(rel: &str, code: &str) -> BTreeSet<String> {
    let ident_end = |s: &str| s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    let mut named = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => named.extend(group_heads(group)),
            None => {
                named.insert(rest[..ident_end(rest)].to_string());
            }
        }
    }
    let depth = module_path(rel).len();
    for (i, _) in code.match_indices("super::") {
        if code[..i].ends_with("super::")
            || code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            continue; // counted from the first `super` of the chain
        }
        let mut rest = &code[i..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r;
        }
        if climbs >= depth {
            match rest.strip_prefix('{') {
                Some(group) => named.extend(group_heads(group)),
                None => {
                    named.insert(rest[..ident_end(rest)].to_string());
                }
            }
        }
    }
    named
}

fn top_module(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// Which top-level modules each top-level module names, outside tests.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let tops: BTreeSet<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files() {
        let from = top_module(&rel);
        if is_test_file(&rel) || ["lib", "main", "architecture_tests"].contains(&from) {
            continue;
        }
        let named = named_tops(&rel, without_inline_tests(&text));
        let entry = graph.entry(from.to_string()).or_default();
        entry.extend(named.into_iter().filter(|m| m != from && tops.contains(m.as_str())));
    }
    graph
}

#[test]
fn every_top_level_module_has_a_layer() {
    for (rel, _) in files() {
        let top = top_module(&rel);
        if is_test_file(&rel) || ["lib", "main", "architecture_tests"].contains(&top) {
            continue;
        }
        assert!(layer_of(top).is_some(), "src/{rel}: module `{top}` is in no layer of docs/architecture.md");
    }
}

#[test]
fn no_module_names_a_module_of_a_higher_layer() {
    let mut wrong = Vec::new();
    for (from, to) in graph() {
        let from_layer = layer_of(&from).unwrap();
        for t in to {
            let to_layer = layer_of(&t).unwrap();
            if to_layer > from_layer {
                wrong.push(format!("{from} ({}) -> {t} ({})", LAYERS[from_layer].0, LAYERS[to_layer].0));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn top_level_modules_import_no_cycle() {
    let graph = graph();
    // depth-first search for a back edge, reporting the cycle it closes
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("an import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn only_the_command_line_touches_the_terminal() {
    let mut wrong = Vec::new();
    for (rel, text) in files() {
        if rel.starts_with("cli/") || is_test_file(&rel) || TERMINAL_ALLOWED.contains(&rel.as_str()) {
            continue;
        }
        let code = without_inline_tests(&text);
        for needle in ["println!", "eprintln!", "print!(", "eprint!(", "dialoguer::"] {
            if code.contains(needle) {
                wrong.push(format!("src/{rel}: {needle}"));
            }
        }
    }
    assert!(wrong.is_empty(), "terminal output or prompts below the command line:\n{}", wrong.join("\n"));
}

#[test]
fn every_module_file_says_what_it_is_for() {
    let undocumented: Vec<String> = files()
        .into_iter()
        .filter(|(rel, text)| !is_test_file(rel) && rel != "main.rs" && !text.starts_with("//!"))
        .map(|(rel, _)| format!("src/{rel}"))
        .collect();
    assert!(undocumented.is_empty(), "files without a `//!` doc:\n{}", undocumented.join("\n"));
}

#[test]
fn the_parser_reads_groups_and_climbing_paths() {
    let code = "use crate::{branch::{BranchEnv, Workspace}, cli::output};\nuse super::super::stack::Watch;";
    let named = named_tops("data/clone.rs", code);
    assert!(named.contains("branch") && named.contains("cli") && named.contains("stack"), "{named:?}");
    // one `super` from a file of `data` stays inside `data`
    assert!(named_tops("data/clone.rs", "use super::layout::Layout;").is_empty());
    assert_eq!(group_heads("a::x, b::{y, z}, c}"), ["a", "b", "c"]);
}

#[test]
fn the_checks_see_what_they_check() {
    // a check that found no files or no edges could never fail
    let graph = graph();
    assert!(graph["cli"].contains("branch") && graph["branch"].contains("state"), "{graph:?}");
    assert!(files().len() > 200);
}
