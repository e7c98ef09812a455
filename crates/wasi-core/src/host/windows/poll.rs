//! Readiness of several Windows handles and sockets at once, for
//! `poll_oneoff`, and sleeping when there is nothing to poll.
//!
//! Windows has no one call that waits on every kind of handle: `WSAPoll`
//! takes only sockets, and an anonymous pipe is never signalled when data
//! arrives. So each descriptor is checked by its kind:
//! - sockets: `WSAPoll` (with the byte count from `FIONREAD`);
//! - pipes: `PeekNamedPipe` (the byte count; a broken pipe is a hangup);
//! - consoles: pending input events (`GetNumberOfConsoleInputEvents`);
//! - files and character devices such as NUL: always ready.
//!
//! A set of sockets only waits in `WSAPoll` itself. Any other set is
//! checked again after sleeps that grow from 1 ms to 10 ms: the thread
//! sleeps between checks, it never spins.

use super::file::HandleKind;
use crate::errno::{Errno, WasiResult};
use crate::host::{BorrowedFd, Interest};
use std::os::windows::io::{AsRawHandle, AsRawSocket};
use std::time::{Duration, Instant};
use windows_sys::Win32::Foundation::{ERROR_BROKEN_PIPE, HANDLE};
use windows_sys::Win32::Networking::WinSock::{WSAPoll, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLWRNORM, SOCKET, WSAPOLLFD};
use windows_sys::Win32::System::Console::GetNumberOfConsoleInputEvents;
use windows_sys::Win32::System::Pipes::PeekNamedPipe;

/// What one polled descriptor is ready for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// The descriptor failed: `EBADF` if it is not open, `EIO` for an error
    /// condition.
    pub error: Option<Errno>,
    /// The peer hung up (a broken pipe, or a socket whose peer closed).
    pub hangup: bool,
    /// For read interest, how many bytes can be read without blocking, when
    /// the host tells (0 otherwise).
    pub nbytes: u64,
}

const READY: Readiness = Readiness { error: None, hangup: false, nbytes: 0 };

/// Checks one descriptor now, without waiting.
fn check(fd: BorrowedFd<'_>, interest: Interest) -> Option<Readiness> {
    if let Some(socket) = fd.as_socket() {
        let mut pfd = [WSAPOLLFD { fd: socket.as_raw_socket() as SOCKET, events: socket_events(interest), revents: 0 }];
        // SAFETY: one valid WSAPOLLFD; a zero timeout.
        let n = unsafe { WSAPoll(pfd.as_mut_ptr(), 1, 0) };
        if n < 0 {
            return Some(Readiness { error: Some(Errno::Badf), ..READY });
        }
        return socket_readiness(fd, interest, pfd[0].revents);
    }
    let Some(handle) = fd.as_handle() else { return Some(Readiness { error: Some(Errno::Badf), ..READY }) };
    let raw = handle.as_raw_handle() as HANDLE;
    let Ok(kind) = super::file::kind(fd) else { return Some(Readiness { error: Some(Errno::Badf), ..READY }) };
    // SAFETY (below): the handle is borrowed for the calls.
    match kind {
        HandleKind::Pipe if interest == Interest::Read => {
            let mut avail = 0u32;
            // SAFETY: null buffers with size 0 ask only for the count.
            let ok = unsafe { PeekNamedPipe(raw, std::ptr::null_mut(), 0, std::ptr::null_mut(), &mut avail, std::ptr::null_mut()) };
            if ok == 0 {
                let broken = std::io::Error::last_os_error().raw_os_error() == Some(ERROR_BROKEN_PIPE as i32);
                return Some(if broken { Readiness { hangup: true, ..READY } } else { Readiness { error: Some(Errno::Io), ..READY } });
            }
            (avail > 0).then_some(Readiness { nbytes: u64::from(avail), ..READY })
        }
        HandleKind::Char if interest == Interest::Read => {
            let mut events = 0u32;
            // SAFETY: a console input handle and a live counter; for a
            // character device that is not a console (NUL) the call fails
            // and the device is always ready.
            if unsafe { GetNumberOfConsoleInputEvents(raw, &mut events) } == 0 || events > 0 {
                Some(READY)
            } else {
                None
            }
        }
        // Files, and every kind of handle for writing.
        _ => Some(READY),
    }
}

fn socket_events(interest: Interest) -> i16 {
    match interest {
        Interest::Read => POLLRDNORM,
        Interest::Write => POLLWRNORM,
    }
}

