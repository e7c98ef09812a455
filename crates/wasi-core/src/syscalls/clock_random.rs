//! `clock_res_get`, `clock_time_get` and `random_get`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use crate::types::clockid;
use rustix::time::ClockId;

/// The host clock behind a WASI `clockid`, or `EINVAL`.
pub fn host_clock(id: u32) -> WasiResult<ClockId> {
    match id {
        clockid::REALTIME => Ok(ClockId::Realtime),
        clockid::MONOTONIC => Ok(ClockId::Monotonic),
        clockid::PROCESS_CPUTIME_ID => Ok(ClockId::ProcessCPUTime),
        clockid::THREAD_CPUTIME_ID => Ok(ClockId::ThreadCPUTime),
        _ => Err(Errno::Inval),
    }
}

fn timespec_nanos(t: rustix::time::Timespec) -> u64 {
    (t.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(t.tv_nsec as u64)
}

/// The current time of clock `id`, in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    Ok(timespec_nanos(rustix::time::clock_gettime(host_clock(id)?)))
}

/// `clock_res_get(id) -> timestamp`: the resolution of a clock (spec:
/// "the resolution of the clock, or an error if one happened").
pub fn clock_res_get(_ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, id: u32, res: u32) -> WasiResult<()> {
    let r = timespec_nanos(rustix::time::clock_getres(host_clock(id)?)).max(1);
    mem.write(res, r)
}

/// `clock_time_get(id, precision) -> timestamp`: the time value of a clock.
/// `precision` is a hint and may be ignored, as the spec allows.
pub fn clock_time_get(_ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, id: u32, _precision: u64, time: u32) -> WasiResult<()> {
    let t = now(id)?;
    mem.write(time, t)
}

/// `random_get(buf, buf_len)`: fills the buffer with cryptographically
/// secure random bytes (spec: "high-quality random data"). They come from
/// the host's `getrandom(2)`: requests of up to [`POOLED_MAX`] bytes
/// through the instance's [`RandomPool`], larger ones directly.
pub fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, buf: u32, len: u32) -> WasiResult<()> {
    mem.check(buf, len)?;
    // A shared memory is filled through host copies of bounded size.
    let mut done = 0u32;
    while done < len {
        let n = mem.fill(buf + done, len - done, |out| ctx.random.fill(out).map(|()| out.len()))?;
        done += n as u32;
    }
    Ok(())
}

/// The largest request served from the pool.
pub const POOLED_MAX: usize = 64;
/// How many bytes the pool asks the kernel for at a time.
const POOL_BYTES: usize = 1024;

/// Bytes read from `getrandom(2)` ahead of need, each handed out once.
///
/// Programs often ask for a few bytes at a time (16 to seed a hash map,
/// 4 for a random number); one system call for each costs ~350 ns, most of
/// it the kernel's per-call overhead. The pool reads a kilobyte at once and
/// serves small requests from it, as wasmtime serves them from a
/// user-space generator. The bytes are the kernel's own output, never
/// reused: each served byte is zeroed in the pool at once.
#[derive(Default)]
pub struct RandomPool {
    /// `POOL_BYTES` long once first used.
    bytes: Vec<u8>,
    /// Where the unserved bytes start (`bytes.len()` when there are none).
    next: usize,
}

impl RandomPool {
    /// Fills `out` with random bytes.
    pub fn fill(&mut self, out: &mut [u8]) -> WasiResult<()> {
        if out.len() > POOLED_MAX {
            return getrandom_into(out);
        }
        if self.bytes.len() - self.next < out.len() {
            self.bytes.resize(POOL_BYTES, 0);
            self.next = POOL_BYTES; // empty, should the refill fail
            getrandom_into(&mut self.bytes)?;
            self.next = 0;
        }
        let served = &mut self.bytes[self.next..self.next + out.len()];
        out.copy_from_slice(served);
        served.fill(0);
        self.next += out.len();
        Ok(())
    }
}

/// Fills `out` from `getrandom(2)` (called directly, without libc's
/// cancellation-point wrapper; large buffers take several calls).
fn getrandom_into(mut out: &mut [u8]) -> WasiResult<()> {
    while !out.is_empty() {
        match rustix::rand::getrandom(&mut *out, rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => out = &mut out[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn small_requests_come_from_the_pool_and_never_repeat() {
        let mut pool = RandomPool::default();
        let mut seen = HashSet::new();
        // 20,000 requests of 16 bytes span ~300 refills.
        for _ in 0..20_000 {
            let mut out = [0u8; 16];
            pool.fill(&mut out).unwrap();
            assert!(seen.insert(out), "a 16-byte block repeated");
        }
        assert_eq!(pool.bytes.len(), POOL_BYTES);
    }

    #[test]
    fn served_bytes_are_zeroed_in_the_pool_and_odd_sizes_cross_refills() {
        let mut pool = RandomPool::default();
        for len in (0..=POOLED_MAX).cycle().take(500) {
            let mut out = vec![0u8; len];
            pool.fill(&mut out).unwrap();
            assert!(pool.bytes[..pool.next].iter().all(|&b| b == 0), "a served byte was left in the pool");
            if len >= 16 {
                assert!(out.iter().any(|&b| b != 0), "{len} zero bytes are not random");
            }
        }
    }

    #[test]
    fn large_requests_bypass_the_pool() {
        let mut pool = RandomPool::default();
        let mut out = vec![0u8; 100_000];
        pool.fill(&mut out).unwrap();
        assert!(pool.bytes.is_empty());
        // A byte value absent from 100,000 random bytes is essentially impossible.
        let mut counts = [0usize; 256];
        out.iter().for_each(|&b| counts[b as usize] += 1);
        assert!(counts.iter().all(|&c| c > 0));
    }
}
