//! The fd ceiling and reserve, on Windows: a process may hold about 16
//! million handles, and Node's libuv has no fd table of its own to fill,
//! so there is no ceiling for guests to approach. `maxFds` still bounds
//! each instance.

use crate::host::BorrowedFd;

/// Nothing to read on Windows.
pub fn refresh_fd_ceiling() {}

/// Always true on Windows (see the module doc).
pub fn fd_has_headroom(_fd: BorrowedFd<'_>) -> bool {
    true
}
