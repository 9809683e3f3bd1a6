//! The one error type of the compose module. Every message is a lower-case,
//! one-line sentence that names its subject (file, service, port or
//! variable) and reads well after `error: `.

use std::path::PathBuf;

/// What can go wrong while reading, analysing or rewriting compose files.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("cannot read compose file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    /// Invalid YAML; `message` is the parser's, which already carries the
    /// line and column when the parser knows them.
    #[error("cannot parse compose file {}: {message}", path.display())]
    Parse { path: PathBuf, line: Option<usize>, message: String },

    #[error("compose file {} must be a mapping with a `services:` key, found {found}", path.display())]
    NotAMapping { path: PathBuf, found: &'static str },

    #[error("cannot resolve the `<<:` merge keys in compose file {}: {message}", path.display())]
    Merge { path: PathBuf, message: String },

    #[error("required variable {name} is missing a value{}", colon_then(.message))]
    RequiredVariable { name: String, message: String },

    #[error("invalid interpolation in {text:?}: {reason}")]
    Interpolation { text: String, reason: String },

    #[error("port range {spec:?} of service {service} is not supported: list the ports one by one instead")]
    PortRange { service: String, spec: String },

    #[error("invalid port {spec:?} in service {service}: {reason}")]
    InvalidPort { service: String, spec: String, reason: String },

    #[error("`{key}` of service {service} must be {expected}")]
    InvalidServiceKey { service: String, key: &'static str, expected: &'static str },

    #[error("cannot write YAML: {0}")]
    Emit(String),
}

impl ComposeError {
    /// What the user can do about it, for the `hint:` line.
    pub fn hint(&self) -> &'static str {
        match self {
            ComposeError::Read { .. } => "check project.compose_files in cfn.toml",
            ComposeError::RequiredVariable { .. } => "set the variable in the environment or in the project's .env",
            ComposeError::PortRange { .. } => {
                "a branch gets one host port per published port: write each port of the range as its own entry"
            }
            ComposeError::Emit(_) => "this is a bug in cfn; please report it with the compose file",
            _ => "fix the compose file; `docker compose config` shows how compose reads it",
        }
    }
}

/// The error as the user sees it: its message and its hint.
impl From<ComposeError> for crate::error::UserError {
    fn from(e: ComposeError) -> Self {
        crate::error::UserError::new(e.to_string()).hint(e.hint())
    }
}

/// `": message"`, or nothing for an empty message.
fn colon_then(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_after_error_prefix() {
        let e =
            ComposeError::PortRange { service: "ftpd_server".into(), spec: "30000-30009:30000-30009".into() };
        assert_eq!(
            e.to_string(),
            "port range \"30000-30009:30000-30009\" of service ftpd_server is not supported: \
             list the ports one by one instead"
        );
        let e = ComposeError::Read {
            path: "/x/compose.yaml".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert!(e.to_string().starts_with("cannot read compose file /x/compose.yaml: "));
        let e =
            ComposeError::RequiredVariable { name: "DB_PASSWORD".into(), message: "set it in .env".into() };
        assert_eq!(e.to_string(), "required variable DB_PASSWORD is missing a value: set it in .env");
    }
}
