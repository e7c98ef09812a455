//! The capability sandbox: the only module that touches `cap-std`.
//!
//! A preopen is a [`cap_std::fs::Dir`]; every path a guest names is resolved
//! beneath a `Dir` by `cap-std`, which refuses `..` past the root, absolute
//! paths and symlinks that lead outside, without races (it walks the path
//! one component at a time with `openat` and `O_NOFOLLOW`, or uses
//! `openat2(RESOLVE_BENEATH)`). Keeping every call behind this module lets
//! us swap the implementation later.
//!
//! One fast path bypasses cap-std where a single system call is provably
//! confined: `stat` of a direct child without following it (see [`stat`]).
//!
//! Errors come back as `std::io::Error`; the host layer maps them to errnos,
//! including cap-std's escape refusal, which becomes `ENOTCAPABLE`.

use crate::host;
use crate::types::Filestat;
pub use crate::types::SetTime;
use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, OpenOptionsSyncExt, SystemTimeSpec};
use std::io;
use std::path::Path;

pub use cap_std::fs::{Dir, File};

/// Why a preopen could not be opened.
#[derive(Debug)]
pub enum PreopenError {
    /// The host path does not exist or cannot be opened.
    Open(io::Error),
    /// The host path exists but is not a directory.
    NotADirectory,
}

impl std::fmt::Display for PreopenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreopenError::Open(e) => write!(f, "{e}"),
            PreopenError::NotADirectory => write!(f, "not a directory"),
        }
    }
}

/// Opens the host directory `host` as a sandbox root. This is the one place
/// where ambient authority is used: the embedder chose the path.
pub fn open_preopen(host: &Path) -> Result<Dir, PreopenError> {
    let meta = std::fs::metadata(host).map_err(PreopenError::Open)?;
    if !meta.is_dir() {
        return Err(PreopenError::NotADirectory);
    }
    Dir::open_ambient_dir(host, cap_std::ambient_authority()).map_err(PreopenError::Open)
}

/// Whether `host` is the host's root directory (`/`), which a sandbox
/// rooted there may resolve absolute symlinks from (see
/// [`expand_absolute_links`]). Never true on Windows, whose roots are
/// drives.
pub fn is_host_root(host: &Path) -> bool {
    std::fs::canonicalize(host).is_ok_and(|p| p == Path::new("/"))
}

/// Whether cap-std refused `e`'s path as leaving the sandbox (a
/// `PermissionDenied` with no OS error code).
pub fn is_escape(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_none()
}

/// The most symlinks [`expand_absolute_links`] follows in one path, as
/// Linux's `MAXSYMLINKS`.
const MAX_LINK_HOPS: usize = 40;

/// `path` beneath `dir`, the host's root, with each symlink along it read
/// and replaced by its target (an absolute target starting again from
/// `dir`), so that cap-std, which refuses an absolute target as an escape,
/// then finds the same file the host would. The last component is
/// expanded only when `follow_last`. Only for a sandbox rooted at the
/// host's `/` (see [`is_host_root`]): there no absolute target leads
/// anywhere the guest cannot already open. `..` from the root stays at
/// the root, as on the host; a loop of links is `ELOOP`.
pub fn expand_absolute_links(dir: &Dir, path: &str, follow_last: bool) -> crate::errno::WasiResult<String> {
    let mut pending: std::collections::VecDeque<String> = components(path).collect();
    let trailing_slash = path.ends_with('/');
    let mut done: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(name) = pending.pop_front() {
        if name == ".." {
            done.pop();
            continue;
        }
        let last = pending.is_empty();
        let here = if done.is_empty() { name.clone() } else { format!("{}/{name}", done.join("/")) };
        if last && !follow_last && !trailing_slash {
            done.push(name);
            break;
        }
        // The link's contents as stored (cap-std's `read_link` refuses an
        // absolute one).
        match read_link(dir, &here) {
            Ok(target) => {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err(crate::errno::Errno::Loop);
                }
                let target = String::from_utf8(target).map_err(|_| crate::errno::Errno::Ilseq)?;
                if target.starts_with('/') {
                    done.clear();
                }
                for (i, part) in components(&target).enumerate() {
                    pending.insert(i, part);
                }
            }
            // Not a symlink, or not there (the call then says so itself).
            Err(_) => done.push(name),
        }
    }
    let mut out = if done.is_empty() { ".".to_owned() } else { done.join("/") };
    if trailing_slash {
        out.push('/');
    }
    Ok(out)
}

