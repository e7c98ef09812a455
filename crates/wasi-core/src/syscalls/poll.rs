//! `poll_oneoff`: waits until at least one subscription has an event.
//!
//! Clock subscriptions have a deadline on the clock they name (relative to
//! now, or absolute with `SUBSCRIPTION_CLOCK_ABSTIME`). Read/write
//! subscriptions on regular files are always ready; on anything else
//! (stdin, pipes, terminals, sockets) they wait in the host's `poll(2)`.
//! With only clocks, the call sleeps: it never spins.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Kind;
use crate::memory::{GuestMemory, GuestType};
use crate::syscalls::clock_random::{host_clock, now};
use crate::types::rights;
use rustix::event::{PollFd, PollFlags};

/// The most subscriptions one call may pass; more is `EINVAL`, as `poll(2)`
/// says of more fds than the process may have.
pub const MAX_SUBSCRIPTIONS: u32 = 16_384;

/// `eventtype`.
const EVENT_CLOCK: u8 = 0;
const EVENT_FD_READ: u8 = 1;
const EVENT_FD_WRITE: u8 = 2;
/// `subclockflags::subscription_clock_abstime`.
const ABSTIME: u16 = 1;
/// `eventrwflags::fd_readwrite_hangup`.
const HANGUP: u16 = 1;

/// A `subscription`, decoded from either ABI's layout.
#[derive(Clone, Copy, Debug)]
pub struct Subscription {
    pub userdata: u64,
    pub tag: u8,
    /// `clock.id` or `fd_readwrite.file_descriptor`.
    pub id_or_fd: u32,
    pub timeout: u64,
    pub flags: u16,
}

/// The preview1 layout: 48 bytes.
impl GuestType for Subscription {
    const SIZE: u32 = 48;
    fn decode(b: &[u8]) -> Self {
        Subscription {
            userdata: u64::decode(&b[0..8]),
            tag: b[8],
            id_or_fd: u32::decode(&b[16..20]),
            timeout: u64::decode(&b[24..32]),
            flags: u16::decode(&b[40..42]),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        out.fill(0);
        self.userdata.encode(&mut out[0..8]);
        out[8] = self.tag;
        self.id_or_fd.encode(&mut out[16..20]);
        self.timeout.encode(&mut out[24..32]);
        self.flags.encode(&mut out[40..42]);
    }
}

/// An `event` (32 bytes in guest memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn error(sub: &Subscription, error: Errno) -> Event {
        Event { userdata: sub.userdata, error: error.raw(), kind: sub.tag, nbytes: 0, flags: 0 }
    }
}

