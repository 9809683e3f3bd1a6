//! The registry's own recovery, in doctor: the `state` line that says a damaged database was
//! moved aside or this repository's registry rebuilt (for a day after it happened), and the
//! `--fix` step that registers worktrees again on the ports they had before adoption would
//! give them new ones.

use super::fix::Repair;
use super::Check;
use crate::branch::Workspace;
use crate::state;
use anyhow::Result;

const REBUILT_HINT: &str = "compare `cfn ports` with what your stacks use; see docs/troubleshooting.md \
                            (\"Lost or corrupt state database\")";
const SET_ASIDE_HINT: &str = "the file is kept for its history (loop runs, approvals); delete it when you \
                              no longer need it";

pub fn checks(ws: &Workspace) -> Result<Vec<Check>> {
    let conn = ws.state.conn();
    let mut out = Vec::new();
    let events = [
        (state::last_set_aside(conn)?, SET_ASIDE_HINT),
        (state::last_rebuilt(conn, ws.main_root())?, REBUILT_HINT),
    ];
    for (event, hint) in events.into_iter().filter_map(|(e, hint)| Some((e?, hint))) {
        let message = format!("{} ({})", event.message, event.at);
        out.push(if event.recent {
            Check::warn("state", message, hint)
        } else {
            Check::ok("state", message)
        });
    }
    Ok(out)
}

/// Registers the worktrees the registry lost, with what they had (idempotent).
pub fn repair(ws: &mut Workspace, out: &mut Vec<Repair>) {
    let root = ws.main_root().to_path_buf();
    match crate::branch::rebuild::rebuild(&mut ws.state, &root, &ws.config) {
        Ok(rebuilt) => {
            if !rebuilt.registered.is_empty() {
                out.push(Repair { done: true, message: rebuilt.summary(&root) });
                if let Some(why) = &rebuilt.engine_unread {
                    let message =
                        format!("the engine could not be asked ({why}): ports were read from .cfn/env only");
                    out.push(Repair { done: false, message });
                }
            }
            out.extend(rebuilt.skipped.into_iter().map(|message| Repair { done: false, message }));
        }
        Err(e) => out.push(Repair { done: false, message: format!("could not rebuild the registry: {e:#}") }),
    }
}
