//! The syscall table: every `wasi_snapshot_preview1` import, with its wasm
//! signature and a uniform entry point.
//!
//! Embedders (the Node binding, the fuzzer, tests) never name individual
//! syscalls: they walk [`PREVIEW1`], decode the guest's arguments as the
//! `params` say (i32 → `u32`, i64 → `u64`), and call [`Syscall::call`].

pub mod args_env;
pub mod clock_random;
pub mod fd;
pub mod path;
pub mod poll;
pub mod proc;
pub mod sock;
pub mod unstable;

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;

/// A wasm parameter type of a WASI import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `i32`, passed to the host as `u32` (pointers are unsigned).
    I32,
    /// `i64`, passed as `u64` (a BigInt on the JS side).
    I64,
}

/// The most parameters any preview1 import takes (`path_open`).
pub const MAX_PARAMS: usize = 9;

/// One import of the WASI module.
pub struct Syscall {
    /// The import's field name, e.g. `"fd_write"`.
    pub name: &'static str,
    /// Its wasm parameter types, in order.
    pub params: &'static [Param],
    /// Its parameters' names, as the spec's witx names them.
    pub param_names: &'static [&'static str],
    /// Whether it ends the program (`proc_exit`): the embedder must unwind.
    pub exits: bool,
    /// Whether it takes any pointer, i.e. needs the guest's memory. The
    /// embedder may skip looking the memory up for the others.
    pub uses_memory: bool,
    /// Runs the syscall with decoded arguments (exactly `params.len()` of them).
    pub call: fn(&mut WasiCtx, &mut GuestMemory<'_>, &[u64]) -> Errno,
}

fn errno_of(r: WasiResult<()>) -> Errno {
    match r {
        Ok(()) => Errno::Success,
        Err(e) => e,
    }
}

macro_rules! param_of {
    (u32) => {
        Param::I32
    };
    (u64) => {
        Param::I64
    };
}

macro_rules! syscall_table {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ident),* ) $(exits $exits:literal)? $(no_memory $nm:literal)?;)*) => {
        /// Every `wasi_snapshot_preview1` import, in the order of the spec.
        pub static PREVIEW1: &[Syscall] = &[$(
            Syscall {
                name: stringify!($name),
                params: &[$(param_of!($ty)),*],
                param_names: &[$(stringify!($arg)),*],
                exits: false $(|| $exits)?,
                uses_memory: true $(&& !$nm)?,
                #[allow(unused_mut, unused_variables, reason = "calls without parameters read nothing from the iterator")]
                call: |ctx, mem, args| {
                    let mut it = args.iter().copied();
                    $(let $arg = it.next().unwrap_or(0) as $ty;)*
                    errno_of($module::$name(ctx, mem, $($arg),*))
                },
            },
        )*];
    };
}

syscall_table! {
    args_env::args_get(argv: u32, argv_buf: u32);
    args_env::args_sizes_get(argc: u32, argv_buf_size: u32);
    args_env::environ_get(environ: u32, environ_buf: u32);
    args_env::environ_sizes_get(count: u32, buf_size: u32);
    clock_random::clock_res_get(id: u32, res: u32);
    clock_random::clock_time_get(id: u32, precision: u64, time: u32);
    fd::fd_advise(fd: u32, offset: u64, len: u64, advice: u32) no_memory true;
    fd::fd_allocate(fd: u32, offset: u64, len: u64) no_memory true;
    fd::fd_close(fd: u32) no_memory true;
    fd::fd_datasync(fd: u32) no_memory true;
    fd::fd_fdstat_get(fd: u32, buf: u32);
    fd::fd_fdstat_set_flags(fd: u32, flags: u32) no_memory true;
    fd::fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) no_memory true;
    fd::fd_filestat_get(fd: u32, buf: u32);
    fd::fd_filestat_set_size(fd: u32, size: u64) no_memory true;
    fd::fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst_flags: u32) no_memory true;
    fd::fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32);
    fd::fd_prestat_get(fd: u32, buf: u32);
    fd::fd_prestat_dir_name(fd: u32, path: u32, path_len: u32);
    fd::fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32);
    fd::fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32);
    fd::fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32);
    fd::fd_renumber(fd: u32, to: u32) no_memory true;
    fd::fd_seek(fd: u32, offset: u64, whence: u32, newoffset: u32);
    fd::fd_sync(fd: u32) no_memory true;
    fd::fd_tell(fd: u32, offset: u32);
    fd::fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32);
    path::path_create_directory(fd: u32, path: u32, path_len: u32);
    path::path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, buf: u32);
    path::path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32);
    path::path_link(old_fd: u32, old_flags: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    path::path_open(fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, rights_base: u64, rights_inheriting: u64, fdflags: u32, opened: u32);
    path::path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32);
    path::path_remove_directory(fd: u32, path: u32, path_len: u32);
    path::path_rename(fd: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    path::path_symlink(old_path: u32, old_path_len: u32, fd: u32, new_path: u32, new_path_len: u32);
    path::path_unlink_file(fd: u32, path: u32, path_len: u32);
    poll::poll_oneoff(subs: u32, events: u32, nsubscriptions: u32, nevents: u32);
    proc::proc_exit(rval: u32) exits true no_memory true;
    proc::proc_raise(sig: u32) no_memory true;
    proc::sched_yield() no_memory true;
    clock_random::random_get(buf: u32, buf_len: u32);
    sock::sock_accept(fd: u32, flags: u32, accepted: u32);
    sock::sock_recv(fd: u32, ri_data: u32, ri_data_len: u32, ri_flags: u32, ro_datalen: u32, ro_flags: u32);
    sock::sock_send(fd: u32, si_data: u32, si_data_len: u32, si_flags: u32, so_datalen: u32);
    sock::sock_shutdown(fd: u32, how: u32) no_memory true;
}

