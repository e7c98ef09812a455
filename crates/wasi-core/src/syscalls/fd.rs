//! The `fd_*` family: operations on an open descriptor.

use crate::ctx::WasiCtx;
use crate::dirstream::DirCursor;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, Kind, Listing};
use crate::host::{self, AsHost};
use crate::memory::{GuestMemory, GuestType, IoVec, MAX_TRANSFER};
use crate::sandbox;
use crate::types::{fdflags, filetype, rights, whence, Fdstat, Filestat, Prestat};
use std::io::SeekFrom;
use std::sync::Arc;

/// `fd_write(fd, iovs) -> size`: writes the gathered buffers at the file
/// offset (at the end for an append-mode file). A blocking descriptor
/// writes every byte.
pub fn fd_write(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> WasiResult<()> {
    let d = classified(ctx, fd)?;
    let host = d.stream(rights::FD_WRITE)?;
    mem.check(nwritten, 4)?;
    let n = if may_block(&d) && d.blocking() == host::Blocking::Wait && ctx.interruptible() {
        let stop = || ctx.stop_requested();
        mem.with_ciovecs(iovs, iovs_len, |bufs| host::write_stoppable(host, bufs, crate::ctx::INTERRUPT_CHECK_MS, &stop))?
    } else {
        mem.with_ciovecs(iovs, iovs_len, |bufs| host::write_vectored(host, bufs, d.blocking()))?
    };
    mem.write(nwritten, n as u32)
}

/// The descriptor at `fd`, its filetype known: a file opened by path is
/// classified at its first read or write (one `fstat`), since whether a
/// read fills every buffer, and whether I/O may wait for a peer (a FIFO),
/// depend on it.
fn classified(ctx: &WasiCtx, fd: u32) -> WasiResult<Arc<Descriptor>> {
    let d = ctx.fds().get(fd)?;
    if !d.unclassified() {
        return Ok(d);
    }
    drop(d);
    let mut fds = ctx.fds();
    fds.classify(fd)?;
    fds.get(fd)
}

/// Whether I/O on `d` may wait for a peer: a stream (pipe, FIFO, socket,
/// terminal), not a regular file, directory or block device. A character
/// device with seek or tell rights is not a terminal (`/dev/null`: see
/// `rights::DEVICE_BASE`) and never waits. (Reads and writes classify a
/// file first; a file still unclassified here, as in `sock_recv`, is
/// taken as not waiting.)
fn may_block(d: &Descriptor) -> bool {
    match (&d.kind, d.known_filetype()) {
        (_, Some(filetype::REGULAR_FILE | filetype::DIRECTORY | filetype::BLOCK_DEVICE)) => false,
        (_, Some(filetype::CHARACTER_DEVICE)) => d.rights_base() & (rights::FD_SEEK | rights::FD_TELL) == 0,
        (Kind::File { .. }, None) => false,
        _ => true,
    }
}

/// `fd_pwrite(fd, iovs, offset) -> size`: writes at `offset` without
/// moving the file offset. On an append-mode file Linux writes at the end
/// instead, which the spec's test suite accepts.
pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    let host = d.stream(rights::FD_WRITE | rights::FD_SEEK)?;
    mem.check(nwritten, 4)?;
    let n = mem.with_ciovecs(iovs, iovs_len, |bufs| host::pwrite(host, bufs, offset))?;
    mem.write(nwritten, n as u32)
}

/// A read from a directory opened without `O_DIRECTORY` (and not yet
/// classified) fails with the host's `EISDIR`; answer `EBADF`, as for any
/// directory descriptor.
fn directory_is_not_a_stream(r: WasiResult<usize>) -> WasiResult<usize> {
    r.map_err(|e| if e == Errno::IsDir { Errno::Badf } else { e })
}

