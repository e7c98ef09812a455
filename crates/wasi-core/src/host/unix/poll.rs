//! Readiness of several host descriptors at once (`poll(2)`), for
//! `poll_oneoff`, and sleeping when there is nothing to poll.

use super::io::Interest;
use crate::errno::{Errno, WasiResult};
use rustix::event::{PollFd, PollFlags};
use rustix::fd::BorrowedFd;

/// What one polled descriptor is ready for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// The descriptor failed: `EBADF` if it is not open, `EIO` for an
    /// error condition with nothing to read or write.
    pub error: Option<Errno>,
    /// The peer hung up (a closed pipe, or a socket whose peer shut down
    /// its sending side).
    pub hangup: bool,
    /// For read interest, how many bytes can be read without blocking, when
    /// the host tells (0 otherwise).
    pub nbytes: u64,
}

/// A set of descriptors to wait on, each with its interest.
pub struct PollSet<'a> {
    fds: Vec<PollFd<'a>>,
    interests: Vec<Interest>,
}

/// The poll flags, besides `POLLHUP`, that mean the peer hung up: a socket
/// whose peer shut down its side (what a Node parent's `stdin.end()` does
/// to the socketpair that is a child's stdin) reads end of file, a hangup
/// for the guest as for a closed pipe. Only Linux reports it apart.
fn hangup_flags() -> PollFlags {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return PollFlags::RDHUP;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    return PollFlags::empty();
}

impl<'a> PollSet<'a> {
    pub fn new() -> Self {
        PollSet { fds: Vec::new(), interests: Vec::new() }
    }

    /// Adds `fd`, waited on for `interest`; its index is the set's length
    /// before the call.
    pub fn push(&mut self, fd: BorrowedFd<'a>, interest: Interest) {
        let flags = match interest {
            Interest::Read => PollFlags::IN | hangup_flags(),
            Interest::Write => PollFlags::OUT,
        };
        self.fds.push(PollFd::from_borrowed_fd(fd, flags));
        self.interests.push(interest);
    }

    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    /// Waits until a descriptor is ready or `timeout` ns pass (forever if
    /// `None`); a signal ends the wait early, which the caller sees as
    /// nothing ready yet. With no descriptors it is a plain sleep, and
    /// waiting forever for nothing is `EINVAL`: nothing could ever end it.
    pub fn wait(&mut self, timeout: Option<u64>) -> WasiResult<()> {
        let ts = timeout.map(timespec);
        if self.fds.is_empty() {
            return match ts {
                Some(ts) => {
                    let _ = rustix::thread::nanosleep(&ts);
                    Ok(())
                }
                None => Err(Errno::Inval),
            };
        }
        match rustix::event::poll(&mut self.fds, ts.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// What descriptor `i` was found ready for by the last [`wait`](Self::wait),
    /// or `None` if it is not ready.
    pub fn readiness(&self, i: usize) -> Option<Readiness> {
        let pfd = &self.fds[i];
        let revents = pfd.revents();
        if revents.is_empty() {
            return None;
        }
        let mut r = Readiness { error: None, hangup: false, nbytes: 0 };
        if revents.contains(PollFlags::NVAL) {
            r.error = Some(Errno::Badf);
            return Some(r);
        }
        if revents.contains(PollFlags::ERR) && !revents.intersects(PollFlags::IN | PollFlags::OUT | PollFlags::HUP) {
            r.error = Some(Errno::Io);
            return Some(r);
        }
        r.hangup = revents.intersects(PollFlags::HUP | hangup_flags());
        if self.interests[i] == Interest::Read {
            r.nbytes = rustix::io::ioctl_fionread(pfd).unwrap_or(0);
        }
        Some(r)
    }
}

impl Default for PollSet<'_> {
    fn default() -> Self {
        Self::new()
    }
}

fn timespec(ns: u64) -> rustix::time::Timespec {
    rustix::time::Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn a_pipe_with_data_is_readable_with_its_byte_count_and_a_closed_one_hangs_up() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        let mut set = PollSet::new();
        set.push(r.as_fd(), Interest::Read);
        set.wait(Some(0)).unwrap();
        assert_eq!(set.readiness(0), None);
        rustix::io::write(&w, b"abc").unwrap();
        set.wait(Some(1_000_000_000)).unwrap();
        assert_eq!(set.readiness(0), Some(Readiness { error: None, hangup: false, nbytes: 3 }));
        drop(w);
        set.wait(None).unwrap();
        assert!(set.readiness(0).unwrap().hangup);
    }

    #[test]
    fn waiting_for_nothing_sleeps_or_is_einval() {
        let mut set = PollSet::new();
        let t = std::time::Instant::now();
        set.wait(Some(20_000_000)).unwrap();
        assert!(t.elapsed() >= std::time::Duration::from_millis(20));
        assert_eq!(set.wait(None), Err(Errno::Inval));
    }
}
