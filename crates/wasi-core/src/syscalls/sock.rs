//! The `sock_*` family, on sockets the embedder hands in (issue #4).

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use crate::syscalls::fd::not_yet;

not_yet! {
    /// `sock_accept(fd, flags) -> fd`.
    sock_accept(fd: u32, flags: u32, accepted: u32);
    /// `sock_recv(fd, ri_data, ri_flags) -> (size, roflags)`.
    sock_recv(fd: u32, ri_data: u32, ri_data_len: u32, ri_flags: u32, ro_datalen: u32, ro_flags: u32);
    /// `sock_send(fd, si_data, si_flags) -> size`.
    sock_send(fd: u32, si_data: u32, si_data_len: u32, si_flags: u32, so_datalen: u32);
    /// `sock_shutdown(fd, how)`.
    sock_shutdown(fd: u32, how: u32);
}
