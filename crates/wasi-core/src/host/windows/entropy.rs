//! The host's random bytes on Windows, for `random_get`'s pool: the
//! `getrandom` crate asks the system's source (`ProcessPrng`).

use crate::errno::{Errno, WasiResult};

/// Fills `out` from the host's entropy source.
pub fn getrandom(out: &mut [u8]) -> WasiResult<()> {
    getrandom::fill(out).map_err(|e| e.raw_os_error().map_or(Errno::Io, crate::host::from_host_errno))
}
