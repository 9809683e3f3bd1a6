//! A container agent attacks the host through its mounts, on the real engine: it runs as the
//! caller (the tests, when run as root, play an ordinary caller with uid 65534), cannot leave a
//! setuid-root file, cannot write `.git` (hooks and the gitdir pointer run on the host), has no
//! capabilities, no new privileges, and a process limit.

use super::run::{run_agent, AgentRun};
use crate::engine::Engine;
use crate::health::tests::support::ci::missing;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const ATTACK: &str = r#"
id -u > /workspace/out/uid
grep -E '^(CapEff|NoNewPrivs):' /proc/self/status > /workspace/out/status
cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max > /workspace/out/pids 2>/dev/null
cp /bin/busybox /workspace/out/suid; chmod 4755 /workspace/out/suid; chown 0:0 /workspace/out/suid 2> /workspace/out/chown.err
chmod 4755 /workspace/root-owned 2> /workspace/out/chmod.err
{ mkdir -p /workspace/.git/hooks; echo 'touch /tmp/pwned' > /workspace/.git/hooks/post-commit; } 2> /workspace/out/git.err
{ echo 'gitdir: /workspace/out' > /workspace/.git; } 2>> /workspace/out/git.err
exit 0
"#;

struct Network(String);
impl Drop for Network {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["network", "rm", &self.0]).output();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn a_container_agent_cannot_escalate_or_write_git() {
    let engine = match Engine::connect().await {
        Ok(engine) => engine,
        Err(e) => {
            missing::<()>(&format!("the Docker engine ({e:#})"));
            return;
        }
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let main = tmp.path().join("main");
    std::fs::create_dir(&main).expect("mkdir");
    git(&main, &["init", "-q", "-b", "main"]);
    git(&main, &["commit", "-q", "--allow-empty", "-m", "initial"]);
    git(&main, &["worktree", "add", "-q", "-b", "agent", "../linked"]);
    let linked = tmp.path().join("linked");
    let root = rustix::process::geteuid().is_root();
    let caller = if root {
        (65534, 65534)
    } else {
        (rustix::process::getuid().as_raw(), rustix::process::getgid().as_raw())
    };
    let project = format!("cfn-agent-hardening-{}", std::process::id());
    let created = Command::new("docker").args(["network", "create", &format!("{project}_default")]).output();
    assert!(created.is_ok_and(|o| o.status.success()), "docker network create");
    let _network = Network(format!("{project}_default"));

    for workdir in [&main, &linked] {
        let out = workdir.join("out");
        std::fs::create_dir(&out).expect("mkdir out");
        std::fs::write(workdir.join("root-owned"), "x").expect("write");
        let git_before = std::fs::read(workdir.join(".git")).ok();
        if root {
            // The ordinary caller owns its worktree; root keeps one file of its own in it.
            let chowned = Command::new("chown").args(["-R", "65534:65534"]).arg(workdir).status();
            assert!(chowned.is_ok_and(|s| s.success()));
            std::os::unix::fs::chown(workdir.join("root-owned"), Some(0), Some(0)).expect("chown");
        }
        let spec = AgentRun {
            adapter: None,
            agent_id: "boxed".into(),
            command: Some(vec!["sh".into(), "-c".into(), ATTACK.into()]),
            image: Some("cfn-test/app:1".into()),
            workdir: workdir.clone(),
            env: vec![("CFN_AGENT_ID".into(), "boxed".into())],
            timeout: Duration::from_secs(60),
            log: tmp.path().join("agent.log"),
            memory: None,
            cpus: None,
            user: caller,
            pids: None,
            project: project.clone(),
            repository: None,
            token: None,
        };
        let outcome = run_agent(&spec, Some(&engine), &|_| {}).await.expect("run");
        assert_eq!(outcome.exit_code, Some(0), "{outcome:?}: {:?}", std::fs::read_to_string(&spec.log));
        let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
        assert_eq!(read("uid").trim(), caller.0.to_string(), "runs as the caller");
        let status = read("status");
        assert!(status.contains("CapEff:\t0000000000000000"), "no capabilities: {status}");
        assert!(status.contains("NoNewPrivs:\t1"), "no new privileges: {status}");
        assert_eq!(read("pids").trim(), "512", "the default process limit");
        if let Ok(meta) = std::fs::metadata(out.join("suid")) {
            assert!(!(meta.uid() == 0 && meta.mode() & 0o4000 != 0), "a setuid-root file was left");
        }
        if root {
            assert!(!read("chown.err").is_empty(), "chown to root refused");
            let mode = std::fs::metadata(workdir.join("root-owned")).expect("stat").permissions().mode();
            assert_eq!(mode & 0o4000, 0, "root's file did not become setuid");
        }
        assert!(!read("git.err").is_empty(), "writing .git failed in the container");
        assert_eq!(std::fs::read(workdir.join(".git")).ok(), git_before, ".git file unchanged");
        let hooks =
            if workdir == &main { main.join(".git/hooks") } else { main.join(".git/worktrees/linked/hooks") };
        assert!(!hooks.join("post-commit").exists(), "a hook was planted");
        let log_mode = std::fs::metadata(&spec.log).expect("log").permissions().mode() & 0o777;
        assert_eq!(log_mode, 0o600, "the agent's log is private");
    }
}