/// Fills the iovecs from `read_at(buf, done)`, in order, stopping at the
/// first short read. Returns the total. Allocates nothing: each iovec is
/// read from guest memory when its turn comes.
fn scatter(
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    mut read_at: impl FnMut(&mut [u8], u64) -> WasiResult<usize>,
) -> WasiResult<usize> {
    // Check every buffer before reading anything.
    mem.scan_iovecs(iovs, iovs_len)?;
    let mut total = 0usize;
    for i in 0..iovs_len {
        let v: IoVec = mem.read(iovs + i * IoVec::SIZE)?;
        if v.len == 0 {
            continue;
        }
        // The count is a u32: stop where it would overflow (a short read).
        let want = v.len.min((MAX_TRANSFER - total) as u32);
        if want == 0 {
            break;
        }
        let n = mem.fill(v.buf, want, |buf| read_at(buf, total as u64))?;
        total += n;
        if n < v.len as usize {
            break;
        }
    }
    Ok(total)
}

/// Before a read that may block (a stream, in blocking mode), waits for
/// data in slices that let the thread be stopped (see
/// [`host::wait_ready`]). A regular file (stdio redirected from one too),
/// or a file not classified yet, is read at once. `wants_data` is asked
/// only before a wait: it checks the call's buffers (so bad ones fail
/// first) and says whether there is room for any byte (a read of nothing
/// never waits); the hot path on a regular file pays for neither.
pub(crate) fn wait_until_readable(
    ctx: &WasiCtx,
    d: &Descriptor,
    host: host::BorrowedFd<'_>,
    wants_data: impl FnOnce() -> WasiResult<bool>,
) -> WasiResult<()> {
    if may_block(d) && d.blocking() == host::Blocking::Wait && ctx.interruptible() && wants_data()? {
        host::wait_ready(host, host::Interest::Read, crate::ctx::INTERRUPT_CHECK_MS, &|| ctx.stop_requested())?;
    }
    Ok(())
}

/// `fd_read(fd, iovs) -> size`: reads into the scattered buffers; 0 means
/// end of file. On a regular file the buffers fill in order, like `readv`;
/// on a stream only the first non-empty one (a short read), so a read
/// never blocks waiting for more data than the stream has.
pub fn fd_read(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> WasiResult<()> {
    let d = classified(ctx, fd)?;
    let host = d.stream(rights::FD_READ)?;
    mem.check(nread, 4)?;
    wait_until_readable(ctx, &d, host, || Ok(mem.scan_iovecs(iovs, iovs_len)?.nonempty > 0))?;
    let n = if matches!(d.kind, Kind::File { .. }) && d.known_filetype() == Some(filetype::REGULAR_FILE) {
        scatter(mem, iovs, iovs_len, |buf, _| host::read(host, buf, d.blocking()))
    } else {
        match mem.scan_iovecs(iovs, iovs_len)?.first_nonempty {
            Some(v) => mem.fill(v.buf, v.len, |buf| host::read(host, buf, d.blocking())),
            None => Ok(0),
        }
    };
    mem.write(nread, directory_is_not_a_stream(n)? as u32)
}

/// `fd_pread(fd, iovs, offset) -> size`: reads at `offset` without moving
/// the file offset.
pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    let host = d.stream(rights::FD_READ | rights::FD_SEEK)?;
    mem.check(nread, 4)?;
    let n = scatter(mem, iovs, iovs_len, |buf, done| host::pread(host, buf, offset.checked_add(done).ok_or(Errno::Overflow)?));
    mem.write(nread, directory_is_not_a_stream(n)? as u32)
}

/// `fd_seek(fd, offset, whence) -> filesize`: moves the file offset.
/// Pipes and terminals give `ESPIPE`; a negative result, `EINVAL`.
pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, offset: u64, whence_: u32, newoffset: u32) -> WasiResult<()> {
    let needed = if offset == 0 && whence_ == u32::from(whence::CUR) { rights::FD_TELL } else { rights::FD_SEEK };
    let d = ctx.fds().get(fd)?;
    let host = d.stream(needed)?;
    let pos = match u8::try_from(whence_).map_err(|_| Errno::Inval)? {
        whence::SET => SeekFrom::Start(offset),
        whence::CUR => SeekFrom::Current(offset as i64),
        whence::END => SeekFrom::End(offset as i64),
        _ => return Err(Errno::Inval),
    };
    if matches!(pos, SeekFrom::Start(o) if o > i64::MAX as u64) {
        return Err(Errno::Inval);
    }
    mem.check(newoffset, 8)?;
    let at = host::seek(host, pos)?;
    mem.write(newoffset, at)
}

