//! Host descriptors on Unix: POSIX fds, and Node's fd numbers are the same
//! numbers.

use crate::host::AsHost;
pub use std::os::fd::{BorrowedFd, OwnedFd};

/// The raw number of a host descriptor.
pub type RawHostFd = i32;

impl<T: std::os::fd::AsFd> AsHost for T {
    fn as_host(&self) -> BorrowedFd<'_> {
        self.as_fd()
    }
}

/// Borrows the raw descriptor `raw` for a system call.
///
/// # Safety
/// `raw` is not negative. (A closed or stale descriptor only makes the
/// system call fail with `EBADF`.)
pub unsafe fn borrow_raw<'a>(raw: RawHostFd) -> BorrowedFd<'a> {
    // SAFETY: the caller's contract; POSIX calls on a closed fd fail
    // cleanly.
    unsafe { BorrowedFd::borrow_raw(raw) }
}

/// The host descriptor behind the process's C-runtime fd `fd` (Node's
/// `stdin`/`stdout`/`stderr` options): on Unix the same number.
pub fn raw_from_process_fd(fd: i32) -> RawHostFd {
    fd
}

/// The raw number of a borrowed descriptor (valid while it is held).
pub fn raw_of(fd: BorrowedFd<'_>) -> RawHostFd {
    std::os::fd::AsRawFd::as_raw_fd(&fd)
}
