//! Reads and writes on host descriptors, with the guest's blocking mode:
//! a blocking write never loses data, an emulated non-blocking call never
//! blocks, and positioned I/O never moves the file offset.

use crate::errno::{Errno, WasiResult};
use crate::host::{retry_on_intr, with_blocking, Blocking, EMULATED_WRITE_MAX};
use rustix::event::{PollFd, PollFlags};
use rustix::fd::BorrowedFd;
use std::io::{IoSlice, SeekFrom};

pub use crate::host::Interest;

fn poll_flags(interest: Interest) -> PollFlags {
    match interest {
        Interest::Read => PollFlags::IN,
        Interest::Write => PollFlags::OUT,
    }
}

/// Whether `fd` is ready for `interest` right now (a zero-timeout `poll`).
pub fn ready_now(fd: BorrowedFd<'_>, interest: Interest) -> WasiResult<bool> {
    let mut fds = [PollFd::new(&fd, poll_flags(interest))];
    let zero = rustix::time::Timespec { tv_sec: 0, tv_nsec: 0 };
    Ok(retry_on_intr(|| rustix::event::poll(&mut fds, Some(&zero)))? > 0)
}

/// Blocks until `fd` is ready for `interest` (a signal ends the wait
/// early; the caller retries its call, which then waits again).
pub fn wait_for(fd: BorrowedFd<'_>, interest: Interest) -> WasiResult<()> {
    let mut fds = [PollFd::new(&fd, poll_flags(interest))];
    match rustix::event::poll(&mut fds, None) {
        Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reads into `buf` (0 is end of file).
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated && !ready_now(fd, Interest::Read)? {
        return Err(Errno::Again);
    }
    with_blocking(fd, Interest::Read, blocking, || rustix::io::read(fd, &mut *buf))
}

/// Reads into `buf` at `offset`, without moving the file offset.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
    Ok(retry_on_intr(|| rustix::io::pread(fd, &mut *buf, offset))?)
}

/// Writes `bufs` at `offset`, without moving the file offset.
pub fn pwrite(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], offset: u64) -> WasiResult<usize> {
    Ok(retry_on_intr(|| rustix::io::pwritev(fd, bufs, offset))?)
}

/// Moves the host file offset and returns the new one.
pub fn seek(fd: BorrowedFd<'_>, pos: SeekFrom) -> WasiResult<u64> {
    let pos = match pos {
        SeekFrom::Start(o) => rustix::fs::SeekFrom::Start(o),
        SeekFrom::Current(o) => rustix::fs::SeekFrom::Current(o),
        SeekFrom::End(o) => rustix::fs::SeekFrom::End(o),
    };
    Ok(rustix::fs::seek(fd, pos)?)
}

