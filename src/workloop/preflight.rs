//! Checks made before a run starts, so that a team that cannot run is a usage error and leaves
//! no run behind.

use super::driver::RunOptions;
use super::settings::Settings;
use crate::branch::Workspace;
use anyhow::Result;

/// Every agent of a CLI kind can be pointed at the provider it is routed to — checked before
/// the run starts, so a missing endpoint or key is a usage error, not a failed run.
pub fn check_routing(
    ws: &Workspace,
    s: &Settings,
    opts: &RunOptions,
    keyring: &crate::agents::Keyring,
) -> Result<()> {
    let providers = &ws.config.providers;
    let env_lookup = |k: &str| std::env::var(k).ok();
    for (id, profile) in s.implementers.iter().chain(&s.validators).chain([&s.product_owner]) {
        if matches!(profile.kind, crate::agents::AgentKind::Command | crate::agents::AgentKind::Person) {
            continue;
        }
        let routing = crate::agents::route_provider(
            profile,
            opts.high_complexity,
            opts.cost_sensitive,
            ws.config.work_loop.default_provider.as_deref(),
            &env_lookup,
        );
        let own = keyring.credentials(routing.provider.as_deref(), providers);
        crate::agents::adapters::routing::cli_env(profile.kind, routing.provider.as_deref(), providers, &own)
            .map_err(|why| super::phase::routing_error(id, profile, &why))?;
    }
    Ok(())
}
