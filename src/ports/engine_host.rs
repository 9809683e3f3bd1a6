//! The host ports of a remote engine, as the allocator sees them: a port is free there when
//! no running container of the engine publishes it and no cfn client of the engine (this
//! state or another's) claims it. A slot chosen for a branch is claimed on the engine before
//! its leases are committed (see [`crate::engine::PortClaim`]), so two state directories adding
//! branches to one engine at once never lease the same port there.

use crate::engine::{Engine, PortClaim};
use crate::protocol::Protocol;
use crate::state::OpLock;
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Where the branch's ports are published.
pub enum PortHost<'a> {
    /// This machine: a port is free when it can be bound now.
    Local,
    /// A remote engine's host.
    Engine(&'a mut EngineHost),
}

impl PortHost<'_> {
    /// The engine ID the leases are keyed by ('' for this machine).
    pub fn engine_id(&self) -> &str {
        match self {
            PortHost::Local => "",
            PortHost::Engine(host) => &host.engine_id,
        }
    }
}

/// A remote engine's ports and claims, read once per allocation.
pub struct EngineHost {
    pub engine: Engine,
    pub engine_id: String,
    /// This state's instance id: the owner named on its claims.
    owner: String,
    /// The operation (lock token) the claims are made for.
    operation: String,
    published: HashSet<(u16, Protocol)>,
    claims: HashMap<(u16, Protocol), PortClaim>,
}

impl EngineHost {
    /// Reads what the engine publishes and who claims what on it, for claims made by
    /// `owner`'s (this state's) operation `operation`. Release left-overs first
    /// ([`stale_claims`], [`release_uncovered`]).
    pub async fn read(
        engine: Engine,
        engine_id: String,
        owner: String,
        operation: &str,
    ) -> Result<EngineHost> {
        let published = engine.all_published_ports().await?;
        let claims = engine.port_claims().await?.into_iter().map(|c| ((c.port, c.protocol), c)).collect();
        Ok(EngineHost { engine, engine_id, owner, operation: operation.to_string(), published, claims })
    }

    /// The compose project a new branch gets on the engine: `wanted` when no other cfn of the
    /// engine holds that name, else `wanted` tagged with this state's id (its instance id's
    /// first 6 hex digits); either is claimed there for this operation.
    pub fn project_for(&self, wanted: &str) -> Result<String> {
        if self.claim_project(wanted)? {
            return Ok(wanted.to_string());
        }
        let tagged = format!("{wanted}-{}", self.owner_tag());
        if self.claim_project(&tagged)? {
            return Ok(tagged);
        }
        Err(crate::error::UserError::new(format!(
            "compose project {tagged} is held on the engine by another cfn"
        ))
        .hint(
            "remove its claim volume on the engine (`docker volume rm cfn-project-…`) if that state is gone",
        )
        .into())
    }

    /// A short tag of this state (its instance id's first 6 hex digits) for names on the
    /// engine that must not meet another state's.
    fn owner_tag(&self) -> &str {
        &self.owner[..6.min(self.owner.len())]
    }

    /// Claims compose project `project` on the engine for this operation: `true` when it is
    /// this state's now, `false` when another cfn holds that name there.
    pub fn claim_project(&self, project: &str) -> Result<bool> {
        crate::runtime::wait(self.engine.claim_project(project, &self.owner, &self.operation))?
    }

    /// Whether (`port`, `protocol`) is taken on the engine: published by a running container,
    /// or claimed by any cfn client.
    pub fn is_taken(&self, port: u16, protocol: Protocol) -> Option<Taken> {
        if self.published.contains(&(port, protocol)) {
            return Some(Taken::Published);
        }
        self.claims.contains_key(&(port, protocol)).then_some(Taken::Claimed)
    }

    /// Claims every (port, protocol) of a chosen slot on the engine. `Ok(None)` when all are
    /// this operation's now; otherwise the port another client got first — the claims made
    /// here for the slot are given back, and that port counts as taken from then on.
    pub fn claim(&mut self, ports: &[(u16, Protocol)]) -> Result<Option<u16>> {
        let mut made = Vec::new();
        for &(port, protocol) in ports {
            let ours =
                crate::runtime::wait(self.engine.claim_port(port, protocol, &self.owner, &self.operation))??;
            if ours {
                made.push(PortClaim {
                    port,
                    protocol,
                    owner: self.owner.clone(),
                    operation: self.operation.clone(),
                });
                continue;
            }
            for claim in &made {
                crate::runtime::wait(self.engine.release_port(claim, &self.owner))??;
            }
            let other = PortClaim { port, protocol, owner: String::new(), operation: String::new() };
            self.claims.insert((port, protocol), other);
            return Ok(Some(port));
        }
        Ok(None)
    }
}

impl EngineHost {
    /// Gives back every claim this operation made (its registration was undone).
    pub async fn release_own(&self) -> Result<()> {
        for claim in self.engine.port_claims().await? {
            if claim.owner == self.owner && claim.operation == self.operation {
                self.engine.release_port(&claim, &self.owner).await?;
            }
        }
        for claim in self.engine.project_claims().await? {
            if claim.owner == self.owner && claim.operation == self.operation {
                self.engine.release_project(&claim, &self.owner).await?;
            }
        }
        Ok(())
    }
}

/// Why a port of a remote engine cannot be leased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// A running container there publishes it.
    Published,
    /// A cfn client of the engine (this state or another) claims it.
    Claimed,
}

/// `owner`'s project claims on `engine` whose operation is over (see [`stale_claims`]).
pub async fn stale_project_claims(
    engine: &Engine,
    home: &Path,
    owner: &str,
) -> Result<Vec<crate::engine::ProjectClaim>> {
    let mut stale = Vec::new();
    for claim in engine.project_claims().await? {
        let main_checkout = claim.operation == crate::engine::MAIN_CHECKOUT_OPERATION;
        if claim.owner == owner && !main_checkout && !OpLock::is_held(home, Some(&claim.operation))? {
            stale.push(claim);
        }
    }
    Ok(stale)
}

/// `owner`'s claims on `engine` whose operation is over: left-overs unless a lease stands
/// behind them. Read BEFORE the registry's leases: an operation over by now committed its
/// leases before it ended, so the leases read next cover its claims.
pub async fn stale_claims(engine: &Engine, home: &Path, owner: &str) -> Result<Vec<PortClaim>> {
    let mut stale = Vec::new();
    for claim in engine.port_claims().await? {
        if claim.owner == owner && !OpLock::is_held(home, Some(&claim.operation))? {
            stale.push(claim);
        }
    }
    Ok(stale)
}

/// Releases the claims of `stale` that no lease of `leased` (the registry's, on this engine)
/// covers — of a removed worktree, or of an add killed before it committed; the number released.
pub async fn release_uncovered(
    engine: &Engine,
    owner: &str,
    stale: &[PortClaim],
    leased: &[(u16, Option<Protocol>)],
) -> Result<usize> {
    let covered =
        |c: &PortClaim| leased.iter().any(|&(port, p)| port == c.port && p.is_none_or(|p| p == c.protocol));
    let mut released = 0;
    for claim in stale.iter().filter(|c| !covered(c)) {
        engine.release_port(claim, owner).await?;
        released += 1;
    }
    Ok(released)
}
