//! What the integration tests need from the host, on every platform: the
//! null device as stdio, the raw descriptor an embedder hands the core, and
//! symlinks.

// Each test binary uses its own part of this module.
#![allow(dead_code, reason = "each test binary uses a different part of the shared helpers")]

use std::fs;
use std::path::Path;
use wasi_core::host::RawHostFd;

/// The null device, open for reading and writing.
pub fn null_device() -> fs::File {
    let path = if cfg!(windows) { "NUL" } else { "/dev/null" };
    fs::OpenOptions::new().read(true).write(true).open(path).unwrap()
}

/// The raw host descriptor of `file`, as `Config::stdio` takes it: an fd on
/// Unix, a HANDLE's value on Windows. `file` must outlive its use.
pub fn raw(file: &fs::File) -> RawHostFd {
    #[cfg(unix)]
    return std::os::fd::AsRawFd::as_raw_fd(file);
    #[cfg(windows)]
    return std::os::windows::io::AsRawHandle::as_raw_handle(file) as RawHostFd;
}

/// Makes a symlink at `link` to `target` (on Windows, a directory symlink
/// when `target`, read from `link`'s folder, is a directory). An error when
/// the host makes none: Windows needs a privilege (or Developer Mode) for
/// it, and Wine 8 reports success but makes nothing, so the link is looked
/// for afterwards.
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> std::io::Result<()> {
    let (target, link) = (target.as_ref(), link.as_ref());
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link)?;
    #[cfg(windows)]
    {
        let resolved = link.parent().map_or(target.to_path_buf(), |p| p.join(target));
        if resolved.is_dir() {
            std::os::windows::fs::symlink_dir(target, link)?;
        } else {
            std::os::windows::fs::symlink_file(target, link)?;
        }
    }
    match fs::symlink_metadata(link) {
        Ok(m) if m.file_type().is_symlink() => Ok(()),
        _ => Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "the host made no symlink")),
    }
}