/// `fd_tell(fd) -> filesize`: the current file offset.
pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, offset: u32) -> WasiResult<()> {
    fd_seek(ctx, mem, fd, 0, u32::from(whence::CUR), offset)
}

/// `fd_close(fd)`: closes the descriptor. Stdio slots only leave the
/// table: the host fds belong to the embedder and stay open.
pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    // The table's lock is released before the descriptor is dropped.
    let closed = ctx.fds().remove(fd);
    closed.map(drop)
}

/// `fd_renumber(fd, to)`: atomically replaces `to` with `fd`.
pub fn fd_renumber(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, to: u32) -> WasiResult<()> {
    let replaced = ctx.fds().renumber(fd, to);
    replaced.map(drop)
}

/// `fd_sync(fd)`: flushes file data and metadata to storage.
pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    d.require(rights::FD_SYNC)?;
    host::sync(d.host_fd()?)
}

/// `fd_datasync(fd)`: flushes file data to storage.
pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    d.require(rights::FD_DATASYNC)?;
    host::datasync(d.host_fd()?)
}

/// `fd_advise(fd, offset, len, advice)`: an access-pattern hint.
pub fn fd_advise(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, offset: u64, len: u64, advice: u32) -> WasiResult<()> {
    use crate::types::Advice;
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::Inval),
    };
    let d = ctx.fds().get(fd)?;
    let host = d.stream(rights::FD_ADVISE)?;
    host::advise(host, offset, len, advice)
}

/// `fd_allocate(fd, offset, len)`: makes sure the file has room for the
/// range, growing it if needed.
pub fn fd_allocate(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, offset: u64, len: u64) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    d.require_writable_tree()?;
    let host = d.stream(rights::FD_ALLOCATE)?;
    if len == 0 || offset.checked_add(len).is_none_or(|end| end > i64::MAX as u64) {
        return Err(Errno::Inval);
    }
    host::allocate(host, offset, len)
}

fn fdstat_of(d: &Descriptor) -> WasiResult<Fdstat> {
    let (filetype, mut flags) = match &d.kind {
        Kind::Dir(_) => (filetype::DIRECTORY, 0),
        // Stdio: the host's append/sync flags, but not the non-blocking flag
        // Node sets on its own pipes: the guest's view is its own.
        Kind::Stdio(_) | Kind::Lent(_) | Kind::File { .. } | Kind::Socket(_) => {
            let host = d.host_fd()?;
            let ft = match d.known_filetype() {
                Some(ft) => ft,
                None => host::filetype(host)?,
            };
            (ft, host::fdflags(host)? & !fdflags::NONBLOCK)
        }
    };
    if d.nonblock() {
        flags |= fdflags::NONBLOCK;
    }
    Ok(Fdstat { filetype, flags, rights_base: d.rights_base(), rights_inheriting: d.rights_inheriting() })
}

/// `fd_fdstat_get(fd) -> fdstat`: filetype, WASI fdflags and rights.
pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let d = {
        let mut fds = ctx.fds();
        fds.classify(fd)?;
        fds.get(fd)?
    };
    let st = fdstat_of(&d)?;
    mem.write(buf, st)
}

