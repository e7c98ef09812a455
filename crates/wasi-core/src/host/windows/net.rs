//! The Windows halves of the socket calls (`host/net.rs`): Winsock.

use crate::errno::{Errno, WasiResult};
use crate::host::{ready_now, with_blocking, Blocking, BorrowedFd, Interest, OwnedFd};
use rustix::net::RecvFlags;
use std::os::windows::io::BorrowedSocket;

/// The SOCKET behind a host descriptor, or `ENOTSOCK` for a handle.
pub fn socket(fd: BorrowedFd<'_>) -> WasiResult<BorrowedSocket<'_>> {
    fd.as_socket().ok_or(Errno::NotSock)
}

/// Accepts, then sets the new socket's mode (Winsock copies the listener's
/// non-blocking mode; handles are not inherited unless asked for).
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
    let listener = socket(fd)?;
    let conn = with_blocking(fd, Interest::Read, blocking, || rustix::net::accept(listener))?;
    rustix::io::ioctl_fionbio(&conn, nonblock)?;
    Ok(OwnedFd::from_socket(conn))
}

/// A non-blocking receive on a socket the guest shares with the embedder:
/// Winsock has no per-call flag, so it asks first.
pub fn emulate_nonblocking_recv(fd: BorrowedFd<'_>, _flags: &mut RecvFlags) -> WasiResult<Blocking> {
    if !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    Ok(Blocking::Emulated)
}
