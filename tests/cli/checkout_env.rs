//! What cfn reads from a checkout stays the checkout's: a branch that commits `.env` (or its
//! own cfn.toml) as a link to another project's file gets nothing of it into templates; a
//! project's `env.j2` cannot choose compose's project or files; `cfn init` excludes an untracked
//! `.env`, so plain compose works in worktrees without a warning.

use crate::harness::*;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const SECRET: &str = "other-project-secret-4e1a";
const TAME: &str = "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"6379:6379\"]\n";

/// A one-request-at-a-time HTTP listener answering 200; records every request line.
fn listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            log.lock().unwrap().push(line.trim().to_string());
            let _ = (&stream).write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (port, seen)
}

/// Another project on the machine, with its own `.env`.
fn other_project(sb: &Sandbox) -> PathBuf {
    let other = sb.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(".env"), format!("SECRET={SECRET}\n")).unwrap();
    other
}

fn shop(sb: &Sandbox, toml: &str) -> PathBuf {
    let root = sb.repo("shop", &[("docker-compose.yml", TAME)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut text = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    text.push_str(toml);
    std::fs::write(root.join("cfn.toml"), text).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    root
}

#[test]
fn a_dotenv_linked_to_another_project_never_reaches_a_health_url() {
    let sb = Sandbox::new();
    let (port, seen) = listener();
    let other = other_project(&sb);
    let root = shop(
        &sb,
        &format!(
            "\n[health.leak]\ntype = \"http\"\nurl = \"http://127.0.0.1:{port}/{{{{ env.SECRET }}}}\"\n"
        ),
    );
    // the branch tracks `.env` as a link to the other project's file
    git(&root, &["checkout", "-q", "-b", "evil"]);
    std::os::unix::fs::symlink(other.join(".env"), root.join(".env")).unwrap();
    git(&root, &["add", "-f", ".env"]);
    git(&root, &["commit", "-q", "-m", "link"]);
    git(&root, &["checkout", "-q", "main"]);
    sb.cfn(&root, &["worktree", "add", "evil"]).assert().success();
    let wt = sb.path().join("shop-evil");
    assert!(std::fs::symlink_metadata(wt.join(".env")).unwrap().file_type().is_symlink());

    let out = sb.cfn(&wt, &["health", "--yes"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let warning = format!(
        "warning: ignoring {}: it leads out of the checkout through a symbolic link",
        wt.join(".env").display()
    );
    assert_eq!(err.matches(&warning).count(), 1, "one warning naming the file: {err}");
    assert!(err.contains("error: template health.leak.url reads env.SECRET, which is not set"), "{err}");
    assert!(!err.contains(SECRET) && !text(&out.stdout).contains(SECRET));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent: {:?}", seen.lock().unwrap());
    // nor is it in any file cfn rendered for the branch
    let env = sb.cfn(&wt, &["env", "--format", "json"]).output().unwrap();
    assert!(env.status.success() && !text(&env.stdout).contains(SECRET), "{}", stderr(&env));

    // a link that stays inside the checkout is read as before
    std::fs::remove_file(wt.join(".env")).unwrap();
    std::fs::write(wt.join("dev.env"), "SECRET=own-value\n").unwrap();
    std::os::unix::fs::symlink("dev.env", wt.join(".env")).unwrap();
    let out = sb.cfn(&wt, &["health", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning: ignoring"), "{}", stderr(&out));
    assert_eq!(*seen.lock().unwrap(), ["GET /own-value HTTP/1.1"]);
}

#[test]
fn a_worktree_cfn_toml_linked_out_of_the_checkout_is_refused() {
    let sb = Sandbox::new();
    let root = shop(&sb, "");
    let secret = sb.path().join("secret.txt");
    std::fs::write(&secret, format!("token {SECRET}\n")).unwrap();
    sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
    let wt = sb.path().join("shop-feat");
    std::fs::remove_file(wt.join("cfn.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, wt.join("cfn.toml")).unwrap();
    let out = sb.cfn(&wt, &["env"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: cfn.toml \"cfn.toml\" is outside the repository (a symbolic link leads to"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(
        !err.contains(SECRET) && !text(&out.stdout).contains(SECRET),
        "the file's text is not shown: {err}"
    );
}

#[test]
fn env_j2_cannot_choose_composes_project_or_files() {
    let sb = Sandbox::new();
    let root = shop(&sb, "");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replacen("[project]\n", "[project]\ntemplates_dir = \"tpl\"\n", 1),
    )
    .unwrap();
    std::fs::create_dir(root.join("tpl")).unwrap();
    for line in [
        "COMPOSE_PROJECT_NAME=victim",
        "COMPOSE_FILE=/elsewhere/compose.yml",
        "COMPOSE_PROFILES=all",
        "compose_file=x.yml",
    ] {
        std::fs::write(root.join("tpl/env.j2"), format!("WORKTREE_BRANCH={{{{ branch|dotenv }}}}\n{line}\n"))
            .unwrap();
        let name = line.split('=').next().unwrap();
        let out = sb.cfn(&root, &["env", "--format", "shell"]).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{line}: {err}");
        assert!(
            err.contains(&format!("error: template env.j2 sets {name}, which would point plain")),
            "{err}"
        );
        assert!(err.contains(&format!("hint: remove {name} from env.j2")), "{err}");
        assert!(out.stdout.is_empty(), "{line}");
        let out = sb.cfn(&root, &["worktree", "add", "feat"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{line}: {}", stderr(&out));
        assert!(!sb.path().join("shop-feat").exists(), "{line}: the worktree was undone");
    }
    // the branch's own name is cfn's own setting; cfn's plain-compose block sets the files
    std::fs::write(root.join("tpl/env.j2"), "COMPOSE_PROJECT_NAME={{ project_name|dotenv }}\nA=1\n").unwrap();
    sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
    let wt = sb.path().join("shop-feat");
    let dotenv = std::fs::read_to_string(wt.join(".env")).unwrap();
    assert!(
        dotenv.contains("COMPOSE_PROJECT_NAME=shop-feat\n") && dotenv.contains("COMPOSE_FILE="),
        "{dotenv}"
    );
    assert!(dotenv.contains("A=1\n"), "{dotenv}");
}

#[test]
fn init_excludes_an_untracked_dotenv_and_says_what_to_do_with_a_tracked_one() {
    let sb = Sandbox::new();
    let root = sb.repo("shop", &[("docker-compose.yml", TAME)]);
    let out = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("excluded .env from git (.git/info/exclude)"), "{}", stderr(&out));
    let exclude = std::fs::read_to_string(root.join(".git/info/exclude")).unwrap();
    assert!(exclude.lines().any(|l| l == "/.env"), "{exclude}");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    // a worktree gets its plain-compose block, and no warning about it
    let out = sb.cfn(&root, &["worktree", "add", "feat"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let dotenv = std::fs::read_to_string(sb.path().join("shop-feat/.env")).unwrap();
    assert!(dotenv.contains("COMPOSE_PROJECT_NAME=shop-feat"), "{dotenv}");
    assert_eq!(git(&root, &["status", "--porcelain"]), "", "nothing shows as untracked");

    // a tracked .env is left alone, with what to do
    let tracked = sb.repo("mall", &[("docker-compose.yml", TAME), (".env", "A=1\n")]);
    let out = sb.cfn(&tracked, &["init", "--yes"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning: .env is tracked by git") && err.contains("git rm --cached .env"), "{err}");
    let exclude = std::fs::read_to_string(tracked.join(".git/info/exclude")).unwrap();
    assert!(!exclude.contains("/.env"), "{exclude}");
}
