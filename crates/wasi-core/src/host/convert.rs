//! Host metadata in WASI's terms: filetypes, the rights each type carries,
//! fdflags and filestats. Pure translation, no system calls.

#[cfg(unix)]
use crate::types::{fdflags, Filestat};
use crate::types::{filetype, rights};
#[cfg(unix)]
use rustix::fs::{FileType, OFlags, Stat};

/// Maps a host file type to WASI's `filetype`.
#[cfg(unix)]
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

/// Maps a file type as std and cap-std report it (Windows: a listing's or
/// a metadata's type) to WASI's `filetype`.
#[cfg(windows)]
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

/// The base rights a descriptor of this filetype carries (`terminal`:
/// whether a character device is a terminal).
pub fn rights_for_filetype(ft: u8, terminal: bool) -> u64 {
    match ft {
        filetype::REGULAR_FILE => rights::REGULAR_FILE_BASE,
        filetype::DIRECTORY => rights::DIRECTORY_BASE,
        filetype::CHARACTER_DEVICE if terminal => rights::TTY_BASE,
        filetype::CHARACTER_DEVICE => rights::DEVICE_BASE,
        filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => rights::SOCKET_BASE,
        _ => rights::REGULAR_FILE_BASE & !(rights::FD_SEEK | rights::FD_TELL) | rights::SOCKET_BASE,
    }
}

/// The base rights of the embedder's stdio on this filetype: a stream's
/// only, whatever the host object is (as wasmtime gives), so that a guest
/// run with `> app.log` cannot rewrite, truncate or stamp the log. A
/// socket keeps its socket calls (a shutdown is refused anyway: see
/// `sock_shutdown`).
pub fn rights_for_stdio(ft: u8, terminal: bool) -> u64 {
    match ft {
        filetype::CHARACTER_DEVICE if !terminal => rights::STDIO_DEVICE_BASE,
        filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => rights::SOCKET_BASE,
        _ => rights::TTY_BASE,
    }
}

/// Host open flags, reported as WASI `fdflags` (never host bits).
#[cfg(unix)]
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

/// Nanoseconds since the epoch from a seconds/nanoseconds pair, clamped at 0.
pub fn nanos(sec: i64, nsec: i64) -> u64 {
    (sec as i128 * 1_000_000_000 + nsec as i128).clamp(0, u64::MAX as i128) as u64
}

/// Translates host `stat` into a WASI filestat. (The casts are needed on
/// targets whose `stat` fields have other widths.)
#[cfg(unix)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn fdflags_are_wasi_bits() {
        assert_eq!(wasi_fdflags(OFlags::APPEND | OFlags::NONBLOCK), fdflags::APPEND | fdflags::NONBLOCK);
        assert_eq!(wasi_fdflags(OFlags::RDWR), 0);
    }

    #[test]
    fn nanos_clamp_at_zero() {
        assert_eq!(nanos(-1, 0), 0);
        assert_eq!(nanos(1, 5), 1_000_000_005);
    }
}
