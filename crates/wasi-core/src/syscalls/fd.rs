//! The `fd_*` family: operations on an open descriptor.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, Kind};
use crate::host::{filestat_from_host, HostFd};
use crate::memory::GuestMemory;
use crate::types::{filetype, rights, whence, Fdstat, Prestat};

/// The host fd behind a stream descriptor, after checking `needed` rights.
/// Directories are not streams: `EBADF`, as in wasmtime.
fn stream(ctx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<HostFd> {
    let d = ctx.fds.get(fd)?;
    match &d.kind {
        Kind::Stdio(h) => {
            d.require(needed)?;
            Ok(*h)
        }
        Kind::Dir { .. } => Err(Errno::Badf),
    }
}

/// `fd_write(fd, iovs) -> size`: writes the gathered buffers. Every byte
/// is written; the count is returned through `nwritten`.
pub fn fd_write(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> WasiResult<()> {
    let h = stream(ctx, fd, rights::FD_WRITE)?;
    mem.slice(nwritten, 4)?;
    let n = mem.with_ciovecs(iovs, iovs_len, |bufs| h.write_all_vectored(bufs))?;
    mem.write(nwritten, n as u32)
}

/// `fd_read(fd, iovs) -> size`: reads into the scattered buffers. Like a
/// short `readv`, it fills the first non-empty buffer; 0 means end of file.
pub fn fd_read(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> WasiResult<()> {
    let h = stream(ctx, fd, rights::FD_READ)?;
    mem.slice(nread, 4)?;
    let n = match mem.first_nonempty_iovec(iovs, iovs_len)? {
        Some(v) => h.read(mem.slice_mut(v.buf, v.len)?)?,
        None => 0,
    };
    mem.write(nread, n as u32)
}

/// `fd_seek(fd, offset, whence) -> filesize`: moves the file offset.
/// Pipes and terminals give `ESPIPE`.
pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, offset: u64, whence_: u32, newoffset: u32) -> WasiResult<()> {
    let needed = if offset == 0 && whence_ == u32::from(whence::CUR) { rights::FD_TELL } else { rights::FD_SEEK | rights::FD_TELL };
    let h = stream(ctx, fd, needed)?;
    let pos = match u8::try_from(whence_).map_err(|_| Errno::Inval)? {
        whence::SET => rustix::fs::SeekFrom::Start(offset),
        whence::CUR => rustix::fs::SeekFrom::Current(offset as i64),
        whence::END => rustix::fs::SeekFrom::End(offset as i64),
        _ => return Err(Errno::Inval),
    };
    mem.slice(newoffset, 8)?;
    let at = h.seek(pos)?;
    mem.write(newoffset, at)
}

/// `fd_tell(fd) -> filesize`: the current file offset.
pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, offset: u32) -> WasiResult<()> {
    fd_seek(ctx, mem, fd, 0, u32::from(whence::CUR), offset)
}

/// `fd_close(fd)`: closes the descriptor. Stdio slots only leave the
/// table: the host fds belong to the embedder and stay open.
pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    ctx.fds.remove(fd).map(drop)
}

/// `fd_renumber(fd, to)`: atomically replaces `to` with `fd`.
pub fn fd_renumber(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, to: u32) -> WasiResult<()> {
    ctx.fds.renumber(fd, to)
}

fn fdstat_of(d: &Descriptor) -> WasiResult<Fdstat> {
    let (filetype, flags) = match &d.kind {
        Kind::Stdio(h) => {
            let (ft, flags, _) = h.fdstat_parts()?;
            (ft, flags)
        }
        Kind::Dir { .. } => (filetype::DIRECTORY, 0),
    };
    Ok(Fdstat { filetype, flags, rights_base: d.rights_base, rights_inheriting: d.rights_inheriting })
}

/// `fd_fdstat_get(fd) -> fdstat`: filetype, WASI fdflags and rights.
pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let st = fdstat_of(ctx.fds.get(fd)?)?;
    mem.write(buf, st)
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`: drops rights. Rights can
/// only shrink; asking for one not held is `ENOTCAPABLE`.
pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, base: u64, inheriting: u64) -> WasiResult<()> {
    let d = ctx.fds.get_mut(fd)?;
    if base & !d.rights_base != 0 || inheriting & !d.rights_inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    d.rights_base = base;
    d.rights_inheriting = inheriting;
    Ok(())
}

/// `fd_filestat_get(fd) -> filestat`: the attributes of the open file.
pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let d = ctx.fds.get(fd)?;
    d.require(rights::FD_FILESTAT_GET)?;
    let st = match &d.kind {
        Kind::Stdio(h) => h.filestat()?,
        Kind::Dir { dir, .. } => filestat_from_host(&rustix::fs::fstat(dir)?),
    };
    mem.write(buf, st)
}

fn preopen_name(ctx: &WasiCtx, fd: u32) -> WasiResult<&str> {
    match &ctx.fds.get(fd)?.kind {
        Kind::Dir { preopen_name: Some(name), .. } => Ok(name),
        _ => Err(Errno::Badf),
    }
}

/// `fd_prestat_get(fd) -> prestat`: describes a preopened directory.
/// Any other descriptor is `EBADF`, which ends wasi-libc's preopen scan.
pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let name_len = preopen_name(ctx, fd)?.len() as u32;
    mem.write(buf, Prestat { name_len })
}

/// `fd_prestat_dir_name(fd, path, path_len)`: the preopen's guest path
/// (not NUL-terminated). A buffer shorter than the name is `ENAMETOOLONG`.
pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let name = preopen_name(ctx, fd)?;
    if (path_len as usize) < name.len() {
        return Err(Errno::NameTooLong);
    }
    mem.slice_mut(path, name.len() as u32)?.copy_from_slice(name.as_bytes());
    Ok(())
}

/// Declares `fd_*` calls whose implementation arrives with the filesystem
/// work (issue #3): they exist with their exact signatures and return
/// `ENOSYS` until then.
macro_rules! not_yet {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, $($arg: $ty),*) -> WasiResult<()> {
            let _ = ($($arg,)*);
            Err(Errno::NoSys)
        }
    )*};
}
pub(crate) use not_yet;

not_yet! {
    /// `fd_advise(fd, offset, len, advice)`: access-pattern hint.
    fd_advise(fd: u32, offset: u64, len: u64, advice: u32);
    /// `fd_allocate(fd, offset, len)`: reserves space in a file.
    fd_allocate(fd: u32, offset: u64, len: u64);
    /// `fd_datasync(fd)`: flushes file data.
    fd_datasync(fd: u32);
    /// `fd_sync(fd)`: flushes file data and metadata.
    fd_sync(fd: u32);
    /// `fd_fdstat_set_flags(fd, flags)`: changes fdflags.
    fd_fdstat_set_flags(fd: u32, flags: u32);
    /// `fd_filestat_set_size(fd, size)`: truncates or extends a file.
    fd_filestat_set_size(fd: u32, size: u64);
    /// `fd_filestat_set_times(fd, atim, mtim, fst_flags)`.
    fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst_flags: u32);
    /// `fd_pread(fd, iovs, offset) -> size`: reads at an offset.
    fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32);
    /// `fd_pwrite(fd, iovs, offset) -> size`: writes at an offset.
    fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32);
    /// `fd_readdir(fd, buf, buf_len, cookie) -> size`: reads directory entries.
    fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32);
}
