//! `[ports]` of cfn.toml: how a branch's host ports are chosen, and one key per published port.

use crate::protocol::Protocol;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// `base + slot × stride`: a branch's Redis stays recognisably near 6379.
    #[default]
    Offset,
    /// `block_start + slot × block_width + i`: for projects whose base ports are crowded.
    Block,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortsConfig {
    #[serde(default)]
    pub scheme: Scheme,
    /// Host address the branch's ports are published on.
    #[serde(default = "default_bind")]
    pub bind: String,
    /// A branch's preferred slot lies in 1..slots (slot 0 is the main checkout); when all are
    /// taken, higher slots are used while their ports stay below 65536.
    #[serde(default = "default_slots")]
    pub slots: u32,
    #[serde(default = "default_stride")]
    pub stride: u32,
    #[serde(default = "default_block_start")]
    pub block_start: u32,
    #[serde(default = "default_block_width")]
    pub block_width: u32,
    /// One entry per published port of the base compose files.
    #[serde(default)]
    pub keys: IndexMap<String, PortKeyConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortKeyConfig {
    pub service: String,
    pub target: u16,
    #[serde(default)]
    pub protocol: Protocol,
    /// The host port of the main checkout.
    pub base: u16,
    /// The compose profiles the service runs in (none: always). Keys with one base port whose
    /// services share no profile never run together, so a branch gives them one port too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

fn default_bind() -> String {
    "127.0.0.1".into()
}
fn default_slots() -> u32 {
    100
}
fn default_stride() -> u32 {
    10
}
fn default_block_start() -> u32 {
    20000
}
fn default_block_width() -> u32 {
    20
}

impl Default for PortsConfig {
    fn default() -> Self {
        PortsConfig {
            scheme: Scheme::default(),
            bind: default_bind(),
            slots: default_slots(),
            stride: default_stride(),
            block_start: default_block_start(),
            block_width: default_block_width(),
            keys: IndexMap::new(),
        }
    }
}