impl GuestType for Event {
    const SIZE: u32 = 32;
    fn decode(b: &[u8]) -> Self {
        Event {
            userdata: u64::decode(&b[0..8]),
            error: u16::decode(&b[8..10]),
            kind: b[10],
            nbytes: u64::decode(&b[16..24]),
            flags: u16::decode(&b[24..26]),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        out.fill(0);
        self.userdata.encode(&mut out[0..8]);
        self.error.encode(&mut out[8..10]);
        out[10] = self.kind;
        self.nbytes.encode(&mut out[16..24]);
        self.flags.encode(&mut out[24..26]);
    }
}

/// A clock subscription's deadline, on its own clock.
struct Deadline {
    sub: Subscription,
    clock: u32,
    at: u64,
}

/// `poll_oneoff(in, out, nsubscriptions) -> nevents`: waits for at least
/// one event and reports every event that is ready. Zero subscriptions is
/// `EINVAL`. Per-subscription failures (a bad fd, an unsupported clock)
/// are reported as events with their `error` set.
pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    subs: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> WasiResult<()> {
    poll_oneoff_as::<Subscription>(ctx, mem, subs, events, nsubscriptions, nevents, |s| s)
}

/// `poll_oneoff` for a subscription layout `L` (each ABI has its own).
pub fn poll_oneoff_as<L: GuestType>(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    subs: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
    decode: fn(L) -> Subscription,
) -> WasiResult<()> {
    if nsubscriptions == 0 || nsubscriptions > MAX_SUBSCRIPTIONS {
        return Err(Errno::Inval);
    }
    let subs: Vec<Subscription> = mem.read_array::<L>(subs, nsubscriptions)?.map(decode).collect();
    mem.check(events, nsubscriptions * Event::SIZE)?;
    mem.check(nevents, 4)?;

    // Regular files are always ready: learn which descriptors are files.
    for sub in &subs {
        if sub.tag == EVENT_FD_READ || sub.tag == EVENT_FD_WRITE {
            let _ = ctx.fds.classify(sub.id_or_fd);
        }
    }
    let mut ready: Vec<Event> = Vec::new();
    let mut deadlines: Vec<Deadline> = Vec::new();
    let mut waiting: Vec<(Subscription, PollFd<'_>)> = Vec::new();
    for sub in &subs {
        match sub.tag {
            EVENT_CLOCK => match clock_deadline(sub) {
                Ok(d) => deadlines.push(d),
                Err(e) => ready.push(Event::error(sub, e)),
            },
            EVENT_FD_READ | EVENT_FD_WRITE => match fd_subscription(ctx, sub) {
                Ok(FdReadiness::Now(ev)) => ready.push(ev),
                Ok(FdReadiness::Wait(pfd)) => waiting.push((*sub, pfd)),
                Err(e) => ready.push(Event::error(sub, e)),
            },
            _ => return Err(Errno::Inval),
        }
    }

    let interrupt = ctx.interrupt.as_deref();
    loop {
        let mut timeout = if ready.is_empty() { nearest(&deadlines)? } else { Some(0) };
        // Wait in slices while the embedder may want to tear down (only
        // when something can wake us at all: with no clock and no fd to
        // wait for, `wait` reports EINVAL).
        let slice = crate::ctx::INTERRUPT_CHECK_MS * 1_000_000;
        let can_wake = !waiting.is_empty() || timeout.is_some();
        if interrupt.is_some() && can_wake && timeout.is_none_or(|t| t > slice) {
            timeout = Some(slice);
        }
        wait(&mut waiting, timeout)?;
        if interrupt.is_some_and(|stop| stop()) {
            return Err(Errno::Intr);
        }
        for (sub, pfd) in &waiting {
            if let Some(ev) = fd_event(sub, pfd) {
                ready.push(ev);
            }
        }
        for d in &deadlines {
            if now(d.clock)? >= d.at {
                ready.push(Event { userdata: d.sub.userdata, error: 0, kind: EVENT_CLOCK, nbytes: 0, flags: 0 });
            }
        }
        if !ready.is_empty() {
            break;
        }
    }
    for (i, ev) in ready.iter().enumerate() {
        mem.write(events + i as u32 * Event::SIZE, *ev)?;
    }
    mem.write(nevents, ready.len() as u32)
}

/// Realtime and monotonic clocks can be waited on; CPU-time clocks do not
/// advance while the thread sleeps, so they are `ENOTSUP`.
fn clock_deadline(sub: &Subscription) -> WasiResult<Deadline> {
    let clock = sub.id_or_fd;
    host_clock(clock)?;
    if clock > crate::types::clockid::MONOTONIC {
        return Err(Errno::NotSup);
    }
    let at = if sub.flags & ABSTIME != 0 { sub.timeout } else { now(clock)?.saturating_add(sub.timeout) };
    Ok(Deadline { sub: *sub, clock, at })
}

/// Nanoseconds until the nearest deadline, or `None` to wait forever.
fn nearest(deadlines: &[Deadline]) -> WasiResult<Option<u64>> {
    let mut best: Option<u64> = None;
    for d in deadlines {
        let left = d.at.saturating_sub(now(d.clock)?);
        best = Some(best.map_or(left, |b| b.min(left)));
    }
    Ok(best)
}

enum FdReadiness<'a> {
    Now(Event),
    Wait(PollFd<'a>),
}

fn fd_subscription<'a>(ctx: &'a WasiCtx, sub: &Subscription) -> WasiResult<FdReadiness<'a>> {
    let d = ctx.fds.get(sub.id_or_fd)?;
    if matches!(d.kind, Kind::Dir(_)) {
        return Err(Errno::Badf);
    }
    d.require(rights::POLL_FD_READWRITE)?;
    let host = d.host_fd()?;
    if let Kind::File { filetype: Some(crate::types::filetype::REGULAR_FILE), .. } = d.kind {
        // A regular file is always ready; for reading, report what is left.
        let nbytes = if sub.tag == EVENT_FD_READ {
            let size = rustix::fs::fstat(host)?.st_size as u64;
            let pos = rustix::fs::tell(host)?;
            size.saturating_sub(pos)
        } else {
            0
        };
        return Ok(FdReadiness::Now(Event { userdata: sub.userdata, error: 0, kind: sub.tag, nbytes, flags: 0 }));
    }
    // RDHUP: a socket whose peer shut down its side (what a Node parent's
    // `stdin.end()` does to the socketpair that is a child's stdin) reads
    // end of file, a hangup for the guest as for a closed pipe.
    let flags = if sub.tag == EVENT_FD_READ { PollFlags::IN | hangup_flags() } else { PollFlags::OUT };
    Ok(FdReadiness::Wait(PollFd::from_borrowed_fd(host, flags)))
}

