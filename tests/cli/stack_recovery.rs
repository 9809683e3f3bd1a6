//! A branch's stack stays under control when its files go wrong: `cfn down` stops a running
//! stack whose compose file no longer parses (from the engine's labels alone), and a service
//! name that is not in the compose files is an error, not an empty answer.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::{networks_of, volumes_of};

#[test]
fn down_stops_a_running_stack_whose_compose_file_is_broken() {
    let Some(s) = SmallStack::new("brokendown", "") else { return };
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(s.running().len(), 1);
    let volumes = volumes_of(&s.project);
    assert_eq!(volumes.len(), 1, "the redis volume");
    std::fs::write(s.wt.join("docker-compose.yml"), "services:\n  redis: [unclosed\n").unwrap();

    let out = s.cfn(&s.wt, &["down"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("stopping") && err.contains("by its engine labels"), "{err}");
    assert_stopped_keeping(&s, &volumes);

    // With the file still broken, --volumes deletes the data too (asked for, confirmed).
    let out = s.cfn(&s.wt, &["down", "--volumes", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(volumes_of(&s.project).is_empty());
}

/// A branch's own cfn.toml broken while its stack runs: `down` still stops it, by the engine's
/// labels, and keeps its leases until the file is fixed.
#[test]
fn down_stops_a_running_stack_whose_own_cfn_toml_is_broken() {
    let Some(s) = SmallStack::new("brokentoml", "") else { return };
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(s.running().len(), 1);
    let volumes = volumes_of(&s.project);
    let leases = s.sb.count("SELECT COUNT(*) FROM leases");
    let toml = std::fs::read_to_string(s.root.join("cfn.toml")).unwrap();
    std::fs::write(s.wt.join("cfn.toml"), format!("{toml}[ports\n")).unwrap();
    let out = s.cfn(&s.wt, &["ports"]).output().unwrap();
    assert!(!out.status.success(), "the broken file is an error elsewhere: {}", stderr(&out));

    let out = s.cfn(&s.wt, &["down"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("cfn.toml") && err.contains("by its engine labels"), "{err}");
    assert_stopped_keeping(&s, &volumes);
    assert_eq!(s.sb.count("SELECT COUNT(*) FROM leases"), leases, "leases kept as they were");
    // from the main checkout, by name, as well
    s.cfn(&s.root, &["down", "-b", "feat"]).assert().success();
}

#[test]
fn unknown_services_are_an_error_with_the_known_ones_as_hint() {
    let Some(s) = SmallStack::new("nosuchsvc", "") else { return };
    for args in [
        &["logs", "nosuch"][..],
        &["compose", "logs", "nosuch"],
        &["compose", "ps", "nosuch"],
        &["compose", "logs", "--tail", "5", "redis", "nosuch"],
        &["up", "nosuch"],
    ] {
        let out = s.cfn(&s.wt, args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "a bad argument: cfn {args:?}: {err}");
        assert!(err.contains("error: no such service: nosuch"), "cfn {args:?}: {err}");
        assert!(err.contains(&format!("hint: the services of {} are: redis", s.project)), "{err}");
    }
    assert!(s.running().is_empty(), "`up nosuch` started nothing");
    // Known names still pass through to compose.
    s.cfn(&s.wt, &["logs", "redis"]).assert().success();
    s.cfn(&s.wt, &["compose", "ps", "redis"]).assert().success();
    s.cfn(&s.wt, &["compose", "logs", "--tail", "5", "redis"]).assert().success();
}

/// `cfn up` lists as endpoints only what started: a service of a compose profile that is not
/// active has a port key (its port stays leased for when the profile is used) but no endpoint.
#[test]
fn up_lists_no_endpoint_for_a_service_that_did_not_start() {
    let extra = "  admin:\n    image: cfn-test/redis:1\n    profiles: [tools]\n    ports: [\"6380:6379\"]\n";
    let Some(s) = SmallStack::new("profiled", extra) else { return };
    let ports = s.sb.json(&s.wt, &["ports", "--json"]);
    assert!(ports["ports"]["admin"].is_u64(), "the profiled service's key is leased: {ports}");
    let out = s.cfn(&s.wt, &["up", "--timeout", "60", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let endpoints: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let services: Vec<&str> =
        endpoints.as_array().unwrap().iter().map(|e| e["service"].as_str().unwrap()).collect();
    assert_eq!(services, ["redis"], "{endpoints}");
}

/// A one-shot service (a seed job) that ran and exited 0 is no endpoint either: nothing listens
/// on its port.
#[test]
fn up_lists_no_endpoint_for_a_one_shot_service_that_exited() {
    let extra = "  seed:\n    image: cfn-test/redis:1\n    entrypoint: [\"redis-server\", \"--version\"]\n    healthcheck: {disable: true}\n    ports: [\"6381:6379\"]\n";
    let Some(s) = SmallStack::new("oneshot", extra) else { return };
    let out = s.cfn(&s.wt, &["up", "--timeout", "60", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let endpoints: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let services: Vec<&str> =
        endpoints.as_array().unwrap().iter().map(|e| e["service"].as_str().unwrap()).collect();
    assert_eq!(services, ["redis"], "{endpoints}");
}

/// The branch's stack is gone (containers, network) and its volumes are `volumes`, kept.
fn assert_stopped_keeping(s: &SmallStack, volumes: &[String]) {
    assert!(s.running().is_empty(), "nothing of the branch runs");
    assert!(crate::stack_harness::containers_of(&s.project).is_empty(), "containers removed");
    assert!(networks_of(&s.project).is_empty(), "network removed");
    assert_eq!(volumes_of(&s.project), volumes, "volumes kept without --volumes");
}
