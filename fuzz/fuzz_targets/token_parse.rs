//! Fuzzes what `verify` does with a presented token, and the scope and duration parsers:
//! no input may panic, and whatever parses must be a well-formed token that re-parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenctl::token;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(presented) = token::parse(text) {
        // Only a checksummed prefix_id_secret gets through; its id is always 10 characters.
        assert_eq!(presented.id.as_str().len(), 10);
        assert!(!presented.prefix.is_empty());
    }
    let _ = tokenctl::scope::Scope::parse(text);
    let Some(now) = tokenctl::time::from_unix(1_800_000_000) else {
        return;
    };
    let _ = tokenctl::time::expires_after(text, now);
    let _ = tokenctl::time::parse_date(text, now);
});
