//! Calls on an open Windows handle: metadata, status flags, sync,
//! advice, allocation, truncation and times. A Windows handle has no status
//! flags: append mode is its access mode (append-only), set by reopening
//! the file, and non-blocking mode is kept by the fd table.

use crate::errno::{Errno, WasiResult};
use crate::host::{AsHost, BorrowedFd};
use crate::types::{fdflags, filetype, Advice, Filestat, SetTime};
use cap_fs_ext::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};
use windows_sys::Win32::Storage::FileSystem::{GetFileType, FILE_TYPE_CHAR, FILE_TYPE_DISK, FILE_TYPE_PIPE};

/// A `File` over a borrowed handle, for std's and cap-std's file calls.
/// It never closes the handle (the `ManuallyDrop`), and lives no longer
/// than the borrow.
struct HandleFile<'a>(std::mem::ManuallyDrop<std::fs::File>, std::marker::PhantomData<BorrowedFd<'a>>);

impl std::ops::Deref for HandleFile<'_> {
    type Target = std::fs::File;
    fn deref(&self) -> &std::fs::File {
        &self.0
    }
}

fn std_file(fd: BorrowedFd<'_>) -> WasiResult<HandleFile<'_>> {
    use std::os::windows::io::{AsRawHandle, FromRawHandle};
    let handle = fd.as_handle().ok_or(Errno::Badf)?;
    // SAFETY: the handle is valid for the borrow, which HandleFile keeps,
    // and ManuallyDrop keeps the File from closing it.
    let file = unsafe { std::fs::File::from_raw_handle(handle.as_raw_handle()) };
    Ok(HandleFile(std::mem::ManuallyDrop::new(file), std::marker::PhantomData))
}

fn system_time_ns(t: std::io::Result<SystemTime>) -> u64 {
    t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64)
}

/// What kind of object a Windows descriptor is (`GetFileType`, or a
/// socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HandleKind {
    /// A file or directory on a disk: the only kind with an offset.
    Disk,
    /// A character device: a console, or NUL.
    Char,
    Pipe,
    Socket,
    /// `GetFileType` knows no type for it.
    Unknown,
}

pub(crate) fn kind(fd: BorrowedFd<'_>) -> WasiResult<HandleKind> {
    let Some(handle) = fd.as_handle() else { return Ok(HandleKind::Socket) };
    use std::os::windows::io::AsRawHandle;
    // SAFETY: the handle is borrowed for the call.
    Ok(match unsafe { GetFileType(handle.as_raw_handle() as _) } {
        FILE_TYPE_DISK => HandleKind::Disk,
        FILE_TYPE_CHAR => HandleKind::Char,
        FILE_TYPE_PIPE => HandleKind::Pipe,
        _ => match std::io::Error::last_os_error().raw_os_error() {
            Some(0) | None => HandleKind::Unknown,
            Some(_) => return Err(Errno::Badf),
        },
    })
}

/// The WASI filetype of a non-disk kind. Preview1 has no pipe type: as
/// for a FIFO on Unix, a pipe is unknown.
fn non_disk_filetype(kind: HandleKind) -> u8 {
    match kind {
        HandleKind::Char => filetype::CHARACTER_DEVICE,
        HandleKind::Socket => filetype::SOCKET_STREAM,
        HandleKind::Disk | HandleKind::Pipe | HandleKind::Unknown => filetype::UNKNOWN,
    }
}

/// The host's metadata for this handle, as a WASI filestat. Device and
/// inode are the volume serial number and the file index; the change time,
/// which Windows does not give through this call, is the modification time.
/// Consoles, pipes and sockets have only their type.
pub fn filestat(fd: BorrowedFd<'_>) -> WasiResult<Filestat> {
    let kind = kind(fd)?;
    if kind != HandleKind::Disk {
        return Ok(Filestat { dev: 0, ino: 0, filetype: non_disk_filetype(kind), nlink: 1, size: 0, atim: 0, mtim: 0, ctim: 0 });
    }
    let view = std_file(fd)?;
    let meta = cap_std::fs::Metadata::from_file(&view)?;
    let mtim = system_time_ns(meta.modified().map(|t| t.into_std()));
    Ok(Filestat {
        dev: meta.dev(),
        ino: meta.ino(),
        filetype: if meta.is_dir() { filetype::DIRECTORY } else { filetype::REGULAR_FILE },
        nlink: meta.nlink(),
        size: meta.len(),
        atim: system_time_ns(meta.accessed().map(|t| t.into_std())),
        mtim,
        ctim: mtim,
    })
}

/// The WASI filetype of an open handle: `GetFileType` tells disk files,
/// character devices (consoles, NUL) and pipes apart; a disk handle may be
/// a directory.
pub fn filetype(fd: BorrowedFd<'_>) -> WasiResult<u8> {
    match kind(fd)? {
        HandleKind::Disk => Ok(if std_file(fd)?.metadata()?.is_dir() { filetype::DIRECTORY } else { filetype::REGULAR_FILE }),
        other => Ok(non_disk_filetype(other)),
    }
}

/// Whether `fd` is a socket.
pub fn is_socket(fd: BorrowedFd<'_>) -> std::io::Result<bool> {
    Ok(fd.as_socket().is_some())
}

/// Whether `fd` is a console (or an MSYS/Cygwin terminal, as the
/// standard library tells them).
pub fn is_terminal(fd: BorrowedFd<'_>) -> bool {
    fd.as_handle().is_some_and(|h| std::io::IsTerminal::is_terminal(&h))
}

