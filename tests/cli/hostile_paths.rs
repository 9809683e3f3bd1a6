//! A hostile repository cannot make cfn write through a link it committed, nor read or write
//! outside itself through the paths of its cfn.toml; a branch's links never receive the main
//! checkout's secrets.

use crate::harness::*;
use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// A folder outside every repository, watched for anything cfn might put there.
fn outside(sb: &Sandbox) -> PathBuf {
    let dir = sb.path().join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

/// Replaces `compose_files` of the repository's cfn.toml.
fn set_compose_files(root: &Path, value: &str) {
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let line = toml.lines().find(|l| l.starts_with("compose_files")).unwrap();
    std::fs::write(root.join("cfn.toml"), toml.replace(line, &format!("compose_files = [{value:?}]")))
        .unwrap();
}

fn assert_refused(out: &std::process::Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("error: {needle}")) || err.contains(needle), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn a_committed_cfn_link_is_refused_and_nothing_is_written_through_it() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    // a branch that commits `.cfn` as a link out of the repository
    git(&root, &["checkout", "-q", "-b", "evil"]);
    let _ = std::fs::remove_dir_all(root.join(".cfn"));
    symlink(&out_dir, root.join(".cfn")).unwrap();
    git(&root, &["add", "-f", ".cfn"]);
    git(&root, &["commit", "-q", "-m", "link .cfn"]);

    // in the checkout that has it
    let out = sb.cfn(&root, &["compose", "config"]).output().unwrap();
    assert_refused(&out, ".cfn is a symbolic link; cfn does not write through links in a checkout");
    assert_eq!(entries(&out_dir), Vec::<String>::new(), "nothing written outside");
    // doctor says so, and --fix renders nothing through it either
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report = text(&out.stdout);
    assert!(report.contains("fail  rendered") && report.contains(".cfn is a symbolic link"), "{report}");
    sb.cfn(&root, &["doctor", "--fix"]).output().unwrap();
    assert_eq!(entries(&out_dir), Vec::<String>::new(), "nothing written outside");

    // as a new worktree: refused, and the add leaves nothing behind
    git(&root, &["checkout", "-q", "main"]);
    std::fs::remove_file(root.join(".cfn")).ok();
    let out = sb.cfn(&root, &["worktree", "add", "evil"]).output().unwrap();
    assert_refused(&out, ".cfn is a symbolic link");
    assert_eq!(entries(&out_dir), Vec::<String>::new(), "nothing written outside");
    assert!(!sb.path().join("shop-evil").exists(), "the worktree is rolled back");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0, "no lease leaked");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
}

