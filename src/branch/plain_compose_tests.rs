//! What `plan` decides for a worktree, on a real git repository: where the `.env` block is
//! written and where it is refused, and what the block holds.

use super::*;
use crate::compose::port_keys::port_keys;
use crate::compose::published_ports;
use crate::compose::sanitize::sanitize;

const HOSTILE: &str =
    "services:\n  redis:\n    image: r\n    container_name: fixed\n    ports: ['6379:6379']\n";
const TAME: &str = "services:\n  redis:\n    image: r\n    ports: ['6379']\n";

fn branch(path: &Path, is_main: bool) -> BranchEnv {
    BranchEnv {
        branch: "feat".into(),
        path: path.to_path_buf(),
        project: "shop-feat".into(),
        slot: 3,
        ports: IndexMap::from([("redis".to_string(), 6409)]),
        is_main,
        engine: None,
        engine_unapproved: false,
    }
}

/// A git repository holding `docker-compose.yml`, and the plan for it.
fn plan_in(dir: &Path, compose: &str, is_main: bool, v2: bool) -> Plan {
    std::fs::write(dir.join("docker-compose.yml"), compose).unwrap();
    let file = ComposeFile::parse(&dir.join("docker-compose.yml"), compose).unwrap();
    let keys = port_keys(&published_ports(std::slice::from_ref(&file), &|_| None).unwrap());
    let sanitized = sanitize(&file, &keys).unwrap();
    let vars = IndexMap::from([
        ("COMPOSE_PROJECT_NAME".to_string(), "shop-feat".to_string()),
        ("DB_PATH".to_string(), "/x/app.db".to_string()),
        ("CFN_REDIS_PORT".to_string(), "6409".to_string()),
    ]);
    plan(&branch(dir, is_main), &[file], &[sanitized], &vars, || v2).unwrap()
}

fn repo(ignore_env: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    if ignore_env {
        std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
    }
    dir
}

#[test]
fn an_ignored_env_gets_the_block_with_the_users_variables_left_to_them() {
    let dir = repo(true);
    std::fs::write(dir.path().join(".env"), "DB_PATH=./mine.db\n").unwrap();
    let plan = plan_in(dir.path(), HOSTILE, false, true);
    assert!(matches!(plan.state(), Plain::Isolated { .. }));
    let files = format!(
        "{0}/docker-compose.yml:{0}/.cfn/compose.reset.yaml:{0}/.cfn/compose.override.yaml",
        dir.path().display()
    );
    assert_eq!(
        plan.body,
        format!("COMPOSE_PROJECT_NAME=shop-feat\nCOMPOSE_PATH_SEPARATOR=:\nCOMPOSE_FILE={files}\nCFN_REDIS_PORT=6409\n")
    );
    assert_eq!(plan.stale().len(), 2, "nothing written yet: {:?}", plan.stale());
    plan.write().unwrap();
    assert!(plan.stale().is_empty(), "{:?}", plan.stale());
    let env = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    assert!(env.starts_with("DB_PATH=./mine.db\n# >>> cfn:"), "{env}");
}

#[test]
fn where_the_block_is_refused() {
    let tracked = repo(false);
    std::fs::write(tracked.path().join(".env"), "A=1\n").unwrap();
    let repository = git2::Repository::open(tracked.path()).unwrap();
    let mut index = repository.index().unwrap();
    index.add_path(Path::new(".env")).unwrap();
    index.write().unwrap();
    let plan = plan_in(tracked.path(), HOSTILE, false, true);
    assert!(matches!(plan.state(), Plain::Blocked { reason: Blocker::Tracked, .. }));
    plan.write().unwrap();
    assert_eq!(std::fs::read_to_string(tracked.path().join(".env")).unwrap(), "A=1\n");
    assert!(tracked.path().join(".cfn/compose.env").is_file(), "the alternative is written");

    let unignored = repo(false);
    let plan = plan_in(unignored.path(), HOSTILE, false, true);
    assert!(matches!(plan.state(), Plain::Blocked { reason: Blocker::NotIgnored, .. }));
    plan.write().unwrap();
    assert!(!unignored.path().join(".env").exists());

    let linked = repo(true);
    let target = linked.path().join("elsewhere.env");
    std::fs::write(&target, "B=2\n").unwrap();
    std::os::unix::fs::symlink(&target, linked.path().join(".env")).unwrap();
    let plan = plan_in(linked.path(), HOSTILE, false, true);
    assert!(matches!(plan.state(), Plain::Blocked { reason: Blocker::Symlink, .. }));
    plan.write().unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "B=2\n");

    // compose v1: refused where tags are needed (and a block written before is taken out) …
    let v1 = repo(true);
    std::fs::write(v1.path().join(".env"), "A=1\n").unwrap();
    plan_in(v1.path(), HOSTILE, false, true).write().unwrap();
    let plan = plan_in(v1.path(), HOSTILE, false, false);
    assert!(matches!(plan.state(), Plain::Blocked { reason: Blocker::ComposeV1, .. }));
    assert_eq!(plan.stale().len(), 1, "the old block is stale: {:?}", plan.stale());
    plan.write().unwrap();
    assert_eq!(std::fs::read_to_string(v1.path().join(".env")).unwrap(), "A=1\n");
    // … and fine where the base files need nothing taken away
    let plan = plan_in(v1.path(), TAME, false, false);
    assert!(matches!(plan.state(), Plain::Isolated { .. }));
    assert!(!plan.body.contains(RESET_FILE), "{}", plan.body);
}

#[test]
fn the_main_checkout_has_no_block() {
    let dir = repo(true);
    std::fs::write(dir.path().join(".env"), "A=1\n").unwrap();
    plan_in(dir.path(), HOSTILE, false, true).write().unwrap();
    let plan = plan_in(dir.path(), HOSTILE, true, true);
    assert_eq!(plan.state(), &Plain::Main);
    plan.write().unwrap();
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), "A=1\n");
    assert!(!dir.path().join(".cfn/compose.reset.yaml").exists());
}

#[test]
fn compose_v1_gets_no_block_holding_a_dollar_brace() {
    let dir = repo(true);
    std::fs::write(dir.path().join("docker-compose.yml"), TAME).unwrap();
    let file = ComposeFile::parse(&dir.path().join("docker-compose.yml"), TAME).unwrap();
    let sanitized = sanitize(&file, &[]).unwrap();
    let vars = IndexMap::from([("WORKTREE_BRANCH".to_string(), "feat-${SECRET}".to_string())]);
    let plan_with = |v2: bool| {
        plan(
            &branch(dir.path(), false),
            std::slice::from_ref(&file),
            std::slice::from_ref(&sanitized),
            &vars,
            || v2,
        )
        .unwrap()
    };
    let v1 = plan_with(false);
    assert!(matches!(v1.state(), Plain::Blocked { reason: Blocker::Interpolation, .. }), "{:?}", v1.state());
    // v2 reads a single-quoted value literally
    let v2 = plan_with(true);
    assert!(matches!(v2.state(), Plain::Isolated { .. }));
    assert!(v2.body.contains("WORKTREE_BRANCH='feat-${SECRET}'\n"), "{}", v2.body);
}