/// Sockets here are stream sockets (the only kind wasi-rs makes on Windows).
pub fn refine_socket(_fd: BorrowedFd<'_>, ft: u8) -> u8 {
    ft
}

/// The host's WASI fdflags of a handle. A Windows handle has no status
/// flags, but its access mode says append: a handle with
/// `FILE_APPEND_DATA` and without `FILE_WRITE_DATA` writes only at the end
/// of the file, as `O_APPEND` does. Write-through is reported as DSYNC.
/// Non-blocking mode is the fd table's (Windows handles have none). Only
/// disk files are asked: pipes, consoles and sockets have no append mode.
pub fn fdflags(fd: BorrowedFd<'_>) -> WasiResult<u16> {
    use system_interface::fs::{FdFlags, GetSetFdFlags};
    if kind(fd)? != HandleKind::Disk {
        return Ok(0);
    }
    let host = (*std_file(fd)?).get_fd_flags()?;
    let mut flags = 0;
    if host.contains(FdFlags::APPEND) {
        flags |= fdflags::APPEND;
    }
    if host.contains(FdFlags::DSYNC) {
        flags |= fdflags::DSYNC;
    }
    Ok(flags)
}

/// Sets append mode on a file just opened. The access mode of a Windows
/// handle is fixed when it is opened, so append mode takes a second handle
/// to the same file (`ReOpenFile`, through system-interface) whose access
/// is append-only; the first is closed. Non-blocking mode is kept by the
/// fd table. (An `io::Result`, as the sandbox's opens report.)
pub fn init_status_flags(file: &mut cap_std::fs::File, append: bool, _nonblock: bool) -> std::io::Result<()> {
    if append {
        set_append(file, true)?;
    }
    Ok(())
}

/// Changes append mode of an open file (reopening it, as
/// [`init_status_flags`] does) when it differs from the handle's; the
/// offset of the new handle is the old one's. Non-blocking mode is kept by
/// the fd table.
pub fn set_status_flags(file: &mut cap_std::fs::File, append: bool, _nonblock: bool) -> WasiResult<()> {
    let has = fdflags(file.as_host())? & fdflags::APPEND != 0;
    if has != append {
        set_append(file, append)?;
    }
    Ok(())
}

fn set_append(file: &mut cap_std::fs::File, append: bool) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    use system_interface::fs::{FdFlags, GetSetFdFlags};
    // system-interface swaps the reopened handle into the File it is given;
    // it is given a duplicate, which then replaces `file` (closing the
    // first handle) only once everything succeeded.
    let mut reopened = file.try_clone()?.into_std();
    let offset = reopened.stream_position()?;
    let keep = reopened.get_fd_flags()? & FdFlags::DSYNC;
    let flags = if append { keep | FdFlags::APPEND } else { keep };
    let set = reopened.new_set_fd_flags(flags)?;
    reopened.set_fd_flags(set)?;
    reopened.seek(SeekFrom::Start(offset))?;
    *file = cap_std::fs::File::from_std(reopened);
    Ok(())
}

/// Flushes file data and metadata to storage (`FlushFileBuffers`).
pub fn sync(fd: BorrowedFd<'_>) -> WasiResult<()> {
    Ok(std_file(fd)?.sync_all()?)
}

/// Flushes file data to storage; Windows has one flush for both.
pub fn datasync(fd: BorrowedFd<'_>) -> WasiResult<()> {
    Ok(std_file(fd)?.sync_data()?)
}

/// An access-pattern hint. Windows takes hints only when a file is opened,
/// so a valid handle accepts any advice and nothing changes.
pub fn advise(fd: BorrowedFd<'_>, _offset: u64, _len: u64, _advice: Advice) -> WasiResult<()> {
    std_file(fd).map(drop)
}

/// Makes sure the file has room for `len` bytes at `offset`, growing it if
/// needed; the size never shrinks.
pub fn allocate(fd: BorrowedFd<'_>, offset: u64, len: u64) -> WasiResult<()> {
    let file = std_file(fd)?;
    let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
    if file.metadata()?.len() < end {
        file.set_len(end)?;
    }
    Ok(())
}

/// Truncates or extends the file to `size` bytes.
pub fn truncate(fd: BorrowedFd<'_>, size: u64) -> WasiResult<()> {
    Ok(std_file(fd)?.set_len(size)?)
}

/// How many bytes are left to read from a regular file at its offset.
pub fn unread_bytes(fd: BorrowedFd<'_>) -> WasiResult<u64> {
    use std::io::Seek;
    let file = std_file(fd)?;
    let size = file.metadata()?.len();
    let pos = (&*file).stream_position()?;
    Ok(size.saturating_sub(pos))
}

/// Sets an open file's access and modification times (fs-set-times; the
/// file system keeps 100 ns units).
pub fn set_times(fd: BorrowedFd<'_>, atime: SetTime, mtime: SetTime) -> std::io::Result<()> {
    use fs_set_times::{SetTimes, SystemTimeSpec};
    let spec = |t: SetTime| match t {
        SetTime::Omit => None,
        SetTime::Now => Some(SystemTimeSpec::SymbolicNow),
        SetTime::At(ns) => Some(SystemTimeSpec::Absolute(UNIX_EPOCH + std::time::Duration::from_nanos(ns))),
    };
    let file = std_file(fd).map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    SetTimes::set_times(&*file, spec(atime), spec(mtime))
}
