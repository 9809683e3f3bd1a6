//! A lease is never released while a running container of the branch's stack still publishes
//! its port: the key may be gone from cfn.toml, but the service removed with it keeps running
//! until `cfn down`, and another branch leasing that port would collide with it.
//!
//! The engine is asked only when a release is planned. What cannot be checked (no engine) is
//! kept too: it is released by the first reconcile that can check it.

use super::reconcile::Plan;
use crate::engine::{Engine, PublishedPort};

/// What the engine said about the ports a compose project's running containers publish.
#[derive(Debug, Clone)]
pub enum Publishers {
    Known(Vec<PublishedPort>),
    /// The engine could not be asked, and why.
    Unknown(String),
    /// Not asked: no release was due when the command looked (another command changed the
    /// leases meanwhile); the next reconcile asks.
    NotAsked,
}

/// A lease a plan wanted to release and that is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub key: String,
    pub port: u16,
    pub why: String,
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kept {}={}: {}", self.key, self.port, self.why)
    }
}

/// Asks the engine what compose project `project`'s running containers publish.
pub fn publishers(project: &str, engine: Option<&str>) -> Publishers {
    let asked = crate::runtime::wait(async {
        let engine = Engine::connect_named(engine).await?;
        engine.published_ports(project).await
    });
    match asked {
        Ok(Ok(ports)) => Publishers::Known(ports),
        Ok(Err(e)) | Err(e) => Publishers::Unknown(format!("{e:#}")),
    }
}

/// Takes out of `plan` every release whose port `publishers` shows still published (or that
/// cannot be checked), with the new lease of the same key when its protocol changed; returns
/// what it kept.
pub fn keep_published(plan: &mut Plan, publishers: &Publishers) -> Vec<Kept> {
    let mut kept = Vec::new();
    plan.release.retain(|lease| {
        let why = match publishers {
            Publishers::Known(ports) => {
                let by = ports.iter().find(|p| p.port == lease.port && lease.covers(p.protocol));
                match by {
                    Some(p) => format!("still published by {}; `cfn down` releases it", p.container),
                    None => return true,
                }
            }
            Publishers::NotAsked => {
                "the leases changed while this command ran; the next command releases it".into()
            }
            Publishers::Unknown(reason) => format!(
                "cannot check that no container still publishes it ({reason}); released once the \
                 engine answers"
            ),
        };
        kept.push(Kept { key: lease.key.clone(), port: lease.port, why });
        false
    });
    plan.lease.retain(|key| !kept.iter().any(|k| &k.key == key));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Lease;

    fn lease(key: &str, port: u16, protocol: &str) -> Lease {
        Lease { key: key.into(), port, protocol: crate::protocol::Protocol::parse(protocol) }
    }

    fn published(port: u16, protocol: &str, container: &str) -> PublishedPort {
        let protocol = crate::protocol::Protocol::parse(protocol).unwrap();
        PublishedPort { port, protocol, container: container.into() }
    }

    #[test]
    fn a_published_port_is_kept_and_the_rest_released() {
        let mut plan = Plan {
            lease: vec!["dns".into()],
            release: vec![lease("extra", 7480, "tcp"), lease("old", 7490, "tcp"), lease("dns", 7500, "tcp")],
        };
        let engine = Publishers::Known(vec![
            published(7480, "tcp", "p-feat-extra-1"),
            // the same number over another protocol does not hold a tcp lease
            published(7490, "udp", "p-feat-other-1"),
            published(7500, "tcp", "p-feat-dns-1"),
        ]);
        let kept = keep_published(&mut plan, &engine);
        assert_eq!(plan.release, [lease("old", 7490, "tcp")]);
        assert!(plan.lease.is_empty(), "a key kept under its old protocol is not leased again yet");
        assert_eq!(
            kept[0].to_string(),
            "kept extra=7480: still published by p-feat-extra-1; `cfn down` releases it"
        );
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn nothing_is_released_when_the_engine_cannot_be_asked() {
        let mut plan = Plan { lease: vec![], release: vec![lease("extra", 7480, "any")] };
        let kept = keep_published(&mut plan, &Publishers::Unknown("no engine".into()));
        assert!(plan.is_empty());
        assert!(kept[0].to_string().starts_with("kept extra=7480: cannot check"), "{}", kept[0]);
        let mut plan = Plan { lease: vec![], release: vec![lease("extra", 7480, "any")] };
        assert!(keep_published(&mut plan, &Publishers::Known(vec![])).is_empty());
        assert_eq!(plan.release.len(), 1);
    }
}
