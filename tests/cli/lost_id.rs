//! A main checkout whose repository id file was deleted stays the repository registered there
//! when git lists its worktrees: the id is written again and nothing is stranded. And doctor
//! never promises that `--fix` registers a worktree it leaves to another repository.

use crate::harness::*;

fn ports_json(sb: &Sandbox, dir: &std::path::Path, branch: Option<&str>) -> (serde_json::Value, String) {
    let mut args = vec!["ports", "--json"];
    args.extend(branch);
    let out = sb.cfn(dir, &args).output().unwrap();
    assert!(out.status.success(), "cfn {args:?}: {}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
}

#[test]
fn a_deleted_id_file_is_written_again_and_no_worktree_is_stranded() {
    let sb = Sandbox::new();
    let root = sb.shop("lostid");
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let wt_path = std::path::PathBuf::from(wt["path"].as_str().unwrap());
    let id_file = root.join(".git/cfn-repository-id");
    let id = std::fs::read_to_string(&id_file).unwrap();
    std::fs::remove_file(&id_file).unwrap();

    let (main, err) = ports_json(&sb, &root, None);
    assert!(err.contains("had lost its repository id"), "{err}");
    assert!(err.contains(&format!("lists its registered worktree {}", wt_path.display())), "{err}");
    assert_eq!(main["project"], "lostid");
    assert_eq!(std::fs::read_to_string(&id_file).unwrap(), id, "the same id written again");
    assert_eq!(sb.count("SELECT COUNT(*) FROM repositories"), 1);

    let (feat, err) = ports_json(&sb, &wt_path, None);
    assert!(err.is_empty(), "{err}");
    assert_eq!((&feat["project"], &feat["ports"]), (&wt["project"], &wt["ports"]));
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    let report = text(&out.stdout);
    assert!(!report.contains("not registered") && !report.contains("another repository"), "{report}");
}

#[test]
fn doctor_in_a_copy_does_not_promise_to_register_the_originals_worktree() {
    let sb = Sandbox::new();
    let root = sb.shop("idcopy");
    sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let copy = sb.path().join("idcopy-copy");
    assert!(std::process::Command::new("cp").arg("-a").arg(&root).arg(&copy).status().unwrap().success());
    let out = sb.cfn(&copy, &["doctor"]).output().unwrap();
    let report = text(&out.stdout);
    assert!(
        report.contains("is registered with another repository (compose project idcopy-feat"),
        "{report}"
    );
    assert!(report.contains("`cfn doctor --fix` leaves it to that repository"), "{report}");
    assert!(!report.contains("`cfn doctor --fix` registers it"), "{report}");
    let out = sb.cfn(&copy, &["doctor", "--fix"]).output().unwrap();
    assert!(!stderr(&out).contains("registered worktree feat"), "{}", stderr(&out));
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1, "the original keeps its worktree");
}
