//! `poll_oneoff`: waits for clock and fd events (complete with issue #4).

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use crate::syscalls::fd::not_yet;

not_yet! {
    /// `poll_oneoff(in, out, nsubscriptions) -> nevents`.
    poll_oneoff(subs: u32, events: u32, nsubscriptions: u32, nevents: u32);
}
