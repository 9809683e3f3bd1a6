//! docs/cli.md is generated from the command-line definition and must stay equal to it.

use clap::CommandFactory as _;

#[test]
fn reference() {
    let generated = cfn::cli::reference::markdown(&cfn::cli::Cli::command());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    if std::env::var_os("CFN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/cli.md is stale: run `CFN_UPDATE_DOCS=1 cargo test --test cli reference`"
    );
}
