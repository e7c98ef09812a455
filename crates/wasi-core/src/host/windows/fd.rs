//! Host descriptors on Windows: a HANDLE or a SOCKET, one type for either
//! (io-extras), so the fd table holds files, pipes, consoles and sockets
//! alike.

use crate::host::AsHost;
use io_extras::os::windows::AsHandleOrSocket;
pub use io_extras::os::windows::{BorrowedHandleOrSocket as BorrowedFd, OwnedHandleOrSocket as OwnedFd};
use std::os::windows::io::AsHandle;

/// The raw value of a host descriptor: a HANDLE's value.
pub type RawHostFd = isize;

impl AsHost for OwnedFd {
    fn as_host(&self) -> BorrowedFd<'_> {
        self.as_handle_or_socket()
    }
}
impl AsHost for BorrowedFd<'_> {
    fn as_host(&self) -> BorrowedFd<'_> {
        *self
    }
}
impl AsHost for cap_std::fs::File {
    fn as_host(&self) -> BorrowedFd<'_> {
        BorrowedFd::from_handle(self.as_handle())
    }
}
impl AsHost for cap_std::fs::Dir {
    fn as_host(&self) -> BorrowedFd<'_> {
        BorrowedFd::from_handle(self.as_handle())
    }
}
impl AsHost for std::fs::File {
    fn as_host(&self) -> BorrowedFd<'_> {
        BorrowedFd::from_handle(self.as_handle())
    }
}
impl<T: AsHost> AsHost for std::sync::Arc<T> {
    fn as_host(&self) -> BorrowedFd<'_> {
        (**self).as_host()
    }
}

/// Borrows the raw HANDLE `raw` for a system call.
///
/// # Safety
/// `raw` is not negative. (A closed or stale handle only makes the system
/// call fail with `ERROR_INVALID_HANDLE`.)
pub unsafe fn borrow_raw<'a>(raw: RawHostFd) -> BorrowedFd<'a> {
    // SAFETY: the caller's contract; Win32 calls on a closed handle fail
    // cleanly.
    BorrowedFd::from_handle(unsafe { std::os::windows::io::BorrowedHandle::borrow_raw(raw as _) })
}

/// The HANDLE behind the process's C-runtime fd `fd` (Node's
/// `stdin`/`stdout`/`stderr` options), or -1 (`INVALID_HANDLE_VALUE`) for
/// none; the guest then gets `EBADF` on it. node.exe links its C runtime
/// statically, so this library cannot ask a C runtime of its own which
/// HANDLE an fd is; node.exe exports libuv's `uv_get_osfhandle`, which
/// answers from Node's own table.
pub fn raw_from_process_fd(fd: i32) -> RawHostFd {
    use std::sync::OnceLock;
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
    type GetOsfHandle = unsafe extern "C" fn(i32) -> isize;
    static UV_GET_OSFHANDLE: OnceLock<Option<GetOsfHandle>> = OnceLock::new();
    let f = UV_GET_OSFHANDLE.get_or_init(|| {
        // SAFETY: the process's own module (node.exe) stays loaded; the
        // symbol, when present, is libuv's `uv_os_fd_t uv_get_osfhandle(int)`.
        unsafe {
            let exe = GetModuleHandleW(std::ptr::null());
            GetProcAddress(exe, c"uv_get_osfhandle".as_ptr().cast()).map(|p| std::mem::transmute::<_, GetOsfHandle>(p))
        }
    });
    match f {
        // SAFETY: any int is a valid argument; libuv answers -1 for none.
        Some(get) => unsafe { get(fd) },
        None => -1,
    }
}

/// The raw value of a borrowed HANDLE (valid while it is held); -1 for a
/// SOCKET, which has no HANDLE value to name it by.
pub fn raw_of(fd: BorrowedFd<'_>) -> RawHostFd {
    use io_extras::os::windows::AsRawHandleOrSocket;
    fd.as_raw_handle_or_socket().as_raw_handle().map_or(-1, |h| h as RawHostFd)
}