/// Looks a preview1 syscall up by its import name.
pub fn find(name: &str) -> Option<&'static Syscall> {
    PREVIEW1.iter().find(|s| s.name == name)
}

/// Which ABI the guest was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// `wasi_unstable` (snapshot 0).
    Unstable,
}

macro_rules! unstable_overrides {
    ($($name:ident ( $($arg:ident : $ty:ident),* );)*) => {
        /// The `wasi_unstable` calls whose layouts differ from preview1.
        pub static UNSTABLE_OVERRIDES: &[Syscall] = &[$(
            Syscall {
                name: stringify!($name),
                params: &[$(param_of!($ty)),*],
                param_names: &[$(stringify!($arg)),*],
                exits: false,
                uses_memory: true,
                call: |ctx, mem, args| {
                    let mut it = args.iter().copied();
                    $(let $arg = it.next().unwrap_or(0) as $ty;)*
                    errno_of(unstable::$name(ctx, mem, $($arg),*))
                },
            },
        )*];
    };
}

unstable_overrides! {
    fd_filestat_get(fd: u32, buf: u32);
    fd_seek(fd: u32, offset: u64, whence: u32, newoffset: u32);
    path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, buf: u32);
    poll_oneoff(subs: u32, events: u32, nsubscriptions: u32, nevents: u32);
}

/// Every import of `abi`'s module, in spec order. `wasi_unstable` has no
/// `sock_accept`.
pub fn imports(abi: Abi) -> impl Iterator<Item = &'static Syscall> {
    PREVIEW1.iter().filter_map(move |s| match abi {
        Abi::Preview1 => Some(s),
        Abi::Unstable if s.name == "sock_accept" => None,
        Abi::Unstable => Some(UNSTABLE_OVERRIDES.iter().find(|o| o.name == s.name).unwrap_or(s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_46_preview1_imports_are_present_once() {
        assert_eq!(PREVIEW1.len(), 46);
        let mut names: Vec<_> = PREVIEW1.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 46);
        assert!(PREVIEW1.iter().all(|s| s.params.len() <= MAX_PARAMS));
    }

    #[test]
    fn the_unstable_abi_overrides_four_calls_and_drops_sock_accept() {
        assert_eq!(imports(Abi::Preview1).count(), 46);
        let unstable: Vec<_> = imports(Abi::Unstable).collect();
        assert_eq!(unstable.len(), 45);
        assert!(unstable.iter().all(|s| s.name != "sock_accept"));
        let overridden = unstable.iter().filter(|s| !PREVIEW1.iter().any(|p| std::ptr::eq(p, **s))).count();
        assert_eq!(overridden, 4);
        for s in &unstable {
            assert_eq!(s.params, find(s.name).unwrap().params, "{} keeps its signature", s.name);
        }
    }

    #[test]
    fn signatures_match_the_spec() {
        use Param::*;
        assert_eq!(find("clock_time_get").unwrap().params, &[I32, I64, I32]);
        assert_eq!(find("path_open").unwrap().params, &[I32, I32, I32, I32, I32, I64, I64, I32, I32]);
        assert_eq!(find("fd_seek").unwrap().params, &[I32, I64, I32, I32]);
        assert_eq!(find("sched_yield").unwrap().params, &[] as &[Param]);
        assert!(find("proc_exit").unwrap().exits);
        assert!(!find("fd_close").unwrap().uses_memory);
        assert!(find("fd_write").unwrap().uses_memory);
        assert_eq!(PREVIEW1.iter().filter(|s| !s.uses_memory).count(), 14);
        assert_eq!(PREVIEW1.iter().filter(|s| s.exits).count(), 1);
    }
}
