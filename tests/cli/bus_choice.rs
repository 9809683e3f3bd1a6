//! The bus of a branch whose stack has a Redis is that Redis, whether or not it runs: the
//! primitives never switch to the embedded bus while the stack is down (a signal sent then
//! would be lost once it is up) nor hide a stored value once it goes down. A configured Redis
//! that does not answer is an error that says how to start it.

use crate::harness::*;
use crate::small_stack::SmallStack;

#[test]
fn the_bus_follows_the_configuration_not_the_running_stack() {
    let Some(s) = SmallStack::new("busfixed", "") else { return };
    let bus = |args: &[&str]| s.cfn(&s.wt, args).env_remove("CFN_REDIS_URL").output().unwrap();
    let url = format!("redis://127.0.0.1:{}", s.redis_port);

    // Stack down: an error naming the stack's Redis, not a signal sent into the embedded bus.
    let out = bus(&["signal", "send", "--task-id", "t", "--channel", "go", "--payload", "early"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("the branch's bus is its stack's Redis at {url}")), "{err}");
    assert!(err.contains("run `cfn up`"), "{err}");
    assert!(!s.wt.join(".cfn/bus.db").exists(), "no embedded bus was created");

    // Stack up: what is sent and stored goes to the stack's Redis.
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    let out = bus(&["-v", "signal", "send", "--task-id", "t", "--channel", "go", "--payload", "hello"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("redis at {url} (from branch stack)")), "{}", stderr(&out));
    assert!(bus(&["context", "store", "--task-id", "t", "--key", "k", "--value", "v"]).status.success());

    // Stack down again: the stored value is not "absent" on another bus; the read fails.
    s.cfn(&s.wt, &["down"]).assert().success();
    let out = bus(&["context", "get", "--task-id", "t", "--key", "k"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot reach redis") && err.contains("run `cfn up`"), "{err}");
    assert!(!err.contains("no value"), "{err}");

    // Up again (volume kept): the signal and the value sent before are still there.
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    let out = bus(&["signal", "wait", "--task-id", "t", "--channel", "go", "--timeout", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout).trim(), "hello");
    let out = bus(&["context", "get", "--task-id", "t", "--key", "k"]);
    assert_eq!(text(&out.stdout).trim(), "v", "{}", stderr(&out));
    s.cfn(&s.wt, &["down"]).assert().success();
}

#[test]
fn an_explicit_url_overrides_the_stack_and_a_project_without_redis_uses_the_embedded_bus() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    let sb = Sandbox::new();
    // The stack (never started) has a Redis; CFN_REDIS_URL still wins.
    let root = sb.repo(
        "busoverride",
        &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"6379:6379\"]\n",
        )],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let send = ["-v", "signal", "send", "--task-id", "t", "--channel", "c", "--payload", "p"];
    let out = sb.cfn(&root, &send).env("CFN_REDIS_URL", redis.url()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(from CFN_REDIS_URL)"), "{}", stderr(&out));
    let out = sb
        .cfn(
            &root,
            &["-v", "signal", "send", "--task-id", "t", "--channel", "c", "--redis-url", &redis.url()],
        )
        .output()
        .unwrap();
    assert!(stderr(&out).contains("(from --redis-url)"), "{}", stderr(&out));

    // No Redis in the stack: the embedded bus of the checkout.
    let plain =
        sb.repo("busplain", &[("docker-compose.yml", "services:\n  app:\n    image: cfn-test/app:1\n")]);
    sb.cfn(&plain, &["init", "--yes"]).assert().success();
    let out = sb.cfn(&plain, &send).env_remove("CFN_REDIS_URL").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("embedded bus at"), "{}", stderr(&out));
    assert!(plain.join(".cfn/bus.db").exists());
}
