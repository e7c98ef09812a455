//! `poll_oneoff`: waits until at least one subscription has an event.
//!
//! Clock subscriptions have a deadline on the clock they name (relative to
//! now, or absolute with `SUBSCRIPTION_CLOCK_ABSTIME`). Read/write
//! subscriptions on regular files are always ready; on anything else
//! (stdin, pipes, terminals, sockets) they wait in the host's `poll(2)`.
//! With only clocks, the call sleeps: it never spins.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Descriptor, Kind};
use crate::host::poll::PollSet;
use crate::host::{self, clock_now as now, Interest};
use crate::memory::{GuestMemory, GuestType};
use crate::types::rights;
use std::sync::Arc;

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
    // Each fd subscription's descriptor is held for the whole call; the
    // table's lock is not held while the call waits.
    let held: Vec<Option<WasiResult<Arc<Descriptor>>>> = {
        let mut fds = ctx.fds();
        subs.iter()
            .map(|sub| {
                (sub.tag == EVENT_FD_READ || sub.tag == EVENT_FD_WRITE).then(|| {
                    let _ = fds.classify(sub.id_or_fd);
                    fds.get(sub.id_or_fd)
                })
            })
            .collect()
    };
    let mut ready: Vec<Event> = Vec::new();
    let mut deadlines: Vec<Deadline> = Vec::new();
    // The subscriptions waiting in `poll_set`, in its order.
    let mut waiting: Vec<Subscription> = Vec::new();
    let mut poll_set = PollSet::new();
    for (sub, held) in subs.iter().zip(&held) {
        match sub.tag {
            EVENT_CLOCK => match clock_deadline(sub) {
                Ok(d) => deadlines.push(d),
                Err(e) => ready.push(Event::error(sub, e)),
            },
            EVENT_FD_READ | EVENT_FD_WRITE => {
                match held.as_ref().ok_or(Errno::Inval).and_then(|d| fd_subscription(d.as_ref().map_err(|e| *e)?, sub)) {
                    Ok(FdReadiness::Now(ev)) => ready.push(ev),
                    Ok(FdReadiness::Wait(fd, interest)) => {
                        waiting.push(*sub);
                        poll_set.push(fd, interest);
                    }
                    Err(e) => ready.push(Event::error(sub, e)),
                }
            }
            _ => return Err(Errno::Inval),
        }
    }

    let interruptible = ctx.interruptible();
    loop {
        let mut timeout = if ready.is_empty() { nearest(&deadlines)? } else { Some(0) };
        // Wait in slices while the embedder may want to tear down (only
        // when something can wake us at all: with no clock and no fd to
        // wait for, `wait` reports EINVAL).
        let slice = crate::ctx::INTERRUPT_CHECK_MS * 1_000_000;
        let can_wake = !waiting.is_empty() || timeout.is_some();
        if interruptible && can_wake && timeout.is_none_or(|t| t > slice) {
            timeout = Some(slice);
        }
        poll_set.wait(timeout)?;
        if interruptible && ctx.stop_requested() {
            return Err(Errno::Intr);
        }
        for (i, sub) in waiting.iter().enumerate() {
            if let Some(r) = poll_set.readiness(i) {
                ready.push(fd_event(sub, r));
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
    now(clock)?;
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
    Wait(host::BorrowedFd<'a>, Interest),
}

fn fd_subscription<'a>(d: &'a Descriptor, sub: &Subscription) -> WasiResult<FdReadiness<'a>> {
    if matches!(d.kind, Kind::Dir(_)) {
        return Err(Errno::Badf);
    }
    d.require(rights::POLL_FD_READWRITE)?;
    let host = d.host_fd()?;
    if matches!(d.kind, Kind::File { .. }) && d.known_filetype() == Some(crate::types::filetype::REGULAR_FILE) {
        // A regular file is always ready; for reading, report what is left.
        let nbytes = if sub.tag == EVENT_FD_READ { host::unread_bytes(host)? } else { 0 };
        return Ok(FdReadiness::Now(Event { userdata: sub.userdata, error: 0, kind: sub.tag, nbytes, flags: 0 }));
    }
    // A read subscription also wakes on a hangup, including a socket peer's
    // shutdown of its sending side (see `host::poll`).
    let interest = if sub.tag == EVENT_FD_READ { Interest::Read } else { Interest::Write };
    Ok(FdReadiness::Wait(host, interest))
}

/// The event for a polled fd that is ready.
fn fd_event(sub: &Subscription, r: host::poll::Readiness) -> Event {
    let mut ev = Event { userdata: sub.userdata, error: 0, kind: sub.tag, nbytes: 0, flags: 0 };
    if let Some(e) = r.error {
        ev.error = e.raw();
        return ev;
    }
    if r.hangup {
        ev.flags = HANGUP;
    }
    if sub.tag == EVENT_FD_READ {
        ev.nbytes = r.nbytes;
    }
    ev
}
