//! Windows error codes as WASI errnos: Win32 `ERROR_*` codes (what
//! `GetLastError` and `std::io::Error::raw_os_error` give on Windows) and
//! Winsock `WSAE*` codes. Where a code could mean more than one errno, the
//! choice is the one libuv makes, since that is what Node users see from
//! `node:wasi` and `fs` on Windows (for example `ERROR_ACCESS_DENIED` is
//! `EPERM` and `ERROR_SHARING_VIOLATION` is `EBUSY`). Its tests run under
//! Wine (`npm run test:wine`).

use crate::errno::Errno;
use windows_sys::Win32::Foundation as F;
use windows_sys::Win32::Networking::WinSock as W;

/// Maps a Win32 or Winsock error code, as `std::io::Error` carries it.
pub fn from_raw_os_error(code: i32) -> Errno {
    from_windows_error(code as u32)
}

/// Maps a Win32 or Winsock error code; anything unknown is `EIO`.
fn from_windows_error(code: u32) -> Errno {
    // Winsock codes are i32 constants in windows-sys, all positive.
    let wsa = |c: W::WSA_ERROR| c as u32;
    match code {
        F::ERROR_FILE_NOT_FOUND
        | F::ERROR_PATH_NOT_FOUND
        | F::ERROR_INVALID_DRIVE
        | F::ERROR_BAD_NETPATH
        | F::ERROR_BAD_PATHNAME
        | F::ERROR_INVALID_NAME
        | F::ERROR_MOD_NOT_FOUND
        | F::ERROR_ENVVAR_NOT_FOUND
        // A file being deleted is gone for every new open.
        | F::ERROR_DELETE_PENDING => Errno::NoEnt,
        F::ERROR_ACCESS_DENIED | F::ERROR_PRIVILEGE_NOT_HELD => Errno::Perm,
        F::ERROR_NOACCESS | F::ERROR_ELEVATION_REQUIRED | F::ERROR_CANT_ACCESS_FILE => Errno::Acces,
        F::ERROR_INVALID_HANDLE => Errno::Badf,
        F::ERROR_NOT_ENOUGH_MEMORY | F::ERROR_OUTOFMEMORY => Errno::NoMem,
        F::ERROR_INVALID_PARAMETER
        | F::ERROR_INVALID_FLAGS
        | F::ERROR_NEGATIVE_SEEK
        | F::ERROR_INSUFFICIENT_BUFFER
        | F::ERROR_SYMLINK_NOT_SUPPORTED
        | F::ERROR_NOT_A_REPARSE_POINT
        | F::ERROR_INVALID_REPARSE_DATA => Errno::Inval,
        F::ERROR_ALREADY_EXISTS | F::ERROR_FILE_EXISTS => Errno::Exist,
        F::ERROR_DIR_NOT_EMPTY => Errno::NotEmpty,
        // "The directory name is invalid": a file where a directory was
        // needed.
        F::ERROR_DIRECTORY => Errno::NotDir,
        // Reading or writing a directory handle.
        F::ERROR_INVALID_FUNCTION | F::ERROR_DIRECTORY_NOT_SUPPORTED => Errno::IsDir,
        F::ERROR_SHARING_VIOLATION | F::ERROR_LOCK_VIOLATION | F::ERROR_BUSY | F::ERROR_PIPE_BUSY => Errno::Busy,
        F::ERROR_FILENAME_EXCED_RANGE => Errno::NameTooLong,
        F::ERROR_BROKEN_PIPE | F::ERROR_NO_DATA | F::ERROR_BAD_PIPE | F::ERROR_PIPE_NOT_CONNECTED => Errno::Pipe,
        F::ERROR_NOT_SAME_DEVICE => Errno::Xdev,
        F::ERROR_DISK_FULL | F::ERROR_HANDLE_DISK_FULL => Errno::NoSpc,
        F::ERROR_TOO_MANY_OPEN_FILES => Errno::Mfile,
        F::ERROR_NOT_SUPPORTED => Errno::NotSup,
        F::ERROR_CALL_NOT_IMPLEMENTED => Errno::NoSys,
        F::ERROR_CANT_RESOLVE_FILENAME | F::ERROR_STOPPED_ON_SYMLINK => Errno::Loop,
        F::ERROR_TOO_MANY_LINKS => Errno::Mlink,
        F::ERROR_SEEK_ON_DEVICE => Errno::Spipe,
        F::ERROR_WRITE_PROTECT => Errno::Rofs,
        F::ERROR_FILE_TOO_LARGE => Errno::Fbig,
        F::ERROR_OPERATION_ABORTED => Errno::Canceled,
        F::ERROR_TIMEOUT | F::ERROR_SEM_TIMEOUT => Errno::TimedOut,
        F::ERROR_NETNAME_DELETED => Errno::ConnReset,
        F::ERROR_CONNECTION_REFUSED => Errno::ConnRefused,
        F::ERROR_CONNECTION_ABORTED => Errno::ConnAborted,
        F::ERROR_ADDRESS_ALREADY_ASSOCIATED => Errno::AddrInUse,
        F::ERROR_NETWORK_UNREACHABLE => Errno::NetUnreach,
        F::ERROR_HOST_UNREACHABLE => Errno::HostUnreach,
        c if c == wsa(W::WSAEINTR) => Errno::Intr,
        c if c == wsa(W::WSAEBADF) => Errno::Badf,
        c if c == wsa(W::WSAEACCES) => Errno::Acces,
        c if c == wsa(W::WSAEFAULT) => Errno::Fault,
        c if c == wsa(W::WSAEINVAL) => Errno::Inval,
        c if c == wsa(W::WSAEMFILE) => Errno::Mfile,
        c if c == wsa(W::WSAEWOULDBLOCK) => Errno::Again,
        c if c == wsa(W::WSAEINPROGRESS) => Errno::InProgress,
        c if c == wsa(W::WSAEALREADY) => Errno::Already,
        c if c == wsa(W::WSAENOTSOCK) => Errno::NotSock,
        c if c == wsa(W::WSAEDESTADDRREQ) => Errno::DestAddrReq,
        c if c == wsa(W::WSAEMSGSIZE) => Errno::MsgSize,
        c if c == wsa(W::WSAEPROTOTYPE) => Errno::ProtoType,
        c if c == wsa(W::WSAENOPROTOOPT) => Errno::NoProtoOpt,
        c if c == wsa(W::WSAEPROTONOSUPPORT) => Errno::ProtoNoSupport,
        c if c == wsa(W::WSAEOPNOTSUPP) => Errno::NotSup,
        c if c == wsa(W::WSAEAFNOSUPPORT) => Errno::AfNoSupport,
        c if c == wsa(W::WSAEADDRINUSE) => Errno::AddrInUse,
        c if c == wsa(W::WSAEADDRNOTAVAIL) => Errno::AddrNotAvail,
        c if c == wsa(W::WSAENETDOWN) => Errno::NetDown,
        c if c == wsa(W::WSAENETUNREACH) => Errno::NetUnreach,
        c if c == wsa(W::WSAENETRESET) => Errno::NetReset,
        c if c == wsa(W::WSAECONNABORTED) => Errno::ConnAborted,
        c if c == wsa(W::WSAECONNRESET) => Errno::ConnReset,
        c if c == wsa(W::WSAENOBUFS) => Errno::NoBufs,
        c if c == wsa(W::WSAEISCONN) => Errno::IsConn,
        c if c == wsa(W::WSAENOTCONN) => Errno::NotConn,
        // Sending after shutdown, as EPIPE on POSIX.
        c if c == wsa(W::WSAESHUTDOWN) => Errno::Pipe,
        c if c == wsa(W::WSAETIMEDOUT) => Errno::TimedOut,
        c if c == wsa(W::WSAECONNREFUSED) => Errno::ConnRefused,
        c if c == wsa(W::WSAELOOP) => Errno::Loop,
        c if c == wsa(W::WSAENAMETOOLONG) => Errno::NameTooLong,
        c if c == wsa(W::WSAEHOSTUNREACH) || c == wsa(W::WSAEHOSTDOWN) => Errno::HostUnreach,
        c if c == wsa(W::WSAENOTEMPTY) => Errno::NotEmpty,
        c if c == wsa(W::WSAEDQUOT) => Errno::Dquot,
        c if c == wsa(W::WSAESTALE) => Errno::Stale,
        c if c == wsa(W::WSAECANCELLED) => Errno::Canceled,
        _ => Errno::Io,
    }
}

