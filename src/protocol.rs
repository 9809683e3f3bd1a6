//! The transport protocol of a published port, as compose spells it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The transport protocol of a published port.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    /// The protocol of a port the engine lists (TCP when it does not say).
    pub fn of_engine(typ: Option<bollard::models::PortSummaryTypeEnum>) -> Protocol {
        use bollard::models::PortSummaryTypeEnum;
        match typ {
            Some(PortSummaryTypeEnum::UDP) => Protocol::Udp,
            Some(PortSummaryTypeEnum::SCTP) => Protocol::Sctp,
            _ => Protocol::Tcp,
        }
    }

    /// Parses `tcp`, `udp` or `sctp`, in any case.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "sctp" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_like_compose() {
        assert_eq!(Protocol::parse("UDP"), Some(Protocol::Udp));
        assert_eq!(Protocol::parse("sctp").map(Protocol::as_str), Some("sctp"));
        assert_eq!(Protocol::parse("icmp"), None);
        assert_eq!(Protocol::default().to_string(), "tcp");
    }
}
