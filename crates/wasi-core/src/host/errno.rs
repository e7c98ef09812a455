//! Host errors as WASI errnos: the one place the core turns an error from
//! the host (a `std::io::Error` from std or cap-std, a `rustix::io::Errno`
//! from a direct system call) into an [`Errno`]. An OS error number goes
//! through the platform's table (`unix/errno.rs`, `windows/errno.rs`); an
//! `io::Error` without one is mapped by its kind ([`Errno::from_io_kind`]).

use super::sys;
use crate::errno::Errno;

/// Maps a host error number to its WASI counterpart: an `errno` on Unix,
/// a Win32 or Winsock code on Windows. Anything unknown is `EIO`.
pub fn from_host_errno(code: i32) -> Errno {
    sys::errno::from_raw_os_error(code)
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Self {
        from_host_errno(e.raw_os_error())
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(code) => from_host_errno(code),
            None => Errno::from_io_kind(e.kind()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_escape_is_enotcapable_and_a_real_refusal_is_eperm() {
        let e = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "a path led outside of the filesystem");
        assert_eq!(Errno::from(e), Errno::NotCapable);
        let real = std::io::Error::from_raw_os_error(sys::errno::examples::PERMISSION_DENIED);
        assert_eq!(Errno::from(real), Errno::Perm);
    }

    #[test]
    fn io_errors_keep_their_os_code() {
        let e = std::io::Error::from_raw_os_error(sys::errno::examples::NOT_A_DIRECTORY);
        assert_eq!(Errno::from(e), Errno::NotDir);
        assert_eq!(from_host_errno(99_999), Errno::Io);
    }
}
