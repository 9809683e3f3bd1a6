//! Whether a host port can be bound right now.
//!
//! Binding the wildcard address fails when anything listens on the port on any local address
//! (including a dual-stack IPv6 listener), which is the strictest useful test: a stray local
//! PostgreSQL on 5433 is never handed out.

use crate::protocol::Protocol;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};

pub fn is_bindable(port: u16, protocol: Protocol) -> bool {
    match protocol {
        Protocol::Udp => UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok(),
        _ => TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok(),
    }
}