/// The components of a guest path that name something (no empty ones, no `.`).
fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_owned)
}

/// Whether to follow a symlink in the last path component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    Yes,
    No,
}

impl Follow {
    fn cap(self) -> FollowSymlinks {
        match self {
            Follow::Yes => FollowSymlinks::Yes,
            Follow::No => FollowSymlinks::No,
        }
    }
}

/// What `path_open` asks of the host.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenRequest {
    pub read: bool,
    pub write: bool,
    pub append: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
    pub follow: bool,
    pub nonblock: bool,
    pub sync: bool,
    pub dsync: bool,
    pub rsync: bool,
}

/// What `open` produced.
pub enum Opened {
    /// Something opened without `O_DIRECTORY`: usually a file, but it may
    /// be a directory or a device. Finding out costs an `fstat`, which the
    /// fd table does only when a call needs to know
    /// ([`crate::fdtable::FdTable::classify`]).
    File(File),
    Dir(Dir),
}

/// A directory opened as a plain file, as a [`Dir`].
pub fn dir_from_file(file: File) -> Dir {
    Dir::from_std_file(file.into_std())
}

/// Checks a guest path before it reaches the host. On Windows, some names
/// lead out of the directory tree without a `..` or a symlink, and are
/// refused with `ENOTCAPABLE` (a `PermissionDenied` error with no OS code):
/// see [`host::leaves_tree`]. On Unix every name is a plain name.
pub fn check_path(path: &str) -> io::Result<()> {
    if host::leaves_tree(path) {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, "a device, drive or stream name"));
    }
    Ok(())
}

/// Opens `path` beneath `dir`.
pub fn open(dir: &Dir, path: &str, req: OpenRequest) -> io::Result<Opened> {
    let follow = if req.follow { Follow::Yes } else { Follow::No };
    if req.directory {
        let d = match follow {
            Follow::Yes => dir.open_dir(path)?,
            Follow::No => dir.open_dir_nofollow(path)?,
        };
        return Ok(Opened::Dir(d));
    }
    let mut opts = cap_std::fs::OpenOptions::new();
    // The host needs write access to create or truncate; the guest's
    // rights still decide what it may do with the descriptor. Append mode
    // is set after opening: std refuses append together with truncate.
    let write = req.write || req.append || req.create || req.truncate;
    opts.read(req.read || !write)
        .write(write)
        .create(req.create && !req.exclusive)
        .create_new(req.create && req.exclusive)
        .truncate(req.truncate)
        .follow(follow.cap())
        .maybe_dir(!write)
        // Always non-blocking while opening: a FIFO with no peer would
        // otherwise block the whole thread in open(2) (a write-only one
        // then fails with ENXIO instead). Blocking mode, if the guest
        // wants it, is restored right after.
        .nonblock(true)
        .sync(req.sync)
        .dsync(req.dsync)
        .rsync(req.rsync);
    let mut file = dir.open_with(path, &opts)?;
    crate::host::init_status_flags(&mut file, req.append, req.nonblock)?;
    Ok(Opened::File(file))
}

/// The attributes of `path`, following a final symlink or not.
///
/// A path of one plain name (no `/`, not `.` or `..`) names a direct child
/// of `dir`: where the host can stat it without following it in one
/// system call (`fstatat(dir, name, AT_SYMLINK_NOFOLLOW)` on Unix), that
/// call cannot leave the sandbox and answers alone. Only when the child is
/// a symlink to follow does cap-std resolve it. Everything else goes
/// through cap-std.
pub fn stat(dir: &Dir, path: &str, follow: Follow) -> io::Result<Filestat> {
    if is_plain_name(path) {
        if let Some(child) = host::stat_child(dir, path) {
            let (st, is_link) = child?;
            if !(is_link && follow == Follow::Yes) {
                return Ok(st);
            }
        }
    }
    let m = match follow {
        Follow::Yes => dir.metadata(path)?,
        Follow::No => dir.symlink_metadata(path)?,
    };
    Ok(host::filestat_from_metadata(&m))
}

