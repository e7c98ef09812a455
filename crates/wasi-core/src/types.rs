//! WASI preview1 types and constants, as the spec
//! (`WebAssembly/WASI`, `legacy/preview1/docs.md`) lays them out.
//!
//! Structs carry their guest layout through [`GuestType`], so syscalls
//! write them with `memory.write(ptr, value)`.

use crate::memory::GuestType;

/// `filetype`: the type of a file descriptor or file.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags`: file descriptor flags.
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC;
}

/// `clockid`.
pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `rights`: what a descriptor may be used for.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right defined by preview1.
    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights of an open regular file.
    pub const REGULAR_FILE_BASE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// Rights of an open directory.
    pub const DIRECTORY_BASE: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights a directory hands down to what is opened beneath it.
    pub const DIRECTORY_INHERITING: u64 = DIRECTORY_BASE | REGULAR_FILE_BASE;

    /// Rights of a terminal, and of the embedder's stdio whatever it is:
    /// a stream's (read, write, poll, its flags and status), never what
    /// would change the object for the embedder (seek, positioned writes,
    /// size, allocation, times, sync).
    pub const TTY_BASE: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_WRITE | FD_FILESTAT_GET | POLL_FD_READWRITE;

    /// Rights of a character device that is not a terminal (`/dev/null`,
    /// `/dev/zero`): a terminal's plus seek and tell, which is also what
    /// tells wasi-libc's `isatty()` that it is not one.
    pub const DEVICE_BASE: u64 = TTY_BASE | FD_SEEK | FD_TELL;

    /// The embedder's stdio on a character device that is not a terminal:
    /// a terminal's rights plus tell (which only reads the offset), so
    /// that `isatty()` answers false, as it does natively.
    pub const STDIO_DEVICE_BASE: u64 = TTY_BASE | FD_TELL;

    /// Rights of a socket or pipe.
    pub const SOCKET_BASE: u64 =
        FD_READ | FD_FDSTAT_SET_FLAGS | FD_WRITE | FD_FILESTAT_GET | POLL_FD_READWRITE | SOCK_SHUTDOWN | SOCK_ACCEPT;
}

/// `whence` in preview1 (`wasi_unstable` orders these differently).
pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

/// `fdstat`: what `fd_fdstat_get` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fdstat {
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl GuestType for Fdstat {
    const SIZE: u32 = 24;
    fn decode(b: &[u8]) -> Self {
        Fdstat {
            filetype: b[0],
            flags: u16::decode(&b[2..4]),
            rights_base: u64::decode(&b[8..16]),
            rights_inheriting: u64::decode(&b[16..24]),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        out.fill(0);
        out[0] = self.filetype;
        self.flags.encode(&mut out[2..4]);
        self.rights_base.encode(&mut out[8..16]);
        self.rights_inheriting.encode(&mut out[16..24]);
    }
}

/// `filestat`: file attributes, as `fd_filestat_get`/`path_filestat_get` report them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl GuestType for Filestat {
    const SIZE: u32 = 64;
    fn decode(b: &[u8]) -> Self {
        Filestat {
            dev: u64::decode(&b[0..8]),
            ino: u64::decode(&b[8..16]),
            filetype: b[16],
            nlink: u64::decode(&b[24..32]),
            size: u64::decode(&b[32..40]),
            atim: u64::decode(&b[40..48]),
            mtim: u64::decode(&b[48..56]),
            ctim: u64::decode(&b[56..64]),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        out.fill(0);
        self.dev.encode(&mut out[0..8]);
        self.ino.encode(&mut out[8..16]);
        out[16] = self.filetype;
        self.nlink.encode(&mut out[24..32]);
        self.size.encode(&mut out[32..40]);
        self.atim.encode(&mut out[40..48]);
        self.mtim.encode(&mut out[48..56]);
        self.ctim.encode(&mut out[56..64]);
    }
}

/// `prestat`: a preopened directory and the length of its guest name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prestat {
    pub name_len: u32,
}

impl GuestType for Prestat {
    const SIZE: u32 = 8;
    fn decode(b: &[u8]) -> Self {
        Prestat { name_len: u32::decode(&b[4..8]) }
    }
    fn encode(&self, out: &mut [u8]) {
        out.fill(0); // tag 0: preopentype::dir
        self.name_len.encode(&mut out[4..8]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_round_trip() {
        let st = Filestat { dev: 1, ino: 2, filetype: 4, nlink: 3, size: 5, atim: 6, mtim: 7, ctim: 8 };
        let mut b = [0xAAu8; 64];
        st.encode(&mut b);
        assert_eq!(b[17], 0, "padding is zeroed");
        assert_eq!(Filestat::decode(&b), st);
        let fs = Fdstat { filetype: 2, flags: 5, rights_base: 9, rights_inheriting: 10 };
        let mut b = [0xAAu8; 24];
        fs.encode(&mut b);
        assert_eq!(Fdstat::decode(&b), fs);
        assert_eq!(&b[0..4], &[2, 0, 5, 0]);
    }
}

/// A time `*_set_times` sets: leave it, set it to now, or set it to a
/// value in ns (decoded from `fstflags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    Omit,
    Now,
    At(u64),
}

/// WASI's `advice`: an access-pattern hint for `fd_advise`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    NoReuse,
}
