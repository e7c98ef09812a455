//! WASI's `errno`, the error every syscall returns.
//!
//! Every syscall returns `Result<_, Errno>`; the binding layer turns the
//! result into the `u16` errno the guest sees. Host errors become errnos in
//! the host layer, beside the host code that meets them: `host/errno.rs`
//! converts `std::io::Error` and `rustix::io::Errno`, with each platform's
//! table of error numbers in `host/unix/errno.rs` and
//! `host/windows/errno.rs`. An `io::Error` without an OS code (cap-std's
//! own refusals, std's) is mapped by its kind, here ([`Errno::from_io_kind`]).

/// A WASI preview1 `errno` value (spec: `errno`, an enum over `u16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[allow(missing_docs, reason = "each variant is the POSIX errno of the same name")]
pub enum Errno {
    Success = 0,
    TooBig = 1,
    Acces = 2,
    AddrInUse = 3,
    AddrNotAvail = 4,
    AfNoSupport = 5,
    Again = 6,
    Already = 7,
    Badf = 8,
    BadMsg = 9,
    Busy = 10,
    Canceled = 11,
    Child = 12,
    ConnAborted = 13,
    ConnRefused = 14,
    ConnReset = 15,
    Deadlk = 16,
    DestAddrReq = 17,
    Dom = 18,
    Dquot = 19,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    HostUnreach = 23,
    Idrm = 24,
    Ilseq = 25,
    InProgress = 26,
    Intr = 27,
    Inval = 28,
    Io = 29,
    IsConn = 30,
    IsDir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    MsgSize = 35,
    Multihop = 36,
    NameTooLong = 37,
    NetDown = 38,
    NetReset = 39,
    NetUnreach = 40,
    Nfile = 41,
    NoBufs = 42,
    NoDev = 43,
    NoEnt = 44,
    NoExec = 45,
    NoLck = 46,
    NoLink = 47,
    NoMem = 48,
    NoMsg = 49,
    NoProtoOpt = 50,
    NoSpc = 51,
    NoSys = 52,
    NotConn = 53,
    NotDir = 54,
    NotEmpty = 55,
    NotRecoverable = 56,
    NotSock = 57,
    NotSup = 58,
    NoTty = 59,
    Nxio = 60,
    Overflow = 61,
    OwnerDead = 62,
    Perm = 63,
    Pipe = 64,
    Proto = 65,
    ProtoNoSupport = 66,
    ProtoType = 67,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Srch = 71,
    Stale = 72,
    TimedOut = 73,
    TxtBsy = 74,
    Xdev = 75,
    NotCapable = 76,
}

/// The largest valid errno value; anything above is not a WASI errno.
pub const MAX_ERRNO: u16 = Errno::NotCapable as u16;

impl Errno {
    /// The raw value written into the guest's return register.
    pub fn raw(self) -> u16 {
        self as u16
    }
}

/// Shorthand used by every syscall.
pub type WasiResult<T> = Result<T, Errno>;

impl Errno {
    /// The errno for an `io::Error` that carries no OS error number, by
    /// its kind.
    pub fn from_io_kind(kind: std::io::ErrorKind) -> Errno {
        use std::io::ErrorKind as K;
        match kind {
            K::NotFound => Errno::NoEnt,
            // cap-std refuses a path that would leave the sandbox with a
            // PermissionDenied error that carries no OS code (real EPERM
            // and EACCES from the host carry theirs and are mapped by the
            // host layer): that is the capability check failing.
            K::PermissionDenied => Errno::NotCapable,
            K::AlreadyExists => Errno::Exist,
            K::IsADirectory => Errno::IsDir,
            K::NotADirectory => Errno::NotDir,
            K::DirectoryNotEmpty => Errno::NotEmpty,
            K::WouldBlock => Errno::Again,
            K::InvalidInput => Errno::Inval,
            K::InvalidData => Errno::Ilseq,
            K::TimedOut => Errno::TimedOut,
            K::Interrupted => Errno::Intr,
            K::Unsupported => Errno::NotSup,
            K::OutOfMemory => Errno::NoMem,
            K::BrokenPipe => Errno::Pipe,
            K::UnexpectedEof => Errno::Io,
            _ => Errno::Io,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_the_spec_numbers() {
        assert_eq!(Errno::NotCapable.raw(), 76);
        assert_eq!(Errno::Fault.raw(), 21);
        assert_eq!(MAX_ERRNO, 76);
    }

    #[test]
    fn a_sandbox_escape_is_enotcapable() {
        assert_eq!(Errno::from_io_kind(std::io::ErrorKind::PermissionDenied), Errno::NotCapable);
    }
}