/// Writes `bufs` to `fd`. When blocking, every byte is written: short
/// writes are retried and `EAGAIN` is waited out. When non-blocking, it is
/// one `writev`, whose short count or `EAGAIN` the guest sees.
pub fn write_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated {
        if !ready_now(fd, Interest::Write)? {
            return Err(Errno::Again);
        }
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..b.len().min(EMULATED_WRITE_MAX)]);
        return Ok(retry_on_intr(|| rustix::io::write(fd, first))?);
    }
    let total: usize = bufs.iter().map(|b| b.len()).sum();
    let mut done = 0usize;
    // Fast path: one write(v) usually takes everything; a single buffer
    // goes through write(2), which the kernel handles a little faster.
    let first = match bufs {
        [one] => rustix::io::write(fd, one),
        _ => rustix::io::writev(fd, bufs),
    };
    match first {
        Ok(n) if n == total || blocking != Blocking::Wait => return Ok(n),
        Ok(n) => done = n,
        Err(rustix::io::Errno::INTR) => {}
        Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => wait_for(fd, Interest::Write)?,
        Err(e) => return Err(e.into()),
    }
    // Slow path: write what is left, buffer by buffer.
    for mut rest in unwritten(bufs, done) {
        while !rest.is_empty() {
            match with_blocking(fd, Interest::Write, Blocking::Wait, || rustix::io::write(fd, rest)) {
                Ok(n) => {
                    rest = &rest[n..];
                    done += n;
                }
                // Report what went out before the error, as write(2) does.
                Err(_) if done > 0 => return Ok(done),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(done)
}

/// Writes every byte of `bufs` to a stream that may block (a pipe, FIFO,
/// socket or terminal, whatever its host mode), in a way a teardown can
/// cut short: the writes themselves never block (see `write_nowait`),
/// and when the stream is full the wait for room is made in slices that
/// ask `stop` (see [`crate::host::wait_ready`]). When `stop` says so: the count
/// written so far, or `EINTR` if none.
pub fn write_stoppable(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], slice_ms: u64, stop: &dyn Fn() -> bool) -> WasiResult<usize> {
    let total: usize = bufs.iter().map(|b| b.len()).sum();
    // Fast path: the stream usually takes everything in one call.
    let mut done = match retry_on_intr(|| write_nowait(fd, bufs)) {
        Ok(n) if n == total => return Ok(n),
        Ok(n) => n,
        Err(rustix::io::Errno::AGAIN) => 0,
        Err(e) if no_nowait_write(e) => return write_in_pieces(fd, bufs, slice_ms, stop),
        Err(e) => return Err(e.into()),
    };
    for mut rest in unwritten(bufs, done) {
        while !rest.is_empty() {
            match retry_on_intr(|| write_nowait(fd, &[IoSlice::new(rest)])) {
                Ok(n) => {
                    done += n;
                    rest = &rest[n..];
                }
                Err(rustix::io::Errno::AGAIN) => {
                    if let Err(e) = crate::host::wait_ready(fd, Interest::Write, slice_ms, stop) {
                        return if done > 0 { Ok(done) } else { Err(e) };
                    }
                }
                // Report what went out before the error, as write(2) does.
                Err(_) if done > 0 => return Ok(done),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(done)
}

/// What is left of `bufs` once their first `done` bytes are written: the
/// rest of the buffer `done` ends in, then the buffers after it.
fn unwritten<'a>(bufs: &'a [IoSlice<'a>], done: usize) -> impl Iterator<Item = &'a [u8]> {
    let mut skip = done;
    bufs.iter().filter_map(move |buf| {
        let buf: &[u8] = buf;
        if skip >= buf.len() {
            skip -= buf.len();
            return None;
        }
        let rest = &buf[skip..];
        skip = 0;
        Some(rest)
    })
}

/// One write at the current offset that never blocks, whatever the host
/// fd's mode (which may be the embedder's, and is not ours to change):
/// `pwritev2` with `RWF_NOWAIT` on Linux, which pipes, FIFOs and sockets
/// take (`EAGAIN` when full).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn write_nowait(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> rustix::io::Result<usize> {
    rustix::io::pwritev2(fd, bufs, u64::MAX, rustix::io::ReadWriteFlags::NOWAIT)
}

/// One write that never blocks: `send` with `MSG_DONTWAIT`, for a socket
/// (of the first non-empty buffer). Elsewhere `ENOTSOCK`, and the caller
/// writes in pieces instead.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn write_nowait(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> rustix::io::Result<usize> {
    let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
    rustix::net::send(fd, first, rustix::net::SendFlags::DONTWAIT)
}

/// Whether `write_nowait` cannot be had on this stream (a terminal; an
/// old kernel; a pipe outside Linux).
fn no_nowait_write(e: rustix::io::Errno) -> bool {
    matches!(e, rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::NOSYS | rustix::io::Errno::INVAL | rustix::io::Errno::NOTSOCK)
}

/// [`write_stoppable`] where no write can be made non-blocking: before
/// each piece it waits until the stream has room (in stoppable slices),
/// and it writes at most [`EMULATED_WRITE_MAX`] bytes at once, which a
/// stream that polls writable takes without blocking even in blocking
/// mode.
fn write_in_pieces(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], slice_ms: u64, stop: &dyn Fn() -> bool) -> WasiResult<usize> {
    let mut done = 0usize;
    for buf in bufs {
        let mut rest: &[u8] = buf;
        while !rest.is_empty() {
            if let Err(e) = crate::host::wait_ready(fd, Interest::Write, slice_ms, stop) {
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            let piece = &rest[..rest.len().min(EMULATED_WRITE_MAX)];
            match retry_on_intr(|| rustix::io::write(fd, piece)) {
                Ok(n) => {
                    done += n;
                    rest = &rest[n..];
                }
                // Another writer took the room first: wait again.
                Err(rustix::io::Errno::AGAIN) => {}
                Err(_) if done > 0 => return Ok(done),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::OFlags;
    use std::os::fd::AsFd;

    #[test]
    fn unwritten_skips_what_was_written() {
        let (a, b, c) = ([1u8, 2, 3], [4u8, 5], [6u8]);
        let bufs = [IoSlice::new(&a), IoSlice::new(&b), IoSlice::new(&c)];
        let rest = |done| unwritten(&bufs, done).map(<[u8]>::to_vec).collect::<Vec<_>>();
        assert_eq!(rest(0), [vec![1, 2, 3], vec![4, 5], vec![6]]);
        assert_eq!(rest(2), [vec![3], vec![4, 5], vec![6]]);
        assert_eq!(rest(3), [vec![4, 5], vec![6]]);
        assert_eq!(rest(5), [vec![6]]);
        assert!(rest(6).is_empty());
    }

    #[test]
    fn writes_everything_to_a_pipe_and_reads_it_back() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        let n = write_vectored(w.as_fd(), &[IoSlice::new(b"hello "), IoSlice::new(b"world")], Blocking::Wait).unwrap();
        assert_eq!(n, 11);
        let mut buf = [0u8; 32];
        let n = read(r.as_fd(), &mut buf, Blocking::Wait).unwrap();
        assert_eq!(&buf[..n], b"hello world");
    }

    #[test]
    fn a_non_blocking_pipe_loses_nothing_when_the_guest_wants_blocking() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        rustix::fs::fcntl_setfl(&w, OFlags::NONBLOCK).unwrap();
        let big = vec![7u8; 1 << 20]; // far more than a pipe buffer
        let reader = std::thread::spawn(move || {
            let mut got = 0usize;
            let mut buf = vec![0u8; 65536];
            loop {
                let n = rustix::io::read(&r, &mut buf[..]).unwrap();
                if n == 0 {
                    return got;
                }
                got += n;
            }
        });
        let n = write_vectored(w.as_fd(), &[IoSlice::new(&big)], Blocking::Wait).unwrap();
        drop(w);
        assert_eq!(n, big.len());
        assert_eq!(reader.join().unwrap(), big.len());
    }

    #[test]
    fn a_non_blocking_guest_sees_eagain() {
        let (r, _w) = rustix::pipe::pipe().unwrap();
        rustix::fs::fcntl_setfl(&r, OFlags::NONBLOCK).unwrap();
        assert_eq!(read(r.as_fd(), &mut [0u8; 4], Blocking::NonBlocking), Err(Errno::Again));
    }

    #[test]
    fn an_emulated_non_blocking_read_never_blocks() {
        // The host pipe blocks; the guest's emulated mode must not.
        let (r, w) = rustix::pipe::pipe().unwrap();
        assert_eq!(read(r.as_fd(), &mut [0u8; 4], Blocking::Emulated), Err(Errno::Again));
        rustix::io::write(&w, b"x").unwrap();
        assert_eq!(read(r.as_fd(), &mut [0u8; 4], Blocking::Emulated), Ok(1));
    }

    #[test]
    fn seeking_reports_the_new_offset() {
        let f = tempfile_in_tmp();
        rustix::io::write(&f, b"0123456789").unwrap();
        assert_eq!(seek(f.as_fd(), SeekFrom::Start(3)), Ok(3));
        assert_eq!(seek(f.as_fd(), SeekFrom::Current(2)), Ok(5));
        assert_eq!(seek(f.as_fd(), SeekFrom::End(-1)), Ok(9));
    }

    fn tempfile_in_tmp() -> std::fs::File {
        let path = std::env::temp_dir().join(format!("wasi-core-io-{}-{:?}", std::process::id(), std::thread::current().id()));
        let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        f
    }
}
