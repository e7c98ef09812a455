//! WASI clocks on Windows' clocks, and yielding the CPU.
//! - realtime: the system time (100 ns ticks since 1601, as std reads it);
//! - monotonic: the performance counter (std's `Instant`), counted from a
//!   fixed point taken once per process;
//! - process and thread CPU time: `GetProcessTimes` / `GetThreadTimes`,
//!   kernel plus user time, in 100 ns units.

use crate::errno::{Errno, WasiResult};
use crate::types::clockid;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use windows_sys::Win32::Foundation::FILETIME;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetCurrentThread, GetProcessTimes, GetThreadTimes};

fn filetime_ns(t: FILETIME) -> u64 {
    ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)).saturating_mul(100)
}

fn cpu_time(process: bool) -> WasiResult<u64> {
    let zero = FILETIME { dwLowDateTime: 0, dwHighDateTime: 0 };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: the pseudo-handles of the current process and thread are
    // always valid, and the four pointers are to live locals.
    let ok = unsafe {
        if process {
            GetProcessTimes(GetCurrentProcess(), &mut created, &mut exited, &mut kernel, &mut user)
        } else {
            GetThreadTimes(GetCurrentThread(), &mut created, &mut exited, &mut kernel, &mut user)
        }
    };
    if ok == 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(filetime_ns(kernel).saturating_add(filetime_ns(user)))
}

/// The current time of WASI clock `id`, in nanoseconds.
pub fn clock_now(id: u32) -> WasiResult<u64> {
    match id {
        clockid::REALTIME => Ok(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)),
        clockid::MONOTONIC => {
            static START: OnceLock<Instant> = OnceLock::new();
            let start = *START.get_or_init(Instant::now);
            // Never 0, so a guest can tell a reading from "unset".
            Ok(start.elapsed().as_nanos() as u64 + 1)
        }
        clockid::PROCESS_CPUTIME_ID => cpu_time(true),
        clockid::THREAD_CPUTIME_ID => cpu_time(false),
        _ => Err(Errno::Inval),
    }
}

/// The resolution of WASI clock `id`, in nanoseconds: 100 ns, the unit of
/// every Windows clock read here (the performance counter is finer, but
/// std reports it in its own units).
pub fn clock_resolution(id: u32) -> WasiResult<u64> {
    match id {
        clockid::REALTIME | clockid::MONOTONIC | clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => Ok(100),
        _ => Err(Errno::Inval),
    }
}

/// Gives up the CPU for a moment.
pub fn yield_now() {
    std::thread::yield_now();
}
