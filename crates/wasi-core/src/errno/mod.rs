//! The one place where host errors become WASI errnos.
//!
//! Every syscall returns `Result<_, Errno>`; the binding layer turns the
//! result into the `u16` errno the guest sees. Host errors arrive either as
//! `std::io::Error` (from `cap-std` and `std`) or as `rustix::io::Errno`
//! (from direct system calls); both are mapped here and nowhere else.
//! Windows' own codes have their table in [`windows`].

pub mod windows;

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

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Self {
        from_host_errno(e.raw_os_error())
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Self {
        if let Some(code) = e.raw_os_error() {
            return from_host_errno(code);
        }
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Errno::NoEnt,
            // cap-std refuses a path that would leave the sandbox with a
            // PermissionDenied error that carries no OS code (real EPERM
            // and EACCES from the host carry theirs and are mapped above):
            // that is the capability check failing.
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

/// Maps a host error number to its WASI counterpart: an `errno` on Unix,
/// a Win32 or Winsock code on Windows.
pub fn from_host_errno(code: i32) -> Errno {
    #[cfg(windows)]
    return windows::from_windows_error(code as u32);
    #[cfg(unix)]
    return from_posix_errno(code);
}

/// Maps a POSIX `errno` number (Linux's or macOS's) to its WASI counterpart.
#[cfg(unix)]
fn from_posix_errno(code: i32) -> Errno {
    use rustix::io::Errno as H;
    // rustix only accepts codes a system call can return (1..4096).
    if !(1..4096).contains(&code) {
        return Errno::Io;
    }
    let h = H::from_raw_os_error(code);
    match h {
        H::TOOBIG => Errno::TooBig,
        H::ACCESS => Errno::Acces,
        H::ADDRINUSE => Errno::AddrInUse,
        H::ADDRNOTAVAIL => Errno::AddrNotAvail,
        H::AFNOSUPPORT => Errno::AfNoSupport,
        H::AGAIN => Errno::Again,
        H::ALREADY => Errno::Already,
        H::BADF => Errno::Badf,
        H::BADMSG => Errno::BadMsg,
        H::BUSY => Errno::Busy,
        H::CANCELED => Errno::Canceled,
        H::CHILD => Errno::Child,
        H::CONNABORTED => Errno::ConnAborted,
        H::CONNREFUSED => Errno::ConnRefused,
        H::CONNRESET => Errno::ConnReset,
        H::DEADLK => Errno::Deadlk,
        H::DESTADDRREQ => Errno::DestAddrReq,
        H::DOM => Errno::Dom,
        H::DQUOT => Errno::Dquot,
        H::EXIST => Errno::Exist,
        H::FAULT => Errno::Fault,
        H::FBIG => Errno::Fbig,
        H::HOSTUNREACH => Errno::HostUnreach,
        H::IDRM => Errno::Idrm,
        H::ILSEQ => Errno::Ilseq,
        H::INPROGRESS => Errno::InProgress,
        H::INTR => Errno::Intr,
        H::INVAL => Errno::Inval,
        H::IO => Errno::Io,
        H::ISCONN => Errno::IsConn,
        H::ISDIR => Errno::IsDir,
        H::LOOP => Errno::Loop,
        H::MFILE => Errno::Mfile,
        H::MLINK => Errno::Mlink,
        H::MSGSIZE => Errno::MsgSize,
        H::MULTIHOP => Errno::Multihop,
        H::NAMETOOLONG => Errno::NameTooLong,
        H::NETDOWN => Errno::NetDown,
        H::NETRESET => Errno::NetReset,
        H::NETUNREACH => Errno::NetUnreach,
        H::NFILE => Errno::Nfile,
        H::NOBUFS => Errno::NoBufs,
        H::NODEV => Errno::NoDev,
        H::NOENT => Errno::NoEnt,
        H::NOEXEC => Errno::NoExec,
        H::NOLCK => Errno::NoLck,
        H::NOLINK => Errno::NoLink,
        H::NOMEM => Errno::NoMem,
        H::NOMSG => Errno::NoMsg,
        H::NOPROTOOPT => Errno::NoProtoOpt,
        H::NOSPC => Errno::NoSpc,
        H::NOSYS => Errno::NoSys,
        H::NOTCONN => Errno::NotConn,
        H::NOTDIR => Errno::NotDir,
        H::NOTEMPTY => Errno::NotEmpty,
        H::NOTRECOVERABLE => Errno::NotRecoverable,
        H::NOTSOCK => Errno::NotSock,
        H::NOTSUP => Errno::NotSup,
        H::NOTTY => Errno::NoTty,
        H::NXIO => Errno::Nxio,
        H::OVERFLOW => Errno::Overflow,
        H::OWNERDEAD => Errno::OwnerDead,
        H::PERM => Errno::Perm,
        H::PIPE => Errno::Pipe,
        H::PROTO => Errno::Proto,
        H::PROTONOSUPPORT => Errno::ProtoNoSupport,
        H::PROTOTYPE => Errno::ProtoType,
        H::RANGE => Errno::Range,
        H::ROFS => Errno::Rofs,
        H::SPIPE => Errno::Spipe,
        H::SRCH => Errno::Srch,
        H::STALE => Errno::Stale,
        H::TIMEDOUT => Errno::TimedOut,
        H::TXTBSY => Errno::TxtBsy,
        H::XDEV => Errno::Xdev,
        // One code on Linux, two on macOS and the BSDs (45 and 102): both
        // are WASI's ENOTSUP. (A guard, since on Linux the pattern above
        // already matched it.)
        h if h == H::OPNOTSUPP => Errno::NotSup,
        _ => Errno::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // POSIX codes; windows.rs tests the Windows table.
    #[cfg(unix)]
    #[test]
    fn host_errnos_map_to_their_wasi_names() {
        assert_eq!(from_host_errno(rustix::io::Errno::NOENT.raw_os_error()), Errno::NoEnt);
        assert_eq!(from_host_errno(rustix::io::Errno::LOOP.raw_os_error()), Errno::Loop);
        assert_eq!(from_host_errno(rustix::io::Errno::SPIPE.raw_os_error()), Errno::Spipe);
        assert_eq!(from_host_errno(rustix::io::Errno::OPNOTSUPP.raw_os_error()), Errno::NotSup);
        assert_eq!(Errno::NotCapable.raw(), 76);
        assert_eq!(Errno::Fault.raw(), 21);
    }

    #[test]
    fn unknown_host_errno_becomes_eio() {
        assert_eq!(from_host_errno(99_999), Errno::Io);
    }

    #[test]
    fn a_sandbox_escape_is_enotcapable() {
        let e = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "a path led outside of the filesystem");
        assert_eq!(Errno::from(e), Errno::NotCapable);
        #[cfg(unix)]
        let real = std::io::Error::from_raw_os_error(rustix::io::Errno::PERM.raw_os_error());
        #[cfg(windows)]
        let real = std::io::Error::from_raw_os_error(windows_sys::Win32::Foundation::ERROR_ACCESS_DENIED as i32);
        assert_eq!(Errno::from(real), Errno::Perm);
    }

    #[test]
    fn io_errors_keep_their_os_code() {
        #[cfg(unix)]
        let e = std::io::Error::from_raw_os_error(rustix::io::Errno::NOTDIR.raw_os_error());
        #[cfg(windows)]
        let e = std::io::Error::from_raw_os_error(windows_sys::Win32::Foundation::ERROR_DIRECTORY as i32);
        assert_eq!(Errno::from(e), Errno::NotDir);
    }
}
