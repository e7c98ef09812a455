//! Calls on an open host file (or any descriptor's metadata): stat, status
//! flags, sync, advice, allocation, truncation and times. Linux and macOS
//! differ in `fdatasync` and `posix_fadvise`, gated here.

use super::convert::{filestat_from_host, filetype_from_host, wasi_fdflags};
use crate::errno::WasiResult;
use crate::host::retry_on_intr;
use crate::types::{filetype, Advice, Filestat, SetTime};
use rustix::fd::BorrowedFd;
use rustix::fs::{FileType, OFlags};

/// The host's metadata for this fd, as a WASI filestat.
pub fn filestat(fd: BorrowedFd<'_>) -> WasiResult<Filestat> {
    Ok(filestat_from_host(&rustix::fs::fstat(fd)?))
}

/// The WASI filetype of an open fd. Sockets are told apart by `SO_TYPE`.
pub fn filetype(fd: BorrowedFd<'_>) -> WasiResult<u8> {
    let st = rustix::fs::fstat(fd)?;
    Ok(refine_socket(fd, filetype_from_host(FileType::from_raw_mode(st.st_mode))))
}

/// Whether `fd` is a socket (of any kind). (An `io::Result`: the embedder's
/// set-up asks this too, and reports host errors as they are.)
pub fn is_socket(fd: BorrowedFd<'_>) -> std::io::Result<bool> {
    let st = rustix::fs::fstat(fd)?;
    Ok(FileType::from_raw_mode(st.st_mode) == FileType::Socket)
}