/// Whether `path` is one plain file name: a direct child of its directory.
fn is_plain_name(path: &str) -> bool {
    !path.is_empty() && path != "." && path != ".." && !path.contains('/')
}

pub fn create_dir(dir: &Dir, path: &str) -> io::Result<()> {
    dir.create_dir(path)
}

/// Removes an empty directory; trailing slashes are allowed (`dir/`).
pub fn remove_dir(dir: &Dir, path: &str) -> io::Result<()> {
    let trimmed = path.trim_end_matches('/');
    dir.remove_dir(if trimmed.is_empty() { path } else { trimmed })
}

/// Removes a file or a symlink (on Windows a symlink to a directory too,
/// which `DeleteFileW` alone refuses: cap-fs-ext's
/// `remove_file_or_symlink`). Unlinking a directory is `EISDIR`, as POSIX
/// says, on every host ([`host::unlink_error`]).
pub fn remove_file(dir: &Dir, path: &str) -> io::Result<()> {
    dir.remove_file_or_symlink(path).map_err(|e| host::unlink_error(e, || dir.symlink_metadata(path).is_ok_and(|m| m.is_dir())))
}

pub fn rename(from_dir: &Dir, from: &str, to_dir: &Dir, to: &str) -> io::Result<()> {
    from_dir.rename(from, to_dir, to)
}

/// Makes `to` a hard link to `from` (a symlink itself, not its target).
pub fn hard_link(from_dir: &Dir, from: &str, to_dir: &Dir, to: &str) -> io::Result<()> {
    from_dir.hard_link(from, to_dir, to)
}

/// Creates a symlink at `link` whose contents are `target`. Like wasmtime,
/// an absolute target is refused: it could never resolve inside the sandbox.
/// Windows' two kinds of link and its separators: see [`host::symlink`].
pub fn symlink(target: &str, dir: &Dir, link: &str) -> io::Result<()> {
    host::symlink(target, dir, link)
}

/// The raw contents of the symlink at `path`, as the guest reads them
/// ([`host::link_contents`]).
pub fn read_link(dir: &Dir, path: &str) -> io::Result<Vec<u8>> {
    host::link_contents(dir.read_link_contents(path)?.into_os_string())
}

fn time_spec(t: SetTime) -> Option<SystemTimeSpec> {
    match t {
        SetTime::Omit => None,
        SetTime::Now => Some(SystemTimeSpec::SymbolicNow),
        SetTime::At(ns) => {
            Some(SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns))))
        }
    }
}

/// Sets the access and modification times of `path`, to the nanosecond.
///
/// Following a symlink, the file is opened (read-only, else write-only)
/// without blocking and its times set through the descriptor: cap-std's
/// own `set_times` opens it for writing in blocking mode, which hangs on
/// a FIFO with no reader. Only when neither open is permitted does cap-std
/// take over (it then goes through `/proc/self/fd`).
pub fn set_times(dir: &Dir, path: &str, follow: Follow, atime: SetTime, mtime: SetTime) -> io::Result<()> {
    if follow == Follow::No {
        return dir.set_symlink_times(path, time_spec(atime), time_spec(mtime));
    }
    for write in [false, true] {
        let mut opts = cap_std::fs::OpenOptions::new();
        opts.read(!write).write(write).follow(FollowSymlinks::Yes).maybe_dir(!write).nonblock(true);
        match dir.open_with(path, &opts) {
            Ok(file) => return crate::host::set_times(crate::host::AsHost::as_host(&file), atime, mtime),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => continue,
            Err(e) => return Err(e),
        }
    }
    dir.set_times(path, time_spec(atime), time_spec(mtime))
}
