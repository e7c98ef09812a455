//! Thin, safe wrappers over host file descriptors (through `rustix`):
//! vectored writes that never lose data, reads, and translation of host
//! file metadata into WASI's [`Filestat`] and filetype.

use crate::errno::{Errno, WasiResult};
use crate::types::{fdflags, filetype, rights, Filestat, SetTime};
use rustix::fd::BorrowedFd;
use rustix::fs::{FileType, OFlags, Stat};
use std::io::IoSlice;

/// A host fd handed in by the embedder. The embedder keeps ownership:
/// we never close it.
#[derive(Clone, Copy, Debug)]
pub struct HostFd(i32);

impl HostFd {
    /// Wraps a raw host fd number.
    pub fn new(fd: i32) -> Self {
        HostFd(fd)
    }

    /// The raw host fd number.
    pub fn raw(self) -> i32 {
        self.0
    }

    /// Borrows the fd for a system call.
    pub fn borrow(&self) -> WasiResult<BorrowedFd<'_>> {
        if self.0 < 0 {
            return Err(Errno::Badf);
        }
        // SAFETY: a negative fd was refused above; a closed or stale fd
        // number only makes the system call fail with EBADF.
        Ok(unsafe { BorrowedFd::borrow_raw(self.0) })
    }
}

/// Whether the guest asked for non-blocking I/O on a descriptor. When it
/// did not, `EAGAIN` from the host (Node makes its pipes non-blocking) is
/// waited out with `poll`, so the guest sees the blocking semantics it asked
/// for and no byte is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    Wait,
    /// The host descriptor is non-blocking too: its `EAGAIN` is the answer.
    NonBlocking,
    /// The guest asked for non-blocking I/O on a descriptor it shares with
    /// the embedder (stdio, a lent socket), whose host mode is not the
    /// guest's to change: each call first asks `poll` with a zero timeout
    /// and answers `EAGAIN` when not ready, and writes at most
    /// [`EMULATED_WRITE_MAX`] bytes, which a ready pipe or socket takes
    /// without blocking.
    Emulated,
}

/// The most an emulated non-blocking write passes to the host at once
/// (`PIPE_BUF`: a pipe that polls writable has room for it).
pub const EMULATED_WRITE_MAX: usize = 4096;

/// Whether `fd` is ready for `flags` right now (a zero-timeout `poll`).
pub fn ready_now(fd: BorrowedFd<'_>, flags: rustix::event::PollFlags) -> WasiResult<bool> {
    let mut fds = [rustix::event::PollFd::new(&fd, flags)];
    let zero = rustix::time::Timespec { tv_sec: 0, tv_nsec: 0 };
    Ok(retry_on_intr(|| rustix::event::poll(&mut fds, Some(&zero)))? > 0)
}

/// The process's fd ceiling (`RLIMIT_NOFILE`'s soft limit), read when an
/// instance is made.
static FD_CEILING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(u64::MAX);

/// Reads the process's fd ceiling again (the embedder may have raised it).
pub fn refresh_fd_ceiling() {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
    FD_CEILING.store(limit, std::sync::atomic::Ordering::Relaxed);
}

/// How many host fds below the ceiling a guest may never take: an eighth
/// of the ceiling, at least 64, so the embedder can still open files,
/// sockets and pipes whatever its guests do.
fn fd_reserve(ceiling: u64) -> u64 {
    (ceiling / 8).max(64)
}

/// Whether a host fd a guest just had opened leaves the process its
/// reserve. The kernel hands out the lowest free number, so an fd numbered
/// `n` means `n` fds below it are in use: one check of the number, no scan.
pub fn fd_has_headroom(fd: BorrowedFd<'_>) -> bool {
    use rustix::fd::AsRawFd;
    let ceiling = FD_CEILING.load(std::sync::atomic::Ordering::Relaxed);
    let n = fd.as_raw_fd() as u64;
    n < ceiling.saturating_sub(fd_reserve(ceiling))
}

/// Runs a host call again while it fails with `EINTR`: the one place the
/// host layer decides that policy (a signal meant for the embedder must
/// not surface to the guest as an error).
pub fn retry_on_intr<T>(mut call: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r,
        }
    }
}

