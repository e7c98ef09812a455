//! The Unix halves of the socket calls (`host/net.rs`).

use crate::errno::WasiResult;
use crate::host::{with_blocking, Blocking, BorrowedFd, Interest, OwnedFd};
use rustix::net::RecvFlags;

/// The socket behind a host descriptor, as rustix's net calls take it: the
/// fd itself.
pub fn socket(fd: BorrowedFd<'_>) -> WasiResult<BorrowedFd<'_>> {
    Ok(fd)
}

/// Accepts with the new socket's flags set: by `accept4` on Linux; macOS
/// has none, so there they are set right after, before the guest can see
/// the socket (BSD sockets copy the listener's non-blocking mode, so it is
/// set either way).
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool, blocking: Blocking) -> WasiResult<OwnedFd> {
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
        rustix::io::ioctl_fionbio(&conn, nonblock)?;
        Ok(conn)
    }
}

/// A non-blocking receive on a socket the guest shares with the embedder:
/// Unix sockets take a per-call flag, so no poll is needed.
pub fn emulate_nonblocking_recv(_fd: BorrowedFd<'_>, flags: &mut RecvFlags) -> WasiResult<Blocking> {
    *flags |= RecvFlags::DONTWAIT;
    Ok(Blocking::NonBlocking)
}

#[cfg(test)]
mod tests {
    use crate::errno::Errno;
    use crate::host::net::{accept, recv, shutdown};
    use crate::host::Blocking;
    use std::io::Write;
    use std::os::fd::AsFd;

    #[test]
    fn accepts_peeks_and_receives() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(b"hello").unwrap();
        let conn = accept(listener.as_fd(), true, Blocking::Wait).unwrap();
        assert_eq!(crate::host::fdflags(conn.as_fd()).unwrap() & crate::types::fdflags::NONBLOCK, crate::types::fdflags::NONBLOCK);
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