fn socket_readiness(fd: BorrowedFd<'_>, interest: Interest, revents: i16) -> Option<Readiness> {
    let revents = revents as i32;
    if revents == 0 {
        return None;
    }
    if revents & POLLNVAL as i32 != 0 {
        return Some(Readiness { error: Some(Errno::Badf), ..READY });
    }
    if revents & POLLERR as i32 != 0 && revents & (POLLRDNORM | POLLWRNORM | POLLHUP) as i32 == 0 {
        return Some(Readiness { error: Some(Errno::Io), ..READY });
    }
    let mut r = Readiness { hangup: revents & POLLHUP as i32 != 0, ..READY };
    if interest == Interest::Read {
        r.nbytes = fd.as_socket().and_then(|s| rustix::io::ioctl_fionread(s).ok()).unwrap_or(0);
    }
    Some(r)
}

/// Whether `fd` is ready for `interest` right now.
pub fn ready_now(fd: BorrowedFd<'_>, interest: Interest) -> WasiResult<bool> {
    match check(fd, interest) {
        Some(Readiness { error: Some(e), .. }) if e == Errno::Badf => Err(e),
        r => Ok(r.is_some()),
    }
}

/// Blocks until `fd` is ready for `interest`.
pub fn wait_for(fd: BorrowedFd<'_>, interest: Interest) -> WasiResult<()> {
    let mut set = PollSet::new();
    set.push(fd, interest);
    set.wait(None)
}

/// A set of descriptors to wait on, each with its interest.
pub struct PollSet<'a> {
    entries: Vec<(BorrowedFd<'a>, Interest, Option<Readiness>)>,
}

impl<'a> PollSet<'a> {
    pub fn new() -> Self {
        PollSet { entries: Vec::new() }
    }

    /// Adds `fd`, waited on for `interest`; its index is the set's length
    /// before the call.
    pub fn push(&mut self, fd: BorrowedFd<'a>, interest: Interest) {
        self.entries.push((fd, interest, None));
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Waits until a descriptor is ready or `timeout` ns pass (forever if
    /// `None`). With no descriptors it is a plain sleep, and waiting forever
    /// for nothing is `EINVAL`.
    pub fn wait(&mut self, timeout: Option<u64>) -> WasiResult<()> {
        let deadline = timeout.map(|ns| Instant::now() + Duration::from_nanos(ns));
        if self.entries.is_empty() {
            return match timeout {
                Some(ns) => {
                    std::thread::sleep(Duration::from_nanos(ns));
                    Ok(())
                }
                None => Err(Errno::Inval),
            };
        }
        let only_sockets = self.entries.iter().all(|(fd, _, _)| fd.as_socket().is_some());
        let mut step = Duration::from_millis(1);
        loop {
            let mut any = false;
            for (fd, interest, ready) in &mut self.entries {
                *ready = check(*fd, *interest);
                any |= ready.is_some();
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if any || left == Some(Duration::ZERO) {
                return Ok(());
            }
            if only_sockets {
                return self.wait_sockets(left);
            }
            std::thread::sleep(left.map_or(step, |l| l.min(step)));
            step = (step * 2).min(Duration::from_millis(10));
        }
    }

    /// Waits in `WSAPoll` on a set of sockets only (`wait` calls it when
    /// every entry is a socket, so the poll array lines up with the
    /// entries), and records what it found for each: no second poll.
    fn wait_sockets(&mut self, left: Option<Duration>) -> WasiResult<()> {
        let mut fds: Vec<WSAPOLLFD> = self
            .entries
            .iter()
            .map(|(fd, interest, _)| {
                let socket = fd.as_socket().map_or(0, |s| s.as_raw_socket() as SOCKET);
                WSAPOLLFD { fd: socket, events: socket_events(*interest), revents: 0 }
            })
            .collect();
        let ms = left.map_or(-1, |l| l.as_millis().clamp(1, i32::MAX as u128) as i32);
        // SAFETY: `fds` is a live array of `fds.len()` entries.
        if unsafe { WSAPoll(fds.as_mut_ptr(), fds.len() as u32, ms) } < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        for ((fd, interest, ready), pfd) in self.entries.iter_mut().zip(&fds) {
            *ready = socket_readiness(*fd, *interest, pfd.revents);
        }
        Ok(())
    }

    /// What descriptor `i` was found ready for by the last
    /// [`wait`](Self::wait), or `None` if it is not ready.
    pub fn readiness(&self, i: usize) -> Option<Readiness> {
        self.entries[i].2
    }
}

impl Default for PollSet<'_> {
    fn default() -> Self {
        Self::new()
    }
}
