//! Token check digits: CRC32 (IEEE, as zlib computes it) in fixed-width base62.
//! Lets us reject typos and truncated tokens offline, before any store lookup.

/// Width of the check suffix; 62^6 > 2^32, so every CRC32 fits.
pub const LEN: usize = 6;

/// Digit order is part of the wire format: changing it invalidates every issued token.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// ASCII base62 of `crc32(data)`, most significant digit first, zero-padded.
pub fn checksum(data: &[u8]) -> [u8; LEN] {
    encode(crc32fast::hash(data))
}

fn encode(mut n: u32) -> [u8; LEN] {
    let mut out = [b'0'; LEN];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: [u8; LEN]) -> String {
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn encodes_extremes() {
        assert_eq!(s(encode(0)), "000000");
        assert_eq!(s(encode(61)), "00000z");
        assert_eq!(s(encode(62)), "000010");
        assert_eq!(s(encode(u32::MAX)), "4gfFC3");
    }

    // Expected values cross-checked with Python's zlib.crc32.
    #[test]
    fn golden_vectors() {
        let cases: &[(&[u8], u32)] = &[
            (b"", 0),
            (b"hello", 907_060_870),
            (b"123456789", 0xCBF4_3926),
        ];
        for (data, crc) in cases {
            assert_eq!(crc32fast::hash(data), *crc);
            assert_eq!(checksum(data), encode(*crc));
        }
        assert_eq!(s(checksum(b"")), "000000");
        assert_eq!(s(checksum(b"hello")), "0zNvy2");
        assert_eq!(s(checksum(b"123456789")), "3jZRME");
        assert_eq!(
            s(checksum(b"tkn_4k2x9q7m1z_Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5")),
            "46EhtK"
        );
        assert_eq!(
            s(checksum(b"abc_0000000000_00000000000000000000000000000000")),
            "03aGRc"
        );
    }
}
