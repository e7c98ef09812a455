//! Reads and writes on Windows handles (files, pipes, consoles) and
//! sockets, with the guest's blocking mode. A handle is read and written
//! through a `File` view of it (ReadFile/WriteFile, which serve pipes and
//! consoles too); a socket through `recv`/`send`. Positioned I/O goes
//! through system-interface, which reopens the file so that the offset the
//! guest sees does not move (Windows' positioned calls move it).

use super::{retry_on_intr, with_blocking, Blocking, BorrowedFd, Interest, EMULATED_WRITE_MAX};
use crate::errno::{Errno, WasiResult};
use io_lifetimes::AsFilelike;
use std::io::{IoSlice, Read, Seek, SeekFrom, Write};
use system_interface::fs::FileIoExt;

pub use super::poll::{ready_now, wait_for};

/// Runs `f` on a `File` view of a handle, or `ESPIPE` for a socket
/// (which has no file offset).
fn with_file<R>(fd: BorrowedFd<'_>, f: impl FnOnce(&mut &std::fs::File) -> std::io::Result<R>) -> WasiResult<R> {
    let handle = fd.as_handle().ok_or(Errno::Spipe)?;
    let view = handle.as_filelike_view::<std::fs::File>();
    let mut file: &std::fs::File = &view;
    Ok(f(&mut file)?)
}

/// Reads into `buf` (0 is end of file; a pipe whose writer closed reads 0).
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    match fd.as_socket() {
        // (Emulated: readiness was checked above, so recv does not wait.)
        Some(socket) => with_blocking(fd, Interest::Read, blocking, || {
            rustix::net::recv(socket, &mut *buf, rustix::net::RecvFlags::empty()).map(|(n, _)| n)
        }),
        None => match with_file(fd, |f| f.read(buf)) {
            // A pipe whose writer is gone is end of file, as on Unix.
            Err(Errno::Pipe) => Ok(0),
            r => r,
        },
    }
}

/// Reads into `buf` at `offset`, without moving the file offset.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
    with_file(fd, |f| f.read_at(buf, offset))
}

/// Writes `bufs` at `offset`, without moving the file offset.
pub fn pwrite(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], offset: u64) -> WasiResult<usize> {
    with_file(fd, |f| f.write_vectored_at(bufs, offset))
}

/// Moves the file offset and returns the new one. Pipes, consoles and
/// sockets have none: `ESPIPE`.
pub fn seek(fd: BorrowedFd<'_>, pos: SeekFrom) -> WasiResult<u64> {
    if super::file::kind(fd)? != super::file::HandleKind::Disk {
        return Err(Errno::Spipe);
    }
    with_file(fd, |f| f.seek(pos))
}

fn write_once(fd: BorrowedFd<'_>, buf: &[u8]) -> WasiResult<usize> {
    match fd.as_socket() {
        Some(socket) => Ok(retry_on_intr(|| rustix::net::send(socket, buf, rustix::net::SendFlags::empty()))?),
        None => with_file(fd, |f| f.write(buf)),
    }
}

/// Writes `bufs` to `fd`. When blocking, every byte is written; when
/// non-blocking, one write, whose short count or `EAGAIN` the guest sees.
pub fn write_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated {
        if !ready_now(fd, Interest::Write)? {
            return Err(Errno::Again);
        }
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..b.len().min(EMULATED_WRITE_MAX)]);
        return write_once(fd, first);
    }
    let mut done = 0usize;
    for buf in bufs {
        let mut rest: &[u8] = buf;
        while !rest.is_empty() {
            let n = match write_once(fd, rest) {
                Ok(n) => n,
                Err(Errno::Again) if blocking == Blocking::Wait => {
                    wait_for(fd, Interest::Write)?;
                    continue;
                }
                // Report what went out before the error, as write(2) does.
                Err(_) if done > 0 => return Ok(done),
                Err(e) => return Err(e),
            };
            done += n;
            rest = &rest[n..];
            if blocking != Blocking::Wait {
                return Ok(done);
            }
        }
    }
    Ok(done)
}
