//! Socket calls: accept, receive, shutdown and the non-blocking mode,
//! through rustix's net calls on every platform (Winsock on Windows).
//! Linux sets the new socket's flags in `accept4`; macOS and Windows have
//! no `accept4`, so there they are set right after, before the guest can
//! see the socket.

use super::io::ready_now;
use super::{with_blocking, Blocking, BorrowedFd, Interest, OwnedFd};
use crate::errno::{Errno, WasiResult};
use rustix::net::RecvFlags;

/// The socket behind a host descriptor, as rustix's net calls take it: the
/// fd itself on Unix; on Windows the SOCKET, or `ENOTSOCK` for a handle.
#[cfg(unix)]
fn socket(fd: BorrowedFd<'_>) -> WasiResult<BorrowedFd<'_>> {
    Ok(fd)
}
#[cfg(windows)]
fn socket(fd: BorrowedFd<'_>) -> WasiResult<std::os::windows::io::BorrowedSocket<'_>> {
    fd.as_socket().ok_or(Errno::NotSock)
}

/// Accepts a connection on the listening socket `fd`. The new socket is
/// close-on-exec (on Windows handles are not inherited unless asked for),
/// and non-blocking if `nonblock`. `blocking` is the listening
/// descriptor's mode for the guest.
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    let listener = socket(fd)?;
    #[cfg(all(unix, not(target_vendor = "apple")))]
    {
        let mut flags = rustix::net::SocketFlags::CLOEXEC;
        if nonblock {
            flags |= rustix::net::SocketFlags::NONBLOCK;
        }
        with_blocking(fd, Interest::Read, blocking, || rustix::net::accept_with(listener, flags))
    }
    #[cfg(any(windows, target_vendor = "apple"))]
    {
        let conn = with_blocking(fd, Interest::Read, blocking, || rustix::net::accept(listener))?;
        #[cfg(unix)]
        rustix::io::fcntl_setfd(&conn, rustix::io::FdFlags::CLOEXEC)?;
        // BSD sockets and Winsock copy the listener's non-blocking mode:
        // set it either way.
        rustix::io::ioctl_fionbio(&conn, nonblock)?;
        #[cfg(unix)]
        return Ok(conn);
        #[cfg(windows)]
        return Ok(OwnedFd::from_socket(conn));
    }
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
    // Emulated non-blocking: Unix sockets take a per-call flag, so no
    // poll is needed; Winsock has none, so it asks first.
    #[cfg(unix)]
    let blocking = if blocking == Blocking::Emulated {
        flags |= RecvFlags::DONTWAIT;
        Blocking::NonBlocking
    } else {
        blocking
    };
    #[cfg(windows)]
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

#[cfg(all(test, unix))]
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