/// The guest's hold on one of the embedder's stdio streams: a duplicate
/// of the host fd taken when the instance is made, so the guest keeps the
/// stream it was given even if the embedder later closes that fd number
/// and it is reused. Instances of one process share the duplicate of a
/// stream (keyed by the fd number and the open object's identity) rather
/// than take three fds each. `None` when the host fd is closed: the guest
/// then gets `EBADF` on it.
pub fn hold_stdio(raw: i32) -> Option<std::sync::Arc<rustix::fd::OwnedFd>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, Weak};
    type Held = HashMap<i32, ((u64, u64), Weak<rustix::fd::OwnedFd>)>;
    static HELD: Mutex<Option<Held>> = Mutex::new(None);
    let host = HostFd::new(raw);
    let borrowed = host.borrow().ok()?;
    let st = rustix::fs::fstat(borrowed).ok()?;
    let identity = (st.st_dev as u64, st.st_ino as u64);
    // A regular file's offset belongs to its open file description, which
    // the identity cannot tell apart: those are never shared.
    let shareable = FileType::from_raw_mode(st.st_mode) != FileType::RegularFile;
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let held = held.get_or_insert_with(HashMap::new);
    if shareable {
        if let Some((id, weak)) = held.get(&raw) {
            if *id == identity {
                if let Some(fd) = weak.upgrade() {
                    return Some(fd);
                }
            }
        }
    }
    let dup = Arc::new(rustix::io::fcntl_dupfd_cloexec(borrowed, 3).ok()?);
    if shareable {
        held.retain(|_, (_, w)| w.strong_count() > 0);
        held.insert(raw, (identity, Arc::downgrade(&dup)));
    }
    Some(dup)
}

/// Reads into `buf` (0 is end of file).
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated && !ready_now(fd, rustix::event::PollFlags::IN)? {
        return Err(Errno::Again);
    }
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => continue,
            Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => wait_for(fd, rustix::event::PollFlags::IN)?,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads into `buf` at `offset`, without moving the file offset.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
    Ok(retry_on_intr(|| rustix::io::pread(fd, &mut *buf, offset))?)
}

/// Writes `bufs` at `offset`, without moving the file offset.
pub fn pwrite(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], offset: u64) -> WasiResult<usize> {
    Ok(retry_on_intr(|| rustix::io::pwritev(fd, bufs, offset))?)
}

/// The host's metadata for this fd, as a WASI filestat.
pub fn filestat(fd: BorrowedFd<'_>) -> WasiResult<Filestat> {
    Ok(filestat_from_host(&rustix::fs::fstat(fd)?))
}

/// The WASI filetype of an open fd. Sockets are told apart by `SO_TYPE`.
pub fn filetype(fd: BorrowedFd<'_>) -> WasiResult<u8> {
    let st = rustix::fs::fstat(fd)?;
    Ok(refine_socket(fd, filetype_from_host(FileType::from_raw_mode(st.st_mode))))
}

/// `fstat` says only "socket"; `SO_TYPE` tells a datagram socket from a
/// stream one. Any other filetype is returned as it is.
pub fn refine_socket(fd: BorrowedFd<'_>, ft: u8) -> u8 {
    if ft == filetype::SOCKET_STREAM && rustix::net::sockopt::socket_type(fd) == Ok(rustix::net::SocketType::DGRAM) {
        return filetype::SOCKET_DGRAM;
    }
    ft
}

/// The host's open flags of `fd`, as WASI fdflags.
pub fn fdflags(fd: BorrowedFd<'_>) -> WasiResult<u16> {
    Ok(wasi_fdflags(rustix::fs::fcntl_getfl(fd)?))
}

/// Moves the host file offset.
pub fn seek(fd: BorrowedFd<'_>, pos: rustix::fs::SeekFrom) -> WasiResult<u64> {
    Ok(rustix::fs::seek(fd, pos)?)
}

