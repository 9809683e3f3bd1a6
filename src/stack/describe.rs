//! Words for a container's state, for progress lines, tables and errors.

use crate::engine::{ContainerInfo, Health};

/// `healthy`, `running`, `exited(0)`, `starting`: one word for tables.
pub fn describe_short(c: &ContainerInfo) -> String {
    match (c.exit_code, c.health) {
        (Some(code), _) => format!("exited({code})"),
        (None, Health::None) => format!("{:?}", c.state).to_lowercase(),
        (None, h) => format!("{h:?}").to_lowercase(),
    }
}

/// `running, healthy` / `exited 0` / `running, health starting`.
pub fn describe(c: &ContainerInfo) -> String {
    let state = format!("{:?}", c.state).to_lowercase();
    match (c.exit_code, c.health) {
        (Some(code), _) => format!("{state} {code}"),
        (None, Health::None) => state,
        (None, Health::Starting) => format!("{state}, health starting"),
        (None, h) => format!("{state}, {}", format!("{h:?}").to_lowercase()),
    }
}
