//! The `path_*` family: operations on paths beneath a directory descriptor.
//!
//! Every path is resolved by [`crate::sandbox`] beneath the descriptor's
//! directory: `..` past it, absolute paths and symlinks leading out are
//! `ENOTCAPABLE`. Paths are UTF-8 (else `EILSEQ`); a NUL inside one is
//! `EINVAL`; an empty one is `ENOENT`, as POSIX says. On Windows, device,
//! drive and stream names are `ENOTCAPABLE` ([`sandbox::check_path`]).

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, DirFd, DirHandle, Kind, LazyFiletype};
use crate::memory::GuestMemory;
use crate::sandbox::{self, Dir, Follow, OpenRequest, Opened};
use crate::syscalls::fd::set_times_from_flags;
use crate::types::{fdflags, rights, Filestat};
use std::borrow::Cow;

/// `lookupflags::symlink_follow`.
const SYMLINK_FOLLOW: u32 = 1;

/// The longest path accepted, as Linux's `PATH_MAX`.
pub const MAX_PATH: u32 = 4096;

/// Reads a guest path and checks it is one the host can take.
fn read_path<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> WasiResult<Cow<'m, str>> {
    if len > MAX_PATH {
        return Err(Errno::NameTooLong);
    }
    let path = mem.read_str(ptr, len)?;
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.is_empty() {
        return Err(Errno::NoEnt);
    }
    sandbox::check_path(&path)?;
    Ok(path)
}

fn follow_of(flags: u32) -> WasiResult<Follow> {
    match flags {
        0 => Ok(Follow::No),
        SYMLINK_FOLLOW => Ok(Follow::Yes),
        _ => Err(Errno::Inval),
    }
}

/// Whether `path` ends with a slash (so it must name a directory).
fn has_trailing_slash(path: &str) -> bool {
    path.len() > 1 && path.ends_with('/')
}

/// For calls naming a source and a target: a trailing slash on either
/// requires the source to be a directory. Otherwise a slash on the source
/// is `ENOTDIR` and one on the target alone is `on_target`.
fn slashes_need_a_directory(dir: &sandbox::Dir, old_path: &str, new_path: &str, on_target: Errno) -> WasiResult<()> {
    if !has_trailing_slash(old_path) && !has_trailing_slash(new_path) {
        return Ok(());
    }
    let st = sandbox::stat(dir, old_path.trim_end_matches('/'), Follow::No)?;
    if st.filetype == crate::types::filetype::DIRECTORY {
        Ok(())
    } else if has_trailing_slash(old_path) {
        Err(Errno::NotDir)
    } else {
        Err(on_target)
    }
}

/// Runs `op` on `path` beneath `dir`. Beneath the host's root preopened as
/// `/`, a path cap-std refuses as an escape (an absolute symlink along
/// it) is tried once more with its absolute symlinks followed from that
/// root ([`sandbox::expand_absolute_links`]; the last component only when
/// `follow_last`). Every other sandbox keeps refusing them.
fn beneath<T>(dir: &DirHandle, path: &str, follow_last: bool, op: impl Fn(&Dir, &str) -> std::io::Result<T>) -> WasiResult<T> {
    match op(dir, path) {
        Err(e) if sandbox::is_escape(&e) && dir.follows_absolute_links() => {
            let expanded = sandbox::expand_absolute_links(dir, path, follow_last)?;
            Ok(op(dir, &expanded)?)
        }
        r => Ok(r?),
    }
}

/// In a read-only tree, what creating `path` beneath `dir` fails with: as
/// on a read-only mount, the other error first (`EEXIST` when something
/// is there), else `EPERM`. `Ok` outside a read-only tree.
fn creatable(dir: &DirHandle, path: &str) -> WasiResult<()> {
    if !dir.descriptor().read_only() {
        return Ok(());
    }
    match beneath(dir, path.trim_end_matches('/'), false, |d, p| sandbox::stat(d, p, Follow::No)) {
        Ok(_) => Err(Errno::Exist),
        Err(_) => Err(Errno::Perm),
    }
}