#[test]
fn the_embedded_bus_is_not_opened_through_a_linked_cfn() {
    let sb = Sandbox::new();
    let root = sb.repo("plain", &[("compose.yaml", "services:\n  web:\n    image: busybox\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let out_dir = outside(&sb);
    let _ = std::fs::remove_dir_all(root.join(".cfn"));
    symlink(&out_dir, root.join(".cfn")).unwrap();
    let out = sb
        .cfn(&root, &["context", "store", "--task-id", "t1", "--key", "k", "--value", "v"])
        .output()
        .unwrap();
    assert_refused(&out, ".cfn is a symbolic link");
    assert_eq!(entries(&out_dir), Vec::<String>::new(), "no bus written outside");
}

#[test]
fn compose_files_outside_the_repository_are_refused_and_never_written() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    let victim = out_dir.join("victim.yml");
    let original = "services:\n  x:\n    image: busybox\n";
    std::fs::write(&victim, original).unwrap();
    symlink(&out_dir, root.join("linked")).unwrap();
    let before = std::fs::metadata(&victim).unwrap().modified().unwrap();
    let cases = [
        (victim.to_str().unwrap().to_string(), "(an absolute path)"),
        ("../outside/victim.yml".to_string(), "(it climbs out with `..`)"),
        ("linked/victim.yml".to_string(), "(a symbolic link leads to"),
    ];
    for (value, why) in &cases {
        set_compose_files(&root, value);
        let expected = format!("project.compose_files {value:?} is outside the repository {why}");
        let out = sb.cfn(&root, &["compose", "config"]).output().unwrap();
        assert_refused(&out, &expected);
        let out = sb.cfn(&root, &["doctor"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(text(&out.stdout).contains(&expected), "{}", text(&out.stdout));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), original, "{value}");
        assert_eq!(std::fs::metadata(&victim).unwrap().modified().unwrap(), before, "{value}");
        assert!(!out_dir.join(".env").exists(), "no .env written beside it");
    }
}

#[test]
fn templates_and_migrations_folders_outside_the_repository_are_refused() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    symlink(&out_dir, root.join("tpl")).unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    for (key, extra, needle) in [
        ("project.templates_dir", ("name = ", "templates_dir = \"tpl\"\nname = "), "\"tpl\" is outside"),
        (
            "migrations.dir",
            ("[ports]", "[migrations]\ndir = \"../outside\"\n\n[ports]"),
            "\"../outside\" is outside",
        ),
    ] {
        std::fs::write(root.join("cfn.toml"), toml.replacen(extra.0, extra.1, 1)).unwrap();
        let out = sb.cfn(&root, &["env"]).output().unwrap();
        assert_refused(&out, &format!("{key} {needle} the repository"));
    }
}

#[test]
fn copying_never_writes_through_a_branch_link_and_keeps_modes() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "shop",
        &[
            ("docker-compose.yml", COMPOSE),
            (".gitignore", ".env*\nconfig/\n"),
            (".worktreeinclude", ".env*\nconfig/\n"),
            ("deep/keep.txt", "kept\n"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let out_dir = outside(&sb);
    let public = out_dir.join("public.env");
    std::fs::write(&public, "PUBLIC=1\n").unwrap();
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret_elsewhere = out_dir.join("elsewhere.secret");
    std::fs::write(&secret_elsewhere, "ELSEWHERE=1\n").unwrap();

    // the branch tracks `.env`, `config` and the folder `deep` as links to places other users
    // can read
    git(&root, &["checkout", "-q", "-b", "leaky"]);
    symlink(&public, root.join(".env")).unwrap();
    symlink(&out_dir, root.join("config")).unwrap();
    git(&root, &["rm", "-q", "deep/keep.txt"]);
    symlink(&out_dir, root.join("deep")).unwrap();
    git(&root, &["add", "-f", ".env", "config", "deep"]);
    git(&root, &["commit", "-q", "-m", "links"]);
    git(&root, &["checkout", "-q", "main"]);

    // the main checkout's ignored secrets
    for (name, text, mode) in [(".env", "API_KEY=secret\n", 0o600), (".env.local", "LOCAL=1\n", 0o640)] {
        std::fs::write(root.join(name), text).unwrap();
        std::fs::set_permissions(root.join(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::create_dir_all(root.join("config")).unwrap();
    std::fs::write(root.join("config/local.json"), "{\"token\": \"secret\"}").unwrap();
    std::fs::write(root.join("deep/.env.deep"), "DEEP=secret\n").unwrap();
    // and an ignored link to a file outside the repository
    symlink(&secret_elsewhere, root.join(".env.ext")).unwrap();

    let out = sb.cfn(&root, &["worktree", "add", "leaky"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "the add goes on: {err}");
    let wt = sb.path().join("shop-leaky");
    assert!(err.contains("warning: not copied: .env: the worktree has a symbolic link there"), "{err}");
    assert!(err.contains("warning: not copied: config: the worktree has a symbolic link there"), "{err}");
    assert!(
        err.contains(&format!(
            "warning: not copied: deep/.env.deep: {} is a symbolic link",
            wt.join("deep").display()
        )),
        "{err}"
    );
    assert!(
        err.contains("warning: not copied: .env.ext: it is a symbolic link that leads out of the repository"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&public).unwrap(), "PUBLIC=1\n", "the link's target is untouched");
    assert_eq!(mode(&public), 0o644);
    assert_eq!(entries(&out_dir).len(), 2, "nothing new outside: {:?}", entries(&out_dir));
    assert!(std::fs::symlink_metadata(wt.join(".env")).unwrap().file_type().is_symlink());
    assert!(!wt.join(".env.ext").exists(), "a link out is not followed");
    // what was copied keeps its source's mode
    assert_eq!(std::fs::read_to_string(wt.join(".env.local")).unwrap(), "LOCAL=1\n");
    assert_eq!(mode(&wt.join(".env.local")), 0o640);
}

#[test]
fn a_copied_secret_stays_private() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "shop",
        &[
            ("docker-compose.yml", COMPOSE),
            (".gitignore", ".env\nkeys/\n"),
            (".worktreeinclude", ".env\nkeys\n"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    std::fs::write(root.join(".env"), "API_KEY=secret\nREDIS=6379\n").unwrap();
    std::fs::set_permissions(root.join(".env"), std::fs::Permissions::from_mode(0o600)).unwrap();
    // a whole ignored folder, with a private file one level down
    std::fs::create_dir_all(root.join("keys/sub")).unwrap();
    std::fs::write(root.join("keys/sub/id"), "private").unwrap();
    std::fs::set_permissions(root.join("keys/sub/id"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(root.join("keys/pub"), "public").unwrap();
    std::fs::set_permissions(root.join("keys/pub"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let v = sb.json(&root, &["worktree", "add", "plain", "--json"]);
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    assert_eq!(mode(&wt.join(".env")), 0o600);
    assert!(std::fs::read_to_string(wt.join(".env")).unwrap().starts_with("API_KEY=secret\n"));
    assert_eq!(std::fs::read_to_string(wt.join("keys/sub/id")).unwrap(), "private");
    assert_eq!(mode(&wt.join("keys/sub/id")), 0o600);
    assert_eq!(mode(&wt.join("keys/pub")), 0o644);
}

#[test]
fn worktreeinclude_and_copy_globs_may_not_climb_out() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "shop",
        &[("docker-compose.yml", COMPOSE), (".gitignore", ".env\n"), (".worktreeinclude", "../*\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    std::fs::write(root.join(".env"), "A=1\n").unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "climb"]).output().unwrap();
    assert_refused(&out, ".worktreeinclude \"../*\" is outside the repository");
    assert!(!sb.path().join("shop-climb").exists(), "rolled back");

    std::fs::write(root.join(".worktreeinclude"), "").unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), format!("{toml}\n[copy]\ninclude = [\"../../etc/*\"]\n")).unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "climb"]).output().unwrap();
    assert_refused(&out, "copy.include \"../../etc/*\" is outside the repository");

    // a `.worktreeinclude` that is a link out of the repository is not read
    std::fs::write(root.join("cfn.toml"), &toml).unwrap();
    let list = outside(&sb).join("list");
    std::fs::write(&list, ".env\n").unwrap();
    std::fs::remove_file(root.join(".worktreeinclude")).unwrap();
    symlink(&list, root.join(".worktreeinclude")).unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "climb"]).output().unwrap();
    assert_refused(&out, "\".worktreeinclude\" is outside the repository (a symbolic link leads to");
    assert!(!sb.path().join("shop-climb").exists(), "rolled back");
}

#[test]
fn a_linked_hooks_folder_is_refused() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    symlink(&out_dir, root.join(".githooks")).unwrap();
    git(&root, &["config", "core.hooksPath", ".githooks"]);
    let out = sb.cfn(&root, &["hooks", "install"]).output().unwrap();
    assert_refused(&out, ".githooks is a symbolic link");
    assert_eq!(entries(&out_dir), Vec::<String>::new(), "no hook written outside");
}

#[test]
fn a_compose_file_may_not_pull_in_a_file_outside_the_repository() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    std::fs::write(out_dir.join("victim.yml"), "services:\n  x:\n    image: busybox\n").unwrap();
    let compose = std::fs::read_to_string(root.join("docker-compose.yml")).unwrap();
    std::fs::write(
        root.join("docker-compose.yml"),
        format!("include:\n  - ../outside/victim.yml\n{compose}"),
    )
    .unwrap();
    let rendered = |root: &Path| -> Vec<String> {
        let dir = root.join(".cfn/compose");
        let mut texts: Vec<String> =
            entries(&dir).iter().map(|n| std::fs::read_to_string(dir.join(n)).unwrap()).collect();
        texts.sort();
        texts
    };
    let before = rendered(&root);
    let out = sb.cfn(&root, &["compose", "config"]).output().unwrap();
    assert_refused(&out, "\"../outside/victim.yml\" is outside the repository");
    assert_eq!(rendered(&root), before, "nothing of it rendered");
}

#[test]
fn a_migration_file_linked_out_of_the_repository_is_not_read() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out_dir = outside(&sb);
    std::fs::write(out_dir.join("secret"), "root:hunter2\n").unwrap();
    std::fs::create_dir_all(root.join("migrations")).unwrap();
    symlink(out_dir.join("secret"), root.join("migrations/0001_steal.up.sql")).unwrap();
    let out = sb.cfn(&root, &["migrate", "up"]).output().unwrap();
    assert_refused(&out, "a migration file \"migrations/0001_steal.up.sql\" is outside the repository");
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
}
