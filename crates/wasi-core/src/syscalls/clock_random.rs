//! `clock_res_get`, `clock_time_get` and `random_get`.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::host;
use crate::memory::GuestMemory;

/// `clock_res_get(id) -> timestamp`: the resolution of a clock (spec:
/// "the resolution of the clock, or an error if one happened").
pub fn clock_res_get(_ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, id: u32, res: u32) -> WasiResult<()> {
    let r = host::clock_resolution(id)?;
    mem.write(res, r)
}

/// `clock_time_get(id, precision) -> timestamp`: the time value of a clock.
/// `precision` is a hint and may be ignored, as the spec allows.
pub fn clock_time_get(_ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, id: u32, _precision: u64, time: u32) -> WasiResult<()> {
    let t = host::clock_now(id)?;
    mem.write(time, t)
}

/// `random_get(buf, buf_len)`: fills the buffer with cryptographically
/// secure random bytes (spec: "high-quality random data"). They come from
/// the host's `getrandom(2)`: requests of up to [`crate::random::POOLED_MAX`] bytes
/// through the instance's [`crate::random::RandomPool`], larger ones directly.
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