/// Two host numbers for the shared tests in `host/errno.rs`.
#[cfg(test)]
pub(crate) mod examples {
    pub const PERMISSION_DENIED: i32 = windows_sys::Win32::Foundation::ERROR_ACCESS_DENIED as i32;
    pub const NOT_A_DIRECTORY: i32 = windows_sys::Win32::Foundation::ERROR_DIRECTORY as i32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_win32_codes_map_as_libuv_maps_them() {
        // The numbers, not the constants: a renamed or mistyped constant
        // must not make the test agree with the table.
        for (code, errno) in [
            (2, Errno::NoEnt),           // ERROR_FILE_NOT_FOUND
            (3, Errno::NoEnt),           // ERROR_PATH_NOT_FOUND
            (5, Errno::Perm),            // ERROR_ACCESS_DENIED
            (6, Errno::Badf),            // ERROR_INVALID_HANDLE
            (32, Errno::Busy),           // ERROR_SHARING_VIOLATION
            (80, Errno::Exist),          // ERROR_FILE_EXISTS
            (87, Errno::Inval),          // ERROR_INVALID_PARAMETER
            (109, Errno::Pipe),          // ERROR_BROKEN_PIPE
            (123, Errno::NoEnt),         // ERROR_INVALID_NAME
            (145, Errno::NotEmpty),      // ERROR_DIR_NOT_EMPTY
            (183, Errno::Exist),         // ERROR_ALREADY_EXISTS
            (206, Errno::NameTooLong),   // ERROR_FILENAME_EXCED_RANGE
            (267, Errno::NotDir),        // ERROR_DIRECTORY
            (1314, Errno::Perm),         // ERROR_PRIVILEGE_NOT_HELD
            (1921, Errno::Loop),         // ERROR_CANT_RESOLVE_FILENAME
            (10035, Errno::Again),       // WSAEWOULDBLOCK
            (10038, Errno::NotSock),     // WSAENOTSOCK
            (10054, Errno::ConnReset),   // WSAECONNRESET
            (10061, Errno::ConnRefused), // WSAECONNREFUSED
        ] {
            assert_eq!(from_windows_error(code), errno, "code {code}");
        }
    }

    #[test]
    fn unknown_codes_are_eio_and_nothing_is_success() {
        assert_eq!(from_windows_error(0xdead), Errno::Io);
        for code in 0..12_000 {
            assert_ne!(from_windows_error(code), Errno::Success, "code {code}");
        }
    }
}
