//! Reading a project's `.env` file, the variables compose interpolates with
//! when the shell does not set them: `KEY=VALUE` lines, an optional
//! `export ` prefix, single quotes (literal), double quotes (with `\n`, `\t`,
//! `\"`, `\\` escapes, may span lines), `#` comments and blank lines. As in
//! both compose v1 (python-dotenv) and v2, unquoted and double-quoted values
//! may refer to variables defined earlier in the file (`${A}/x`); where compose
//! would then look in its environment, cfn looks only at the variables the user
//! names in `CFN_TEMPLATE_ENV` (`render::pass_env`), never at the rest of its
//! own. Single-quoted values are literal, and a value whose reference cannot be
//! expanded is kept as written.
//!
//! This is cfn's one dotenv reader. cfn reads its own rendered files (`.cfn/env`, the `.env`
//! block) with [`parse_literal`]: the same syntax, without expansion, since what cfn writes
//! there never needs it (`render::dotenv::quote`) and a template must not pull cfn's own
//! environment into a branch's variables.

use std::path::Path;

use indexmap::IndexMap;

use super::interpolate::interpolate;

/// The variables of the `.env` file at `path`; empty when there is no such
/// file (or it cannot be read). Later assignments of a key win.
pub fn read_dotenv(path: &Path) -> IndexMap<String, String> {
    std::fs::read_to_string(path).map(|text| parse_dotenv(&text)).unwrap_or_default()
}

/// The variables of the `.env` file `file` of the checkout at `root`, read only when every link
/// on its way resolves inside the checkout. A branch may commit `.env` as a link to another
/// project's file; following it would hand that file's secrets to the branch's templates (a
/// health URL with `{{ env.SECRET }}`). Such a file is ignored, with one warning naming it per
/// run; compose, which reads it itself, still works.
pub fn read_checkout_dotenv(root: &Path, file: &Path) -> IndexMap<String, String> {
    let rel = file.strip_prefix(root).map(|r| r.to_string_lossy().into_owned());
    match rel.ok().and_then(|rel| crate::safe_path::inside(root, &rel, ".env").ok()) {
        Some(path) => read_dotenv(&path),
        None => {
            if std::fs::symlink_metadata(file).is_ok() {
                warn_once(file);
            }
            IndexMap::new()
        }
    }
}

/// One warning per ignored file and run, however many times it is looked at.
fn warn_once(file: &Path) {
    static WARNED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if warned.iter().any(|w| w == file) {
        return;
    }
    warned.push(file.to_path_buf());
    crate::context::warn(format!(
        "ignoring {}: it leads out of the checkout through a symbolic link, so cfn does not read it \
         (templates and port lookups see no .env; docs/security.md)",
        file.display()
    ));
}

/// Parses the text of a `.env` file as compose does. Lines that are not
/// assignments are skipped, as compose skips them.
pub fn parse_dotenv(text: &str) -> IndexMap<String, String> {
    parse(text, true)
}

/// Parses the text of a `.env` file without expanding `$` references: values as written, and
/// every name, even one compose would skip (the caller decides what names it takes).
pub fn parse_literal(text: &str) -> IndexMap<String, String> {
    parse(text, false)
}

fn parse(text: &str, expand_references: bool) -> IndexMap<String, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let mut vars = IndexMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let valid = !key.is_empty()
            && !key.starts_with(|c: char| c.is_ascii_digit())
            && key.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        // Compose skips a line whose name it cannot take; cfn, reading its own files, keeps it
        // so that the caller can refuse it by name.
        if key.is_empty() || (expand_references && !valid) {
            continue;
        }
        let value = value.trim_start();
        let (value, expand) = match value.chars().next() {
            Some('\'') => (quoted(&value[1..], '\'', &mut lines), false),
            Some('"') => (quoted(&value[1..], '"', &mut lines), true),
            _ => (unquoted(value), true),
        };
        let value = if expand_references && expand && value.contains('$') {
            // Compose would fall back to its whole environment; cfn's holds the user's secrets,
            // and what is read here reaches the repository's templates: only the variables the
            // user passes on purpose (`CFN_TEMPLATE_ENV`) stand in for it.
            let lookup = |name: &str| {
                vars.get(name).cloned().or_else(|| crate::render::pass_env::passed().shift_remove(name))
            };
            interpolate(&value, &lookup).unwrap_or(value)
        } else {
            value
        };
        vars.insert(key.to_string(), value);
    }
    vars
}

