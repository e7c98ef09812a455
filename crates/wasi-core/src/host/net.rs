//! Socket calls: accept, receive, shutdown and the non-blocking mode,
//! through rustix's net calls on every platform (Winsock on Windows). The
//! platform halves (which descriptor is a socket, accepting with the right
//! flags, a non-blocking receive the guest asked for on a blocking socket)
//! are in `unix/net.rs` and `windows/net.rs`.

use super::sys::net::{emulate_nonblocking_recv, socket};
use super::{ready_now, with_blocking, Blocking, BorrowedFd, Interest, OwnedFd};
use crate::errno::{Errno, WasiResult};
use rustix::net::RecvFlags;

/// Accepts a connection on the listening socket `fd`. The new socket is
/// close-on-exec (on Windows handles are not inherited unless asked for),
/// and non-blocking if `nonblock`. `blocking` is the listening
/// descriptor's mode for the guest.
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    super::sys::net::accept(fd, nonblock, blocking)
}

/// Receives into `buf`. `peek` leaves the data queued; `wait_all` waits
/// for the whole buffer (or end of stream).
pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], peek: bool, wait_all: bool, blocking: Blocking) -> WasiResult<usize> {
    let s = socket(fd)?;
    let mut flags = RecvFlags::empty();
    if peek {
        flags |= RecvFlags::PEEK;
    }
    if wait_all {
        flags |= RecvFlags::WAITALL;
    }
    let blocking = if blocking == Blocking::Emulated { emulate_nonblocking_recv(fd, &mut flags)? } else { blocking };
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
