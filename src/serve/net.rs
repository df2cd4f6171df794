//! `serve`'s addresses: what `--listen` names, which peers `--trust-proxy` believes, and
//! the client address a request is judged by (the peer's, or a trusted proxy's word).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use hyper::HeaderMap;

#[derive(Debug, Clone)]
pub enum Listen {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Listen {
    pub fn parse(s: &str) -> Result<Listen, String> {
        if let Some(path) = s.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("unix: needs a socket path, e.g. unix:/run/tokenctl/serve.sock".into());
            }
            return Ok(Listen::Unix(PathBuf::from(path)));
        }
        s.parse().map(Listen::Tcp).map_err(|_| {
            format!(
                "{:?} is not HOST:PORT (e.g. 127.0.0.1:8077, [::1]:8077) or unix:/path",
                crate::render::escape(s)
            )
        })
    }
}

/// One `--trust-proxy` value: a network, or `unix`, the peers of a Unix socket listener.
/// A Unix peer has no address to match, so it is believed only when named: a CIDR meant
/// for a TCP proxy must not also let any local process that can open the socket speak for
/// a client.
#[derive(Debug, Clone, Copy)]
pub enum TrustedNet {
    Net { net: IpAddr, len: u8 },
    Unix,
}

impl TrustedNet {
    pub fn parse(s: &str) -> Result<TrustedNet, String> {
        if s == "unix" {
            return Ok(TrustedNet::Unix);
        }
        let bad = || {
            format!(
                "{:?} is not an address, a network (e.g. 10.0.0.0/8, ::1/128) or unix",
                crate::render::escape(s)
            )
        };
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let len = match len {
            None => max,
            Some(l) => l.parse::<u8>().ok().filter(|l| *l <= max).ok_or_else(bad)?,
        };
        Ok(TrustedNet::Net { net, len })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let TrustedNet::Net { net, len } = *self else {
            return false;
        };
        match (net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], len: u8) -> bool {
    let (bytes, bits) = (usize::from(len / 8), len % 8);
    if a[..bytes] != b[..bytes] {
        return false;
    }
    bits == 0 || {
        let mask = 0xffu8 << (8 - bits);
        (a[bytes] & mask) == (b[bytes] & mask)
    }
}

/// An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client a request speaks for: the peer, unless the peer is a trusted proxy (a Unix
/// socket peer, `None`, is one only under `--trust-proxy unix`); then the right-most address in
/// X-Forwarded-For that is not itself a trusted proxy, or X-Real-IP.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trust: &[TrustedNet],
) -> Option<IpAddr> {
    let trusted = |ip: IpAddr| trust.iter().any(|n| n.contains(ip));
    let peer_trusted = match peer {
        Some(ip) => trusted(ip),
        None => trust.iter().any(|t| matches!(t, TrustedNet::Unix)),
    };
    if !peer_trusted {
        return peer.map(canonical);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect();
    if let Some(ip) = forwarded.iter().rev().find(|ip| !trusted(**ip)) {
        return Some(*ip);
    }
    if let Some(ip) = headers
        .get("x-real-ip")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return Some(canonical(ip));
    }
    forwarded.first().copied().or(peer.map(canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_peers() {
        let trust = [TrustedNet::parse("10.0.0.0/8").unwrap()];
        let xff = headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.7")]);
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            client_ip(ip("192.168.1.1"), &xff, &trust),
            ip("192.168.1.1")
        );
        assert_eq!(client_ip(ip("10.1.2.3"), &xff, &trust), ip("1.2.3.4"));
        assert_eq!(
            client_ip(ip("::ffff:10.1.2.3"), &xff, &trust),
            ip("1.2.3.4")
        );
        let real = headers(&[("x-real-ip", "5.6.7.8")]);
        assert_eq!(client_ip(ip("10.1.2.3"), &real, &trust), ip("5.6.7.8"));
        assert_eq!(client_ip(ip("10.1.2.3"), &real, &[]), ip("10.1.2.3"));
        assert!(TrustedNet::parse("10.0.0.0/33").is_err());
        // A Unix socket peer (no address) is believed only when `unix` is named.
        assert_eq!(client_ip(None, &xff, &trust), None);
        let unix = [TrustedNet::parse("unix").unwrap()];
        assert_eq!(client_ip(None, &xff, &unix), ip("10.0.0.7"));
        assert_eq!(client_ip(ip("10.1.2.3"), &xff, &unix), ip("10.1.2.3"));
        assert!(
            TrustedNet::parse("::1/128")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(
            !TrustedNet::parse("10.0.0.0/9")
                .unwrap()
                .contains("10.128.0.1".parse().unwrap())
        );
    }
}
