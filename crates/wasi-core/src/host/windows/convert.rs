//! Host metadata on Windows in WASI's terms: std's and cap-std's file
//! types and metadata. Pure translation, no system calls.

use crate::types::{filetype, Filestat};
use std::io;

/// Maps a file type as std and cap-std report it (Windows: a listing's or
/// a metadata's type) to WASI's `filetype`.
pub fn filetype_from_std(ft: cap_std::fs::FileType) -> u8 {
    if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else {
        filetype::UNKNOWN
    }
}

/// cap-std's metadata as a WASI filestat: the volume serial number and
/// file index as device and inode (cap-std reads them by handle), times to
/// the file system's 100 ns, and the modification time as the change time
/// (Windows does not give the change time here).
pub fn filestat_from_metadata(m: &cap_std::fs::Metadata) -> Filestat {
    use cap_fs_ext::MetadataExt;
    let ns = |t: io::Result<cap_std::time::SystemTime>| {
        t.ok().and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64)
    };
    let mtim = ns(m.modified());
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_from_std(m.file_type()),
        nlink: m.nlink(),
        size: m.len(),
        atim: ns(m.accessed()),
        mtim,
        ctim: mtim,
    }
}
