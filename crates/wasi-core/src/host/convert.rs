//! The rights each WASI filetype carries, and time stamps as nanoseconds:
//! the translations every platform shares. Each platform's own (host file
//! types, open flags, metadata) are in its `convert.rs`.

use crate::types::{filetype, rights};

/// The base rights a descriptor of this filetype carries (`terminal`:
/// whether a character device is a terminal).
pub fn rights_for_filetype(ft: u8, terminal: bool) -> u64 {
    match ft {
        filetype::REGULAR_FILE => rights::REGULAR_FILE_BASE,
        filetype::DIRECTORY => rights::DIRECTORY_BASE,
        filetype::CHARACTER_DEVICE if terminal => rights::TTY_BASE,
        filetype::CHARACTER_DEVICE => rights::DEVICE_BASE,
        filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => rights::SOCKET_BASE,
        _ => rights::REGULAR_FILE_BASE & !(rights::FD_SEEK | rights::FD_TELL) | rights::SOCKET_BASE,
    }
}

/// The base rights of the embedder's stdio on this filetype: a stream's
/// only, whatever the host object is (as wasmtime gives), so that a guest
/// run with `> app.log` cannot rewrite, truncate or stamp the log. A
/// socket keeps its socket calls (a shutdown is refused anyway: see
/// `sock_shutdown`).
pub fn rights_for_stdio(ft: u8, terminal: bool) -> u64 {
    match ft {
        filetype::CHARACTER_DEVICE if !terminal => rights::STDIO_DEVICE_BASE,
        filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => rights::SOCKET_BASE,
        _ => rights::TTY_BASE,
    }
}

/// Nanoseconds since the epoch from a seconds/nanoseconds pair, clamped at 0.
pub fn nanos(sec: i64, nsec: i64) -> u64 {
    (sec as i128 * 1_000_000_000 + nsec as i128).clamp(0, u64::MAX as i128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanos_clamp_at_zero() {
        assert_eq!(nanos(-1, 0), 0);
        assert_eq!(nanos(1, 5), 1_000_000_005);
    }
}