/// An unquoted value ends at a ` #` comment; surrounding blanks are dropped.
fn unquoted(value: &str) -> String {
    let end = value
        .char_indices()
        .find(|&(i, c)| c == '#' && i > 0 && value[..i].ends_with([' ', '\t']))
        .map_or(value.len(), |(i, _)| i);
    value[..end].trim().to_string()
}

/// A quoted value, continued over the following lines until the closing
/// quote; anything after the closing quote is ignored.
fn quoted<'a>(first: &str, quote: char, lines: &mut impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut current = first.to_string();
    loop {
        let mut chars = current.chars();
        while let Some(c) = chars.next() {
            if c == quote {
                return out;
            }
            if c == '\\' && quote == '"' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(e @ ('"' | '\\' | '$')) => out.push(e),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        match lines.next() {
            Some(next) => {
                out.push('\n');
                current = next.to_string();
            }
            None => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        let vars = parse_dotenv(
            "\u{feff}# comment\r\n\r\nA=1\r\nexport B = two \r\nC='single # not a comment'\n\
             D=\"dq \\\"x\\\" \\n end\" # trailing\nE=plain # comment\nF=a#b\nG=\n\
             H=\"multi\nline\"\nnot an assignment\n1BAD=x\nA=override\n",
        );
        let got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("A", "override"),
                ("B", "two"),
                ("C", "single # not a comment"),
                ("D", "dq \"x\" \n end"),
                ("E", "plain"),
                ("F", "a#b"),
                ("G", ""),
                ("H", "multi\nline"),
            ]
        );
    }

    #[test]
    fn single_quotes_are_literal() {
        let vars = parse_dotenv("P='a\\nb ${X} $$'\n");
        assert_eq!(vars["P"], "a\\nb ${X} $$");
    }

    #[test]
    fn earlier_values_are_expanded() {
        let vars = parse_dotenv("ROOT=/srv\nDATA=${ROOT}/data\nQ=\"$ROOT:${NOPE_CFN_X:-d}\"\nBAD=$(x)\n");
        assert_eq!(vars["DATA"], "/srv/data");
        assert_eq!(vars["Q"], "/srv:d");
        assert_eq!(vars["BAD"], "$(x)");
    }

    #[test]
    fn cfns_own_environment_never_expands_into_a_value() {
        // PATH is set in every test process; only CFN_TEMPLATE_ENV could pass it. Unset, a
        // reference reads as empty, as compose reads an unset variable.
        let vars = parse_dotenv("LEAK=${PATH}\nQ=\"$PATH\"\n");
        assert_eq!(vars["LEAK"], "");
        assert_eq!(vars["Q"], "");
    }

    #[test]
    fn literal_parsing_keeps_references() {
        let vars = parse_literal("ROOT=/srv\nDATA=${ROOT}/data\nQ=\"a\\\"b\\\\c $HOME\"\n");
        assert_eq!(vars["DATA"], "${ROOT}/data");
        assert_eq!(vars["Q"], "a\"b\\c $HOME");
    }

    #[test]
    fn a_dotenv_linked_out_of_the_checkout_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, other) = (tmp.path().join("repo"), tmp.path().join("other"));
        std::fs::create_dir_all(repo.join("sub")).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join(".env"), "SECRET=theirs\n").unwrap();
        std::os::unix::fs::symlink(other.join(".env"), repo.join(".env")).unwrap();
        assert_eq!(read_dotenv(&repo.join(".env"))["SECRET"], "theirs", "the link works");
        assert!(read_checkout_dotenv(&repo, &repo.join(".env")).is_empty());
        // a link that stays inside the checkout is followed
        std::fs::write(repo.join("sub/.env"), "A=1\n").unwrap();
        std::fs::remove_file(repo.join(".env")).unwrap();
        std::os::unix::fs::symlink(repo.join("sub/.env"), repo.join(".env")).unwrap();
        assert_eq!(read_checkout_dotenv(&repo, &repo.join(".env"))["A"], "1");
        // a folder of the path linked out counts too
        std::os::unix::fs::symlink(&other, repo.join("linked")).unwrap();
        assert!(read_checkout_dotenv(&repo, &repo.join("linked/.env")).is_empty());
        assert!(read_checkout_dotenv(&repo, &repo.join("missing/.env")).is_empty());
    }

    #[test]
    fn missing_file_is_empty() {
        assert!(read_dotenv(Path::new("/nonexistent/.env")).is_empty());
    }
}