/// `path_create_directory(fd, path)`: creates a directory.
pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let dir = ctx.fds().dir(fd, rights::PATH_CREATE_DIRECTORY)?;
    let path = read_path(mem, path, path_len)?;
    creatable(&dir, &path)?;
    beneath(&dir, &path, false, sandbox::create_dir)
}

/// `path_remove_directory(fd, path)`: removes an empty directory
/// (`ENOTEMPTY` otherwise, `ENOTDIR` for a file).
pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let dir = ctx.fds().dir(fd, rights::PATH_REMOVE_DIRECTORY)?;
    dir.descriptor().require_writable_tree()?;
    let path = read_path(mem, path, path_len)?;
    beneath(&dir, &path, false, sandbox::remove_dir)
}

/// `path_unlink_file(fd, path)`: removes a file or symlink (`EISDIR` for a
/// directory; `ENOTDIR` when a trailing slash names a non-directory).
pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let handle = ctx.fds().dir(fd, rights::PATH_UNLINK_FILE)?;
    handle.descriptor().require_writable_tree()?;
    let path = read_path(mem, path, path_len)?;
    let path: &str = &path;
    if has_trailing_slash(path) {
        let st = beneath(&handle, path.trim_end_matches('/'), false, |d, p| sandbox::stat(d, p, Follow::No))?;
        return Err(if st.filetype == crate::types::filetype::DIRECTORY { Errno::IsDir } else { Errno::NotDir });
    }
    beneath(&handle, path, false, sandbox::remove_file)
}

/// `path_filestat_get(fd, flags, path) -> filestat`: the attributes of the
/// file at `path`, following a final symlink if `flags` say so.
pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    buf: u32,
) -> WasiResult<()> {
    let st = filestat_of_path(ctx, mem, fd, flags, path, path_len)?;
    mem.write(buf, st)
}

/// The attributes of the file at `path` beneath `fd` (shared by both ABIs).
pub fn filestat_of_path(ctx: &mut WasiCtx, mem: &GuestMemory<'_>, fd: u32, flags: u32, path: u32, path_len: u32) -> WasiResult<Filestat> {
    let dir = ctx.fds().dir(fd, rights::PATH_FILESTAT_GET)?;
    let follow = follow_of(flags)?;
    let path = read_path(mem, path, path_len)?;
    beneath(&dir, &path, follow == Follow::Yes, |d, p| sandbox::stat(d, p, follow))
}

/// `path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)`: sets
/// the access and modification times of `path`, to the nanosecond.
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult<()> {
    let dir = ctx.fds().dir(fd, rights::PATH_FILESTAT_SET_TIMES)?;
    dir.descriptor().require_writable_tree()?;
    let follow = follow_of(flags)?;
    let (a, m) = set_times_from_flags(atim, mtim, fst_flags)?;
    let path = read_path(mem, path, path_len)?;
    beneath(&dir, &path, follow == Follow::Yes, |d, p| sandbox::set_times(d, p, follow, a, m))
}

/// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`: creates a
/// hard link. Following a symlink source is not supported (`EINVAL`), as in
/// wasmtime: the link is to the symlink itself.
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let (from_handle, to_handle) = {
        let mut fds = ctx.fds();
        (fds.dir(old_fd, rights::PATH_LINK_SOURCE)?, fds.dir(new_fd, rights::PATH_LINK_TARGET)?)
    };
    let (from, to): (&Dir, &Dir) = (&from_handle, &to_handle);
    if follow_of(old_flags)? == Follow::Yes {
        return Err(Errno::Inval);
    }
    let old_path = read_path(mem, old_path, old_path_len)?;
    let old_path: &str = &old_path;
    let new_path = read_path(mem, new_path, new_path_len)?;
    let new_path: &str = &new_path;
    creatable(&to_handle, new_path)?;
    // A link from a read-only tree into a writable one would let the
    // guest write the read-only file through it.
    if from_handle.descriptor().read_only() && !to_handle.descriptor().read_only() {
        return Err(Errno::Perm);
    }
    // "file/" names nothing; "link/" for a new link to a file names no
    // directory that could hold it.
    slashes_need_a_directory(from, old_path, new_path, Errno::NoEnt)?;
    Ok(sandbox::hard_link(from, old_path, to, new_path)?)
}

