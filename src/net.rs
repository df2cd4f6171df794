//! Client addresses and the CIDR blocks of a token's allow-list: parsing and matching,
//! IPv4 and IPv6, pure, so `verify`, `serve` and the store agree on what a block means.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A block of addresses, `network/prefix`, kept in its canonical form (host bits zero),
/// so `10.1.2.3/8` and `10.0.0.0/8` are one block and print the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Reads `ADDR/PREFIX`, or a bare address as the block of that one address (/32, /128).
    /// Host bits set (`10.1.2.3/8`) are refused: such a block is almost always a typo for
    /// either the address or the network, and guessing which would widen or narrow access.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr = parse_ip(addr).map_err(|_| {
            format!("'{s}' is not a CIDR block: write e.g. 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32")
        })?;
        let max = max_prefix(addr);
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                // Digits only, no leading zero: `u8::from_str` would take "+8" and "08".
                Ok(n) if n <= max && n.to_string() == p => n,
                _ => {
                    return Err(format!(
                        "'{s}': the prefix length must be a number from 0 to {max}"
                    ));
                }
            },
        };
        let network = mask(addr, prefix);
        if network != addr {
            return Err(format!(
                "'{s}' has host bits set: did you mean {} or {addr}?",
                Cidr { network, prefix }
            ));
        }
        Ok(Cidr { network, prefix })
    }

    /// Whether `ip` is in this block. An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`, what
    /// a dual-stack socket reports for an IPv4 peer) is the IPv4 address it carries.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.network, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                mask(ip, self.prefix) == self.network
            }
            _ => false,
        }
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        Cidr::parse(s)
    }
}

/// Reads a client address (`--client-ip`, a peer): IPv4 or IPv6, IPv6 in brackets too.
/// An IPv4-mapped IPv6 address is returned as the IPv4 address.
pub fn parse_ip(s: &str) -> Result<IpAddr, String> {
    let t = s.trim();
    let t = t
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(t);
    t.parse::<IpAddr>()
        .map(canonical)
        .map_err(|_| format!("'{s}' is not an IP address: write e.g. 192.0.2.7 or 2001:db8::1"))
}

/// Whether `ip` is inside any of `blocks`; an empty list allows nothing.
pub fn allowed(blocks: &[Cidr], ip: IpAddr) -> bool {
    blocks.iter().any(|b| b.contains(ip))
}

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.9`, as a dual-stack socket reports an IPv4
/// peer) as the IPv4 address it is; anything else as it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & m))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        parse_ip(s).unwrap()
    }

    #[test]
    fn parses_and_prints_canonically() {
        for (given, shown) in [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("192.0.2.7", "192.0.2.7/32"),
            ("192.0.2.7/32", "192.0.2.7/32"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:DB8::1", "2001:db8::1/128"),
            ("::/0", "::/0"),
            // A mapped address is the IPv4 address it carries.
            ("::ffff:192.0.2.7", "192.0.2.7/32"),
        ] {
            assert_eq!(Cidr::parse(given).unwrap().to_string(), shown, "{given}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_block() {
        for bad in [
            "",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/08",
            "10.0.0/8",
            "10.1.2.3/8",
            "2001:db8::1/32",
            "host.example/24",
            "10.0.0.0/8/8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn matches_edges() {
        let cases = [
            ("192.0.2.7/32", "192.0.2.7", true),
            ("192.0.2.7/32", "192.0.2.8", false),
            ("10.0.0.0/8", "10.255.255.255", true),
            ("10.0.0.0/8", "11.0.0.0", false),
            ("0.0.0.0/0", "203.0.113.1", true),
            ("2001:db8::1/128", "2001:db8::1", true),
            ("2001:db8::1/128", "2001:db8::2", false),
            ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
            // IPv4-mapped IPv6 peers match IPv4 blocks, and never IPv6 ones.
            ("192.0.2.0/24", "::ffff:192.0.2.200", true),
            ("::/0", "::ffff:192.0.2.200", false),
            // The families never mix otherwise.
            ("0.0.0.0/0", "2001:db8::1", false),
            ("::/0", "192.0.2.1", false),
        ];
        for (block, addr, want) in cases {
            let block = Cidr::parse(block).unwrap();
            assert_eq!(block.contains(ip(addr)), want, "{block} {addr}");
        }
        assert!(!allowed(&[], ip("192.0.2.1")));
    }

    #[test]
    fn reads_client_addresses() {
        assert_eq!(ip("[2001:db8::1]"), ip("2001:db8::1"));
        assert_eq!(ip(" 192.0.2.1 "), ip("192.0.2.1"));
        for bad in ["", "192.0.2", "192.0.2.1:80", "example.com", "[::1"] {
            assert!(parse_ip(bad).is_err(), "{bad:?} accepted");
        }
    }
}
