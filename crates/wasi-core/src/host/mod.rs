//! The host-call layer: every system call the core makes on a host
//! descriptor, clock or entropy source goes through here (over `rustix`,
//! and on Windows `windows-sys` and the cap-std family), so that
//! `syscalls/*` speak WASI and this layer speaks the host. It is also the
//! one home of platform code: nothing outside `host/` names a platform.
//!
//! This file holds the contracts every platform shares, and picks the
//! platform's folder in one switch: `unix/` (Linux and macOS, which differ
//! by a `cfg` inside the one function concerned) or `windows/`. Each folder
//! has the same modules with the same functions:
//!
//! - `io`: reads, writes (never losing data), positioned I/O, seeking;
//! - `file`: metadata, status flags, sync, advice, allocation, times;
//! - `net`: accept and the non-blocking receive ([`net`] holds the rest);
//! - `poll`: readiness of many descriptors at once, and sleeping;
//! - `clock`: WASI clocks on host clocks, and yielding the CPU;
//! - `entropy`: the host's random bytes;
//! - `limits`: the process's fd ceiling and the embedder's reserve;
//! - `stdio`: the guest's own hold on the embedder's stdio, lent sockets,
//!   pipes for JS stdio;
//! - `fd`: the host descriptor types, and the process's fd numbers as them;
//! - `dir`: a directory's listing, for `fd_readdir`;
//! - `paths`: the platform halves of the sandbox's path operations;
//! - `convert`: host metadata as WASI filetypes, fdflags and filestats;
//! - `errno`: the host's error numbers as WASI errnos.
//!
//! Shared here: the two policies every call follows (`EINTR` is retried
//! here, [`retry_on_intr`]; a guest's blocking mode is honoured here,
//! [`Blocking`]), [`HostFd`], [`net`], [`convert`] (rights) and [`errno`]
//! (the `From` conversions into [`Errno`]).

use crate::errno::{Errno, WasiResult};

#[cfg_attr(unix, path = "unix/mod.rs")]
#[cfg_attr(windows, path = "windows/mod.rs")]
mod sys;

pub mod convert;
pub mod errno;
pub mod net;

pub use convert::{nanos, rights_for_filetype, rights_for_stdio};
pub use errno::from_host_errno;
pub use sys::clock::{clock_now, clock_resolution, yield_now};
pub use sys::convert::filestat_from_metadata;
pub use sys::dir::DirStream;
pub use sys::entropy::getrandom;
pub use sys::fd::{raw_from_process_fd, raw_of, BorrowedFd, OwnedFd, RawHostFd};
pub use sys::file::{
    advise, allocate, datasync, fdflags, filestat, filetype, init_status_flags, is_socket, is_terminal, refine_socket, set_status_flags,
    set_times, sync, truncate, unread_bytes,
};
pub use sys::io::{pread, pwrite, read, ready_now, seek, wait_for, write_stoppable, write_vectored};
pub use sys::limits::{fd_has_headroom, refresh_fd_ceiling};
pub use sys::paths::{leaves_tree, link_contents, stat_child, symlink, unlink_error};
pub use sys::poll;
pub use sys::stdio::{hold_lent_socket, hold_stdio, pipe};

/// Borrows the host descriptor of something the core holds (a file, a
/// directory, a socket, a stdio hold), on every platform.
pub trait AsHost {
    fn as_host(&self) -> BorrowedFd<'_>;
}

/// One directory entry, as `fd_readdir` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

/// A host descriptor handed in by the embedder (a raw fd on Unix, a
/// HANDLE's value on Windows; the binding turns Node's fd numbers into
/// them with [`raw_from_process_fd`]). The embedder keeps ownership: we
/// never close it.
#[derive(Clone, Copy, Debug)]
pub struct HostFd(RawHostFd);

impl HostFd {
    /// Wraps a raw host descriptor.
    pub fn new(fd: RawHostFd) -> Self {
        HostFd(fd)
    }