/// `path_rename(fd, old_path, new_fd, new_path)`: renames a file or
/// directory, replacing the target as `rename(2)` does.
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let (from, to) = {
        let mut fds = ctx.fds();
        (fds.dir(fd, rights::PATH_RENAME_SOURCE)?, fds.dir(new_fd, rights::PATH_RENAME_TARGET)?)
    };
    from.descriptor().require_writable_tree()?;
    to.descriptor().require_writable_tree()?;
    let (from, to): (&Dir, &Dir) = (&from, &to);
    let old_path = read_path(mem, old_path, old_path_len)?;
    let old_path: &str = &old_path;
    let new_path = read_path(mem, new_path, new_path_len)?;
    let new_path: &str = &new_path;
    slashes_need_a_directory(from, old_path, new_path, Errno::NotDir)?;
    Ok(sandbox::rename(from, old_path, to, new_path)?)
}

/// `path_symlink(old_path, fd, new_path)`: creates a symlink at `new_path`
/// whose contents are `old_path`. An absolute target is refused
/// (`ENOTCAPABLE`): it could never resolve inside the sandbox.
pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let handle = ctx.fds().dir(fd, rights::PATH_SYMLINK)?;
    let dir: &Dir = &handle;
    let target = read_path(mem, old_path, old_path_len)?;
    let target: &str = &target;
    let link = read_path(mem, new_path, new_path_len)?;
    let link: &str = &link;
    creatable(&handle, link)?;
    if has_trailing_slash(link) {
        // A symlink is never a directory: "link/" can only name one if it
        // already exists.
        return Err(match sandbox::stat(dir, link.trim_end_matches('/'), Follow::No) {
            Ok(_) => Errno::Exist,
            Err(_) => Errno::NoEnt,
        });
    }
    Ok(sandbox::symlink(target, dir, link)?)
}

/// `path_readlink(fd, path, buf, buf_len) -> size`: the contents of a
/// symlink, truncated to the buffer (not NUL-terminated).
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> WasiResult<()> {
    let dir = ctx.fds().dir(fd, rights::PATH_READLINK)?;
    let path = read_path(mem, path, path_len)?;
    mem.check(buf, buf_len)?;
    mem.check(bufused, 4)?;
    let target = beneath(&dir, &path, false, sandbox::read_link)?;
    let n = target.len().min(buf_len as usize);
    mem.copy_in(buf, &target[..n])?;
    mem.write(bufused, n as u32)
}

/// `oflags`.
const O_CREAT: u32 = 1;
const O_DIRECTORY: u32 = 2;
const O_EXCL: u32 = 4;
const O_TRUNC: u32 = 8;

/// Rights that need the file opened for reading, and for writing.
const READ_RIGHTS: u64 = rights::FD_READ | rights::FD_READDIR;
const WRITE_RIGHTS: u64 = rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE | rights::FD_DATASYNC;

