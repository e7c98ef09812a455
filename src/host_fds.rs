//! Node's fd numbers (the `stdin`/`stdout`/`stderr` options) as the core's
//! raw host descriptors. On Unix they are the same numbers. On Windows,
//! node.exe links its C runtime statically, so the addon cannot ask a C
//! runtime of its own which HANDLE an fd is; node.exe exports libuv's
//! `uv_get_osfhandle`, which answers from Node's own table.

use wasi_core::host::RawHostFd;

/// The host descriptor behind Node's fd `fd` (negative when there is none;
/// the guest then gets `EBADF` on it).
#[cfg(unix)]
pub fn from_node_fd(fd: i32) -> RawHostFd {
    fd
}

/// The host descriptor behind Node's fd `fd`: the HANDLE that libuv's
/// `uv_get_osfhandle` gives (`INVALID_HANDLE_VALUE`, -1, for none; the
/// guest then gets `EBADF` on it).
#[cfg(windows)]
pub fn from_node_fd(fd: i32) -> RawHostFd {
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
