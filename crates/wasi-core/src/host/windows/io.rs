//! Reads and writes on Windows handles (files, pipes, consoles) and
//! sockets, with the guest's blocking mode. A handle is read and written
//! through a `File` view of it (ReadFile/WriteFile, which serve pipes and
//! consoles too); a socket through `recv`/`send`. Positioned I/O puts the
//! file offset back after it (Windows' positioned calls move it).

use crate::errno::{Errno, WasiResult};
use crate::host::{retry_on_intr, with_blocking, Blocking, BorrowedFd, Interest, EMULATED_WRITE_MAX};
use io_lifetimes::AsFilelike;
use std::io::{IoSlice, Read, Seek, SeekFrom, Write};

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

/// Runs a positioned transfer on a disk file and puts the file offset back
/// where it was: `ReadFile`/`WriteFile` with an offset (std's
/// `seek_read`/`seek_write`) move it, and `fd_pread`/`fd_pwrite` must not.
/// That is two `SetFilePointerEx` calls around the transfer, where
/// system-interface's `read_at` reopens the file for every call (an open
/// and a close more, and allocations on the hot path). The fd table is the
/// handle's only user while the call runs. Pipes, consoles and sockets have
/// no offset: `ESPIPE`.
fn at_offset<R>(fd: BorrowedFd<'_>, f: impl FnOnce(&std::fs::File) -> std::io::Result<R>) -> WasiResult<R> {
    if super::file::kind(fd)? != super::file::HandleKind::Disk {
        return Err(Errno::Spipe);
    }
    with_file(fd, |file| {
        let kept = file.stream_position()?;
        let result = f(file);
        file.seek(SeekFrom::Start(kept))?;
        result
    })
}

/// Reads into `buf` at `offset`, without moving the file offset.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
    use std::os::windows::fs::FileExt;
    at_offset(fd, |file| match file.seek_read(buf, offset) {
        // Reading at or past the end is end of file, as pread says.
        Err(e) if e.raw_os_error() == Some(windows_sys::Win32::Foundation::ERROR_HANDLE_EOF as i32) => Ok(0),
        r => r,
    })
}

/// Writes `bufs` at `offset`, one after another, without moving the file
/// offset; a short write ends the call with what was written.
pub fn pwrite(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], offset: u64) -> WasiResult<usize> {
    use std::os::windows::fs::FileExt;
    at_offset(fd, |file| {
        let mut done = 0usize;
        for buf in bufs.iter().filter(|b| !b.is_empty()) {
            let n = match file.seek_write(buf, offset + done as u64) {
                Ok(n) => n,
                Err(_) if done > 0 => break,
                Err(e) => return Err(e),
            };
            done += n;
            if n < buf.len() {
                break;
            }
        }
        Ok(done)
    })
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

/// Writes every byte of `bufs` to a stream that may block. Windows gives
/// no readiness for a pipe's write side, so this is a blocking write:
/// a teardown waits for a write blocked on a full pipe there (docs/security.md,
/// Reliability).
pub fn write_stoppable(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], _slice_ms: u64, _stop: &dyn Fn() -> bool) -> WasiResult<usize> {
    write_vectored(fd, bufs, Blocking::Wait)
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
