//! Socket calls: accept, receive, shutdown and the non-blocking mode.
//! Linux sets the new socket's flags in `accept4`; macOS has no `accept4`,
//! so there they are set right after, before the guest can see the fd.

use super::io::{ready_now, Interest};
use super::{with_blocking, Blocking};
use crate::errno::{Errno, WasiResult};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::net::RecvFlags;

/// Accepts a connection on the listening socket `fd`. The new socket is
/// close-on-exec, and non-blocking if `nonblock`. `blocking` is the
/// listening descriptor's mode for the guest.
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    #[cfg(not(target_vendor = "apple"))]
    {
        let mut flags = rustix::net::SocketFlags::CLOEXEC;
        if nonblock {
            flags |= rustix::net::SocketFlags::NONBLOCK;
        }
        with_blocking(fd, Interest::Read, blocking, || rustix::net::accept_with(fd, flags))
    }
    #[cfg(target_vendor = "apple")]
    {
        let conn = with_blocking(fd, Interest::Read, blocking, || rustix::net::accept(fd))?;
        rustix::io::fcntl_setfd(&conn, rustix::io::FdFlags::CLOEXEC)?;
        // A BSD socket inherits the listener's O_NONBLOCK: set it either way.
        rustix::io::ioctl_fionbio(&conn, nonblock)?;
        Ok(conn)
    }
}

/// Receives into `buf`. `peek` leaves the data queued; `wait_all` waits
/// for the whole buffer (or end of stream).
pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], peek: bool, wait_all: bool, blocking: Blocking) -> WasiResult<usize> {
    let mut flags = RecvFlags::empty();
    if peek {
        flags |= RecvFlags::PEEK;
    }
    if wait_all {
        flags |= RecvFlags::WAITALL;
    }
    let mut blocking = blocking;
    if blocking == Blocking::Emulated {
        // Sockets take a per-call non-blocking flag: no poll needed.
        flags |= RecvFlags::DONTWAIT;
        blocking = Blocking::NonBlocking;
    }
    with_blocking(fd, Interest::Read, blocking, || rustix::net::recv(fd, &mut *buf, flags).map(|(n, _)| n))
}

/// Shuts down one or both directions of a socket.
pub fn shutdown(fd: BorrowedFd<'_>, how: std::net::Shutdown) -> WasiResult<()> {
    let how = match how {
        std::net::Shutdown::Read => rustix::net::Shutdown::Read,
        std::net::Shutdown::Write => rustix::net::Shutdown::Write,
        std::net::Shutdown::Both => rustix::net::Shutdown::Both,
    };
    Ok(rustix::net::shutdown(fd, how)?)
}

/// Sets a socket's own non-blocking mode (`FIONBIO`).
pub fn set_nonblocking(fd: BorrowedFd<'_>, nonblock: bool) -> WasiResult<()> {
    Ok(rustix::io::ioctl_fionbio(fd, nonblock)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;

    #[test]
    fn accepts_peeks_and_receives() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(b"hello").unwrap();
        let conn = accept(listener.as_fd(), true, Blocking::Wait).unwrap();
        assert_eq!(super::super::fdflags(conn.as_fd()).unwrap() & crate::types::fdflags::NONBLOCK, crate::types::fdflags::NONBLOCK);
        let mut buf = [0u8; 5];
        // Blocking mode waits out the non-blocking socket's EAGAIN.
        assert_eq!(recv(conn.as_fd(), &mut buf, true, true, Blocking::Wait), Ok(5));
        assert_eq!(recv(conn.as_fd(), &mut buf, false, false, Blocking::Wait), Ok(5));
        assert_eq!(&buf, b"hello");
        assert_eq!(recv(conn.as_fd(), &mut buf, false, false, Blocking::Emulated), Err(Errno::Again));
        shutdown(client.as_fd(), std::net::Shutdown::Write).unwrap();
        assert_eq!(recv(conn.as_fd(), &mut buf, false, false, Blocking::Wait), Ok(0));
    }

    #[test]
    fn an_emulated_accept_with_nobody_waiting_is_eagain() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert_eq!(accept(listener.as_fd(), false, Blocking::Emulated).err(), Some(Errno::Again));
    }
}
