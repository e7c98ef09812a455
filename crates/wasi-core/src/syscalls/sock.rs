//! The `sock_*` family, on sockets the embedder lends or binds for the
//! guest, or the guest accepted. Any other descriptor is `ENOTSOCK`; a bad one, `EBADF`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, Kind};
use crate::host;
use crate::memory::GuestMemory;
use crate::types::{fdflags, rights};
use std::net::Shutdown;
use std::sync::Arc;

/// `riflags`.
const RECV_PEEK: u32 = 1;
const RECV_WAITALL: u32 = 2;
/// `sdflags`.
const SHUT_RD: u32 = 1;
const SHUT_WR: u32 = 2;

/// The socket behind `fd`: `EBADF` if there is none, `ENOTSOCK` if it is
/// not a socket, `ENOTCAPABLE` without `needed`.
fn socket(ctx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<Arc<Descriptor>> {
    let d = ctx.fds().get(fd)?;
    let host = match &d.kind {
        Kind::Dir(_) => return Err(Errno::NotSock),
        _ => d.host_fd()?,
    };
    if !host::is_socket(host)? {
        return Err(Errno::NotSock);
    }
    d.require(needed)?;
    Ok(d)
}

/// `sock_accept(fd, flags) -> fd`: accepts a connection on a listening
/// socket. `flags` may only hold NONBLOCK, for the new socket.
pub fn sock_accept(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, flags: u32, accepted: u32) -> WasiResult<()> {
    if flags & !u32::from(fdflags::NONBLOCK) != 0 {
        return Err(Errno::Inval);
    }
    let d = socket(ctx, fd, rights::SOCK_ACCEPT)?;
    let host = d.host_fd()?;
    mem.check(accepted, 4)?;
    crate::syscalls::fd::wait_until_readable(ctx, &d, host, || Ok(true))?;
    let nonblock = flags & u32::from(fdflags::NONBLOCK) != 0;
    let conn = host::net::accept(host, nonblock, d.blocking())?;
    let desc = Descriptor::new(Kind::Socket(conn), rights::SOCKET_BASE, 0).with_nonblock(nonblock);
    let new_fd = ctx.fds().insert_opened(desc)?;
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
    let d = socket(ctx, fd, rights::FD_READ)?;
    let host = d.host_fd()?;
    mem.check(ro_datalen, 4)?;
    mem.check(ro_flags, 2)?;
    crate::syscalls::fd::wait_until_readable(ctx, &d, host, || Ok(mem.scan_iovecs(ri_data, ri_data_len)?.nonempty > 0))?;
    let (peek, wait_all) = (ri_flags & RECV_PEEK != 0, ri_flags & RECV_WAITALL != 0);
    let blocking = d.blocking();
    let n = match mem.scan_iovecs(ri_data, ri_data_len)?.first_nonempty {
        None => 0,
        Some(v) => mem.fill(v.buf, v.len, |buf| host::net::recv(host, buf, peek, wait_all, blocking))?,
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
    let d = socket(ctx, fd, rights::FD_WRITE)?;
    let host = d.host_fd()?;
    mem.check(so_datalen, 4)?;
    let n = mem.with_ciovecs(si_data, si_data_len, |bufs| host::write_vectored(host, bufs, d.blocking()))?;
    mem.write(so_datalen, n as u32)
}

/// `sock_shutdown(fd, how)`: shuts down the receive side, the send side,
/// or both.
pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, how: u32) -> WasiResult<()> {
    let how = match how {
        SHUT_RD => Shutdown::Read,
        SHUT_WR => Shutdown::Write,
        x if x == SHUT_RD | SHUT_WR => Shutdown::Both,
        _ => return Err(Errno::Inval),
    };
    let d = socket(ctx, fd, rights::SOCK_SHUTDOWN)?;
    let host = d.host_fd()?;
    // The embedder's stdio and lent sockets are its own: a shutdown acts
    // on the socket, not on our duplicate, and would cut the embedder off
    // (a Node child's stdio is a socketpair; a lent listener would stop
    // accepting for the embedder too).
    if d.is_embedders() {
        return Err(Errno::NotSup);
    }
    host::net::shutdown(host, how)
}
