//! Interaction ids: RFC 4122 version 4 UUIDs. Ids are capabilities (whoever knows one can answer
//! the interaction), so they must be unguessable: the caller draws them from a CSPRNG (the binding
//! uses Node's `crypto.randomUUID`, which is also what the legacy manager used).

use std::fmt;

/// A v4 UUID kept as its 128-bit value; its canonical text is lowercase with dashes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InteractionId(u128);

/// Canonical text of an id: 36 ASCII bytes.
pub type IdText = [u8; 36];

const HEX: &[u8; 16] = b"0123456789abcdef";
const DASHES: [usize; 4] = [8, 13, 18, 23];

impl InteractionId {
    pub fn from_u128(value: u128) -> Self {
        Self(value)
    }

    /// Parses only the canonical form this crate produces (lowercase, dashed, 36 bytes), so that
    /// one id has exactly one spelling and a look-up by text is a look-up by value.
    pub fn parse(text: &[u8]) -> Option<Self> {
        let text: &[u8; 36] = text.try_into().ok()?;
        if DASHES.iter().any(|&i| text[i] != b'-') {
            return None;
        }
        let mut value: u128 = 0;
        let mut digits = 0;
        for &b in text {
            let nibble = HEX_VALUE[b as usize];
            if nibble < 16 {
                value = (value << 4) | u128::from(nibble);
                digits += 1;
            } else if b != b'-' {
                return None;
            }
        }
        // Four dashes in place and 32 digits: no dash anywhere else.
        (digits == 32).then_some(Self(value))
    }

    pub fn text(self) -> IdText {
        let bytes = self.0.to_be_bytes();
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (i, byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1; // a dash
            }
            out[at] = HEX[(byte >> 4) as usize];
            out[at + 1] = HEX[(byte & 0xf) as usize];
            at += 2;
        }
        out
    }
}

/// Value of each lowercase hex digit; 16 for every other byte.
const HEX_VALUE: [u8; 256] = {
    let mut table = [16u8; 256];
    let mut i = 0;
    while i < 16 {
        table[HEX[i] as usize] = i as u8;
        i += 1;
    }
    table
};

impl fmt::Display for InteractionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        // The text is ASCII by construction.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for InteractionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for i in 0..1000u128 {
            let id =
                InteractionId::from_u128(i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835));
            let text = id.text();
            assert_eq!(InteractionId::parse(&text), Some(id));
        }
    }

    #[test]
    fn parse_rejects_non_canonical_text() {
        let id = InteractionId::from_u128(0x0123_4567_89ab_4cde_8f01_2345_6789_abcd);
        let text = id.to_string();
        assert_eq!(text, "01234567-89ab-4cde-8f01-23456789abcd");
        assert!(InteractionId::parse(text.to_uppercase().as_bytes()).is_none());
        assert!(InteractionId::parse(&text.as_bytes()[1..]).is_none());
        assert!(InteractionId::parse(text.replace('-', "_").as_bytes()).is_none());
        assert!(InteractionId::parse(b"").is_none());
        let extra_dash = text.replacen('0', "-", 1);
        assert_eq!(extra_dash.len(), 36);
        assert!(InteractionId::parse(extra_dash.as_bytes()).is_none());
        assert!(InteractionId::parse("é1234567-89ab-4cde-8f01-23456789abc".as_bytes()).is_none());
    }
}