/// `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting,
/// fdflags) -> fd`: opens a file or directory beneath `fd`. The rights
/// asked for say whether to open for reading and writing (none at all:
/// reading, as wasmtime does). The new descriptor's rights are what that
/// open mode and the file's type allow, as in wasmtime; with
/// `enforce_rights` (Node's way), only those asked for, within what `fd`
/// may hand down. In a read-only tree nothing opens for writing,
/// truncates or creates (`EPERM`).
#[allow(clippy::too_many_arguments, reason = "the parameters are the WASI import's, one for one")]
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags_: u32,
    opened: u32,
) -> WasiResult<()> {
    let handle = ctx.fds().dir(fd, rights::PATH_OPEN)?;
    let parent = handle.descriptor();
    let follow = follow_of(dirflags)?;
    if oflags & !(O_CREAT | O_DIRECTORY | O_EXCL | O_TRUNC) != 0 {
        return Err(Errno::Inval);
    }
    let flags = u16::try_from(fdflags_).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    if oflags & O_CREAT != 0 {
        parent.require(rights::PATH_CREATE_FILE)?;
    }
    if oflags & O_TRUNC != 0 {
        parent.require(rights::PATH_FILESTAT_SET_SIZE)?;
    }
    let path = read_path(mem, path, path_len)?;
    let path: &str = &path;
    mem.check(opened, 4)?;
    let directory = oflags & O_DIRECTORY != 0 || has_trailing_slash(path);
    if directory && oflags & (O_CREAT | O_TRUNC) != 0 {
        return Err(if oflags & O_CREAT != 0 && has_trailing_slash(path) { Errno::IsDir } else { Errno::Inval });
    }
    let write = rights_base & WRITE_RIGHTS != 0 || flags & fdflags::APPEND != 0;
    let enforce = ctx.process().enforce_rights;
    let read = rights_base & READ_RIGHTS != 0 || (!enforce && !write);
    let read_only = parent.read_only();
    let mut create = oflags & O_CREAT != 0;
    if read_only {
        if write || oflags & O_TRUNC != 0 {
            return Err(Errno::Perm);
        }
        if create {
            // Creating nothing that exists is only opening it.
            let exists = beneath(&handle, path, follow == Follow::Yes, |d, p| sandbox::stat(d, p, follow)).is_ok();
            if !exists {
                return Err(Errno::Perm);
            }
            if oflags & O_EXCL != 0 {
                return Err(Errno::Exist);
            }
            create = false;
        }
    }
    let req = OpenRequest {
        read,
        write,
        append: flags & fdflags::APPEND != 0,
        create,
        exclusive: oflags & O_EXCL != 0,
        truncate: oflags & O_TRUNC != 0,
        directory,
        follow: follow == Follow::Yes,
        nonblock: flags & fdflags::NONBLOCK != 0,
        sync: flags & fdflags::SYNC != 0,
        dsync: flags & fdflags::DSYNC != 0,
        rsync: flags & fdflags::RSYNC != 0,
    };
    if directory && write {
        return Err(Errno::IsDir);
    }
    // What the new descriptor may be granted: what was asked for within
    // what the directory hands down (Node), or anything (wasmtime), then
    // narrowed to the open mode and the type.
    let (rights_base, rights_inheriting, inheritable) = if enforce {
        (rights_base, rights_inheriting, parent.rights_inheriting())
    } else {
        (rights::DIRECTORY_INHERITING, rights::DIRECTORY_INHERITING, rights::DIRECTORY_INHERITING)
    };
    let descriptor = match beneath(&handle, path, req.follow, |d, p| sandbox::open(d, p, req))? {
        Opened::Dir(d) => Descriptor::new(
            Kind::Dir(DirFd::new(d, None)),
            rights_base & inheritable & rights::DIRECTORY_BASE,
            rights_inheriting & inheritable,
        ),
        Opened::File(f) => {
            // The type is not known yet: until the fd table classifies the
            // descriptor, it may hold the rights of any type, narrowed then.
            let mut base = rights_base & inheritable;
            if !req.read && req.write {
                base &= !rights::FD_READ;
            }
            if !write {
                base &= !(rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE);
            }
            Descriptor::new(Kind::File { file: f, filetype: LazyFiletype::unknown() }, base, rights_inheriting & inheritable)
                .with_nonblock(req.nonblock)
        }
    }
    .in_read_only_tree(read_only);
    let new_fd = ctx.fds().insert_opened(descriptor)?;
    mem.write(opened, new_fd)
}
