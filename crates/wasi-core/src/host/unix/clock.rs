//! WASI clocks on the host's clocks, and yielding the CPU.

use crate::errno::{Errno, WasiResult};
use crate::types::clockid;
use rustix::time::ClockId;

/// The host clock behind a WASI `clockid`, or `EINVAL` for an unknown one.
fn host_clock(id: u32) -> WasiResult<ClockId> {
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

/// The current time of WASI clock `id`, in nanoseconds.
pub fn clock_now(id: u32) -> WasiResult<u64> {
    Ok(timespec_nanos(rustix::time::clock_gettime(host_clock(id)?)))
}

/// The resolution of WASI clock `id`, in nanoseconds (at least 1).
pub fn clock_resolution(id: u32) -> WasiResult<u64> {
    Ok(timespec_nanos(rustix::time::clock_getres(host_clock(id)?)).max(1))
}

/// Gives up the CPU for a moment.
pub fn yield_now() {
    rustix::thread::sched_yield();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wasi_clock_reads_and_others_are_einval() {
        for id in [clockid::REALTIME, clockid::MONOTONIC, clockid::PROCESS_CPUTIME_ID, clockid::THREAD_CPUTIME_ID] {
            assert!(clock_now(id).unwrap() > 0);
            assert!(clock_resolution(id).unwrap() >= 1);
        }
        assert_eq!(clock_now(4), Err(Errno::Inval));
        let a = clock_now(clockid::MONOTONIC).unwrap();
        assert!(clock_now(clockid::MONOTONIC).unwrap() >= a);
    }
}
