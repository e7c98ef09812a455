//! The Unix halves of path operations the sandbox (`sandbox.rs`) makes:
//! the one-call stat of a direct child, and symlink contents as bytes.
//! Every name is a plain name on Unix.

use super::convert::filestat_from_host;
use crate::types::Filestat;
use cap_std::fs::Dir;
use std::io;

/// Whether `path` leads out of the directory tree by its name alone (not
/// by `..` or a symlink, which cap-std checks): never on Unix.
pub fn leaves_tree(_path: &str) -> bool {
    false
}

/// The attributes of `dir`'s direct child `name`, not following it, by
/// `fstatat(AT_SYMLINK_NOFOLLOW)`: one system call that cannot leave the
/// sandbox. With them, whether the child is a symlink.
pub fn stat_child(dir: &Dir, name: &str) -> Option<io::Result<(Filestat, bool)>> {
    use rustix::fs::{AtFlags, FileType};
    Some(match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok((filestat_from_host(&st), FileType::from_raw_mode(st.st_mode) == FileType::Symlink)),
        Err(e) => Err(e.into()),
    })
}

/// An unlink's error as POSIX gives it: already `EISDIR` for a directory.
pub fn unlink_error(e: io::Error, _is_dir: impl FnOnce() -> bool) -> io::Error {
    e
}

/// Creates a symlink at `link` (beneath `dir`) whose contents are `target`.
pub fn symlink(target: &str, dir: &Dir, link: &str) -> io::Result<()> {
    dir.symlink(target, link)
}

/// A symlink's contents as the guest reads them: its bytes.
pub fn link_contents(contents: std::ffi::OsString) -> io::Result<Vec<u8>> {
    Ok(std::os::unix::ffi::OsStringExt::into_vec(contents))
}
