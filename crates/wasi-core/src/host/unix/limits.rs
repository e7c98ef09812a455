//! The process's fd ceiling, and the reserve below it that guests may
//! never take, so the embedder can still open files, sockets and pipes
//! whatever its guests do.

use rustix::fd::BorrowedFd;
use std::sync::atomic::{AtomicU64, Ordering};

/// The process's fd ceiling (`RLIMIT_NOFILE`'s soft limit), read when an
/// instance is made.
static FD_CEILING: AtomicU64 = AtomicU64::new(u64::MAX);

/// Reads the process's fd ceiling again (the embedder may have raised it).
pub fn refresh_fd_ceiling() {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
    FD_CEILING.store(limit, Ordering::Relaxed);
}

/// How many host fds below the ceiling a guest may never take: an eighth
/// of the ceiling, at least 64.
fn fd_reserve(ceiling: u64) -> u64 {
    (ceiling / 8).max(64)
}

/// Whether a host fd a guest just had opened leaves the process its
/// reserve. The kernel hands out the lowest free number, so an fd numbered
/// `n` means `n` fds below it are in use: one check of the number, no scan.
pub fn fd_has_headroom(fd: BorrowedFd<'_>) -> bool {
    use rustix::fd::AsRawFd;
    let ceiling = FD_CEILING.load(Ordering::Relaxed);
    let n = fd.as_raw_fd() as u64;
    n < ceiling.saturating_sub(fd_reserve(ceiling))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reserve_is_an_eighth_and_at_least_64() {
        assert_eq!(super::fd_reserve(1024), 128);
        assert_eq!(super::fd_reserve(256), 64);
        assert_eq!(super::fd_reserve(0), 64);
    }
}
