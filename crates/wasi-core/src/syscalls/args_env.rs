//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.
//!
//! Both lists are handed to the guest the same way: an array of pointers at
//! one address, and the NUL-terminated strings packed into a buffer at
//! another. The `*_sizes_get` calls tell the guest how large each must be.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;

/// Number of strings and total bytes (each with its NUL) of `list`.
fn list_sizes(list: &[String]) -> WasiResult<(u32, u32)> {
    let count = u32::try_from(list.len()).map_err(|_| Errno::Overflow)?;
    let bytes: usize = list.iter().map(|s| s.len() + 1).sum();
    Ok((count, u32::try_from(bytes).map_err(|_| Errno::Overflow)?))
}

/// Writes the pointer array at `ptrs` and the strings at `buf`.
fn write_list(mem: &mut GuestMemory<'_>, list: &[String], ptrs: u32, buf: u32) -> WasiResult<()> {
    let (count, bytes) = list_sizes(list)?;
    // Check both regions up front so a bad pointer writes nothing.
    mem.check(ptrs, count.checked_mul(4).ok_or(Errno::Fault)?)?;
    mem.check(buf, bytes)?;
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write::<u32>(ptrs + 4 * i as u32, at)?;
        let len = s.len() as u32;
        mem.copy_in(at, s.as_bytes())?;
        mem.write::<u8>(at + len, 0)?;
        at += len + 1;
    }
    Ok(())
}

fn write_sizes(mem: &mut GuestMemory<'_>, list: &[String], count_ptr: u32, size_ptr: u32) -> WasiResult<()> {
    let (count, bytes) = list_sizes(list)?;
    mem.write(count_ptr, count)?;
    mem.write(size_ptr, bytes)
}

/// `args_get(argv, argv_buf)`: reads the command-line arguments.
pub fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, argv: u32, argv_buf: u32) -> WasiResult<()> {
    write_list(mem, ctx.args(), argv, argv_buf)
}

/// `args_sizes_get() -> (argc, argv_buf_size)`.
pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, argc: u32, buf_size: u32) -> WasiResult<()> {
    write_sizes(mem, ctx.args(), argc, buf_size)
}

/// `environ_get(environ, environ_buf)`: reads the `KEY=value` environment.
pub fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, environ: u32, buf: u32) -> WasiResult<()> {
    write_list(mem, ctx.env(), environ, buf)
}

/// `environ_sizes_get() -> (count, buf_size)`.
pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, count: u32, buf_size: u32) -> WasiResult<()> {
    write_sizes(mem, ctx.env(), count, buf_size)
}