/// Whether `fd` is a terminal.
pub fn is_terminal(fd: BorrowedFd<'_>) -> bool {
    std::io::IsTerminal::is_terminal(&fd)
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

fn status_flags(append: bool, nonblock: bool) -> OFlags {
    let mut flags = OFlags::empty();
    if append {
        flags |= OFlags::APPEND;
    }
    if nonblock {
        flags |= OFlags::NONBLOCK;
    }
    flags
}

/// Sets the append and non-blocking status flags of a file just opened,
/// with one `F_SETFL`: it changes exactly the status flags (append and
/// non-blocking among them), while the access mode and sync flags stay.
/// (An `io::Result`, as the sandbox's opens report.)
pub fn init_status_flags(file: &mut cap_std::fs::File, append: bool, nonblock: bool) -> std::io::Result<()> {
    Ok(rustix::fs::fcntl_setfl(&*file, status_flags(append, nonblock))?)
}

/// Changes the append and non-blocking status flags of an open file,
/// keeping every other status flag it has.
/// (`&mut`: on Windows a change of append mode replaces the handle.)
pub fn set_status_flags(file: &mut cap_std::fs::File, append: bool, nonblock: bool) -> WasiResult<()> {
    let others = rustix::fs::fcntl_getfl(&*file)? & !(OFlags::APPEND | OFlags::NONBLOCK);
    Ok(rustix::fs::fcntl_setfl(&*file, others | status_flags(append, nonblock))?)
}

/// Flushes file data and metadata to storage.
pub fn sync(fd: BorrowedFd<'_>) -> WasiResult<()> {
    Ok(retry_on_intr(|| rustix::fs::fsync(fd))?)
}

/// Flushes file data to storage. macOS has no `fdatasync`; there, as in
/// Rust's `File::sync_data`, `F_FULLFSYNC` flushes through the drive's
/// cache too.
pub fn datasync(fd: BorrowedFd<'_>) -> WasiResult<()> {
    #[cfg(not(target_vendor = "apple"))]
    return Ok(retry_on_intr(|| rustix::fs::fdatasync(fd))?);
    #[cfg(target_vendor = "apple")]
    return Ok(retry_on_intr(|| rustix::fs::fcntl_fullfsync(fd))?);
}

/// An access-pattern hint (`advice` in WASI's numbering: normal,
/// sequential, random, willneed, dontneed, noreuse), already checked by the
/// caller to be one of those. macOS has no `posix_fadvise`: there
/// "willneed" becomes `F_RDADVISE` (read-ahead) and the rest are accepted
/// and ignored, which a hint allows.
pub fn advise(fd: BorrowedFd<'_>, offset: u64, len: u64, advice: Advice) -> WasiResult<()> {
    #[cfg(not(target_vendor = "apple"))]
    {
        use rustix::fs::Advice as A;
        let advice = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        Ok(rustix::fs::fadvise(fd, offset, std::num::NonZeroU64::new(len), advice)?)
    }
    #[cfg(target_vendor = "apple")]
    {
        // The descriptor must still be a valid one, as fadvise checks.
        rustix::fs::fstat(fd)?;
        if advice == Advice::WillNeed && len > 0 {
            let _ = rustix::fs::fcntl_rdadvise(fd, offset, len);
        }
        Ok(())
    }
}

/// Makes sure the file has room for `len` bytes at `offset`, growing it if
/// needed (`posix_fallocate`'s meaning: the size never shrinks).
pub fn allocate(fd: BorrowedFd<'_>, offset: u64, len: u64) -> WasiResult<()> {
    Ok(retry_on_intr(|| rustix::fs::fallocate(fd, rustix::fs::FallocateFlags::empty(), offset, len))?)
}

/// Truncates or extends the file to `size` bytes.
pub fn truncate(fd: BorrowedFd<'_>, size: u64) -> WasiResult<()> {
    Ok(retry_on_intr(|| rustix::fs::ftruncate(fd, size))?)
}

/// How many bytes are left to read from a regular file at its offset.
pub fn unread_bytes(fd: BorrowedFd<'_>) -> WasiResult<u64> {
    let size = rustix::fs::fstat(fd)?.st_size as u64;
    let pos = rustix::fs::tell(fd)?;
    Ok(size.saturating_sub(pos))
}

/// Sets an open file's access and modification times, to the nanosecond.
pub fn set_times(fd: BorrowedFd<'_>, atime: SetTime, mtime: SetTime) -> std::io::Result<()> {
    let spec = |t: SetTime| match t {
        SetTime::Omit => rustix::fs::Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_OMIT },
        SetTime::Now => rustix::fs::Timespec { tv_sec: 0, tv_nsec: rustix::fs::UTIME_NOW },
        SetTime::At(ns) => rustix::fs::Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ },
    };
    let times = rustix::fs::Timestamps { last_access: spec(atime), last_modification: spec(mtime) };
    Ok(retry_on_intr(|| rustix::fs::futimens(fd, &times))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;
    use crate::types::fdflags;
    use std::os::fd::AsFd;

    fn scratch() -> std::fs::File {
        let path = std::env::temp_dir().join(format!("wasi-core-file-{}-{:?}", std::process::id(), std::thread::current().id()));
        let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        f
    }

    #[test]
    fn status_flags_change_only_append_and_nonblock() {
        let mut f = cap_std::fs::File::from_std(scratch());
        init_status_flags(&mut f, true, false).unwrap();
        assert_eq!(fdflags(f.as_fd()), Ok(fdflags::APPEND));
        set_status_flags(&mut f, false, true).unwrap();
        assert_eq!(fdflags(f.as_fd()), Ok(fdflags::NONBLOCK));
        // The access mode survives: the file is still writable.
        assert_eq!(rustix::io::write(&f, b"ok"), Ok(2));
    }

    #[test]
    fn allocate_grows_and_truncate_sets_the_size() {
        let f = scratch();
        allocate(f.as_fd(), 0, 100).unwrap();
        assert_eq!(filestat(f.as_fd()).unwrap().size, 100);
        truncate(f.as_fd(), 10).unwrap();
        assert_eq!(filestat(f.as_fd()).unwrap().size, 10);
        assert_eq!(unread_bytes(f.as_fd()), Ok(10));
        sync(f.as_fd()).unwrap();
        datasync(f.as_fd()).unwrap();
    }

    #[test]
    fn every_advice_is_accepted_on_a_file_and_a_bad_fd_is_ebadf() {
        let f = scratch();
        for a in [Advice::Normal, Advice::Sequential, Advice::Random, Advice::WillNeed, Advice::DontNeed, Advice::NoReuse] {
            advise(f.as_fd(), 0, 10, a).unwrap();
        }
        let bad = crate::host::HostFd::new(999_999);
        assert_eq!(advise(bad.borrow().unwrap(), 0, 0, Advice::Normal), Err(Errno::Badf));
    }
}
