//! Socket calls on Windows (Winsock, through rustix): accept, receive,
//! shutdown and the non-blocking mode.

use super::poll::ready_now;
use super::{with_blocking, Blocking, BorrowedFd, Interest, OwnedFd};
use crate::errno::{Errno, WasiResult};
use rustix::net::RecvFlags;

fn socket(fd: BorrowedFd<'_>) -> WasiResult<std::os::windows::io::BorrowedSocket<'_>> {
    fd.as_socket().ok_or(Errno::NotSock)
}

/// Accepts a connection on the listening socket `fd`; the new socket is
/// non-blocking if `nonblock` (set either way: Winsock copies the
/// listener's mode to it). Handles are not inherited by children unless
/// asked for, so there is no close-on-exec to set.
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    let listener = socket(fd)?;
    let conn = with_blocking(fd, Interest::Read, blocking, || rustix::net::accept(listener))?;
    rustix::io::ioctl_fionbio(&conn, nonblock)?;
    Ok(OwnedFd::from_socket(conn))
}

/// Receives into `buf`; `peek` leaves the data queued, `wait_all` waits for
/// the whole buffer (or end of stream).
pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], peek: bool, wait_all: bool, blocking: Blocking) -> WasiResult<usize> {
    let s = socket(fd)?;
    let mut flags = RecvFlags::empty();
    if peek {
        flags |= RecvFlags::PEEK;
    }
    if wait_all {
        flags |= RecvFlags::WAITALL;
    }
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    with_blocking(fd, Interest::Read, blocking, || rustix::net::recv(s, &mut *buf, flags).map(|(n, _)| n))
}

/// Shuts down one or both directions of a socket.
pub fn shutdown(fd: BorrowedFd<'_>, how: std::net::Shutdown) -> WasiResult<()> {
    let how = match how {
        std::net::Shutdown::Read => rustix::net::Shutdown::Read,
        std::net::Shutdown::Write => rustix::net::Shutdown::Write,
        std::net::Shutdown::Both => rustix::net::Shutdown::Both,
    };
    Ok(rustix::net::shutdown(socket(fd)?, how)?)
}

/// Sets a socket's own non-blocking mode (`FIONBIO`).
pub fn set_nonblocking(fd: BorrowedFd<'_>, nonblock: bool) -> WasiResult<()> {
    Ok(rustix::io::ioctl_fionbio(socket(fd)?, nonblock)?)
}
