//! schemathesis against the portal's OpenAPI document (scripts/schemathesis-portal.sh): every
//! route called with generated parameters and bodies, every answer checked against the document
//! (status, content type, body schema) and never a 500.

use crate::harness::require;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_portal_answers_as_its_openapi_document_says() {
    let venv = std::env::var_os("CFN_TEST_VENV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/cfn-test/venv")
    });
    if !require(venv.join("bin/st").is_file(), "schemathesis (scripts/install-schemathesis.sh)") {
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/schemathesis-portal.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("cfn"))
        .env("CFN_TEST_VENV", &venv)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("passed"), "schemathesis ran cases: {report}");
    assert!(!report.contains("0 generated"), "{report}");
}
