//! The committed completion files and man page are exactly what the binary generates.

use crate::harness::*;

fn check(file: &str, args: &[&str]) {
    let sb = Sandbox::new();
    let out = sb.cfn(sb.path(), args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("CFN_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "{file} is stale: run `CFN_UPDATE_DOCS=1 cargo test --test cli completions`"
    );
}

#[test]
fn completions_are_current() {
    for (shell, file) in [
        ("bash", "completions/cfn.bash"),
        ("zsh", "completions/_cfn"),
        ("fish", "completions/cfn.fish"),
        ("elvish", "completions/cfn.elv"),
        ("powershell", "completions/_cfn.ps1"),
    ] {
        check(file, &["completions", shell]);
    }
}

#[test]
fn completions_man_page_is_current() {
    check("docs/cfn.1", &["manpage"]);
}
