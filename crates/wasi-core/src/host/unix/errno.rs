//! POSIX error numbers (Linux's and macOS's) as WASI errnos.

use crate::errno::Errno;

/// Maps a POSIX `errno` number (Linux's or macOS's) to its WASI counterpart.
pub fn from_raw_os_error(code: i32) -> Errno {
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

/// Two host numbers for the shared tests in `host/errno.rs`.
#[cfg(test)]
pub(crate) mod examples {
    pub const PERMISSION_DENIED: i32 = rustix::io::Errno::PERM.raw_os_error();
    pub const NOT_A_DIRECTORY: i32 = rustix::io::Errno::NOTDIR.raw_os_error();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errnos_map_to_their_wasi_names() {
        use rustix::io::Errno as H;
        for (host, wasi) in [(H::NOENT, Errno::NoEnt), (H::LOOP, Errno::Loop), (H::SPIPE, Errno::Spipe), (H::OPNOTSUPP, Errno::NotSup)] {
            assert_eq!(from_raw_os_error(host.raw_os_error()), wasi);
        }
    }

    #[test]
    fn unknown_numbers_are_eio() {
        assert_eq!(from_raw_os_error(99_999), Errno::Io);
        assert_eq!(from_raw_os_error(0), Errno::Io);
        assert_eq!(from_raw_os_error(-1), Errno::Io);
    }
}
