//! The project's `env.j2` as a file of every item whose command receives the branch's
//! variables (hooks, health commands, the loop's checks, agents).
//!
//! No list of refused names (`render::dotenv`) can name every variable that changes how some
//! program runs (`MAKEFILES` makes an approved `make setup` read a branch's makefile). So the
//! template that decides the variables is part of what is approved: a changed `env.j2`, or a
//! template it includes, asks about those items again. It is the file the branch's variables
//! are rendered from: `<templates_dir>/env.j2` of the main checkout (the templates are the
//! repository's, not a branch's). The built-in template is cfn's and adds nothing.

use super::files::FileHash;
use crate::branch::Workspace;
use crate::render::loader;
use sha2::{Digest, Sha256};

/// `env.j2` of the project's templates folder and the templates of that folder it includes
/// (by a literal name), hashed; empty without a project `env.j2`.
pub fn files(ws: &Workspace) -> Vec<FileHash> {
    let Some(dir) = ws.config.project.templates_dir.as_deref() else { return Vec::new() };
    let folder = ws.main_root().join(dir);
    let mut found: Vec<FileHash> = Vec::new();
    let mut pending = vec!["env.j2".to_string()];
    while let Some(name) = pending.pop() {
        let shown = format!("{}/{name}", dir.trim_end_matches('/'));
        if found.iter().any(|f| f.path == shown) {
            continue;
        }
        // A refused or unreadable name fails the render itself, with its error.
        let Ok(Some(text)) = loader::read(&folder, &name) else { continue };
        found.push(FileHash { path: shown, sha256: crate::names::hex(&Sha256::digest(text.as_bytes())) });
        pending.extend(included(&text).into_iter().filter(|n| loader::is_plain_name(n)));
    }
    found
}

/// Appends [`files`] to `named` (each once).
pub fn with_files(ws: &Workspace, mut named: Vec<FileHash>) -> Vec<FileHash> {
    for file in files(ws) {
        if !named.contains(&file) {
            named.push(file);
        }
    }
    named
}

/// The literal template names of a template's `include`, `import`, `from` and `extends` tags.
fn included(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let tag = &rest[start + 2..];
        let end = tag.find("%}").unwrap_or(tag.len());
        let body = tag[..end].trim_start_matches(['-', '+']).trim_start();
        let keyword = body.split_whitespace().next().unwrap_or("");
        if ["include", "import", "from", "extends"].contains(&keyword) {
            names.extend(quoted(&body[keyword.len()..]));
        }
        rest = &tag[end..];
    }
    names
}

/// The strings in single or double quotes of `text`.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            out.push(chars.by_ref().take_while(|&d| d != c).collect());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_includes_are_found() {
        let text = "A=1\n{% include \"more.j2\" %}\n{%- include ['x.j2', \"y.j2\"] -%}\n\
                    {% from 'macros.j2' import m %}{% if x %}{% include name %}{% endif %}{{ '{%' }}";
        assert_eq!(included(text), ["more.j2", "x.j2", "y.j2", "macros.j2"]);
    }
}
