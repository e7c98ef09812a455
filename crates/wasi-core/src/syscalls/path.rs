//! The `path_*` family: operations on paths beneath a directory descriptor.
//! They resolve through [`crate::sandbox`]; until the filesystem work
//! (issue #3) lands they exist with their exact signatures and return `ENOSYS`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use crate::syscalls::fd::not_yet;

not_yet! {
    /// `path_create_directory(fd, path)`.
    path_create_directory(fd: u32, path: u32, path_len: u32);
    /// `path_filestat_get(fd, flags, path) -> filestat`.
    path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, buf: u32);
    /// `path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)`.
    path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32);
    /// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`.
    path_link(old_fd: u32, old_flags: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    /// `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting, fdflags) -> fd`.
    path_open(fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, rights_base: u64, rights_inheriting: u64, fdflags: u32, opened: u32);
    /// `path_readlink(fd, path, buf, buf_len) -> size`.
    path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32);
    /// `path_remove_directory(fd, path)`.
    path_remove_directory(fd: u32, path: u32, path_len: u32);
    /// `path_rename(fd, old_path, new_fd, new_path)`.
    path_rename(fd: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    /// `path_symlink(old_path, fd, new_path)`.
    path_symlink(old_path: u32, old_path_len: u32, fd: u32, new_path: u32, new_path_len: u32);
    /// `path_unlink_file(fd, path)`.
    path_unlink_file(fd: u32, path: u32, path_len: u32);
}
