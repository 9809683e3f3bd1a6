//! What cfn writes is its user's alone: its folders 0700, its files 0600, in `$CFN_HOME` and
//! in a checkout's `.cfn/` (a `.cfn` the repository committed is tightened), and compose still
//! reads them (it runs as the same user).

use crate::harness::*;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode()
        & 0o777
}

#[test]
fn cfn_s_folders_are_0700_and_its_files_0600_even_in_a_committed_cfn_folder() {
    let sb = Sandbox::new();
    // The repository commits a `.cfn` folder (0755 once checked out).
    let root = sb.repo("modeshop", &[("docker-compose.yml", COMPOSE), (".cfn/README", "ours\n")]);
    assert!(git(&root, &["ls-files"]).contains(".cfn/README"), "tracked");
    std::fs::set_permissions(root.join(".cfn"), std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let wt = Path::new(wt["path"].as_str().unwrap()).to_path_buf();

    for checkout in [&root, &wt] {
        let cfn = checkout.join(".cfn");
        assert_eq!(mode(&cfn), 0o700, "{}", cfn.display());
        assert_eq!(mode(&cfn.join("compose")), 0o700);
        let mut files = vec![cfn.join("env"), cfn.join("compose.override.yaml")];
        files.extend(std::fs::read_dir(cfn.join("compose")).unwrap().map(|e| e.unwrap().path()));
        if cfn.join("compose.reset.yaml").exists() {
            files.push(cfn.join("compose.reset.yaml"));
        }
        assert!(files.len() >= 3, "{files:?}");
        for file in files {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    assert_eq!(mode(&sb.home.join("ops")), 0o700);

    // compose reads them all (it runs as this user)
    if compose_available(&["docker", "compose"]) {
        let out = sb.cfn(&wt, &["compose", "config", "--services"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(text(&out.stdout).contains("redis"), "{}", text(&out.stdout));
    }

    // An existing ops folder open to others is tightened; state.lock is made 0600.
    std::fs::set_permissions(sb.home.join("ops"), std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.cfn(&root, &["worktree", "add", "feat2"]).assert().success();
    assert_eq!(mode(&sb.home.join("ops")), 0o700);
    std::fs::remove_file(sb.home.join("state.db-wal")).ok();
    std::fs::remove_file(sb.home.join("state.db-shm")).ok();
    std::fs::write(sb.home.join("state.db"), vec![7u8; 8192]).unwrap();
    sb.cfn(&root, &["ports"]).assert().success();
    assert_eq!(mode(&sb.home.join("state.lock")), 0o600);
}