/// Waits in `poll(2)` for the fds, at most `timeout` ns (forever if
/// `None`). With no fds it is a plain sleep.
fn wait(waiting: &mut [(Subscription, PollFd<'_>)], timeout: Option<u64>) -> WasiResult<()> {
    let ts = timeout.map(|ns| rustix::time::Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as _ });
    let mut fds: Vec<PollFd<'_>> = waiting.iter().map(|(_, p)| p.clone()).collect();
    if fds.is_empty() {
        match ts {
            Some(ts) => {
                let _ = rustix::thread::nanosleep(&ts);
            }
            // Nothing can ever wake us: the guest asked to wait for nothing
            // but failed subscriptions, which were reported already.
            None => return Err(Errno::Inval),
        }
        return Ok(());
    }
    match rustix::event::poll(&mut fds, ts.as_ref()) {
        Ok(_) | Err(rustix::io::Errno::INTR) => {}
        Err(e) => return Err(e.into()),
    }
    for ((_, p), got) in waiting.iter_mut().zip(fds) {
        *p = got;
    }
    Ok(())
}

/// The poll flags, besides `POLLHUP`, that mean the peer hung up.
fn hangup_flags() -> PollFlags {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return PollFlags::RDHUP;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    return PollFlags::empty();
}

/// The event for a polled fd, if it is ready.
fn fd_event(sub: &Subscription, pfd: &PollFd<'_>) -> Option<Event> {
    let revents = pfd.revents();
    if revents.is_empty() {
        return None;
    }
    let mut ev = Event { userdata: sub.userdata, error: 0, kind: sub.tag, nbytes: 0, flags: 0 };
    if revents.contains(PollFlags::NVAL) {
        ev.error = Errno::Badf.raw();
        return Some(ev);
    }
    if revents.contains(PollFlags::ERR) && !revents.intersects(PollFlags::IN | PollFlags::OUT | PollFlags::HUP) {
        ev.error = Errno::Io.raw();
        return Some(ev);
    }
    if revents.intersects(PollFlags::HUP | hangup_flags()) {
        ev.flags = HANGUP;
    }
    if sub.tag == EVENT_FD_READ {
        ev.nbytes = rustix::io::ioctl_fionread(pfd).unwrap_or(0);
    }
    Some(ev)
}
