//! The `sock_*` family, on sockets the embedder hands in or the guest
//! accepted. Any other descriptor is `ENOTSOCK`; a bad one, `EBADF`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, Kind};
use crate::host::{self, Blocking};
use crate::memory::GuestMemory;
use crate::types::{fdflags, rights};
use rustix::fd::BorrowedFd;

/// `riflags`.
const RECV_PEEK: u32 = 1;
const RECV_WAITALL: u32 = 2;
/// `sdflags`.
const SHUT_RD: u32 = 1;
const SHUT_WR: u32 = 2;

/// The socket behind `fd`: `EBADF` if there is none, `ENOTSOCK` if it is
/// not a socket, `ENOTCAPABLE` without `needed`.
fn socket(ctx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<(&Descriptor, BorrowedFd<'_>)> {
    let d = ctx.fds.get(fd)?;
    let host = match &d.kind {
        Kind::Dir(_) => return Err(Errno::NotSock),
        _ => d.host_fd()?,
    };
    let st = rustix::fs::fstat(host)?;
    if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::Socket {
        return Err(Errno::NotSock);
    }
    d.require(needed)?;
    Ok((d, host))
}

/// `sock_accept(fd, flags) -> fd`: accepts a connection on a listening
/// socket. `flags` may only hold NONBLOCK, for the new socket.
pub fn sock_accept(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, flags: u32, accepted: u32) -> WasiResult<()> {
    if flags & !u32::from(fdflags::NONBLOCK) != 0 {
        return Err(Errno::Inval);
    }
    let (d, host) = socket(ctx, fd, rights::SOCK_ACCEPT)?;
    mem.check(accepted, 4)?;
    let nonblock = flags & u32::from(fdflags::NONBLOCK) != 0;
    let mut sflags = rustix::net::SocketFlags::CLOEXEC;
    if nonblock {
        sflags |= rustix::net::SocketFlags::NONBLOCK;
    }
    let blocking = d.blocking();
    if blocking == Blocking::Emulated && !host::ready_now(host, rustix::event::PollFlags::IN)? {
        return Err(Errno::Again);
    }
    let conn = loop {
        match rustix::net::accept_with(host, sflags) {
            Ok(c) => break c,
            Err(rustix::io::Errno::INTR) => continue,
            Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => host::wait_for(host, rustix::event::PollFlags::IN)?,
            Err(e) => return Err(e.into()),
        }
    };
    let mut desc = Descriptor::new(Kind::Socket(conn), rights::SOCKET_BASE, 0);
    desc.nonblock = nonblock;
    let new_fd = ctx.fds.insert_opened(desc)?;
    mem.write(accepted, new_fd)
}

/// `sock_recv(fd, ri_data, ri_flags) -> (size, roflags)`: receives into the
/// first non-empty buffer. PEEK leaves the data queued; WAITALL waits for
/// the whole buffer (or end of stream).
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> WasiResult<()> {
    if ri_flags & !(RECV_PEEK | RECV_WAITALL) != 0 {
        return Err(Errno::Inval);
    }
    let (d, host) = socket(ctx, fd, rights::FD_READ)?;
    mem.check(ro_datalen, 4)?;
    mem.check(ro_flags, 2)?;
    let mut flags = rustix::net::RecvFlags::empty();
    if ri_flags & RECV_PEEK != 0 {
        flags |= rustix::net::RecvFlags::PEEK;
    }
    if ri_flags & RECV_WAITALL != 0 {
        flags |= rustix::net::RecvFlags::WAITALL;
    }
    let mut blocking = d.blocking();
    if blocking == Blocking::Emulated {
        // Sockets take a per-call non-blocking flag.
        flags |= rustix::net::RecvFlags::DONTWAIT;
        blocking = Blocking::NonBlocking;
    }
    let n = match mem.scan_iovecs(ri_data, ri_data_len)?.first_nonempty {
        None => 0,
        Some(v) => mem.fill(v.buf, v.len, |buf| loop {
            match rustix::net::recv(host, &mut *buf, flags) {
                Ok((n, _)) => break Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => host::wait_for(host, rustix::event::PollFlags::IN)?,
                Err(e) => return Err(e.into()),
            }
        })?,
    };
    mem.write(ro_datalen, n as u32)?;
    mem.write(ro_flags, 0u16)
}

/// `sock_send(fd, si_data, si_flags) -> size`: sends the gathered buffers.
/// No `siflags` are defined, so any is `EINVAL`.
pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    si_flags: u32,
    so_datalen: u32,
) -> WasiResult<()> {
    if si_flags != 0 {
        return Err(Errno::Inval);
    }
    let (d, host) = socket(ctx, fd, rights::FD_WRITE)?;
    mem.check(so_datalen, 4)?;
    let n = mem.with_ciovecs(si_data, si_data_len, |bufs| host::write_vectored(host, bufs, d.blocking()))?;
    mem.write(so_datalen, n as u32)
}

/// `sock_shutdown(fd, how)`: shuts down the receive side, the send side,
/// or both.
pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, how: u32) -> WasiResult<()> {
    let how = match how {
        SHUT_RD => rustix::net::Shutdown::Read,
        SHUT_WR => rustix::net::Shutdown::Write,
        x if x == SHUT_RD | SHUT_WR => rustix::net::Shutdown::Both,
        _ => return Err(Errno::Inval),
    };
    let (d, host) = socket(ctx, fd, rights::SOCK_SHUTDOWN)?;
    // The embedder's stdio is its own: shutting it down would break the
    // embedder's next write (a Node child's stdio is a socketpair).
    if d.is_stdio() {
        return Err(Errno::NotSup);
    }
    Ok(rustix::net::shutdown(host, how)?)
}