    /// The raw host descriptor.
    pub fn raw(self) -> RawHostFd {
        self.0
    }

    /// Borrows the descriptor for a system call.
    pub fn borrow(&self) -> WasiResult<BorrowedFd<'_>> {
        if self.0 < 0 {
            return Err(Errno::Badf);
        }
        // SAFETY: a negative value was refused above; a closed or stale
        // descriptor only makes the system call fail with EBADF.
        Ok(unsafe { sys::fd::borrow_raw(self.0) })
    }
}

/// What a caller waits for on a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    Read,
    Write,
}

/// Whether the guest asked for non-blocking I/O on a descriptor. When it
/// did not, `EAGAIN` from the host (Node makes its pipes non-blocking) is
/// waited out with `poll`, so the guest sees the blocking semantics it asked
/// for and no byte is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    Wait,
    /// The host descriptor is non-blocking too: its `EAGAIN` is the answer.
    NonBlocking,
    /// The guest asked for non-blocking I/O on a descriptor it shares with
    /// the embedder (stdio, a lent socket), whose host mode is not the
    /// guest's to change: each call first asks `poll` with a zero timeout
    /// and answers `EAGAIN` when not ready, and writes at most
    /// [`EMULATED_WRITE_MAX`] bytes, which a ready pipe or socket takes
    /// without blocking.
    Emulated,
}

/// The most an emulated non-blocking write passes to the host at once
/// (`PIPE_BUF`: a pipe that polls writable has room for it).
pub const EMULATED_WRITE_MAX: usize = 4096;

/// Waits until `fd` is ready for `interest`, asking `stop` every
/// `slice_ms` whether to give up (`EINTR`). Calls that may block on a
/// stream wait here first, so that a worker being terminated, or a guest
/// process ended by another thread, does not leave a thread stuck in the
/// host: the call itself then finds the data (or room) ready.
pub fn wait_ready(fd: BorrowedFd<'_>, interest: Interest, slice_ms: u64, stop: &dyn Fn() -> bool) -> WasiResult<()> {
    let mut set = poll::PollSet::new();
    set.push(fd, interest);
    loop {
        set.wait(Some(slice_ms * 1_000_000))?;
        if set.readiness(0).is_some() {
            return Ok(());
        }
        if stop() {
            return Err(Errno::Intr);
        }
    }
}

/// Runs a host call again while it fails with `EINTR`: the one place the
/// host layer decides that policy (a signal meant for the embedder must
/// not surface to the guest as an error).
pub fn retry_on_intr<T>(mut call: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r,
        }
    }
}

/// Runs a host call that may answer `EAGAIN`, with the guest's blocking
/// mode: `EINTR` is retried, and `EAGAIN` is waited out (until `fd` is
/// ready for `interest`) only when the guest asked to block.
pub(crate) fn with_blocking<T>(
    fd: BorrowedFd<'_>,
    interest: Interest,
    blocking: Blocking,
    mut call: impl FnMut() -> rustix::io::Result<T>,
) -> WasiResult<T> {
    loop {
        match retry_on_intr(&mut call) {
            Err(rustix::io::Errno::AGAIN) if blocking == Blocking::Wait => wait_for(fd, interest)?,
            r => return Ok(r?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_host_fds_are_ebadf() {
        assert_eq!(HostFd::new(-1).borrow().err(), Some(Errno::Badf));
        let h = HostFd::new(999_999);
        assert_eq!(read(h.borrow().unwrap(), &mut [0u8; 4], Blocking::Wait).err(), Some(Errno::Badf));
    }

    #[test]
    fn eintr_is_retried_and_other_errors_pass() {
        let mut calls = 0;
        let r = retry_on_intr(|| {
            calls += 1;
            if calls < 3 {
                Err(rustix::io::Errno::INTR)
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r, Ok(3));
        assert_eq!(retry_on_intr(|| Err::<(), _>(rustix::io::Errno::BADF)), Err(rustix::io::Errno::BADF));
    }
}