/// Writes `bufs` to `fd`. When blocking, every byte is written: short
/// writes are retried and `EAGAIN` is waited out. When non-blocking, it is
/// one `writev`, whose short count or `EAGAIN` the guest sees.
pub fn write_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], blocking: Blocking) -> WasiResult<usize> {
    if blocking == Blocking::Emulated {
        if !ready_now(fd, rustix::event::PollFlags::OUT)? {
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
        Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => wait_for(fd, rustix::event::PollFlags::OUT)?,
        Err(e) => return Err(e.into()),
    }
    // Slow path: write what is left, buffer by buffer.
    let mut skip = done;
    for buf in bufs {
        let mut rest: &[u8] = buf;
        if skip >= rest.len() {
            skip -= rest.len();
            continue;
        }
        rest = &rest[skip..];
        skip = 0;
        while !rest.is_empty() {
            match rustix::io::write(fd, rest) {
                Ok(n) => {
                    rest = &rest[n..];
                    done += n;
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => wait_for(fd, rustix::event::PollFlags::OUT)?,
                // Report what went out before the error, as write(2) does.
                Err(_) if done > 0 => return Ok(done),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(done)
}

/// Blocks until `fd` is ready for `flags`.
pub fn wait_for(fd: BorrowedFd<'_>, flags: rustix::event::PollFlags) -> WasiResult<()> {
    let mut fds = [rustix::event::PollFd::new(&fd, flags)];
    match rustix::event::poll(&mut fds, None) {
        Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Sets an open file's access and modification times, to the nanosecond.
pub fn set_times(fd: BorrowedFd<'_>, atime: SetTime, mtime: SetTime) -> rustix::io::Result<()> {
    let spec = |t: SetTime| match t {
        SetTime::Omit => rustix::fs::Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_OMIT },
        SetTime::Now => rustix::fs::Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_NOW },
        SetTime::At(ns) => rustix::fs::Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ },
    };
    let times = rustix::fs::Timestamps { last_access: spec(atime), last_modification: spec(mtime) };
    retry_on_intr(|| rustix::fs::futimens(fd, &times))
}

/// Fills `out` from `getrandom(2)` (called directly, without libc's
/// cancellation-point wrapper; large buffers take several calls).
pub fn getrandom(mut out: &mut [u8]) -> WasiResult<()> {
    while !out.is_empty() {
        let n = retry_on_intr(|| rustix::rand::getrandom(&mut *out, rustix::rand::GetRandomFlags::empty()))?;
        out = &mut out[n..];
    }
    Ok(())
}

/// Maps a host file type to WASI's `filetype`.
pub fn filetype_from_host(ft: FileType) -> u8 {
    match ft {
        FileType::RegularFile => filetype::REGULAR_FILE,
        FileType::Directory => filetype::DIRECTORY,
        FileType::Symlink => filetype::SYMBOLIC_LINK,
        FileType::CharacterDevice => filetype::CHARACTER_DEVICE,
        FileType::BlockDevice => filetype::BLOCK_DEVICE,
        FileType::Socket => filetype::SOCKET_STREAM,
        // Preview1 has no FIFO type; like wasmtime, report unknown.
        _ => filetype::UNKNOWN,
    }
}

/// The base rights a descriptor of this filetype carries.
pub fn rights_for_filetype(ft: u8) -> u64 {
    match ft {
        filetype::REGULAR_FILE => rights::REGULAR_FILE_BASE,
        filetype::DIRECTORY => rights::DIRECTORY_BASE,
        filetype::CHARACTER_DEVICE => rights::TTY_BASE,
        filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => rights::SOCKET_BASE,
        _ => rights::REGULAR_FILE_BASE & !(rights::FD_SEEK | rights::FD_TELL) | rights::SOCKET_BASE,
    }
}

/// Host open flags, reported as WASI `fdflags` (never host bits).
pub fn wasi_fdflags(host: OFlags) -> u16 {
    let mut f = 0;
    if host.contains(OFlags::APPEND) {
        f |= fdflags::APPEND;
    }
    if host.contains(OFlags::NONBLOCK) {
        f |= fdflags::NONBLOCK;
    }
    if host.contains(OFlags::SYNC) {
        f |= fdflags::SYNC;
    } else if host.contains(OFlags::DSYNC) {
        f |= fdflags::DSYNC;
    }
    f
}

/// Nanoseconds since the epoch from a seconds/nanoseconds pair, clamped at 0.
pub(crate) fn nanos(sec: i64, nsec: i64) -> u64 {
    (sec as i128 * 1_000_000_000 + nsec as i128).clamp(0, u64::MAX as i128) as u64
}

/// Translates host `stat` into a WASI filestat. (The casts are needed on
/// targets whose `stat` fields have other widths.)
#[allow(clippy::unnecessary_cast, reason = "stat field widths differ between targets")]
pub fn filestat_from_host(st: &Stat) -> Filestat {
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype: filetype_from_host(FileType::from_raw_mode(st.st_mode)),
        nlink: st.st_nlink as u64,
        size: st.st_size as u64,
        atim: nanos(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

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
    fn bad_host_fds_are_ebadf() {
        assert_eq!(HostFd::new(-1).borrow().err(), Some(Errno::Badf));
        let h = HostFd::new(999_999);
        assert_eq!(read(h.borrow().unwrap(), &mut [0u8; 4], Blocking::Wait).err(), Some(Errno::Badf));
    }

    #[test]
    fn fdflags_are_wasi_bits() {
        assert_eq!(wasi_fdflags(OFlags::APPEND | OFlags::NONBLOCK), fdflags::APPEND | fdflags::NONBLOCK);
        assert_eq!(wasi_fdflags(OFlags::RDWR), 0);
    }
}