/// `fd_fdstat_set_flags(fd, flags)`: changes APPEND and NONBLOCK. The
/// sync flags can only be chosen at open (`ENOTSUP`, as in wasmtime).
/// Stdio keeps the embedder's host flags: NONBLOCK is emulated for the
/// guest, and APPEND cannot be changed there.
pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, flags: u32) -> WasiResult<()> {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let d = ctx.fds().get(fd)?;
    d.require(rights::FD_FDSTAT_SET_FLAGS)?;
    if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::NotSup);
    }
    let nonblock = flags & fdflags::NONBLOCK != 0;
    match &d.kind {
        Kind::File { file, filetype } => {
            // On Windows a change of append mode replaces the handle: the
            // descriptor is made again around the new one, and replaces
            // the old one if the guest has not closed or moved it since.
            let mut f = file.try_clone()?;
            host::set_status_flags(&mut f, flags & fdflags::APPEND != 0, nonblock)?;
            let kind = Kind::File { file: f, filetype: crate::fdtable::LazyFiletype::unknown() };
            let new = Descriptor::new(kind, d.rights_base(), d.rights_inheriting()).with_nonblock(nonblock);
            if let Some(ft) = filetype.get() {
                if let Kind::File { filetype: t, .. } = &new.kind {
                    t.set_known(ft);
                }
            }
            let mut fds = ctx.fds();
            let replaced = match fds.get(fd) {
                Ok(current) if std::sync::Arc::ptr_eq(&current, &d) => Some(fds.replace(fd, new)?),
                _ => None,
            };
            drop(fds);
            drop(replaced);
            return Ok(());
        }
        // The embedder's: NONBLOCK is emulated for the guest alone.
        Kind::Stdio(_) | Kind::Lent(_) => {
            let host_append = host::fdflags(d.host_fd()?)? & fdflags::APPEND != 0;
            if (flags & fdflags::APPEND != 0) != host_append {
                return Err(Errno::NotSup);
            }
        }
        Kind::Socket(s) => host::net::set_nonblocking(s.as_host(), nonblock)?,
        Kind::Dir(_) => {}
    }
    d.set_nonblock(nonblock);
    Ok(())
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`: drops rights. Rights can
/// only shrink; asking for one not held is `ENOTCAPABLE`.
pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, base: u64, inheriting: u64) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    if base & !d.rights_base() != 0 || inheriting & !d.rights_inheriting() != 0 {
        return Err(Errno::NotCapable);
    }
    d.narrow_rights(base, inheriting);
    Ok(())
}

/// `fd_filestat_get(fd) -> filestat`: the attributes of the open file.
pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let st = filestat_of_fd(ctx, fd)?;
    mem.write(buf, st)
}

/// The attributes of the file open at `fd` (shared by both ABIs).
pub fn filestat_of_fd(ctx: &WasiCtx, fd: u32) -> WasiResult<Filestat> {
    let d = ctx.fds().get(fd)?;
    d.require(rights::FD_FILESTAT_GET)?;
    let host = d.host_fd()?;
    let mut st = host::filestat(host)?;
    st.filetype = host::refine_socket(host, st.filetype);
    Ok(st)
}

/// `fd_filestat_set_size(fd, size)`: truncates or extends the file.
pub fn fd_filestat_set_size(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, size: u64) -> WasiResult<()> {
    let d = ctx.fds().get(fd)?;
    d.require_writable_tree()?;
    let host = d.stream(rights::FD_FILESTAT_SET_SIZE)?;
    if size > i64::MAX as u64 {
        return Err(Errno::Fbig);
    }
    host::truncate(host, size)
}

/// Decodes `fstflags` into what to do with each time. Setting a time both
/// to a value and to "now" is `EINVAL`.
pub fn set_times_from_flags(atim: u64, mtim: u64, fst_flags: u32) -> WasiResult<(sandbox::SetTime, sandbox::SetTime)> {
    const ATIM: u32 = 1;
    const ATIM_NOW: u32 = 2;
    const MTIM: u32 = 4;
    const MTIM_NOW: u32 = 8;
    if fst_flags & !(ATIM | ATIM_NOW | MTIM | MTIM_NOW) != 0 {
        return Err(Errno::Inval);
    }
    let pick = |set: u32, now: u32, value: u64| match (fst_flags & set != 0, fst_flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(sandbox::SetTime::At(value)),
        (false, true) => Ok(sandbox::SetTime::Now),
        (false, false) => Ok(sandbox::SetTime::Omit),
    };
    Ok((pick(ATIM, ATIM_NOW, atim)?, pick(MTIM, MTIM_NOW, mtim)?))
}

/// `fd_filestat_set_times(fd, atim, mtim, fst_flags)`: sets access and
/// modification times, to the nanosecond.
pub fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult<()> {
    let (a, m) = set_times_from_flags(atim, mtim, fst_flags)?;
    let d = ctx.fds().get(fd)?;
    d.require_writable_tree()?;
    d.require(rights::FD_FILESTAT_SET_TIMES)?;
    Ok(host::set_times(d.host_fd()?, a, m)?)
}

/// Runs `f` on the guest path of the preopen at `fd` (`EBADF` for any
/// other descriptor).
fn with_preopen_name<T>(ctx: &WasiCtx, fd: u32, f: impl FnOnce(&str) -> WasiResult<T>) -> WasiResult<T> {
    let d = ctx.fds().get(fd)?;
    match &d.kind {
        Kind::Dir(dir) => f(dir.preopen_name.as_deref().ok_or(Errno::Badf)?),
        _ => Err(Errno::Badf),
    }
}

/// `fd_prestat_get(fd) -> prestat`: describes a preopened directory.
/// Any other descriptor is `EBADF`, which ends wasi-libc's preopen scan.
pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let name_len = with_preopen_name(ctx, fd, |name| Ok(name.len() as u32))?;
    mem.write(buf, Prestat { name_len })
}

/// `fd_prestat_dir_name(fd, path, path_len)`: the preopen's guest path
/// (not NUL-terminated). A buffer shorter than the name is `ENAMETOOLONG`.
pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    with_preopen_name(ctx, fd, |name| {
        if (path_len as usize) < name.len() {
            return Err(Errno::NameTooLong);
        }
        mem.copy_in(path, name.as_bytes())
    })
}

/// Size of a `dirent` header in guest memory.
const DIRENT_SIZE: usize = 24;

/// `fd_readdir(fd, buf, buf_len, cookie) -> size`: reads directory entries
/// starting at `cookie` (0 for the start; each entry's `d_next` is the
/// cookie of the next). Each entry is a 24-byte `dirent` and its name; the
/// last one is cut off if the buffer is full, and `bufused == buf_len`
/// tells the guest to call again from the last whole entry's `d_next`.
/// `.` and `..` are listed, as the spec and wasmtime do.
pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> WasiResult<()> {
    let d = {
        let mut fds = ctx.fds();
        fds.classify(fd)?;
        fds.get(fd)?
    };
    let Kind::Dir(dir) = &d.kind else { return Err(Errno::NotDir) };
    d.require(rights::FD_READDIR)?;
    mem.check(bufused, 4)?;
    mem.check(buf, buf_len)?;
    let mut listing = dir.cursor();
    if listing.is_none() {
        // The listing's stream is a host fd of its own: it counts against
        // the limit and must leave the process its reserve, as an open does.
        let counted = ctx.fds().count_extra()?;
        let cursor = DirCursor::open(&dir.dir)?;
        if !cursor.leaves_reserve() {
            return Err(Errno::Mfile);
        }
        *listing = Some(Listing::new(cursor, counted));
    }
    let cursor = &mut listing.as_mut().ok_or(Errno::Badf)?.cursor;
    cursor.seek(cookie)?;
    let mut used = 0u32;
    while used < buf_len {
        let Some((i, e)) = cursor.peek()? else { break };
        let mut header = [0u8; DIRENT_SIZE];
        header[0..8].copy_from_slice(&(i + 1).to_le_bytes());
        header[8..16].copy_from_slice(&e.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
        header[20] = e.filetype;
        let mut whole = true;
        for part in [&header[..], &e.name[..]] {
            let n = part.len().min((buf_len - used) as usize);
            mem.copy_in(buf + used, &part[..n])?;
            used += n as u32;
            whole &= n == part.len();
        }
        // An entry cut off stays at the cursor: the guest asks for it again.
        if whole {
            cursor.advance();
        }
    }
    mem.write(bufused, used)
}
