//! Host metadata on Unix in WASI's terms: file types, open flags,
//! `stat` results and cap-std metadata. Pure translation, no system calls.

use crate::host::nanos;
use crate::types::{fdflags, filetype, Filestat};
use rustix::fs::{FileType, OFlags, Stat};

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

/// cap-std's metadata (a path's, when cap-std resolved it) as a WASI filestat.
pub fn filestat_from_metadata(m: &cap_std::fs::Metadata) -> Filestat {
    use cap_fs_ext::OsMetadataExt;
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_from_host(FileType::from_raw_mode(m.mode() as rustix::fs::RawMode)),
        nlink: m.nlink(),
        size: m.size(),
        atim: nanos(m.atime(), m.atime_nsec()),
        mtim: nanos(m.mtime(), m.mtime_nsec()),
        ctim: nanos(m.ctime(), m.ctime_nsec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdflags_are_wasi_bits() {
        assert_eq!(wasi_fdflags(OFlags::APPEND | OFlags::NONBLOCK), fdflags::APPEND | fdflags::NONBLOCK);
        assert_eq!(wasi_fdflags(OFlags::RDWR), 0);
    }
}
