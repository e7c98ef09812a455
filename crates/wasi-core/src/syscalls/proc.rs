//! `proc_exit`, `proc_raise` and `sched_yield`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;

/// `proc_exit(rval)`: terminates the program. The core has nothing to do;
/// the embedder unwinds the guest (the table marks this call as exiting).
pub fn proc_exit(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, _rval: u32) -> WasiResult<()> {
    Ok(())
}

/// `proc_raise(sig)`: signals are not part of the sandbox; like wasmtime
/// and Node, this is `ENOSYS`.
pub fn proc_raise(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, _sig: u32) -> WasiResult<()> {
    Err(Errno::NoSys)
}

/// `sched_yield()`: gives up the host CPU for a moment.
pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>) -> WasiResult<()> {
    crate::host::yield_now();
    Ok(())
}
