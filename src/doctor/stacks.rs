//! Each branch's stack is wholly up or wholly down. One with some services running and others
//! stopped (a crash, a `docker stop`, a `cfn up` of a few services) warns, naming the stopped
//! services: nothing cfn relies on is broken, and `cfn up` starts them. A job that finished its
//! work (exit 0, and another service waits for it with `service_completed_successfully`) and
//! one-off `compose run` containers are not down.
//!
//! A container a data copy stopped (`--stop-source`, `snapshot --stop`; journalled by
//! `crate::data::paused`) is not reported here: while the copy runs it is stopped on purpose
//! (and `cfn up` of the branch waits for the copy's lock), and a copy that was killed leaves it
//! to the `data` check, whose `--fix` starts it again.

use super::survey::Survey;
use super::Check;
use crate::context::Context;
use crate::data::paused::{self, PausedEntry};

pub fn checks(ctx: &Context, survey: &Survey) -> Vec<Check> {
    let journal: Vec<PausedEntry> = paused::all(&ctx.home).into_iter().map(|(_, e)| e).collect();
    let mut out = Vec::new();
    for env in survey.envs.iter().filter(|e| e.path.is_dir()) {
        let mut down = Vec::new();
        let mut copying = Vec::new();
        for c in survey.down_in_running_stack(&env.project) {
            let service = c.service().unwrap_or(&c.name).to_string();
            match journal.iter().find(|e| e.names(&c.id)) {
                Some(entry) if entry.copy_alive() => copying.push((service, entry.pid)),
                Some(_) => {}
                None if !down.contains(&service) => down.push(service),
                None => {}
            }
        }
        for (service, pid) in copying {
            out.push(Check::ok(
                "stack",
                format!("{service} of {} is stopped for a data copy in progress (pid {pid})", env.branch),
            ));
        }
        if down.is_empty() {
            continue;
        }
        let (verb, them) = if down.len() == 1 { ("is", "it") } else { ("are", "them") };
        out.push(Check::warn(
            "stack",
            format!(
                "stack of {} is partly up: {} {verb} down while the rest runs",
                env.branch,
                down.join(", ")
            ),
            format!(
                "`cfn up` in {} starts {them} (`cfn logs {}` there shows why it stopped)",
                env.path.display(),
                down[0]
            ),
        ));
    }
    out
}
